// Reads assigned partitions from positions kept here: one long-polling Fetch per partition leader,
// control batches (transaction markers) skipped, OFFSET_OUT_OF_RANGE reset to the earliest offset
// (Kafka Connect's sink consumers use auto.offset.reset=earliest), leadership changes answered with a
// metadata refresh. Every call is bounded by the fetch wait plus the request timeout. Each answer's
// high watermarks are kept, so the records a partition is behind its log end can be told
// (sink-record-lag-max) without a request of its own.

import { listOffsetsV5 } from '@platformatic/kafka'
import type { BrokerConnections, ClusterLayout } from './broker-connections.ts'
import type { TopicPartition } from './consumer-protocol.ts'
import { type FetchedPartition, FetchedRecords } from './fetched-records.ts'
import { batchStarts, type RawFetchResponse, rawFetch } from './raw-fetch.ts'

export type { ConsumedMessage } from './fetched-records.ts'

const errorOffsetOutOfRange = 1
const readUncommitted = 0
const earliestTimestamp = -2n

export function partitionKey(topic: string, partition: number): string {
  return `${topic}\u0000${partition}`
}

export class PartitionFetcher {
  /** Next offset to read per assigned partition. */
  readonly positions = new Map<string, TopicPartition & { offset: number }>()
  /** The last high watermark a Fetch answered per assigned partition. */
  private readonly highWatermarks = new Map<string, number>()
  layout: ClusterLayout | null = null

  constructor(
    private readonly connections: BrokerConnections,
    private readonly refreshLayout: () => Promise<ClusterLayout>,
  ) {}

  assign(partitions: Array<TopicPartition & { offset: number }>): void {
    this.clear()
    for (const entry of partitions)
      this.positions.set(partitionKey(entry.topic, entry.partition), { ...entry })
  }

  clear(): void {
    this.positions.clear()
    this.highWatermarks.clear()
  }

  /**
   * The most records any assigned partition is behind its last known high watermark, from the
   * positions as records are taken (Kafka's consumer records-lag-max); null before any answer told one.
   */
  lagMax(): number | null {
    let max: number | null = null
    for (const [key, position] of this.positions) {
      const highWatermark = this.highWatermarks.get(key)
      if (highWatermark === undefined) continue
      const lag = Math.max(0, highWatermark - position.offset)
      if (max === null || lag > max) max = lag
    }
    return max
  }

  /** The earliest offset of each partition (ListOffsets, timestamp -2), through its leader. */
  async earliest(partitions: TopicPartition[]): Promise<Map<string, number>> {
    const layout = this.layout ?? (await this.refreshLayout())
    const out = new Map<string, number>()
    for (const [leader, entries] of this.byLeader(layout, partitions)) {
      const connection = await this.connections.node(leader)
      const byTopic = new Map<string, number[]>()
      for (const { topic, partition } of entries)
        byTopic.set(topic, [...(byTopic.get(topic) ?? []), partition])
      const answer = await listOffsetsV5.api.async(
        connection,
        -1,
        readUncommitted,
        [...byTopic].map(([name, indexes]) => ({
          name,
          partitions: indexes.map((partitionIndex) => ({
            partitionIndex,
            currentLeaderEpoch: -1,
            timestamp: earliestTimestamp,
          })),
        })),
      )
      for (const topic of answer.topics)
        for (const partition of topic.partitions)
          out.set(partitionKey(topic.name, partition.partitionIndex), Number(partition.offset))
    }
    return out
  }

  /**
   * One Fetch round over every assigned partition (long-polls up to `waitMs` when there is nothing):
   * its records, decoded as they are taken; taking them moves the positions past them.
   */
  async fetch(waitMs: number): Promise<FetchedRecords> {
    if (this.positions.size === 0) return FetchedRecords.empty
    const layout = this.layout ?? (await this.refreshLayout())
    const fetched = await Promise.all(
      [...this.byLeader(layout, [...this.positions.values()])].map(([leader, partitions]) =>
        this.fetchFrom(leader, partitions, waitMs),
      ),
    )
    return new FetchedRecords(fetched.flat())
  }

  private byLeader(layout: ClusterLayout, partitions: TopicPartition[]): Map<number, TopicPartition[]> {
    const out = new Map<number, TopicPartition[]>()
    for (const entry of partitions) {
      const leader = layout.topics.get(entry.topic)?.leaders[entry.partition] ?? -1
      out.set(leader, [...(out.get(leader) ?? []), entry])
    }
    return out
  }

  private async fetchFrom(
    leader: number,
    partitions: TopicPartition[],
    waitMs: number,
  ): Promise<FetchedPartition[]> {
    if (leader < 0) {
      // No leader known (a topic being created or moved): look again after a short wait.
      await new Promise((resolve) => setTimeout(resolve, Math.min(waitMs, 200)))
      this.layout = null
      return []
    }
    const byTopic = new Map<string, TopicPartition[]>()
    for (const entry of partitions) byTopic.set(entry.topic, [...(byTopic.get(entry.topic) ?? []), entry])
    let response: RawFetchResponse
    try {
      const connection = await this.connections.node(leader)
      response = await rawFetch(
        connection,
        waitMs,
        16 * 1024 * 1024,
        [...byTopic].map(([topic, entries]) => ({
          // Fetch v12 names topics (the field is called topicId in the codec).
          topicId: topic,
          partitions: entries.map((entry) => ({
            partition: entry.partition,
            fetchOffset: BigInt(this.positions.get(partitionKey(entry.topic, entry.partition))?.offset ?? 0),
            // Kafka's max.partition.fetch.bytes default: what a fetch holds stays young for the GC.
            partitionMaxBytes: 1024 * 1024,
            currentLeaderEpoch: -1,
            lastFetchedEpoch: -1,
          })),
        })),
      )
    } catch (error) {
      const partial = (error as { response?: RawFetchResponse }).response
      if (partial === undefined) {
        await this.connections.discardNode(leader)
        this.layout = null
        throw error
      }
      response = partial
    }
    const { out, outOfRange } = this.readResponse(response)
    if (outOfRange.length > 0) {
      const earliest = await this.earliest(outOfRange)
      for (const entry of outOfRange) {
        const position = this.positions.get(partitionKey(entry.topic, entry.partition))
        const offset = earliest.get(partitionKey(entry.topic, entry.partition))
        if (position !== undefined && offset !== undefined) position.offset = offset
      }
    }
    return out
  }

  /** The record bytes of a Fetch answer by partition (taken later, from each position on). */
  private readResponse(response: RawFetchResponse): {
    out: FetchedPartition[]
    outOfRange: TopicPartition[]
  } {
    const out: FetchedPartition[] = []
    const outOfRange: TopicPartition[] = []
    for (const { topic, partitions } of response.responses) {
      for (const partitionResponse of partitions) {
        const partition = partitionResponse.partitionIndex
        const position = this.positions.get(partitionKey(topic, partition))
        if (position === undefined) continue
        if (partitionResponse.errorCode === errorOffsetOutOfRange) outOfRange.push({ topic, partition })
        else if (partitionResponse.errorCode !== 0) this.layout = null // leadership moved: ask again
        if (partitionResponse.errorCode !== 0) continue
        this.highWatermarks.set(partitionKey(topic, partition), partitionResponse.highWatermark)
        if (partitionResponse.records === null) continue
        const records = partitionResponse.records
        out.push({ topic, partition, position, records, batchStarts: batchStarts(records) })
      }
    }
    return { out, outOfRange }
  }
}
