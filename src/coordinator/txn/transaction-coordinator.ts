// The transaction coordinator (Kafka's TransactionCoordinator) for every transactional id: producer
// ids and epochs (fencing), the partitions of the open transaction, and its end: PrepareCommit /
// PrepareAbort is written to `__transaction_state`, then a COMMIT/ABORT marker to every partition
// of the transaction, then CompleteCommit / CompleteAbort. After a restart, prepared transactions
// are completed; open ones abort when `transaction.timeout.ms` passes (with an epoch bump that
// fences the producer). Operations on one transactional id run one at a time.
//
// In cluster mode a TransactionStateLog (src/cluster/txn-store.ts) replaces the topic: this broker
// coordinates the ids of the slots it holds (NOT_COORDINATOR for the others), the state is a row in
// PostgreSQL, markers are written by each partition's leader, and a slot taken over has its prepared
// transactions completed and its open ones left to finish or time out (Kafka's failover).

import { KafkaError, StorageError } from '../../errors.ts'
import type { Logger } from '../../log.ts'
import { ErrorCode } from '../../protocol/generated/index.ts'
import type { LogManager } from '../../storage/types.ts'
import type { GroupCoordinator } from '../group/group-coordinator.ts'
import { offsetsTopicName } from '../group/offsets-topic-log.ts'
import { InternalTopicLog, markerBatch } from '../internal-topic-log.ts'
import {
  defaultInternalTopicSettings,
  type StateTopicSpec,
  transactionTopicName,
  transactionTopicSpec,
} from '../state-topics.ts'
import type { ProducerIdManager } from './producer-id-manager.ts'
import {
  decodeTransactionRecord,
  encodeTransactionRecord,
  type TransactionMetadata,
  TransactionState,
} from './transaction-metadata.ts'
import type { TransactionStateLog } from './transaction-state-log.ts'

export { transactionTopicName }

const epochMax = 32767

export interface TransactionConfig {
  /** `transaction.max.timeout.ms` (15 min): longer timeouts get INVALID_TRANSACTION_TIMEOUT. */
  maxTimeoutMs: number
  /** `transaction.state.log.num.partitions` (50). */
  partitionCount: number
  /** `transaction.state.log.segment.bytes` (100 MiB). */
  segmentBytes: number
  /** How often open transactions are checked against their timeout. */
  timeoutCheckIntervalMs: number
  /** Transactional ids kept at once (client input): past this, new ids get COORDINATOR_NOT_AVAILABLE. */
  transactionalIdsMax: number
}

export const defaultTransactionConfig: TransactionConfig = {
  maxTimeoutMs: 900_000,
  partitionCount: defaultInternalTopicSettings.transactionTopicPartitions,
  segmentBytes: defaultInternalTopicSettings.transactionTopicSegmentBytes,
  timeoutCheckIntervalMs: 1_000,
  transactionalIdsMax: 100_000,
}

export interface ProducerIdentity {
  producerId: bigint
  producerEpoch: number
}

export class TransactionCoordinator {
  readonly transactions = new Map<string, TransactionMetadata>()
  readonly config: TransactionConfig
  private readonly topic: InternalTopicLog
  private readonly logs: LogManager
  private readonly groups: GroupCoordinator
  private readonly producerIds: ProducerIdManager
  private readonly log: Logger
  private readonly now: () => number
  private readonly queues = new Map<string, Promise<unknown>>()
  private loaded = false
  private ticker: NodeJS.Timeout | undefined
  private readonly stateLog: TransactionStateLog | undefined

  constructor(options: {
    logs: LogManager
    groups: GroupCoordinator
    producerIds: ProducerIdManager
    log: Logger
    config?: Partial<TransactionConfig>
    now?: () => number
    /** Cluster mode: state in PostgreSQL instead of `__transaction_state`. */
    stateLog?: TransactionStateLog
  }) {
    this.stateLog = options.stateLog
    // Attached at once: the cluster's first sync may load slots before start() runs.
    this.stateLog?.attach({
      restore: (transactions) => this.restore(transactions),
      forget: (matches) => {
        for (const transactionalId of this.transactions.keys())
          if (matches(transactionalId)) this.transactions.delete(transactionalId)
      },
    })
    this.config = { ...defaultTransactionConfig, ...options.config }
    this.logs = options.logs
    this.groups = options.groups
    this.producerIds = options.producerIds
    this.log = options.log.child({ component: 'transaction-coordinator' })
    this.now = options.now ?? Date.now
    this.topic = new InternalTopicLog(
      options.logs,
      transactionTopicSpec(this.config.partitionCount, this.config.segmentBytes),
    )
  }

  get loading(): boolean {
    return !this.loaded
  }

  /** How __transaction_state is created (DescribeConfigs reports transaction.state.log.*). */
  get topicSpec(): StateTopicSpec {
    return this.topic.spec
  }

  /** Replays __transaction_state, completes prepared transactions, starts the timeout check. */
  async start(): Promise<void> {
    if (this.stateLog !== undefined) {
      this.loaded = true
      this.ticker = setInterval(() => this.abortTimedOut(), this.config.timeoutCheckIntervalMs)
      this.ticker.unref()
      return
    }
    await this.topic.load((record) => {
      if (record.key === null) return
      const decoded = decodeTransactionRecord(record.key, record.value)
      if (decoded === null) return
      if (decoded.metadata === null) this.transactions.delete(decoded.transactionalId)
      else this.transactions.set(decoded.transactionalId, decoded.metadata)
    })
    this.loaded = true
    for (const metadata of this.transactions.values()) {
      if (
        metadata.state === TransactionState.PrepareCommit ||
        metadata.state === TransactionState.PrepareAbort
      ) {
        await this.complete(metadata, metadata.state === TransactionState.PrepareCommit)
      }
    }
    this.ticker = setInterval(() => this.abortTimedOut(), this.config.timeoutCheckIntervalMs)
    this.ticker.unref()
  }

  stop(): void {
    clearInterval(this.ticker)
  }

  /** Cluster mode: a slot's transactions as stored; prepared ones are completed (their markers may
   * not all be written: the coordinator that prepared them may have died). */
  private restore(transactions: readonly TransactionMetadata[]): void {
    for (const metadata of transactions) {
      this.transactions.set(metadata.transactionalId, metadata)
      const prepared =
        metadata.state === TransactionState.PrepareCommit || metadata.state === TransactionState.PrepareAbort
      if (!prepared) continue
      this.serialize(metadata.transactionalId, async () => {
        if (this.transactions.get(metadata.transactionalId) !== metadata) return
        await this.complete(metadata, metadata.state === TransactionState.PrepareCommit)
      }).catch((error: unknown) =>
        this.log.warn({ err: error, transactionalId: metadata.transactionalId }, 'completing failed'),
      )
    }
  }

  /** NONE, or why requests for `transactionalId` are refused here now. */
  private refusal(transactionalId: string): number {
    if (this.stateLog !== undefined) return this.stateLog.refuse(transactionalId)
    return this.loading ? ErrorCode.COORDINATOR_LOAD_IN_PROGRESS : ErrorCode.NONE
  }

  /** Runs a state change; in cluster mode a failed or fenced write answers its error code (the slot is
   * then read back from PostgreSQL before it is served again). */
  private guarded<T>(operation: () => Promise<T>, failed: (errorCode: number) => T): Promise<T> {
    if (this.stateLog === undefined) return operation()
    return operation().catch((error: unknown) => {
      if (error instanceof KafkaError) return failed(error.errorCode)
      if (error instanceof StorageError) return failed(ErrorCode.COORDINATOR_NOT_AVAILABLE)
      throw error
    })
  }

  /** Runs `operation` after every earlier one of the same transactional id. */
  serialize<T>(transactionalId: string, operation: () => Promise<T>): Promise<T> {
    const previous = this.queues.get(transactionalId) ?? Promise.resolve()
    const result = previous.then(operation, operation)
    const settled = result.then(
      () => undefined,
      () => undefined,
    )
    this.queues.set(transactionalId, settled)
    void settled.then(() => {
      if (this.queues.get(transactionalId) === settled) this.queues.delete(transactionalId)
    })
    return result
  }

  /** The error that refuses a request for `transactionalId` by this producer, or NONE. */
  check(
    metadata: TransactionMetadata | undefined,
    producer: ProducerIdentity,
    transactionalId = metadata?.transactionalId,
  ): number {
    const refusal =
      transactionalId === undefined
        ? this.loading
          ? ErrorCode.COORDINATOR_LOAD_IN_PROGRESS
          : ErrorCode.NONE
        : this.refusal(transactionalId)
    if (refusal !== ErrorCode.NONE) return refusal
    if (metadata === undefined || metadata.producerId !== producer.producerId)
      return ErrorCode.INVALID_PRODUCER_ID_MAPPING
    if (producer.producerEpoch !== metadata.producerEpoch) return ErrorCode.PRODUCER_FENCED
    if (
      metadata.state === TransactionState.PrepareCommit ||
      metadata.state === TransactionState.PrepareAbort
    ) {
      return ErrorCode.CONCURRENT_TRANSACTIONS
    }
    return ErrorCode.NONE
  }

  /** InitProducerId with a transactional id: a new producer, or the next epoch of an existing one
   * (an open transaction of the previous incarnation is aborted first). */
  initProducerId(
    transactionalId: string,
    timeoutMs: number,
    expected: ProducerIdentity,
  ): Promise<{ errorCode: number } & ProducerIdentity> {
    const failed = (errorCode: number) => ({ errorCode, producerId: -1n, producerEpoch: -1 })
    if (transactionalId === '') return Promise.resolve(failed(ErrorCode.INVALID_REQUEST))
    const refusal = this.refusal(transactionalId)
    if (refusal !== ErrorCode.NONE) return Promise.resolve(failed(refusal))
    if (timeoutMs <= 0 || timeoutMs > this.config.maxTimeoutMs)
      return Promise.resolve(failed(ErrorCode.INVALID_TRANSACTION_TIMEOUT))
    return this.serialize(transactionalId, () =>
      this.guarded(async () => {
        const refused = this.refusal(transactionalId)
        if (refused !== ErrorCode.NONE) return failed(refused)
        const existing = this.transactions.get(transactionalId)
        if (existing === undefined) {
          if (this.transactions.size >= this.config.transactionalIdsMax)
            return failed(ErrorCode.COORDINATOR_NOT_AVAILABLE)
          const producerId = await this.producerIds.generate()
          const metadata = this.fresh(transactionalId, producerId, timeoutMs)
          await this.persist(metadata)
          return { errorCode: ErrorCode.NONE, producerId, producerEpoch: 0 }
        }
        // KIP-360: a producer that names its id and epoch must be the current incarnation.
        if (
          expected.producerId >= 0n &&
          (expected.producerId !== existing.producerId || expected.producerEpoch !== existing.producerEpoch)
        ) {
          return failed(ErrorCode.PRODUCER_FENCED)
        }
        if (existing.state === TransactionState.Ongoing) {
          await this.bumpEpoch(existing)
          await this.end(existing, false)
        } else {
          await this.bumpEpoch(existing)
        }
        existing.timeoutMs = timeoutMs
        existing.state = TransactionState.Empty
        existing.startMs = -1
        existing.partitions.clear()
        await this.persist(existing)
        return {
          errorCode: ErrorCode.NONE,
          producerId: existing.producerId,
          producerEpoch: existing.producerEpoch,
        }
      }, failed),
    )
  }

  /** AddPartitionsToTxn / AddOffsetsToTxn: per-partition error codes, keyed "topic\0partition". */
  addPartitions(
    transactionalId: string,
    producer: ProducerIdentity,
    partitions: { topic: string; partition: number }[],
  ): Promise<Map<string, number>> {
    const key = (entry: { topic: string; partition: number }) => `${entry.topic}\u0000${entry.partition}`
    const failed = (errorCode: number) => new Map(partitions.map((entry) => [key(entry), errorCode]))
    return this.serialize(transactionalId, () =>
      this.guarded(async () => {
        const codes = new Map<string, number>()
        const metadata = this.transactions.get(transactionalId)
        let refusal = this.check(metadata, producer, transactionalId)
        // A group's offsets partition (AddOffsetsToTxn) is a coordinator slot in cluster mode: no topic.
        const unknown = partitions.filter(
          (entry) =>
            entry.topic !== offsetsTopicName &&
            this.logs.partition(entry.topic, entry.partition) === undefined,
        )
        if (refusal === ErrorCode.NONE && unknown.length > 0) refusal = ErrorCode.OPERATION_NOT_ATTEMPTED
        if (refusal !== ErrorCode.NONE || metadata === undefined) {
          for (const entry of partitions) codes.set(key(entry), refusal)
          for (const entry of unknown) codes.set(key(entry), ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)
          return codes
        }
        if (metadata.state !== TransactionState.Ongoing) {
          metadata.state = TransactionState.Ongoing
          metadata.startMs = this.now()
          metadata.partitions.clear()
        }
        for (const entry of partitions) {
          const set = metadata.partitions.get(entry.topic) ?? new Set<number>()
          set.add(entry.partition)
          metadata.partitions.set(entry.topic, set)
          codes.set(key(entry), ErrorCode.NONE)
        }
        await this.persist(metadata)
        return codes
      }, failed),
    )
  }

  /** AddOffsetsToTxn: the group's __consumer_offsets partition joins the transaction. */
  async addOffsets(transactionalId: string, producer: ProducerIdentity, groupId: string): Promise<number> {
    const partition =
      this.stateLog !== undefined
        ? this.stateLog.groupSlotOf(groupId)
        : await this.groups.transactionalOffsets.partitionForGroup(groupId)
    const codes = await this.addPartitions(transactionalId, producer, [
      { topic: offsetsTopicName, partition },
    ])
    return [...codes.values()][0] ?? ErrorCode.NONE
  }

  /** EndTxn: commits or aborts the open transaction (markers written before the answer). */
  endTransaction(transactionalId: string, producer: ProducerIdentity, commit: boolean): Promise<number> {
    return this.serialize(transactionalId, () =>
      this.guarded(
        async () => {
          const metadata = this.transactions.get(transactionalId)
          const refusal = this.check(metadata, producer, transactionalId)
          if (refusal !== ErrorCode.NONE || metadata === undefined) return refusal
          if (metadata.state === TransactionState.CompleteCommit)
            return commit ? ErrorCode.NONE : ErrorCode.INVALID_TXN_STATE
          if (metadata.state === TransactionState.CompleteAbort)
            return commit ? ErrorCode.INVALID_TXN_STATE : ErrorCode.NONE
          if (metadata.state !== TransactionState.Ongoing) return ErrorCode.INVALID_TXN_STATE
          await this.end(metadata, commit)
          return ErrorCode.NONE
        },
        (errorCode) => errorCode,
      ),
    )
  }

  private fresh(transactionalId: string, producerId: bigint, timeoutMs: number): TransactionMetadata {
    const nowMs = this.now()
    const metadata: TransactionMetadata = {
      transactionalId,
      producerId,
      producerEpoch: 0,
      timeoutMs,
      state: TransactionState.Empty,
      partitions: new Map(),
      startMs: -1,
      lastUpdateMs: nowMs,
    }
    this.transactions.set(transactionalId, metadata)
    return metadata
  }

  private async bumpEpoch(metadata: TransactionMetadata): Promise<void> {
    if (metadata.producerEpoch >= epochMax - 1) {
      metadata.producerId = await this.producerIds.generate()
      metadata.producerEpoch = 0
    } else {
      metadata.producerEpoch += 1
    }
  }

  /** Prepare (durably), write the markers, complete. */
  private async end(metadata: TransactionMetadata, commit: boolean): Promise<void> {
    metadata.state = commit ? TransactionState.PrepareCommit : TransactionState.PrepareAbort
    await this.persist(metadata)
    await this.complete(metadata, commit)
  }

  private async complete(metadata: TransactionMetadata, commit: boolean): Promise<void> {
    if (this.stateLog !== undefined) await this.stateLog.writeMarkers(metadata, commit)
    else await this.writeMarkers(metadata, commit)
    metadata.state = commit ? TransactionState.CompleteCommit : TransactionState.CompleteAbort
    metadata.partitions.clear()
    await this.persist(metadata)
  }

  private async writeMarkers(metadata: TransactionMetadata, commit: boolean): Promise<void> {
    const producer = { producerId: metadata.producerId, producerEpoch: metadata.producerEpoch }
    const nowMs = this.now()
    for (const [topic, partitions] of metadata.partitions) {
      for (const partition of partitions) {
        if (topic === offsetsTopicName) {
          await this.groups.transactionalOffsets.completeInPartition(partition, producer, commit)
          continue
        }
        const log = this.logs.partition(topic, partition)
        // A partition deleted during the transaction has nothing left to mark.
        if (log !== undefined)
          await log.append(await markerBatch(producer, commit, nowMs), {
            durable: true,
            origin: 'coordinator',
          })
      }
    }
  }

  private async persist(metadata: TransactionMetadata): Promise<void> {
    metadata.lastUpdateMs = this.now()
    if (this.stateLog !== undefined) {
      await this.stateLog.persist(metadata)
      return
    }
    await this.topic.append(
      metadata.transactionalId,
      [encodeTransactionRecord(metadata)],
      metadata.lastUpdateMs,
    )
  }

  /** Aborts open transactions older than their timeout, fencing their producer (epoch bump). */
  private abortTimedOut(): void {
    const nowMs = this.now()
    if (this.stateLog !== undefined) this.expireIdle(nowMs, this.stateLog)
    for (const metadata of this.transactions.values()) {
      if (metadata.state !== TransactionState.Ongoing || nowMs - metadata.startMs <= metadata.timeoutMs)
        continue
      this.serialize(metadata.transactionalId, async () => {
        if (metadata.state !== TransactionState.Ongoing) return
        this.log.info({ transactionalId: metadata.transactionalId }, 'aborting timed-out transaction')
        await this.bumpEpoch(metadata)
        await this.end(metadata, false)
      }).catch((error: unknown) =>
        this.log.error({ err: error, transactionalId: metadata.transactionalId }, 'abort failed'),
      )
    }
  }

  /** Cluster mode: `transactional.id.expiration.ms` — an id with no transaction open and no change for
   * that long is removed (Kafka's TransactionCoordinator does the same); its producer starts afresh. */
  private expireIdle(nowMs: number, stateLog: TransactionStateLog): void {
    const idle = (metadata: TransactionMetadata) =>
      (metadata.state === TransactionState.Empty ||
        metadata.state === TransactionState.CompleteCommit ||
        metadata.state === TransactionState.CompleteAbort) &&
      nowMs - metadata.lastUpdateMs > stateLog.transactionalIdExpirationMs
    for (const metadata of this.transactions.values()) {
      if (!idle(metadata)) continue
      this.serialize(metadata.transactionalId, async () => {
        if (this.transactions.get(metadata.transactionalId) !== metadata || !idle(metadata)) return
        await stateLog.remove(metadata)
        this.transactions.delete(metadata.transactionalId)
        this.log.info({ transactionalId: metadata.transactionalId }, 'transactional id expired')
      }).catch((error: unknown) =>
        this.log.warn({ err: error, transactionalId: metadata.transactionalId }, 'expiry failed'),
      )
    }
  }
}
