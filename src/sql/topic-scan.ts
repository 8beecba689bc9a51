// Reads what a query needs of one topic from the log, through the same PartitionLog.read a Fetch
// uses (read_committed: aborted transactions are skipped as a consumer skips them). Only the
// partitions, offsets and timestamps of the ScanSpec are read: the scan starts at the offset range's
// start, or at the time index's answer for the timestamp lower bound, and stops at the offset range's
// end, the LIMIT, or (LogAppendTime topics only, where timestamps grow with offsets) the timestamp
// upper bound. Batches are kept decompressed, not decoded: records are decoded chunk by chunk while
// DuckDB pulls them (topic-function.ts). Every byte read is counted (ScanStats: the pushdown proof).

import { type BatchHeader, batchHeaderBytes, validateBatch } from '../protocol/records/batch-header.ts'
import { decompress } from '../protocol/records/compression/index.ts'
import type { LogManager, PartitionLog, TopicDescription } from '../storage/types.ts'
import type { DecodedColumns } from './decode/decoded-columns.ts'
import { SqlError } from './errors.ts'
import type { ScanSpec } from './pushdown.ts'
import { decodeBatchRows } from './record-columns.ts'

/** One data batch of a scan: its header and its records section, decompressed. */
export interface ScannedBatch {
  partition: number
  header: BatchHeader
  records: Buffer
}

export interface ScannedTopic {
  spec: ScanSpec
  description: TopicDescription
  batches: ScannedBatch[]
  /** key_decoded / value_decoded, prepared when the query reads them (decode/decoded-columns.ts). */
  decoded?: DecodedColumns
  /** The query's result does not depend on row order: DuckDB may pull chunks on several threads. */
  parallel?: boolean
}

export interface ScanBudget {
  /** Bytes the whole query may still read. */
  bytesRemaining: number
  signal: AbortSignal
}

export interface ScanCounters {
  bytesRead: number
  batchesRead: number
  partitions: Array<{ topic: string; partition: number; fromOffset: number; toOffset: number }>
}

/** Bytes asked of the log per read (at least one whole batch comes back). */
const scanReadBytes = 256 * 1024
/** Smaller reads when a LIMIT may stop the scan early. */
const limitedScanReadBytes = 64 * 1024

async function startOffsetOf(log: PartitionLog, spec: ScanSpec): Promise<number | null> {
  let start = Math.max(log.logStartOffset, spec.offsetFrom ?? 0)
  if (spec.timestampFromMs !== null) {
    // The time index (and batch headers) find the first batch holding a record at or after it.
    const found = await log.offsetForTimestamp(spec.timestampFromMs)
    if (found === null) return null
    start = Math.max(start, found.offset)
  }
  return start
}

/** Skips the batches of aborted transactions, as a read_committed consumer does. */
class AbortedTransactions {
  private readonly pending: Array<{ producerId: bigint; firstOffset: number }> = []
  private readonly aborted = new Set<bigint>()

  add(list: Array<{ producerId: bigint; firstOffset: number }> | undefined): void {
    if (list === undefined) return
    this.pending.push(...list)
    this.pending.sort((a, b) => a.firstOffset - b.firstOffset)
  }

  /** Whether the batch's records are to be skipped (control batches always are). */
  skips(header: BatchHeader): boolean {
    const lastOffset = header.baseOffset + header.lastOffsetDelta
    while (this.pending.length > 0 && this.pending[0].firstOffset <= lastOffset) {
      const next = this.pending.shift()
      if (next !== undefined) this.aborted.add(next.producerId)
    }
    if (header.isControl) {
      // A marker ends its producer's transaction, whatever its type.
      this.aborted.delete(header.producerId)
      return true
    }
    return header.isTransactional && this.aborted.has(header.producerId)
  }
}

interface PartitionScan {
  topic: ScannedTopic
  log: PartitionLog
  budget: ScanBudget
  counters: ScanCounters
  /** Records kept so far in this topic (for the LIMIT). */
  kept: { count: number }
}

async function scanPartition(scan: PartitionScan): Promise<void> {
  const { topic, log, budget, counters, kept } = scan
  const { spec } = topic
  const start = await startOffsetOf(log, spec)
  const stableEnd = log.lastStableOffset
  const end = spec.offsetTo === null ? stableEnd : Math.min(stableEnd, spec.offsetTo + 1)
  if (start === null || start >= end) return
  const logAppendTime = topic.description.config.messageTimestampType === 'LogAppendTime'
  const aborted = new AbortedTransactions()
  const readBytes = spec.recordsMax === null ? scanReadBytes : limitedScanReadBytes
  let position = start
  while (position < end) {
    if (spec.recordsMax !== null && kept.count >= spec.recordsMax) break
    if (budget.signal.aborted) throw budget.signal.reason
    const read = await log.read(position, readBytes, { isolation: 'read_committed' })
    if (read.records.length === 0) break
    counters.bytesRead += read.records.length
    budget.bytesRemaining -= read.records.length
    if (budget.bytesRemaining < 0) {
      throw new SqlError(
        'QUERY_SCAN_LIMIT',
        `the query would read more than its scan limit from the log; narrow it with partition, "offset" or timestamp bounds`,
      )
    }
    aborted.add(read.abortedTransactions)
    let at = 0
    let next = position
    let pastTimeBound = false
    while (at < read.records.length) {
      // The CRC is computed again unless the log says these bytes are the ones it checked at append
      // and kept in memory since (the in-memory engine): bytes from files are checked here, as a
      // consumer checks what it fetched.
      const { header, sizeBytes } = validateBatch(read.records, at, {
        origin: 'log',
        verifyCrc: read.crcVerified !== true,
      })
      const section = read.records.subarray(at + batchHeaderBytes, at + sizeBytes)
      at += sizeBytes
      counters.batchesRead += 1
      if (header.baseOffset >= end) break
      const lastOffset = header.baseOffset + header.lastOffsetDelta
      next = Math.max(next, lastOffset + 1)
      if (aborted.skips(header) || lastOffset < position) continue
      if (spec.timestampFromMs !== null && header.maxTimestamp < spec.timestampFromMs) continue
      if (logAppendTime && spec.timestampToMs !== null && header.maxTimestamp > spec.timestampToMs) {
        pastTimeBound = true
        break
      }
      const batch: ScannedBatch = {
        partition: log.partition,
        header,
        records: await decompress(header.compression, section, { lz4HeaderChecksum: 'strict' }),
      }
      topic.batches.push(batch)
      if (spec.recordsMax !== null) kept.count += decodeBatchRows(batch, spec).count
    }
    if (pastTimeBound || next <= position) break
    position = next
  }
  counters.partitions.push({
    topic: spec.topic,
    partition: log.partition,
    fromOffset: start,
    toOffset: position,
  })
}

/** Reads the batches a query needs of one topic. Throws UNKNOWN_TOPIC_OR_PARTITION, QUERY_SCAN_LIMIT. */
export async function scanTopic(
  logs: LogManager,
  spec: ScanSpec,
  budget: ScanBudget,
  counters: ScanCounters,
): Promise<ScannedTopic> {
  const description = logs.getTopic(spec.topic)
  if (description === undefined) {
    throw new SqlError('UNKNOWN_TOPIC_OR_PARTITION', `topic ${spec.topic} does not exist`)
  }
  const topic: ScannedTopic = { spec, description, batches: [] }
  const partitions =
    spec.partitions ?? Array.from({ length: description.partitionCount }, (_, partition) => partition)
  const kept = { count: 0 }
  for (const partition of [...new Set(partitions)].sort((a, b) => a - b)) {
    const log = logs.partition(spec.topic, partition)
    if (log === undefined) continue
    await scanPartition({ topic, log, budget, counters, kept })
  }
  return topic
}
