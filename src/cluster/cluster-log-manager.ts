// The storage engine's LogManager in cluster mode: topics live in PostgreSQL (catalog.ts) and every
// broker keeps the same in-memory view of them, refreshed by its sync loop (cluster-node.ts) and at
// once after its own changes. Handlers read that view synchronously, as they do the local engines.
//
// Not yet (docs/cluster.md): retention and compaction (no-ops), tiered-storage topic configs.

import { randomUUID } from 'node:crypto'
import { KafkaError } from '../errors.ts'
import { ErrorCode } from '../protocol/generated/index.ts'
import { topicPartitionsMax } from '../storage/limits.ts'
import {
  defaultTopicConfig,
  resolveTopicConfig,
  type TopicConfig,
  type TopicConfigOverrides,
} from '../storage/topic-config.ts'
import { validatePartitionCount, validateTopicName } from '../storage/topic-name.ts'
import type { CreateTopicOptions, LogManager, TopicDescription } from '../storage/types.ts'
import {
  deleteTopicRow,
  growTopic,
  insertTopic,
  type PartitionRow,
  type TopicRow,
  updateTopicOverrides,
} from './catalog.ts'
import { ClusterPartitionLog, type PartitionServices } from './cluster-partition-log.ts'
import { partitionKey } from './commit.ts'
import type { MetadataDatabase } from './database.ts'

interface TopicEntry {
  description: TopicDescription
  partitions: ClusterPartitionLog[]
}

export class ClusterLogManager implements LogManager {
  private readonly topics = new Map<string, TopicEntry>()
  private readonly byId = new Map<string, TopicEntry>()
  private defaults: TopicConfig

  constructor(
    readonly clusterId: string,
    private readonly database: MetadataDatabase,
    private readonly services: PartitionServices,
    /** Reloads the catalog from the database (after a change here, or a name another broker took). */
    private readonly refresh: () => Promise<void>,
    defaultOverrides: TopicConfigOverrides,
    /** Stops the cluster node: flushes the writer, gives the leases back, leaves the cluster. */
    private readonly closeNode: () => Promise<void>,
  ) {
    this.defaults = resolveTopicConfig(defaultTopicConfig(), defaultOverrides)
  }

  /** Makes the in-memory view equal to the database's topics and partitions. */
  applyCatalog(topics: readonly TopicRow[], partitions: readonly PartitionRow[]): void {
    const rows = new Map(partitions.map((row) => [partitionKey(row.topicId, row.partition), row]))
    const seen = new Set<string>()
    for (const topic of topics) {
      seen.add(topic.name)
      let entry = this.topics.get(topic.name)
      if (entry !== undefined && entry.description.topicId !== topic.topicId) {
        this.remove(topic.name)
        entry = undefined
      }
      const config = resolveTopicConfig(this.defaults, topic.configOverrides)
      if (entry === undefined) {
        entry = {
          description: { ...topic, config },
          partitions: [],
        }
        this.topics.set(topic.name, entry)
        this.byId.set(topic.topicId, entry)
      }
      entry.description = { ...topic, config }
      for (const log of entry.partitions) log.config = config
      for (let index = 0; index < topic.partitionCount; index++) {
        const row = rows.get(partitionKey(topic.topicId, index)) ?? emptyPartition(topic.topicId, index)
        const log = entry.partitions[index]
        if (log === undefined)
          entry.partitions.push(
            new ClusterPartitionLog(topic.name, topic.topicId, index, config, row, this.services),
          )
        else log.observe(row)
      }
    }
    for (const name of [...this.topics.keys()]) if (!seen.has(name)) this.remove(name)
  }

  private remove(name: string): void {
    const entry = this.topics.get(name)
    if (entry === undefined) return
    this.topics.delete(name)
    this.byId.delete(entry.description.topicId)
  }

  async createTopic(name: string, options: CreateTopicOptions): Promise<TopicDescription> {
    validateTopicName(name)
    validatePartitionCount(options.partitionCount, topicPartitionsMax)
    const configOverrides = { ...(options.configOverrides ?? {}) }
    const config = resolveTopicConfig(this.defaults, configOverrides)
    if (config.remoteStorageEnable)
      throw new KafkaError(
        ErrorCode.INVALID_CONFIG,
        'remote.storage.enable: all data is remote in cluster mode',
      )
    const row: TopicRow = {
      topicId: randomUUID(),
      name,
      partitionCount: options.partitionCount,
      configOverrides,
    }
    try {
      await insertTopic(this.database, row)
    } catch (error) {
      // Another broker created it: learn it now, so this broker's next answer has it.
      if (error instanceof KafkaError && error.errorCode === ErrorCode.TOPIC_ALREADY_EXISTS)
        await this.refresh()
      throw error
    }
    await this.refresh()
    return structuredClone({ ...row, config })
  }

  async deleteTopic(name: string): Promise<void> {
    await deleteTopicRow(this.database, name)
    this.remove(name)
  }

  async addPartitions(name: string, partitionCount: number): Promise<TopicDescription> {
    validatePartitionCount(partitionCount, topicPartitionsMax)
    await growTopic(this.database, name, partitionCount)
    await this.refresh()
    return this.requireTopic(name)
  }

  async setTopicConfig(name: string, configOverrides: TopicConfigOverrides): Promise<TopicDescription> {
    const config = resolveTopicConfig(this.defaults, configOverrides)
    if (config.remoteStorageEnable)
      throw new KafkaError(
        ErrorCode.INVALID_CONFIG,
        'remote.storage.enable: all data is remote in cluster mode',
      )
    await updateTopicOverrides(this.database, name, configOverrides)
    await this.refresh()
    return this.requireTopic(name)
  }

  async setDefaultConfigOverrides(defaultOverrides: TopicConfigOverrides): Promise<void> {
    this.defaults = resolveTopicConfig(defaultTopicConfig(), defaultOverrides)
    for (const entry of this.topics.values()) {
      const config = resolveTopicConfig(this.defaults, entry.description.configOverrides)
      entry.description.config = config
      for (const log of entry.partitions) log.config = config
    }
  }

  private requireTopic(name: string): TopicDescription {
    const found = this.getTopic(name)
    if (found === undefined)
      throw new KafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `unknown topic '${name}'`)
    return found
  }

  listTopics(): TopicDescription[] {
    return [...this.topics.values()].map((entry) => structuredClone(entry.description))
  }

  getTopic(name: string): TopicDescription | undefined {
    const entry = this.topics.get(name)
    return entry === undefined ? undefined : structuredClone(entry.description)
  }

  getTopicById(topicId: string): TopicDescription | undefined {
    const entry = this.byId.get(topicId)
    return entry === undefined ? undefined : structuredClone(entry.description)
  }

  partition(topic: string, partition: number): ClusterPartitionLog | undefined {
    return this.topics.get(topic)?.partitions[partition]
  }

  partitionById(topicId: string, partition: number): ClusterPartitionLog | undefined {
    return this.byId.get(topicId)?.partitions[partition]
  }

  allPartitions(): ClusterPartitionLog[] {
    return [...this.topics.values()].flatMap((entry) => entry.partitions)
  }

  async runRetention(): Promise<void> {}

  async runCompaction(): Promise<void> {}

  /** Closes the cluster node (the last step of a broker's stop, after its listener closed). */
  async close(): Promise<void> {
    await this.closeNode()
  }
}

function emptyPartition(topicId: string, partition: number): PartitionRow {
  return { topicId, partition, leaderBroker: null, leaderEpoch: 0, highWatermark: 0, logStartOffset: 0 }
}
