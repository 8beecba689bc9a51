// The one place Connect talks to Kafka: @platformatic/kafka (a real client, so a worker runs against
// any Kafka-compatible cluster). Topics are created with their configs; records are produced with
// acks=all and the Java client's partitioner (murmur2 & 0x7fffffff), so keys land where Kafka
// Connect's would; partitions are read read_committed with plain Fetch requests from a position we keep
// ourselves (exactly-once source tasks write connect-offsets in transactions).

import {
  Admin,
  Consumer,
  compatibilityPartitioner,
  FetchIsolationLevels,
  ProduceAcks,
  Producer,
} from '@platformatic/kafka'
import { decodeBatch } from '../../protocol/records/batch-v2.ts'
import { partitionOf, produceBatches, produceBuiltBatches } from './batch-produce.ts'
import { committedRecords } from './committed-records.ts'
import type { AccumulatedBatch } from './record-accumulator.ts'

const requestTimeoutMs = 30_000
const unsupportedVersion = 35
/** How long a topic's partition count is used before it is asked again (partitions may be added). */
const partitionCountMaxAgeMs = 30_000

export interface KafkaClientOptions {
  bootstrap: string[]
  clientId: string
}

export interface ProducedRecord {
  topic: string
  partition?: number
  key: Buffer | null
  value: Buffer | null
  headers?: Array<[string, Buffer | null]>
  timestamp?: number | null
}

export interface FetchedBatch {
  records: FetchedRecord[]
  /** Each fetched partition's next position (past control batches and aborted transactions). */
  next: Map<number, number>
}

export interface FetchedRecord {
  topic: string
  partition: number
  offset: number
  timestamp: number
  key: Buffer | null
  value: Buffer | null
  headers: Array<[string, Buffer | null]>
}

/** A record as @platformatic/kafka produces it (absent key/value: null; headers as a Map). */
export function toMessage(record: ProducedRecord) {
  return {
    topic: record.topic,
    ...(record.partition === undefined ? {} : { partition: record.partition }),
    key: record.key ?? undefined,
    value: record.value ?? undefined,
    ...(record.timestamp === null || record.timestamp === undefined
      ? {}
      : { timestamp: BigInt(record.timestamp) }),
    headers: new Map(
      (record.headers ?? []).map(([key, value]) => [Buffer.from(key), value ?? Buffer.alloc(0)]),
    ),
  }
}

function baseOptions(options: KafkaClientOptions) {
  return {
    clientId: options.clientId,
    bootstrapBrokers: options.bootstrap,
    connectTimeout: 10_000,
    timeout: requestTimeoutMs,
    retries: 5,
    retryDelay: 250,
  }
}

/** Creates `topic` unless it exists. Answers whether this call created it. */
export async function ensureTopic(
  options: KafkaClientOptions,
  topic: { name: string; partitions: number; configs: Record<string, string> },
): Promise<boolean> {
  const admin = new Admin(baseOptions(options))
  try {
    const existing = await admin.listTopics({ includeInternals: true })
    if (existing.includes(topic.name)) return false
    try {
      await admin.createTopics({
        topics: [topic.name],
        partitions: topic.partitions,
        replicas: -1,
        configs: Object.entries(topic.configs).map(([name, value]) => ({ name, value })),
      })
      return true
    } catch (error) {
      if (errorCodeOf(error) === 36) return false // TOPIC_ALREADY_EXISTS: another worker was first
      throw error
    }
  } finally {
    await admin.close()
  }
}

/** The Kafka error code inside a @platformatic/kafka error (ProtocolError.apiCode, maybe nested), or -1. */
export function errorCodeOf(error: unknown): number {
  const seen = new Set<unknown>()
  const visit = (value: unknown): number | undefined => {
    if (typeof value !== 'object' || value === null || seen.has(value)) return undefined
    seen.add(value)
    const record = value as Record<string, unknown>
    if (typeof record.apiCode === 'number') return record.apiCode
    for (const nested of [record.errors, record.cause]) {
      if (Array.isArray(nested)) {
        for (const item of nested) {
          const found = visit(item)
          if (found !== undefined) return found
        }
      } else {
        const found = visit(nested)
        if (found !== undefined) return found
      }
    }
    return undefined
  }
  return visit(error) ?? -1
}

export class KafkaWriter {
  private readonly producer: Producer
  /** Records go out as batches built here (batch-produce.ts) until the broker lacks Produce v9. */
  private batchProduce = true
  /** Partition counts by topic, for partitionFor (asked again after partitionCountMaxAgeMs). */
  private readonly partitionCounts = new Map<string, { count: number; atMs: number }>()

  constructor(options: KafkaClientOptions) {
    this.producer = new Producer({
      ...baseOptions(options),
      autocreateTopics: true,
      partitioner: compatibilityPartitioner,
    })
  }

  /** Writes in order; resolves with each record's partition and offset once acknowledged (acks=all). */
  async send(records: ProducedRecord[]): Promise<Array<{ partition: number; offset: number }>> {
    if (records.length === 0) return []
    if (this.batchProduce) {
      try {
        return await produceBatches(this.producer, records, ProduceAcks.ALL, requestTimeoutMs)
      } catch (error) {
        // A broker without Produce v9 keeps the library's path; any other failure (an error code, a
        // dropped connection, a moved leader) is retried there, with its retries and fresh metadata.
        // Records of partitions that were written may then be written twice (at-least-once).
        if (errorCodeOf(error) === unsupportedVersion) this.batchProduce = false
      }
    }
    const result = await this.producer.send({
      acks: ProduceAcks.ALL,
      messages: records.map(toMessage),
    })
    // The answer gives each partition's base offset; records of one partition follow in order.
    const next = new Map<string, number>()
    for (const entry of result.offsets ?? [])
      next.set(`${entry.topic}\u0000${entry.partition}`, Number(entry.offset))
    return records.map((record) => {
      const partition =
        record.partition ??
        (result.offsets ?? []).find((entry) => entry.topic === record.topic)?.partition ??
        0
      const key = `${record.topic}\u0000${partition}`
      const offset = next.get(key) ?? -1
      next.set(key, offset + 1)
      return { partition, offset }
    })
  }

  /**
   * The partition send() would write `record` to: a number, or a promise when its topic's partition
   * count has to be asked first (a topic not seen yet, or seen longer than partitionCountMaxAgeMs ago).
   */
  partitionFor(record: ProducedRecord): number | Promise<number> {
    // Without a key or a partition the partitioner answers 0 whatever the count.
    if (record.partition === undefined && record.key === null) return 0
    const known = this.partitionCounts.get(record.topic)
    if (known !== undefined && Date.now() - known.atMs < partitionCountMaxAgeMs)
      return partitionOf(record, known.count)
    return this.partitionCount(record.topic).then((count) => partitionOf(record, count))
  }

  private async partitionCount(topic: string): Promise<number> {
    const metadata = await this.producer.metadata({ topics: [topic], autocreateTopics: true })
    const count = metadata.topics.get(topic)?.partitionsCount
    if (count === undefined) throw new Error(`no metadata for topic ${topic}`)
    this.partitionCounts.set(topic, { count, atMs: Date.now() })
    return count
  }

  /**
   * Writes batches of encoded records (record-accumulator.ts), each to its partition: their base
   * offsets once acknowledged (acks=all), in order. A failure of the fast path goes through the
   * library's producer, as send() does, with the records decoded back from the batches.
   */
  async sendBatches(batches: AccumulatedBatch[]): Promise<number[]> {
    if (batches.length === 0) return []
    if (this.batchProduce) {
      try {
        return await produceBuiltBatches(this.producer, batches, ProduceAcks.ALL, requestTimeoutMs)
      } catch (error) {
        if (errorCodeOf(error) === unsupportedVersion) this.batchProduce = false
      }
    }
    return await sendDecoded(this.producer, batches)
  }

  async close(): Promise<void> {
    await this.producer.close()
  }
}

/**
 * Writes encoded batches through the library's producer (its retries and metadata refreshes), the
 * records decoded back from them, each to its batch's partition: the batches' base offsets.
 */
export async function sendDecoded(producer: Producer, batches: AccumulatedBatch[]): Promise<number[]> {
  const messages: ReturnType<typeof toMessage>[] = []
  for (const entry of batches) {
    const { records } = await decodeBatch(entry.batch)
    for (const record of records)
      messages.push(
        toMessage({
          topic: entry.topic,
          partition: entry.partition,
          key: record.key,
          value: record.value,
          headers: record.headers.map(({ key, value }) => [key, value]),
          timestamp: record.timestamp,
        }),
      )
  }
  const result = await producer.send({ acks: ProduceAcks.ALL, messages })
  return batches.map((entry) => {
    const written = (result.offsets ?? []).find(
      (offset) => offset.topic === entry.topic && offset.partition === entry.partition,
    )
    if (written === undefined) throw new Error(`no answer for ${entry.topic}/${entry.partition}`)
    return Number(written.offset)
  })
}

/** Reads partitions from positions it keeps (no group), and answers end offsets. */
export class KafkaReader {
  private readonly consumer: Consumer

  constructor(options: KafkaClientOptions) {
    this.consumer = new Consumer({ ...baseOptions(options), groupId: `${options.clientId}-reader` })
  }

  async clusterId(): Promise<string> {
    const metadata = await this.consumer.metadata({ topics: [] })
    return metadata.id
  }

  async partitionCount(topic: string): Promise<number> {
    const metadata = await this.consumer.metadata({ topics: [topic], forceUpdate: true })
    return metadata.topics.get(topic)?.partitionsCount ?? 0
  }

  /** Each partition's last stable offset (ListOffsets latest, read_committed: where fetch stops). */
  async endOffsets(topic: string): Promise<number[]> {
    const offsets = await this.consumer.listOffsets({
      topics: [topic],
      timestamp: -1n,
      isolationLevel: FetchIsolationLevels.READ_COMMITTED,
    })
    return (offsets.get(topic) ?? []).map(Number)
  }

  async beginningOffsets(topic: string): Promise<number[]> {
    const offsets = await this.consumer.listOffsets({ topics: [topic], timestamp: -2n })
    return (offsets.get(topic) ?? []).map(Number)
  }

  /**
   * One read_committed Fetch of these partitions from these positions (long-polls up to maxWaitMs):
   * committed records, and each partition's next position (past markers and aborted batches).
   */
  async fetch(topic: string, positions: Map<number, number>, maxWaitMs: number): Promise<FetchedBatch> {
    const metadata = await this.consumer.metadata({ topics: [topic] })
    const described = metadata.topics.get(topic)
    if (described === undefined) throw new Error(`topic ${topic} not found`)
    const byLeader = new Map<number, number[]>()
    for (const partition of positions.keys()) {
      const leader = described.partitions[partition]?.leader ?? 0
      byLeader.set(leader, [...(byLeader.get(leader) ?? []), partition])
    }
    const fetched = await Promise.all(
      [...byLeader].map(([leader, partitions]) =>
        this.fetchFrom(leader, topic, described.id, partitions, positions, maxWaitMs),
      ),
    )
    return {
      records: fetched.flatMap((entry) => entry.records),
      next: new Map(fetched.flatMap((entry) => [...entry.next])),
    }
  }

  private async fetchFrom(
    node: number,
    topic: string,
    topicId: string,
    partitions: number[],
    positions: Map<number, number>,
    maxWaitMs: number,
  ): Promise<FetchedBatch> {
    const response = await this.consumer.fetch({
      node,
      maxWaitTime: maxWaitMs,
      minBytes: 1,
      maxBytes: 16 * 1024 * 1024,
      isolationLevel: FetchIsolationLevels.READ_COMMITTED,
      topics: [
        {
          topicId,
          partitions: partitions.map((partition) => ({
            partition,
            fetchOffset: BigInt(positions.get(partition) ?? 0),
            partitionMaxBytes: 4 * 1024 * 1024,
            currentLeaderEpoch: -1,
            lastFetchedEpoch: -1,
          })),
        },
      ],
    })
    const out: FetchedBatch = { records: [], next: new Map() }
    for (const topicResponse of response.responses) {
      for (const partitionResponse of topicResponse.partitions) {
        const partition = partitionResponse.partitionIndex
        if (partitionResponse.errorCode !== 0)
          throw new Error(`fetch ${topic}/${partition} failed with error code ${partitionResponse.errorCode}`)
        const read = committedRecords(topic, partition, partitionResponse, positions.get(partition) ?? 0)
        out.records.push(...read.records)
        out.next.set(partition, read.next)
      }
    }
    return out
  }

  async close(): Promise<void> {
    await this.consumer.close(true)
  }
}
