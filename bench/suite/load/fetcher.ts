// A lean consumer-side load client on the generated codecs: one connection, one Fetch in flight (as a
// Kafka consumer keeps per broker), every assigned partition in each request, large max_bytes. It counts
// the bytes, batches and records it receives by walking batch headers only (records are never decoded)
// and advances each partition's offset past the last batch it got. An optional per-batch hook sees the
// raw bytes, which is where the latency workloads read the send time stamped in the first record.
//
// Fetch v12: flexible, topics by name (v13+ needs topic ids from Metadata; nothing here gains from
// them), sessionless (session id 0, epoch -1): every request lists every partition, which for the
// partition counts of the suite (≤ 64) costs a few hundred bytes per request.

import type { FetchRequest } from '../../../src/protocol/generated/fetch-request.ts'
import {
  createDefaultFetchPartition,
  createDefaultFetchRequest,
} from '../../../src/protocol/generated/fetch-request.ts'
import { ApiKey, ErrorCode } from '../../../src/protocol/generated/index.ts'
import { BatchField, logOverheadBytes } from '../../../src/protocol/records/batch-header.ts'
import { decodeResponseFrame, encodeRequestFrame, KafkaConnection } from './kafka-connection.ts'

const fetchVersion = 12
const magicV2 = 2

export interface FetcherOptions {
  host: string
  port: number
  topic: string
  partitions: readonly number[]
  /** Where each partition starts; 0 when absent. */
  startOffsets?: ReadonlyMap<number, bigint>
  /** Response limit (max_bytes). Default 64 MiB. */
  maxBytes?: number
  /** Per-partition limit (partition_max_bytes). Default 16 MiB. */
  partitionMaxBytes?: number
  /** Long-poll bound (max_wait_ms). Default 100. */
  maxWaitMs?: number
  /** Bytes the broker waits for before answering (min_bytes). Default 1. */
  minBytes?: number
  /** Called for each whole batch received: the partition's records buffer and the batch's position. */
  onBatch?: (records: Buffer, position: number, partition: number) => void
}

export interface FetchTotals {
  /** Record batch bytes received (batch headers included, response framing not). */
  bytes: number
  batches: number
  records: number
  requests: number
}

export interface FetchUntil {
  /** performance.now() time after which no new Fetch is sent. */
  deadlineMs: number
  /** Stop once every listed partition's next offset reached its end offset (catch-up reads). */
  endOffsets?: ReadonlyMap<number, bigint>
  /** Stop when this returns true (checked after each response). */
  stop?: () => boolean
}

export class Fetcher {
  readonly totals: FetchTotals = { bytes: 0, batches: 0, records: 0, requests: 0 }
  /** Next offset to fetch, by partition. */
  readonly offsets = new Map<number, bigint>()
  readonly #connection: KafkaConnection
  readonly #options: FetcherOptions
  readonly #request: FetchRequest

  private constructor(connection: KafkaConnection, options: FetcherOptions) {
    this.#connection = connection
    this.#options = options
    for (const partition of options.partitions) {
      this.offsets.set(partition, options.startOffsets?.get(partition) ?? 0n)
    }
    const partitionMaxBytes = options.partitionMaxBytes ?? 16 * 1024 * 1024
    this.#request = {
      ...createDefaultFetchRequest(),
      maxWaitMs: options.maxWaitMs ?? 100,
      minBytes: options.minBytes ?? 1,
      maxBytes: options.maxBytes ?? 64 * 1024 * 1024,
      topics: [
        {
          topic: options.topic,
          topicId: '00000000-0000-0000-0000-000000000000',
          partitions: options.partitions.map((partition) => ({
            ...createDefaultFetchPartition(),
            partition,
            partitionMaxBytes,
          })),
        },
      ],
    }
  }

  static async open(options: FetcherOptions): Promise<Fetcher> {
    return new Fetcher(await KafkaConnection.open(options.host, options.port), options)
  }

  /** Fetches until the deadline, the end offsets or `stop`; returns the running totals. */
  async run(until: FetchUntil): Promise<FetchTotals> {
    while (performance.now() < until.deadlineMs) {
      await this.fetchOnce()
      if (until.endOffsets !== undefined && this.#reached(until.endOffsets)) break
      if (until.stop?.() === true) break
    }
    return this.totals
  }

  /** One Fetch round trip for every partition, from the current offsets. */
  async fetchOnce(): Promise<void> {
    for (const partition of this.#request.topics[0].partitions) {
      partition.fetchOffset = this.offsets.get(partition.partition) ?? 0n
    }
    const frame = await this.#connection.send(encodeRequestFrame(ApiKey.Fetch, fetchVersion, this.#request))
    this.totals.requests++
    const response = decodeResponseFrame(ApiKey.Fetch, fetchVersion, frame)
    if (response.errorCode !== ErrorCode.NONE)
      throw new Error(`Fetch failed: error code ${response.errorCode}`)
    for (const topic of response.responses) {
      for (const partition of topic.partitions) {
        if (partition.errorCode !== ErrorCode.NONE) {
          throw new Error(
            `Fetch ${topic.topic}/${partition.partitionIndex}: error code ${partition.errorCode}`,
          )
        }
        if (partition.records !== null) this.#walk(partition.partitionIndex, partition.records)
      }
    }
  }

  close(): void {
    this.#connection.close()
  }

  /** Counts the whole batches of `records` and moves the partition's offset past the last one. */
  #walk(partition: number, records: Buffer): void {
    let position = 0
    let nextOffset = -1n
    while (position + logOverheadBytes <= records.length) {
      const size = logOverheadBytes + records.readInt32BE(position + BatchField.batchLength)
      // A trailing partial batch (cut by max_bytes) is fetched again whole next time.
      if (position + size > records.length) break
      if (records[position + BatchField.magic] !== magicV2) {
        throw new Error(`partition ${partition}: batch with magic ${records[position + BatchField.magic]}`)
      }
      const lastOffsetDelta = records.readInt32BE(position + BatchField.lastOffsetDelta)
      nextOffset = records.readBigInt64BE(position + BatchField.baseOffset) + BigInt(lastOffsetDelta) + 1n
      this.totals.records += records.readInt32BE(position + BatchField.recordCount)
      this.totals.batches++
      this.totals.bytes += size
      this.#options.onBatch?.(records, position, partition)
      position += size
    }
    if (nextOffset >= 0n) this.offsets.set(partition, nextOffset)
  }

  #reached(endOffsets: ReadonlyMap<number, bigint>): boolean {
    for (const [partition, end] of endOffsets) {
      if ((this.offsets.get(partition) ?? 0n) < end) return false
    }
    return true
  }
}

/** Splits `partitions` round-robin over `connections` fetchers and opens them. */
export async function openFetchers(options: FetcherOptions, connections: number): Promise<Fetcher[]> {
  const groups: number[][] = Array.from(
    { length: Math.min(connections, options.partitions.length) },
    () => [],
  )
  for (const [index, partition] of options.partitions.entries()) groups[index % groups.length].push(partition)
  return Promise.all(groups.map((partitions) => Fetcher.open({ ...options, partitions })))
}

/** Sums the totals of several fetchers. */
export function sumTotals(fetchers: readonly Fetcher[]): FetchTotals {
  const sum: FetchTotals = { bytes: 0, batches: 0, records: 0, requests: 0 }
  for (const fetcher of fetchers) {
    sum.bytes += fetcher.totals.bytes
    sum.batches += fetcher.totals.batches
    sum.records += fetcher.totals.records
    sum.requests += fetcher.totals.requests
  }
  return sum
}
