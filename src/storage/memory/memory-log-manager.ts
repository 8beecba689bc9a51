// The in-memory engine's log manager: the same topic rules and errors as the disk engine (shared
// validation in topic-name.ts and topic-config.ts), nothing persisted. Used for `--in-memory` and
// by tests that need a real log without a disk.

import { randomUUID } from 'node:crypto'
import { pino } from 'pino'
import { KafkaError } from '../../errors.ts'
import { newClusterId } from '../data-dir.ts'
import { StorageErrorCode } from '../error-codes.ts'
import { maintenanceIntervalMs, topicPartitionsMax } from '../limits.ts'
import { refuseRemoteStorage } from '../tiered/remote-topic-config.ts'
import {
  defaultTopicConfig,
  resolveTopicConfig,
  type TopicConfig,
  type TopicConfigOverrides,
} from '../topic-config.ts'
import { validatePartitionCount, validateTopicName } from '../topic-name.ts'
import {
  type Clock,
  type CreateTopicOptions,
  type LogManager,
  type StorageLogger,
  systemClock,
  type TopicDescription,
} from '../types.ts'
import { MemoryPartitionLog } from './memory-partition-log.ts'

export interface MemoryLogManagerOptions {
  defaultConfigOverrides?: TopicConfigOverrides
  clock?: Clock
  logger?: StorageLogger
  /** Background retention tick; 0 disables it. */
  maintenanceIntervalMs?: number
}

interface TopicEntry {
  description: TopicDescription
  partitions: MemoryPartitionLog[]
}

export function createMemoryLogManager(options: MemoryLogManagerOptions = {}): MemoryLogManager {
  return new MemoryLogManager(options)
}

export class MemoryLogManager implements LogManager {
  readonly clusterId = newClusterId()
  private readonly topics = new Map<string, TopicEntry>()
  private defaults: TopicConfig
  private readonly clock: Clock
  private readonly logger: StorageLogger
  private readonly timer: NodeJS.Timeout | null = null
  private closed = false

  constructor(options: MemoryLogManagerOptions) {
    this.defaults = resolveTopicConfig(defaultTopicConfig(), options.defaultConfigOverrides ?? {})
    this.clock = options.clock ?? systemClock
    this.logger = options.logger ?? pino({ name: 'storage' })
    const intervalMs = options.maintenanceIntervalMs ?? maintenanceIntervalMs
    if (intervalMs > 0) {
      this.timer = setInterval(() => {
        this.retainAll()
        this.runCompaction().catch((error: unknown) =>
          this.logger.error({ err: error }, 'in-memory compaction failed'),
        )
      }, intervalMs)
      this.timer.unref()
    }
  }

  private requireOpen(): void {
    if (this.closed) throw new KafkaError(StorageErrorCode.KAFKA_STORAGE_ERROR, 'the log manager is closed')
  }

  private requireTopic(name: string): TopicEntry {
    const entry = this.topics.get(name)
    if (entry === undefined)
      throw new KafkaError(StorageErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `unknown topic '${name}'`)
    return entry
  }

  private newPartitions(name: string, config: TopicConfig, from: number, to: number): MemoryPartitionLog[] {
    const partitions: MemoryPartitionLog[] = []
    for (let partition = from; partition < to; partition += 1) {
      partitions.push(new MemoryPartitionLog(name, partition, config, this.clock, this.logger))
    }
    return partitions
  }

  async createTopic(name: string, options: CreateTopicOptions): Promise<TopicDescription> {
    this.requireOpen()
    validateTopicName(name)
    validatePartitionCount(options.partitionCount, topicPartitionsMax)
    const configOverrides = { ...(options.configOverrides ?? {}) }
    const config = resolveTopicConfig(this.defaults, configOverrides)
    refuseRemoteStorage(config)
    if (this.topics.has(name))
      throw new KafkaError(StorageErrorCode.TOPIC_ALREADY_EXISTS, `topic '${name}' already exists`)
    const description = {
      name,
      topicId: randomUUID(),
      partitionCount: options.partitionCount,
      configOverrides,
      config,
    }
    this.topics.set(name, {
      description,
      partitions: this.newPartitions(name, config, 0, options.partitionCount),
    })
    return structuredClone(description)
  }

  async deleteTopic(name: string): Promise<void> {
    this.requireOpen()
    const entry = this.requireTopic(name)
    this.topics.delete(name)
    for (const log of entry.partitions) log.close()
  }

  async addPartitions(name: string, partitionCount: number): Promise<TopicDescription> {
    this.requireOpen()
    const entry = this.requireTopic(name)
    validatePartitionCount(partitionCount, topicPartitionsMax)
    const current = entry.description.partitionCount
    if (partitionCount <= current) {
      throw new KafkaError(
        StorageErrorCode.INVALID_PARTITIONS,
        `topic '${name}' has ${current} partitions; ${partitionCount} is not more`,
      )
    }
    entry.partitions.push(...this.newPartitions(name, entry.description.config, current, partitionCount))
    entry.description.partitionCount = partitionCount
    return structuredClone(entry.description)
  }

  async setTopicConfig(name: string, configOverrides: TopicConfigOverrides): Promise<TopicDescription> {
    this.requireOpen()
    const entry = this.requireTopic(name)
    const config = resolveTopicConfig(this.defaults, configOverrides)
    refuseRemoteStorage(config)
    entry.description.configOverrides = { ...configOverrides }
    entry.description.config = config
    for (const log of entry.partitions) log.config = config
    return structuredClone(entry.description)
  }

  async setDefaultConfigOverrides(defaultOverrides: TopicConfigOverrides): Promise<void> {
    this.defaults = resolveTopicConfig(defaultTopicConfig(), defaultOverrides)
    for (const entry of this.topics.values()) {
      const config = resolveTopicConfig(this.defaults, entry.description.configOverrides)
      entry.description.config = config
      for (const log of entry.partitions) log.config = config
    }
  }

  listTopics(): TopicDescription[] {
    return [...this.topics.values()].map((entry) => structuredClone(entry.description))
  }

  getTopic(name: string): TopicDescription | undefined {
    const entry = this.topics.get(name)
    return entry === undefined ? undefined : structuredClone(entry.description)
  }

  getTopicById(topicId: string): TopicDescription | undefined {
    for (const entry of this.topics.values()) {
      if (entry.description.topicId === topicId) return structuredClone(entry.description)
    }
    return undefined
  }

  partition(topic: string, partition: number): MemoryPartitionLog | undefined {
    return this.topics.get(topic)?.partitions[partition]
  }

  private retainAll(): void {
    const now = this.clock.now()
    for (const entry of this.topics.values()) for (const log of entry.partitions) log.applyRetention(now)
  }

  async runRetention(): Promise<void> {
    this.retainAll()
  }

  /** One pass of the cleaner over every compacted partition (same rules as the disk cleaner). */
  async runCompaction(): Promise<void> {
    const now = this.clock.now()
    for (const entry of this.topics.values()) for (const log of entry.partitions) await log.compact(now)
  }

  async close(): Promise<void> {
    this.closed = true
    if (this.timer !== null) clearInterval(this.timer)
    for (const entry of this.topics.values()) for (const log of entry.partitions) log.close()
  }
}
