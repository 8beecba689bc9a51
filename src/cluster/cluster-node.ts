// A broker as a member of a cluster (docs/cluster.md): opens the metadata database (migrations
// applied), the object store and the cluster's log manager; after the Kafka listener is bound it
// registers the broker and runs the sync loop every heartbeatIntervalMs:
//   1. heartbeat and renew this broker's leases (one serial step with object commits, so a lease
//      change never interleaves with a commit);
//   2. read the live brokers, topics and partitions (the view Metadata and the handlers use);
//   3. the same for group coordinator leases (group-store.ts), loading the groups of slots it takes,
//      and the cluster-wide documents other brokers changed (ACLs, credentials, quotas, broker config
//      defaults: shared-state.ts);
//   4. take partitions without a valid lease, up to this broker's fair share (partitions / live brokers,
//      rounded up), or give leases back when above it (a broker joined).
// While a Fetch waits on a partition led elsewhere, its high watermark is polled every
// fetchPollIntervalMs. close() (a graceful stop) writes what is pending, gives the leases back and
// leaves the cluster, so other brokers take over at once instead of after the lease timeout.
//
// Loaded with `await import()` by broker/start.ts only in cluster mode.

import { performance } from 'node:perf_hooks'
import type { Logger } from '../log.ts'
import type { ClusterMetricsSnapshot } from '../metrics/cluster-gauges.ts'
import { maintenanceIntervalMs } from '../storage/limits.ts'
import type { ObjectStore } from '../storage/tiered/object-store.ts'
import { S3ObjectStore } from '../storage/tiered/s3-object-store.ts'
import type { TopicConfigOverrides } from '../storage/topic-config.ts'
import { loadPartitions, loadTopics } from './catalog.ts'
import { ClusterLogManager } from './cluster-log-manager.ts'
import { settleGroupCoordinatorSlots } from './coordinator-leases.ts'
import { type MetadataDatabase, openMetadataDatabase } from './database.ts'
import { type StoredGroupListing, storedGroupListings } from './group-listing.ts'
import { ClusterGroupStore } from './group-store.ts'
import { Leadership, type LedPartition, SerialQueue } from './leadership.ts'
import { acquireLeases, leaseCounts, releaseLeases, renewLeases } from './leases.ts'
import { advanceLogStart, retentionStart } from './log-start.ts'
import {
  type ClusterLeasesReport,
  type ClusterMemberReport,
  clusterLeases,
  clusterMembers,
} from './members-report.ts'
import {
  type ClusterBroker,
  clusterIdOf,
  deregisterBroker,
  heartbeat,
  liveBrokers,
  type Registration,
  registerBroker,
} from './membership.ts'
import { migrate } from './migrations.ts'
import { deleteQueuedObjects } from './object-cleaner.ts'
import { ObjectReader, type ReadStats } from './object-reader.ts'
import { ObjectWriter } from './object-writer.ts'
import type { ClusterOptions } from './options.ts'
import { allocateProducerIdBlock, expireProducerState, loadProducerState } from './producer-state-rows.ts'
import { ReadCache } from './read-cache.ts'
import { SharedStateDocuments } from './shared-state.ts'
import { MarkerApplier } from './txn-markers.ts'
import { ClusterTransactionStore } from './txn-store.ts'
import type { ClusterView, PartitionLeader } from './view.ts'

/** Least time between two warnings about a failing sync (a database outage logs once per period). */
const syncWarningIntervalMs = 10_000

export class ClusterNode implements ClusterView {
  readonly logs: ClusterLogManager
  /** Group coordinator leases and group state (the group coordinator's GroupStateLog). */
  readonly groupStore: ClusterGroupStore
  /** ACLs, SCRAM credentials, client quotas, dynamic broker config defaults (shared by every broker). */
  readonly sharedState: SharedStateDocuments
  /** Transaction coordinator leases and transaction state (the transaction coordinator's state log). */
  readonly txnStore: ClusterTransactionStore
  private markers: MarkerApplier | null = null
  private lastProducerExpiryMs = performance.now()
  private readonly leadership: Leadership
  private readonly queue = new SerialQueue()
  private readonly cache: ReadCache
  private writer: ObjectWriter | null = null
  private readonly writes = { objects: 0, putSeconds: 0, commitSeconds: 0 }
  private readonly readStats: ReadStats
  private registration: Registration | null = null
  private live: ClusterBroker[] = []
  private syncTimer: NodeJS.Timeout | null = null
  private pollTimer: NodeJS.Timeout | null = null
  private lastWarningMs = 0
  /** performance.now() of the last retention pass and object cleaning (maintain()). */
  private lastMaintenanceMs = Number.NEGATIVE_INFINITY
  private closing: Promise<void> | null = null

  private constructor(
    private readonly options: ClusterOptions,
    private readonly database: MetadataDatabase,
    private readonly store: ObjectStore,
    clusterId: string,
    topicDefaults: TopicConfigOverrides,
    private readonly log: Logger,
  ) {
    this.leadership = new Leadership(options.leaseTimeoutMs)
    this.cache = new ReadCache(options.readCacheBytes)
    this.groupStore = new ClusterGroupStore(database, options.leaseTimeoutMs)
    this.sharedState = new SharedStateDocuments(database)
    const reader = new ObjectReader(database, store, this.cache)
    this.readStats = reader.stats
    const node = this
    this.logs = new ClusterLogManager(
      clusterId,
      database,
      {
        database,
        get writer(): ObjectWriter {
          return node.requireWriter()
        },
        reader,
        leadership: this.leadership,
        onListenerError: (error) => log.error({ err: error }, 'a fetch wake-up failed'),
        advanceLogStart: (topicId, partition, leaderEpoch, offset) =>
          advanceLogStart(database, { topicId, partition, brokerId: this.brokerId, leaderEpoch }, offset),
      },
      () => this.refreshCatalog(),
      topicDefaults,
      () => this.close(),
    )
    this.txnStore = new ClusterTransactionStore(
      database,
      this.logs,
      options.leaseTimeoutMs,
      options.transactionalIdExpirationMs,
    )
  }

  static async open(
    options: ClusterOptions,
    context: { log: Logger; topicDefaults: TopicConfigOverrides; offsetsTopicPartitions: number },
  ): Promise<ClusterNode> {
    const database = await openMetadataDatabase({
      url: options.metadataUrl,
      poolSize: options.poolSize,
      onError: (error) => context.log.warn({ err: error }, 'metadata database connection lost'),
    })
    try {
      const applied = await migrate(database)
      if (applied.length > 0) context.log.info({ versions: applied }, 'cluster schema migrated')
      const clusterId = await clusterIdOf(database)
      const slots = await settleGroupCoordinatorSlots(database, context.offsetsTopicPartitions)
      if (slots !== context.offsetsTopicPartitions)
        context.log.warn(
          { configured: context.offsetsTopicPartitions, cluster: slots },
          'offsets.topic.num.partitions differs from the cluster’s group coordinator slots, fixed when the cluster was created; using the cluster’s',
        )
      const store = await S3ObjectStore.open(options.objectStore)
      const node = new ClusterNode(options, database, store, clusterId, context.topicDefaults, context.log)
      await node.refreshCatalog()
      return node
    } catch (error) {
      await database.close().catch(() => {})
      throw error
    }
  }

  get brokerId(): number {
    return this.registration?.brokerId ?? -1
  }

  members(): Promise<ClusterMemberReport[]> {
    return clusterMembers(this.database, this.options.leaseTimeoutMs)
  }

  leases(): Promise<ClusterLeasesReport> {
    return clusterLeases(this.database)
  }

  groupListings(): Promise<StoredGroupListing[]> {
    return storedGroupListings(this.database)
  }

  brokers(): readonly ClusterBroker[] {
    return this.live
  }

  leaderOf(topic: string, partition: number): PartitionLeader | null {
    const log = this.logs.partition(topic, partition)
    if (log === undefined) return null
    const led = this.leadership.writable(log.topicId, partition)
    if (led !== undefined && this.registration !== null)
      return { leaderId: this.registration.brokerId, leaderEpoch: led.leaderEpoch }
    const { leaderBroker, leaderEpoch } = log.state
    if (leaderBroker === null || leaderBroker === this.registration?.brokerId) return null
    if (!this.live.some((broker) => broker.brokerId === leaderBroker)) return null
    return { leaderId: leaderBroker, leaderEpoch }
  }

  /** For /metrics (metrics/cluster-gauges.ts). */
  metricsSnapshot(): ClusterMetricsSnapshot {
    return {
      liveBrokers: this.live.length,
      partitionLeases: this.leadership.size,
      groupCoordinatorLeases: this.groupStore.leases().length,
      objectsWritten: this.writes.objects,
      objectPutSecondsSum: this.writes.putSeconds,
      metadataCommitSecondsSum: this.writes.commitSeconds,
      indexQueries: this.readStats.indexQueries,
      indexQuerySecondsSum: this.readStats.indexQuerySeconds,
      objectGets: this.readStats.objectGets,
      objectGetSecondsSum: this.readStats.objectGetSeconds,
      readCacheHits: this.readStats.cacheHits,
    }
  }

  /** The first id of a block of producer ids unique across the cluster (InitProducerId). */
  allocateProducerIdBlock(): Promise<bigint> {
    return allocateProducerIdBlock(this.database)
  }

  groupCoordinatorOf(groupId: string): ClusterBroker | null {
    const brokerId = this.groupStore.coordinatorOf(groupId)
    return this.live.find((broker) => broker.brokerId === brokerId) ?? null
  }

  transactionCoordinatorOf(transactionalId: string): ClusterBroker | null {
    const brokerId = this.txnStore.coordinatorOf(transactionalId)
    return this.live.find((broker) => broker.brokerId === brokerId) ?? null
  }

  private requireWriter(): ObjectWriter {
    if (this.writer === null) throw new Error('cluster node used before activate()')
    return this.writer
  }

  /** Joins the cluster at the advertised address and starts the sync loop. Returns the broker id. */
  async activate(address: { host: string; port: number; rack: string | null }): Promise<number> {
    const registration = await registerBroker(this.database, {
      ...address,
      leaseTimeoutMs: this.options.leaseTimeoutMs,
    })
    this.registration = registration
    this.writer = new ObjectWriter({
      store: this.store,
      database: this.database,
      brokerId: registration.brokerId,
      leadership: this.leadership,
      queue: this.queue,
      flushIntervalMs: this.options.flushIntervalMs,
      flushBytes: this.options.flushBytes,
      onCommitted: (part, objectKey, bytes) => {
        this.cache.set(ReadCache.keyOf(objectKey, part.byteStart, part.byteEnd), bytes)
        this.logs.partitionById(part.topicId, part.partition)?.committed(part.lastOffset + 1)
      },
      onObject: (stats) => {
        this.writes.objects++
        this.writes.putSeconds += stats.putMs / 1000
        this.writes.commitSeconds += stats.commitMs / 1000
      },
      onError: (error, what) => this.log.error({ err: error }, what),
    })
    this.markers = new MarkerApplier({
      database: this.database,
      ledPartition: (topicId, partition) =>
        this.leadership.writable(topicId, partition) === undefined
          ? undefined
          : this.logs.partitionById(topicId, partition),
      groupStore: this.groupStore,
      onDone: () => this.txnStore.wake(),
      log: this.log,
    })
    this.markers.start()
    await this.sync()
    this.scheduleSync()
    this.log.info({ brokerId: registration.brokerId, epoch: registration.epoch }, 'joined the cluster')
    return registration.brokerId
  }

  private scheduleSync(): void {
    this.syncTimer = setTimeout(() => {
      this.sync()
        .catch((error: unknown) => this.warn(error, 'cluster sync failed; retrying'))
        .finally(() => {
          if (this.closing === null) this.scheduleSync()
        })
    }, this.options.heartbeatIntervalMs)
    this.pollTimer ??= setInterval(() => {
      if (!this.logs.allPartitions().some((log) => log.hasWaiters)) return
      this.refreshCatalog().catch((error: unknown) => this.warn(error, 'polling high watermarks failed'))
    }, this.options.fetchPollIntervalMs)
  }

  private warn(error: unknown, message: string): void {
    const now = performance.now()
    if (now - this.lastWarningMs < syncWarningIntervalMs) return
    this.lastWarningMs = now
    this.log.warn({ err: error }, message)
  }

  /** One round of the sync loop (see the header). */
  async sync(): Promise<void> {
    const registration = this.registration
    if (registration === null) return
    await this.queue.run(async () => {
      const askedAtMs = performance.now()
      if (!(await heartbeat(this.database, registration))) {
        this.leadership.forgetAll()
        throw new Error(`broker ${registration.brokerId} was replaced in the cluster; leading nothing`)
      }
      const leases = await renewLeases(this.database, registration.brokerId, this.options.leaseTimeoutMs)
      for (const lost of this.leadership.keepOnly(leases))
        this.log.info({ topicId: lost.topicId, partition: lost.partition }, 'lease lost')
      await this.loadProducers(this.leadership.confirm(leases, askedAtMs))
    })
    this.live = await liveBrokers(this.database, this.options.leaseTimeoutMs)
    // Independent slot tables: both rounds at once, so the next heartbeat is not delayed by the sum.
    await Promise.all([
      this.groupStore.sync(registration.brokerId, this.live.length),
      this.txnStore.sync(registration.brokerId, this.live.length),
    ])
    await this.sharedState.sync()
    await this.refreshCatalog()
    this.markers?.run()
    await this.expireProducers()
    await this.maintain()
    const { total, mine } = await leaseCounts(this.database, registration.brokerId)
    const share = Math.ceil(total / Math.max(1, this.live.length))
    if (mine > share) {
      await this.releaseSurplus(registration, mine - share)
      return
    }
    if (mine === share) return
    const acquired = await this.queue.run(async () => {
      const askedAtMs = performance.now()
      const leases = await acquireLeases(
        this.database,
        registration.brokerId,
        this.options.leaseTimeoutMs,
        share - mine,
      )
      return this.loadProducers(this.leadership.confirm(leases, askedAtMs))
    })
    for (const lease of acquired) {
      this.log.info(
        { topicId: lease.topicId, partition: lease.partition, leaderEpoch: lease.leaderEpoch },
        'lease acquired',
      )
      this.logs.partitionById(lease.topicId, lease.partition)?.committed(lease.highWatermark)
    }
  }

  /** Every maintenanceIntervalMs (as a single broker's retention check): moves the log start offset of
   * the partitions this broker leads by retention.ms / retention.bytes, and deletes from the store the
   * objects nothing refers to any more (log-start.ts, object-cleaner.ts). */
  private async maintain(): Promise<void> {
    const now = performance.now()
    if (now - this.lastMaintenanceMs < maintenanceIntervalMs) return
    this.lastMaintenanceMs = now
    for (const led of this.leadership.all()) {
      const log = this.logs.partitionById(led.topicId, led.partition)
      if (log === undefined) continue
      const { retentionMs, retentionBytes } = log.config
      const start = await retentionStart(this.database, led, {
        retentionMs,
        retentionBytes,
        nowMs: Date.now(),
      })
      if (start === null || start <= log.logStartOffset) continue
      const moved = await advanceLogStart(
        this.database,
        {
          topicId: led.topicId,
          partition: led.partition,
          brokerId: this.brokerId,
          leaderEpoch: led.leaderEpoch,
        },
        start,
      )
      if (moved !== null) log.startMoved(moved)
    }
    await deleteQueuedObjects(this.database, this.store, this.options.objectDeleteDelayMs)
  }

  /** `producer.id.expiration.ms`: producers silent that long, with no transaction open, are forgotten
   * in PostgreSQL and in the memory of the partitions led here (checked every quarter of the period,
   * at most every minute). */
  private async expireProducers(): Promise<void> {
    const expirationMs = this.options.producerIdExpirationMs
    const now = performance.now()
    if (now - this.lastProducerExpiryMs < Math.min(60_000, expirationMs / 4)) return
    this.lastProducerExpiryMs = now
    const nowMs = Date.now()
    for (const led of this.leadership.all())
      led.producers.expire(nowMs, expirationMs, (producerId) => led.transactions.ongoing.has(producerId))
    const expired = await expireProducerState(this.database, expirationMs)
    if (expired > 0) this.log.info({ expired }, 'idle producers expired')
  }

  /** Reads the idempotent producers' state of partitions just taken, before anything is written to
   * them (run in the serial queue, before the next object is built). A partition whose state cannot be
   * read is not led: the next renewal takes it again and retries. */
  private async loadProducers(added: LedPartition[]): Promise<LedPartition[]> {
    try {
      for (const led of added) {
        const loaded = await loadProducerState(this.database, led.topicId, led.partition)
        led.producers = loaded.producers
        led.transactions = loaded.transactions
        led.lastStableOffset = loaded.transactions.lastStableOffset(led.highWatermark)
      }
      return added
    } catch (error) {
      for (const led of added) this.leadership.forget(led.topicId, led.partition)
      throw error
    }
  }

  /** A broker above its fair share (a broker joined) gives partitions back for others to take. Run
   * in the serial queue: the partitions stop being writable here before their leases are released,
   * and their pending appends are refused (NOT_LEADER_OR_FOLLOWER, clients move). */
  private async releaseSurplus(registration: Registration, count: number): Promise<void> {
    const released = await this.queue.run(async () => {
      const surplus = this.leadership.all().slice(0, count)
      for (const led of surplus) this.leadership.forget(led.topicId, led.partition)
      await releaseLeases(this.database, registration.brokerId, surplus)
      return surplus
    })
    for (const led of released)
      this.log.info(
        { topicId: led.topicId, partition: led.partition, leaderEpoch: led.leaderEpoch },
        'lease released to rebalance',
      )
  }

  private async refreshCatalog(): Promise<void> {
    const [topics, partitions] = await Promise.all([loadTopics(this.database), loadPartitions(this.database)])
    this.logs.applyCatalog(topics, partitions)
  }

  /** Graceful stop; idempotent. */
  close(): Promise<void> {
    this.closing ??= this.stop()
    return this.closing
  }

  private async stop(): Promise<void> {
    if (this.syncTimer !== null) clearTimeout(this.syncTimer)
    if (this.pollTimer !== null) clearInterval(this.pollTimer)
    this.markers?.stop()
    const registration = this.registration
    try {
      await this.writer?.close()
      if (registration !== null) {
        const led = await this.queue.run(async () => this.leadership.forgetAll())
        await releaseLeases(this.database, registration.brokerId, led)
        await this.groupStore.close()
        await this.txnStore.close()
        await deregisterBroker(this.database, registration)
      }
    } catch (error) {
      this.log.warn({ err: error }, 'leaving the cluster failed; leases expire after the timeout')
    } finally {
      this.store.close()
      await this.database.close()
    }
  }
}
