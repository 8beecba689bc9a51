// The read path, served by any broker: committed data of a partition, from the object index in
// PostgreSQL and the objects in the store (through ReadCache). One query gives the partition's high
// watermark and log start offset with the index rows from the fetch offset on; the ranges are read
// (ranged GETs) until maxBytes; the first range starts at the batch that contains the fetch offset.
// The same query gives the last stable offset (the first offset of an open transaction, from
// producer_state); read_committed reads stop there and get the aborted transactions of their range.

import { KafkaError } from '../errors.ts'
import { ErrorCode } from '../protocol/generated/index.ts'
import { readStoredBatchHeader, storedHeaderBytes } from '../storage/batch.ts'
import { batchesBelow } from '../storage/partition-transactions.ts'
import type { ObjectStore } from '../storage/tiered/object-store.ts'
import type { ReadResult } from '../storage/types.ts'
import type { MetadataDatabase } from './database.ts'
import { ReadCache } from './read-cache.ts'

/** Index rows one read looks at (each is one partition's part of one object). */
const indexRowsPerRead = 32

interface IndexRow {
  high_watermark: number
  /** The first offset of an open transaction, or null. */
  first_unstable: number | null
  log_start_offset: number
  base_offset: number | null
  last_offset: number | null
  object_key: string | null
  byte_start: number | null
  byte_end: number | null
}

/** The read side's work since start, for /metrics (seconds and counts: rate(seconds)/rate(count) is the
 * mean latency). */
export interface ReadStats {
  indexQueries: number
  indexQuerySeconds: number
  objectGets: number
  objectGetSeconds: number
  cacheHits: number
}

export class ObjectReader {
  readonly stats: ReadStats = {
    indexQueries: 0,
    indexQuerySeconds: 0,
    objectGets: 0,
    objectGetSeconds: 0,
    cacheHits: 0,
  }

  constructor(
    private readonly database: MetadataDatabase,
    private readonly store: ObjectStore,
    readonly cache: ReadCache,
  ) {}

  async read(
    topicId: string,
    partition: number,
    fetchOffset: number,
    maxBytes: number,
    options: { readCommitted: boolean } = { readCommitted: false },
  ): Promise<ReadResult> {
    const queryStartedMs = performance.now()
    const rows = await this.database.query<IndexRow>(
      `SELECT p.high_watermark, p.log_start_offset, o.base_offset, o.last_offset, o.object_key, o.byte_start,
              o.byte_end,
              (SELECT min(s.txn_first_offset) FROM producer_state s
               WHERE s.topic_id = p.topic_id AND s.partition = p.partition) AS first_unstable
       FROM partitions p
       LEFT JOIN LATERAL (
         SELECT base_offset, last_offset, object_key, byte_start, byte_end FROM partition_objects o
         WHERE o.topic_id = p.topic_id AND o.partition = p.partition AND o.last_offset >= $3
         ORDER BY o.last_offset LIMIT ${indexRowsPerRead}) o ON true
       WHERE p.topic_id = $1 AND p.partition = $2`,
      [topicId, partition, fetchOffset],
    )
    this.stats.indexQueries++
    this.stats.indexQuerySeconds += (performance.now() - queryStartedMs) / 1000
    if (rows.length === 0)
      throw new KafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `unknown partition ${topicId}:${partition}`)
    const highWatermark = Number(rows[0].high_watermark)
    const logStartOffset = Number(rows[0].log_start_offset)
    const firstUnstable = rows[0].first_unstable
    const lastStableOffset =
      firstUnstable === null ? highWatermark : Math.min(highWatermark, Number(firstUnstable))
    const offsets = { highWatermark, lastStableOffset, logStartOffset }
    if (fetchOffset < logStartOffset || fetchOffset > highWatermark)
      throw new KafkaError(
        ErrorCode.OFFSET_OUT_OF_RANGE,
        `offset ${fetchOffset} is outside [${logStartOffset}, ${highWatermark}]`,
      )
    const chunks: Buffer[] = []
    let bytes = 0
    for (const row of rows) {
      if (row.object_key === null || row.byte_start === null || row.byte_end === null) break
      if (row.base_offset === null || Number(row.base_offset) >= highWatermark) break
      const range = { start: Number(row.byte_start), endExclusive: Number(row.byte_end) }
      let chunk = await this.range(row.object_key, range)
      if (chunks.length === 0) chunk = fromBatchContaining(chunk, fetchOffset)
      const fitting = chunks.length === 0 ? chunk : wholeBatchesWithin(chunk, maxBytes - bytes)
      if (fitting.length === 0) break
      chunks.push(fitting)
      bytes += fitting.length
      if (bytes >= maxBytes || fitting.length < chunk.length) break
    }
    const records = trimToMaxBytes(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks), maxBytes)
    if (!options.readCommitted) return { records, ...offsets }
    return {
      records: batchesBelow(records, lastStableOffset),
      ...offsets,
      abortedTransactions: await this.abortedTransactions(topicId, partition, fetchOffset, lastStableOffset),
    }
  }

  /** Transactions aborted over [fetchOffset, lastStableOffset): a read_committed consumer skips their
   * records up to each ABORT marker. A transaction still open at this read's snapshot starts at or
   * after its last stable offset, so one aborted since is never among them. */
  private async abortedTransactions(
    topicId: string,
    partition: number,
    fetchOffset: number,
    lastStableOffset: number,
  ): Promise<{ producerId: bigint; firstOffset: number }[]> {
    const rows = await this.database.query<{ producer_id: string; first_offset: number }>(
      `SELECT producer_id::text AS producer_id, first_offset FROM aborted_transactions
       WHERE topic_id = $1 AND partition = $2 AND last_offset >= $3 AND first_offset < $4
       ORDER BY first_offset`,
      [topicId, partition, fetchOffset, lastStableOffset],
    )
    return rows.map((row) => ({ producerId: BigInt(row.producer_id), firstOffset: Number(row.first_offset) }))
  }

  private async range(objectKey: string, range: { start: number; endExclusive: number }): Promise<Buffer> {
    const key = ReadCache.keyOf(objectKey, range.start, range.endExclusive)
    const cached = this.cache.get(key)
    if (cached !== undefined) {
      this.stats.cacheHits++
      return cached
    }
    const getStartedMs = performance.now()
    const bytes = await this.store.get(objectKey, range)
    this.stats.objectGets++
    this.stats.objectGetSeconds += (performance.now() - getStartedMs) / 1000
    this.cache.set(key, bytes)
    return bytes
  }
}

/** The batches of `chunk` from the one containing `offset` on. */
function fromBatchContaining(chunk: Buffer, offset: number): Buffer {
  let position = 0
  while (chunk.length - position >= storedHeaderBytes) {
    const header = readStoredBatchHeader(chunk, position)
    if (header.lastOffset >= offset) return chunk.subarray(position)
    position += header.sizeBytes
  }
  return chunk.subarray(chunk.length)
}

/** The leading whole batches of `chunk` that fit in `bytesMax`. */
function wholeBatchesWithin(chunk: Buffer, bytesMax: number): Buffer {
  let position = 0
  while (chunk.length - position >= storedHeaderBytes) {
    const { sizeBytes } = readStoredBatchHeader(chunk, position)
    if (position + sizeBytes > bytesMax) break
    position += sizeBytes
  }
  return chunk.subarray(0, position)
}

/** At least the first batch, then whole batches up to maxBytes (as the disk engine's read). */
function trimToMaxBytes(records: Buffer, maxBytes: number): Buffer {
  if (records.length <= maxBytes || records.length < storedHeaderBytes) return records
  const first = readStoredBatchHeader(records, 0).sizeBytes
  if (first >= maxBytes) return records.subarray(0, first)
  return wholeBatchesWithin(records, maxBytes)
}
