// The disk engine's log manager: one data dir, topics of partition logs, background maintenance.
//
// Layout: `<dataDir>/meta.properties`, `<dataDir>/topics/<name>.json` (the truth about topics, see
// topic-store.ts), `<dataDir>/<topic>-<partition>/` per partition, and the recovery-point checkpoint
// and clean-shutdown marker (data-dir.ts). Topic operations (create, delete, add partitions, configs)
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
  const clusterId = await loadOrCreateClusterId(options.dataDir)
  const manager = new DiskLogManager(options, clusterId)
  await manager.load()
  return manager
}

export class DiskLogManager implements LogManager {
  readonly dataDir: string
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
    await this.removeOrphanDirectories()
    const jobs: (() => Promise<void>)[] = []
    for (const [name, entry] of this.topics) {
      for (let partition = 0; partition < entry.stored.partitionCount; partition += 1) {
        jobs.push(async () => {
          const recoveryPoint = recoveryPoints.get(`${name}-${partition}`) ?? null
          entry.partitions[partition] = await this.openPartition(name, partition, entry.config, {
            recoveryPoint,
            cleanShutdown,
            topicId: entry.stored.topicId,
          })
        })
      }
    }
    await runWithConcurrency(jobs, partitionOpenConcurrencyMax)
    await this.writeRecoveryPoints()
    await removeCleanShutdownMarker(this.dataDir)
    this.startTimers()
  }

  private async openPartition(
    topic: string,
    partition: number,
    config: TopicConfig,
    state: { recoveryPoint: number | null; cleanShutdown: boolean; topicId: string },
  ): Promise<DiskPartitionLog> {
    const directory = path.join(this.dataDir, `${topic}-${partition}`)
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
  private async removeOrphanDirectories(): Promise<void> {
    for (const entry of await readdir(this.dataDir, { withFileTypes: true })) {
      if (!entry.isDirectory() || entry.name === topicsDirectory) continue
      if (entry.name.endsWith(deletedDirectorySuffix)) {
        this.removeInBackground(path.join(this.dataDir, entry.name))
        continue
      }
      const match = partitionDirectoryPattern.exec(entry.name)
      if (match === null) continue
      const topic = this.topics.get(match[1])
      if (topic === undefined || Number(match[2]) >= topic.stored.partitionCount) {
        await this.moveAwayAndRemove(entry.name)
      }
    }
  }

  private async moveAwayAndRemove(directoryName: string): Promise<void> {
    const target = path.join(
      this.dataDir,
      `${directoryName}.${randomUUID().replaceAll('-', '')}${deletedDirectorySuffix}`,
    )
    await rename(path.join(this.dataDir, directoryName), target)
    this.removeInBackground(target)
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
        await this.moveAwayAndRemove(path.basename(log.directory)).catch((error: unknown) =>
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
