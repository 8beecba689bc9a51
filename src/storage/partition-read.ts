// The read side of the disk partition log: Fetch (whole batches from the one holding the fetch
// offset) and ListOffsets by timestamp. Reads snapshot the high watermark and the active segment's
// size before any await, hold a reference on each segment they read (so retention or compaction
// cannot close it underneath), and read byte ranges by position: a segment is never read whole.

import { KafkaError } from '../errors.ts'
import { BatchField } from '../protocol/records/batch-header.ts'
import { logOverheadBytes, wholeBatchesLength } from './batch.ts'
import { StorageErrorCode } from './error-codes.ts'
import type { Segment } from './segment.ts'
import type { ReadResult, TimestampOffset } from './types.ts'

/** Where the previous read ended: the next sequential read starts there without a lookup. */
export interface ReadHint {
  segment: Segment
  offset: number
  position: number
}

/** What the read path needs from the partition log. */
export interface ReadSource {
  readonly topic: string
  readonly partition: number
  readonly segments: readonly Segment[]
  readonly activeSegment: Segment
  readonly highWatermark: number
  readonly logStartOffset: number
  readHint: ReadHint | null
  floorSegment(offset: number): Segment | undefined
}

/**
 * What every Fetch read starts from, before any await: the offsets of the answer (no records yet) and
 * the active segment with its size at this moment. OFFSET_OUT_OF_RANGE outside [log start, high
 * watermark]. Shared with the streamed form (partition-slice.ts).
 */
export function readStart(
  source: ReadSource,
  fetchOffset: number,
): { result: ReadResult; active: Segment; activeSize: number } {
  const { highWatermark, logStartOffset } = source
  const active = source.activeSegment
  if (fetchOffset < logStartOffset || fetchOffset > highWatermark) {
    throw new KafkaError(
      StorageErrorCode.OFFSET_OUT_OF_RANGE,
      `offset ${fetchOffset} is outside [${logStartOffset}, ${highWatermark}] of ${source.topic}-${source.partition}`,
    )
  }
  return {
    result: { records: Buffer.alloc(0), highWatermark, logStartOffset, lastStableOffset: highWatermark },
    active,
    activeSize: active.size,
  }
}

/** The segment after `segment` (a read that found nothing in it goes on there). */
export function segmentAfter(source: ReadSource, segment: Segment): Segment | undefined {
  const previousBase = segment.baseOffset
  return source.segments.find((candidate) => candidate.baseOffset > previousBase)
}

export async function readBatches(
  source: ReadSource,
  fetchOffset: number,
  maxBytes: number,
): Promise<ReadResult> {
  const { result, active, activeSize } = readStart(source, fetchOffset)
  let segment = source.floorSegment(fetchOffset)
  while (segment !== undefined && segment.baseOffset < result.highWatermark) {
    const end = segment === active ? activeSize : segment.size
    segment.retain()
    try {
      const records = await readFromSegment(source, segment, fetchOffset, maxBytes, end)
      if (records !== null) return { ...result, records }
    } finally {
      await segment.release()
    }
    segment = segmentAfter(source, segment)
  }
  return result
}

async function readFromSegment(
  source: ReadSource,
  segment: Segment,
  offset: number,
  maxBytes: number,
  end: number,
): Promise<Buffer | null> {
  let position: number
  const hint = source.readHint
  if (hint !== null && hint.segment === segment && hint.offset === offset && hint.position <= end) {
    position = hint.position
  } else {
    const found = await segment.findBatchPosition(offset, end)
    if (found === null) return null
    position = found.position
  }
  if (position >= end) return null
  let bytes = await segment.read(position, Math.min(end - position, Math.max(maxBytes, logOverheadBytes)))
  let length = wholeBatchesLength(bytes)
  if (length === 0) {
    // The first batch is larger than maxBytes: return it whole anyway (Kafka's minOneMessage).
    const firstSize = logOverheadBytes + bytes.readInt32BE(BatchField.batchLength)
    bytes = await segment.read(position, Math.min(end - position, firstSize))
    length = wholeBatchesLength(bytes)
  }
  const records = bytes.subarray(0, length)
  if (length > 0) {
    const last = lastBatchStart(records)
    const nextOffset = last.baseOffset + records.readInt32BE(last.position + BatchField.lastOffsetDelta) + 1
    source.readHint = { segment, offset: nextOffset, position: position + length }
  }
  return records
}

function lastBatchStart(records: Buffer): { position: number; baseOffset: number } {
  let position = 0
  for (;;) {
    const next = position + logOverheadBytes + records.readInt32BE(position + BatchField.batchLength)
    if (next >= records.length) break
    position = next
  }
  return {
    position,
    baseOffset: records.readInt32BE(position) * 2 ** 32 + records.readUInt32BE(position + 4),
  }
}

/** The first batch whose max timestamp is ≥ `timestampMs` and that holds offsets ≥ the log start. */
export async function findOffsetForTimestamp(
  source: ReadSource,
  timestampMs: number,
): Promise<TimestampOffset | null> {
  for (const segment of source.segments) {
    await segment.loadIndexes()
    if (segment.maxTimestamp < timestampMs) continue
    const before = segment.timeIndex.lastBefore(timestampMs)
    const start = before === null ? 0 : segment.offsetIndex.lookup(before.offset + 1).position
    const logStartOffset = source.logStartOffset
    let found: TimestampOffset | null = null
    segment.retain()
    try {
      await segment.scanHeaders(start, segment.size, (header) => {
        if (header.maxTimestamp < timestampMs || header.lastOffset < logStartOffset) return false
        found = { timestamp: header.maxTimestamp, offset: Math.max(header.baseOffset, logStartOffset) }
        return true
      })
    } finally {
      await segment.release()
    }
    if (found !== null) return found
  }
  return null
}
