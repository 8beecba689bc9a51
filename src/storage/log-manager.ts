// The disk engine's log manager: one data dir (and optionally more log dirs), topics of partition
// logs, background maintenance.
//
// Layout: `<dataDir>/meta.properties`, `<dataDir>/topics/<name>.json` (the truth about topics, see
// topic-store.ts), `<logDir>/<topic>-<partition>/` per partition in one of the log dirs (the data dir
// first; a new partition goes to the one holding the fewest, as Kafka's), and the recovery-point
// checkpoint and clean-shutdown marker (data-dir.ts). Moving a replica between log dirs
// (AlterReplicaLogDirs) is in log-dirs.ts. Topic operations (create, delete, add partitions, configs)
// are serialized by one chain; appends and reads never wait for them.

import { randomUUID } from 'node:crypto'
import { readdir, rename } from 'node:fs/promises'
import path from 'node:path'
import { pino } from 'pino'
import { KafkaError } from '../errors.ts'
import { createCleaner } from './compaction/cleaner.ts'
import {
  hasCleanShutdownMarker,
  loadOrCreateClusterId,
  readRecoveryPoints,
  removeCleanShutdownMarker,
  writeCleanShutdownMarker,
  writeRecoveryPoints,
} from './data-dir.ts'
import { StorageErrorCode } from './error-codes.ts'
import { ensureDirectory, nodeWriteIo, removeTree, storageOperation, type WriteIo } from './file-io.ts'
import {
  maintenanceIntervalMs,
  partitionOpenConcurrencyMax,
  recoveryPointCheckpointIntervalMs,
  topicPartitionsMax,
} from './limits.ts'
import {
  copyPartitionFiles,
  createFutureDirectory,
  leastLoadedLogDir,
  partitionKey,
  resolveMoves,
  scanLogDirs,
  swapInFuture,
} from './log-dirs.ts'
import type { DiskPartitionLog, PartitionLogContext } from './partition-log.ts'
import { openPartitionLog } from './partition-open.ts'
import { checkRemoteStorageNotTurnedOff, refuseRemoteStorage } from './tiered/remote-topic-config.ts'
import {
  type RemoteStorageSnapshot,
  TieredStorage,
  type TieredStorageOptions,
} from './tiered/tiered-storage.ts'
import {
  defaultTopicConfig,
  resolveTopicConfig,
  type TopicConfig,
  type TopicConfigOverrides,
} from './topic-config.ts'
import { validatePartitionCount, validateTopicName } from './topic-name.ts'
import {
  readStoredTopics,
  removeStoredTopic,
  type StoredTopic,
  topicsDirectory,
  writeStoredTopic,
} from './topic-store.ts'
import {
  type Clock,
  type CreateTopicOptions,
  type LogManager,
  type StorageLogger,
  systemClock,
  type TopicDescription,
} from './types.ts'

export interface DiskLogManagerOptions {
  dataDir: string
  /** More log dirs partitions are placed in, beside `dataDir` (Kafka's log.dirs after the first). */
  logDirs?: readonly string[]
  /** Broker-wide defaults for topic configs, in Kafka's names (e.g. from the broker config file). */
  defaultConfigOverrides?: TopicConfigOverrides
  clock?: Clock
  logger?: StorageLogger
  /** File write operations; tests inject faults here. */
  io?: WriteIo
  /** Background tick for retention and compaction; 0 disables it (tests call runRetention). */
  maintenanceIntervalMs?: number
  /** How often the recovery-point checkpoint is written; 0 disables the periodic write. */
  recoveryPointCheckpointIntervalMs?: number
  /** Tiered storage ([tiered_storage]); absent: remote.storage.enable is refused. */
  tieredStorage?: TieredStorageOptions
  /** The log cleaner; default compaction/cleaner.ts. Tests pass one with crash hooks. */
  compactPartition?: (log: DiskPartitionLog, nowMs: number) => Promise<void>
}

interface TopicEntry {
  stored: StoredTopic
  config: TopicConfig
  partitions: DiskPartitionLog[]
}

const partitionDirectoryPattern = /^(.+)-(\d+)$/
const deletedDirectorySuffix = '-delete'

/** Opens (or creates) a data dir: recovers after a crash, trusts the files after a clean shutdown. */
export async function openLogManager(options: DiskLogManagerOptions): Promise<DiskLogManager> {
  await ensureDirectory(options.dataDir)
  for (const logDir of options.logDirs ?? []) await ensureDirectory(logDir)
  const clusterId = await loadOrCreateClusterId(options.dataDir)
  const manager = new DiskLogManager(options, clusterId)
  await manager.load()
  return manager
}

export class DiskLogManager implements LogManager {
  readonly dataDir: string
  /** Every log dir, the data dir first (absolute paths, no duplicates). */
  readonly logDirectories: readonly string[]
  /** Where each partition lives (`<topic>-<partition>` → log dir), known from the scan at load. */
  private readonly placements = new Map<string, string>()
  /** Moves answered but not done yet: `<topic>-<partition>` → destination and its future directory. */
  private readonly pendingMoves = new Map<string, { logDir: string; future: string }>()
  private readonly topics = new Map<string, TopicEntry>()
  private defaults: TopicConfig
  private readonly context: PartitionLogContext
  private readonly compactPartition: (log: DiskPartitionLog, nowMs: number) => Promise<void>
  private adminChain: Promise<unknown> = Promise.resolve()
  private readonly backgroundDeletions = new Set<Promise<void>>()
  private maintenanceTimer: NodeJS.Timeout | null = null
  private checkpointTimer: NodeJS.Timeout | null = null
  private maintenanceRunning: Promise<void> | null = null
  private closed = false
  /** The remote log manager, when tiered storage is configured. */
  readonly tiered: TieredStorage | null

  constructor(
    private readonly options: DiskLogManagerOptions,
    readonly clusterId: string,
  ) {
    this.dataDir = options.dataDir
    this.logDirectories = [
      ...new Set([options.dataDir, ...(options.logDirs ?? [])].map((logDir) => path.resolve(logDir))),
    ]
    this.defaults = resolveTopicConfig(defaultTopicConfig(), options.defaultConfigOverrides ?? {})
    this.compactPartition = options.compactPartition ?? createCleaner()
    this.context = {
      clock: options.clock ?? systemClock,
      logger: options.logger ?? pino({ name: 'storage' }),
      io: options.io ?? nodeWriteIo,
    }
    this.tiered =
      options.tieredStorage === undefined
        ? null
        : new TieredStorage(options.tieredStorage, this.context.logger)
  }

  /** Opening: topics, orphan directories, partitions (recovering if needed), then the marker goes. */
  async load(): Promise<void> {
    const cleanShutdown = await hasCleanShutdownMarker(this.dataDir)
    const recoveryPoints = await readRecoveryPoints(this.dataDir)
    const stored = await readStoredTopics(this.dataDir)
    for (const topic of stored) {
      const config = resolveTopicConfig(this.defaults, topic.configOverrides)
      this.topics.set(topic.name, { stored: topic, config, partitions: [] })
    }
    for (const logDir of this.logDirectories) await this.removeOrphanDirectories(logDir)
    const scan = await scanLogDirs(this.logDirectories)
    const restartMoves = await resolveMoves(
      scan,
      (topic, partition) => partition < (this.topics.get(topic)?.stored.partitionCount ?? 0),
    )
    for (const [key, holders] of scan.live) {
      if (holders.length > 1)
        this.context.logger.error(
          { partition: key, logDirs: holders },
          'a partition is in several log dirs; the first is used',
        )
      this.placements.set(key, holders[0])
    }
    const jobs: (() => Promise<void>)[] = []
    // After a clean shutdown nothing is recovered and the checkpoint on disk already holds every
    // partition's recovery point: rewritten (with its fsyncs) only when one changed or is missing.
    let recoveryPointsChange = false
    for (const [name, entry] of this.topics) {
      for (let partition = 0; partition < entry.stored.partitionCount; partition += 1) {
        jobs.push(async () => {
          const recoveryPoint = recoveryPoints.get(`${name}-${partition}`) ?? null
          entry.partitions[partition] = await this.openPartition(name, partition, entry.config, {
            recoveryPoint,
            cleanShutdown,
            topicId: entry.stored.topicId,
          })
          if (entry.partitions[partition].recoveryPoint !== recoveryPoint) recoveryPointsChange = true
        })
      }
    }
    await runWithConcurrency(jobs, partitionOpenConcurrencyMax)
    if (recoveryPointsChange || recoveryPoints.size !== jobs.length) await this.writeRecoveryPoints()
    await removeCleanShutdownMarker(this.dataDir)
    this.startTimers()
    // Moves a crash interrupted before their commit start again (their requests were answered).
    for (const move of restartMoves) await this.alterReplicaLogDir(move.topic, move.partition, move.logDir)
  }

  /** The log dir a new partition goes to, recorded at once so partitions created together spread. */
  private placeNewPartition(topic: string, partition: number): string {
    const key = partitionKey(topic, partition)
    const existing = this.placements.get(key)
    if (existing !== undefined) return existing
    const counts = new Map<string, number>()
    for (const logDir of this.placements.values()) counts.set(logDir, (counts.get(logDir) ?? 0) + 1)
    const logDir = leastLoadedLogDir(this.logDirectories, counts)
    this.placements.set(key, logDir)
    return logDir
  }

  logDirs(): readonly string[] {
    return this.logDirectories
  }

  logDirOf(topic: string, partition: number): string | undefined {
    const log = this.partition(topic, partition)
    return log === undefined ? undefined : path.dirname(log.directory)
  }

  futureLogDirOf(topic: string, partition: number): string | undefined {
    return this.pendingMoves.get(partitionKey(topic, partition))?.logDir
  }

  /**
   * AlterReplicaLogDirs: marks the move on disk (the future directory) and returns; the copy and swap
   * run in the background, one at a time with the other topic operations. Appends and reads of the
   * partition fail with KAFKA_STORAGE_ERROR (retriable) while its files are copied.
   * Throws LOG_DIR_NOT_FOUND (not a configured log dir), UNKNOWN_TOPIC_OR_PARTITION.
   */
  async alterReplicaLogDir(topic: string, partition: number, logDir: string): Promise<void> {
    this.requireOpen()
    const destination = this.logDirectories.find((candidate) => candidate === logDir)
    if (destination === undefined)
      throw new KafkaError(StorageErrorCode.LOG_DIR_NOT_FOUND, `log dir ${logDir} is not in the config`)
    if (this.partition(topic, partition) === undefined)
      throw new KafkaError(
        StorageErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
        `unknown partition ${topic}-${partition}`,
      )
    const key = partitionKey(topic, partition)
    const pending = this.pendingMoves.get(key)
    if (pending?.logDir === destination) return
    if (pending !== undefined) {
      // A new destination replaces the one not reached yet (Kafka aborts the earlier future replica).
      this.pendingMoves.delete(key)
      await removeTree(pending.future)
    }
    if (this.logDirOf(topic, partition) === destination) return
    const future = await storageOperation(`mark the move of ${key}`, () =>
      createFutureDirectory(destination, topic, partition),
    )
    this.pendingMoves.set(key, { logDir: destination, future })
    this.serialize(() => this.moveReplica(topic, partition)).catch((error: unknown) =>
      this.context.logger.error({ err: error, partition: key }, 'moving a replica between log dirs failed'),
    )
  }

  private async moveReplica(topic: string, partition: number): Promise<void> {
    const key = partitionKey(topic, partition)
    const pending = this.pendingMoves.get(key)
    const entry = this.topics.get(topic)
    const log = entry?.partitions[partition]
    if (pending === undefined || this.closed) return
    if (entry === undefined || log === undefined) {
      this.pendingMoves.delete(key)
      await removeTree(pending.future)
      return
    }
    await log.close()
    let logDir = path.dirname(log.directory)
    try {
      await copyPartitionFiles(log.directory, pending.future)
      const deleted = await swapInFuture({
        source: log.directory,
        future: pending.future,
        logDir: pending.logDir,
        key,
      })
      logDir = pending.logDir
      this.removeInBackground(deleted)
    } catch (error) {
      this.context.logger.error(
        { err: error, partition: key },
        'copying a replica to another log dir failed; it stays',
      )
      await removeTree(pending.future).catch(() => {})
    } finally {
      this.placements.set(key, logDir)
      try {
        entry.partitions[partition] = await this.openPartition(topic, partition, entry.config, {
          recoveryPoint: log.recoveryPoint,
          cleanShutdown: true,
          topicId: entry.stored.topicId,
        })
      } finally {
        // Only now: until the partition is open again, DescribeLogDirs still shows the move.
        if (this.pendingMoves.get(key) === pending) this.pendingMoves.delete(key)
      }
    }
  }

  private async openPartition(
    topic: string,
    partition: number,
    config: TopicConfig,
    state: { recoveryPoint: number | null; cleanShutdown: boolean; topicId: string },
  ): Promise<DiskPartitionLog> {
    const directory = path.join(this.placeNewPartition(topic, partition), `${topic}-${partition}`)
    const { topicId, ...open } = state
    if (this.tiered === null) {
      return openPartitionLog({ topic, partition, directory, config, context: this.context, ...open })
    }
    await ensureDirectory(directory)
    const metadata = await this.tiered.loadMetadata(directory)
    const remoteStartOffset = metadata.copied[0]?.baseOffset ?? -1
    const log = await openPartitionLog({
      ...{ topic, partition, directory, config, context: this.context, ...open },
      remoteStartOffset,
    })
    this.tiered.attach(log, topicId, metadata)
    return log
  }

  /** Kafka refuses remote.storage.enable when the broker has no remote storage configured. */
  private checkRemoteStorageAvailable(config: TopicConfig): void {
    if (this.tiered === null) refuseRemoteStorage(config)
  }

  /** Directories of deleted topics, or of topics/partitions that never committed, go away. */
  private async removeOrphanDirectories(logDir: string): Promise<void> {
    for (const entry of await readdir(logDir, { withFileTypes: true })) {
      if (!entry.isDirectory() || entry.name === topicsDirectory) continue
      if (entry.name.endsWith(deletedDirectorySuffix)) {
        this.removeInBackground(path.join(logDir, entry.name))
        continue
      }
      const match = partitionDirectoryPattern.exec(entry.name)
      if (match === null) continue
      const topic = this.topics.get(match[1])
      if (topic === undefined || Number(match[2]) >= topic.stored.partitionCount) {
        await this.moveAwayAndRemove(path.join(logDir, entry.name))
      }
    }
  }

  private async moveAwayAndRemove(directory: string): Promise<void> {
    const target = `${directory}.${randomUUID().replaceAll('-', '')}${deletedDirectorySuffix}`
    await rename(directory, target)
    this.removeInBackground(target)
    this.placements.delete(path.basename(directory))
  }

  private removeInBackground(directory: string): void {
    const deletion = removeTree(directory)
      .catch((error: unknown) =>
        this.context.logger.error({ err: error, directory }, 'removing a deleted directory failed'),
      )
      .finally(() => this.backgroundDeletions.delete(deletion))
    this.backgroundDeletions.add(deletion)
  }

  private describe(entry: TopicEntry): TopicDescription {
    const { name, topicId, partitionCount, configOverrides } = entry.stored
    return {
      name,
      topicId,
      partitionCount,
      configOverrides: { ...configOverrides },
      config: { ...entry.config },
    }
  }

  /** Runs topic operations one at a time. */
  private serialize<T>(operation: () => Promise<T>): Promise<T> {
    const result = this.adminChain.then(operation, operation)
    this.adminChain = result.catch(() => {})
    return result
  }

  private requireOpen(): void {
    if (this.closed) throw new KafkaError(StorageErrorCode.KAFKA_STORAGE_ERROR, 'the log manager is closed')
  }

  createTopic(name: string, options: CreateTopicOptions): Promise<TopicDescription> {
    return this.serialize(async () => {
      this.requireOpen()
      validateTopicName(name)
      validatePartitionCount(options.partitionCount, topicPartitionsMax)
      const configOverrides = { ...(options.configOverrides ?? {}) }
      const config = resolveTopicConfig(this.defaults, configOverrides)
      this.checkRemoteStorageAvailable(config)
      if (this.topics.has(name))
        throw new KafkaError(StorageErrorCode.TOPIC_ALREADY_EXISTS, `topic '${name}' already exists`)
      const stored: StoredTopic = {
        name,
        topicId: randomUUID(),
        partitionCount: options.partitionCount,
        configOverrides,
      }
      const partitions = await this.createPartitions(name, stored.topicId, config, 0, options.partitionCount)
      await storageOperation(`create topic ${name}`, () => writeStoredTopic(this.dataDir, stored))
      const entry = { stored, config, partitions }
      this.topics.set(name, entry)
      return this.describe(entry)
    })
  }

  private async createPartitions(
    topic: string,
    topicId: string,
    config: TopicConfig,
    from: number,
    to: number,
  ): Promise<DiskPartitionLog[]> {
    const jobs: (() => Promise<DiskPartitionLog>)[] = []
    for (let partition = from; partition < to; partition += 1) {
      jobs.push(() =>
        storageOperation(`create ${topic}-${partition}`, () =>
          this.openPartition(topic, partition, config, {
            recoveryPoint: null,
            cleanShutdown: false,
            topicId,
          }),
        ),
      )
    }
    return runWithConcurrency(jobs, partitionOpenConcurrencyMax)
  }

  deleteTopic(name: string): Promise<void> {
    return this.serialize(async () => {
      this.requireOpen()
      const entry = this.requireTopic(name)
      // Commit point: once the topic file is gone, the topic is gone, whatever happens next.
      await storageOperation(`delete topic ${name}`, () => removeStoredTopic(this.dataDir, entry.stored))
      this.topics.delete(name)
      for (const log of entry.partitions) {
        await log.abandon()
        await this.moveAwayAndRemove(log.directory).catch((error: unknown) =>
          this.context.logger.error(
            { err: error, directory: log.directory },
            'moving a deleted partition away failed',
          ),
        )
      }
      if (
        this.tiered !== null &&
        entry.partitions.some((log) => (log.remote?.metadata.all.length ?? 0) > 0)
      ) {
        const deletion = this.tiered.deleteTopicData({ topic: name, topicId: entry.stored.topicId })
        this.backgroundDeletions.add(deletion)
        deletion.finally(() => this.backgroundDeletions.delete(deletion)).catch(() => {})
      }
    })
  }

  addPartitions(name: string, partitionCount: number): Promise<TopicDescription> {
    return this.serialize(async () => {
      this.requireOpen()
      const entry = this.requireTopic(name)
      validatePartitionCount(partitionCount, topicPartitionsMax)
      if (partitionCount <= entry.stored.partitionCount) {
        throw new KafkaError(
          StorageErrorCode.INVALID_PARTITIONS,
          `topic '${name}' has ${entry.stored.partitionCount} partitions; ${partitionCount} is not more`,
        )
      }
      const added = await this.createPartitions(
        name,
        entry.stored.topicId,
        entry.config,
        entry.stored.partitionCount,
        partitionCount,
      )
      const stored = { ...entry.stored, partitionCount }
      await storageOperation(`add partitions to ${name}`, () => writeStoredTopic(this.dataDir, stored))
      entry.stored = stored
      entry.partitions.push(...added)
      return this.describe(entry)
    })
  }

  setTopicConfig(name: string, configOverrides: TopicConfigOverrides): Promise<TopicDescription> {
    return this.serialize(async () => {
      this.requireOpen()
      const entry = this.requireTopic(name)
      const config = this.checkedTopicConfig(entry, configOverrides)
      const stored = { ...entry.stored, configOverrides: { ...configOverrides } }
      await storageOperation(`configure ${name}`, () => writeStoredTopic(this.dataDir, stored))
      const turnedOff = entry.config.remoteStorageEnable && !config.remoteStorageEnable
      entry.stored = stored
      entry.config = config
      for (const log of entry.partitions) log.updateConfig(config)
      // remote.log.delete.on.disable: the remote data goes in the background (the config is durable;
      // a crash before the deletion ends is finished by the next remote log manager task).
      if (turnedOff && this.tiered !== null)
        for (const log of entry.partitions) this.tiered.deleteRemoteDataInBackground(log)
      return this.describe(entry)
    })
  }

  validateTopicConfig(name: string, configOverrides: TopicConfigOverrides): void {
    this.requireOpen()
    this.checkedTopicConfig(this.requireTopic(name), configOverrides)
  }

  /** The resolved config, after the checks that depend on the broker and the topic's current config. */
  private checkedTopicConfig(entry: TopicEntry, configOverrides: TopicConfigOverrides): TopicConfig {
    const config = resolveTopicConfig(this.defaults, configOverrides)
    this.checkRemoteStorageAvailable(config)
    checkRemoteStorageNotTurnedOff(entry.config, config)
    return config
  }

  setDefaultConfigOverrides(defaultOverrides: TopicConfigOverrides): Promise<void> {
    return this.serialize(async () => {
      this.defaults = resolveTopicConfig(defaultTopicConfig(), defaultOverrides)
      for (const entry of this.topics.values()) {
        entry.config = resolveTopicConfig(this.defaults, entry.stored.configOverrides)
        for (const log of entry.partitions) log.updateConfig(entry.config)
      }
    })
  }

  private requireTopic(name: string): TopicEntry {
    const entry = this.topics.get(name)
    if (entry === undefined)
      throw new KafkaError(StorageErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `unknown topic '${name}'`)
    return entry
  }

  listTopics(): TopicDescription[] {
    return [...this.topics.values()].map((entry) => this.describe(entry))
  }

  getTopic(name: string): TopicDescription | undefined {
    const entry = this.topics.get(name)
    return entry === undefined ? undefined : this.describe(entry)
  }

  getTopicById(topicId: string): TopicDescription | undefined {
    for (const entry of this.topics.values())
      if (entry.stored.topicId === topicId) return this.describe(entry)
    return undefined
  }

  partition(topic: string, partition: number): DiskPartitionLog | undefined {
    return this.topics.get(topic)?.partitions[partition]
  }

  private allPartitions(): DiskPartitionLog[] {
    return [...this.topics.values()].flatMap((entry) => entry.partitions)
  }

  remoteStorageSnapshot(): RemoteStorageSnapshot | null {
    return this.tiered?.snapshot(this.allPartitions()) ?? null
  }

  async runRetention(): Promise<void> {
    const now = this.context.clock.now()
    for (const log of this.allPartitions()) {
      await log
        .applyRetention(now)
        .catch((error: unknown) =>
          this.context.logger.error(
            { err: error, topic: log.topic, partition: log.partition },
            'retention failed',
          ),
        )
    }
  }

  async runCompaction(): Promise<void> {
    const compact = this.compactPartition
    const now = this.context.clock.now()
    for (const log of this.allPartitions()) {
      if (log.config.cleanupPolicy === 'delete') continue
      await compact(log, now).catch((error: unknown) =>
        this.context.logger.error(
          { err: error, topic: log.topic, partition: log.partition },
          'compaction failed',
        ),
      )
    }
  }

  private startTimers(): void {
    const maintenanceMs = this.options.maintenanceIntervalMs ?? maintenanceIntervalMs
    if (maintenanceMs > 0) {
      this.maintenanceTimer = setInterval(() => {
        this.maintenanceRunning ??= this.runRetention()
          .then(() => this.runCompaction())
          .finally(() => {
            this.maintenanceRunning = null
          })
      }, maintenanceMs)
      this.maintenanceTimer.unref()
    }
    this.tiered?.start({ partitions: () => this.allPartitions() })
    const checkpointMs = this.options.recoveryPointCheckpointIntervalMs ?? recoveryPointCheckpointIntervalMs
    if (checkpointMs > 0) {
      this.checkpointTimer = setInterval(() => {
        this.writeRecoveryPoints().catch((error: unknown) =>
          this.context.logger.error({ err: error }, 'writing the recovery-point checkpoint failed'),
        )
      }, checkpointMs)
      this.checkpointTimer.unref()
    }
  }

  private writeRecoveryPoints(): Promise<void> {
    const points = this.allPartitions().map((log) => ({
      topic: log.topic,
      partition: log.partition,
      offset: log.recoveryPoint,
    }))
    return storageOperation('write recovery points', () => writeRecoveryPoints(this.dataDir, points))
  }

  async close(): Promise<void> {
    if (this.closed) return
    await this.serialize(async () => {
      this.closed = true
    })
    if (this.maintenanceTimer !== null) clearInterval(this.maintenanceTimer)
    if (this.checkpointTimer !== null) clearInterval(this.checkpointTimer)
    await this.maintenanceRunning
    await this.tiered?.close()
    const failures: unknown[] = []
    // In parallel (bounded): each close syncs and snapshots, and 1,000 partitions one by one took ~13 s.
    const closes = this.allPartitions().map(
      (log) => () => log.close().catch((error: unknown) => void failures.push(error)),
    )
    await runWithConcurrency(closes, partitionOpenConcurrencyMax)
    await Promise.all(this.backgroundDeletions)
    if (failures.length > 0) {
      // Without a full flush the next open must recover: no clean-shutdown marker.
      this.context.logger.error(
        { err: failures[0], count: failures.length },
        'close could not flush every partition',
      )
      return
    }
    await this.writeRecoveryPoints()
    await writeCleanShutdownMarker(this.dataDir)
  }
}

/** Runs `jobs` with at most `limit` in flight; results in job order. */
export async function runWithConcurrency<T>(
  jobs: readonly (() => Promise<T>)[],
  limit: number,
): Promise<T[]> {
  const results: T[] = new Array(jobs.length)
  let next = 0
  const worker = async (): Promise<void> => {
    while (next < jobs.length) {
      const index = next
      next += 1
      results[index] = await jobs[index]()
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, jobs.length) }, worker))
  return results
}
