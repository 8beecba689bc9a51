// Send times carried inside records, for end-to-end latency: the first record of a stamped batch has
// a value that starts with a float64 wall-clock time in milliseconds (µs resolution). The producer
// writes the *scheduled* send time there (not the moment the bytes left), so a late send counts
// against the latency (the coordinated-omission trap); the consumer reads it back from the fetched
// bytes without decoding the batch: only the first record's framing is walked.
//
// Wall clock = performance.timeOrigin + performance.now(): one clock within a process, and close
// enough across processes on one machine (both are the system clock at start plus a monotonic clock).
import { BatchField, batchHeaderBytes, computeBatchCrc } from '../../../src/protocol/records/batch-header.ts'
import { buildBatch } from '../../../src/protocol/records/batch-v2.ts'

export const stampBytes = 8
/** Only batches without compression can be stamped or read (attributes bits 0-2). */
const compressionMask = 0x07

/** Milliseconds since the epoch with sub-millisecond resolution. */
export function wallClockMs(): number {
  return performance.timeOrigin + performance.now()
}

/** Converts a performance.now() time of this process to wall-clock milliseconds. */
export function toWallClockMs(performanceNowMs: number): number {
  return performance.timeOrigin + performanceNowMs
}

/** Reads a zigzag varint at `at`; returns the value and the position after it. */
function readVarint(buffer: Buffer, at: number): { value: number; next: number } {
  let raw = 0
  let shift = 0
  let position = at
  for (;;) {
    const byte = buffer[position++]
    if (byte === undefined) return { value: Number.NaN, next: position }
    raw += (byte & 0x7f) * 2 ** shift
    if ((byte & 0x80) === 0) break
    shift += 7
    if (shift > 63) return { value: Number.NaN, next: position }
  }
  const value = raw % 2 === 0 ? raw / 2 : -(raw + 1) / 2
  return { value, next: position }
}

/** Where the value of the record at `recordPosition` starts, and where the next record starts. */
function walkRecord(
  buffer: Buffer,
  recordPosition: number,
): { value: number; valueBytes: number; next: number } {
  const length = readVarint(buffer, recordPosition)
  let position = length.next + 1 // attributes
  position = readVarint(buffer, position).next // timestampDelta
  position = readVarint(buffer, position).next // offsetDelta
  const key = readVarint(buffer, position)
  position = key.next + Math.max(0, key.value)
  const value = readVarint(buffer, position)
  return { value: value.next, valueBytes: value.value, next: length.next + length.value }
}

/**
 * Where the values of the batch at `batchPosition` start (all records, or only the first), or an
 * empty list when the batch is compressed or a value is shorter than a stamp.
 */
export function valuePositions(buffer: Buffer, batchPosition: number, scope: 'first' | 'all'): number[] {
  const attributes = buffer.readInt16BE(batchPosition + BatchField.attributes)
  if ((attributes & compressionMask) !== 0) return []
  const count = buffer.readInt32BE(batchPosition + BatchField.recordCount)
  const positions: number[] = []
  let position = batchPosition + batchHeaderBytes
  for (let index = 0; index < (scope === 'first' ? Math.min(1, count) : count); index++) {
    const record = walkRecord(buffer, position)
    if (!(record.valueBytes >= stampBytes)) return []
    positions.push(record.value)
    position = record.next
  }
  return positions
}

/** Where the first record's value starts in the batch at `batchPosition`, or -1 (see valuePositions). */
export function firstValuePosition(buffer: Buffer, batchPosition: number): number {
  return valuePositions(buffer, batchPosition, 'first')[0] ?? -1
}

/** The stamp of the batch at `batchPosition` (wall-clock ms), or NaN when it carries none. */
export function readStamp(buffer: Buffer, batchPosition: number): number {
  const at = firstValuePosition(buffer, batchPosition)
  if (at < 0 || at + stampBytes > buffer.length) return Number.NaN
  return buffer.readDoubleBE(at)
}

export interface StampedBatchShape {
  recordBytes: number
  recordsPerBatch: number
}

/** A pre-built uncompressed batch of `recordsPerBatch` records of `recordBytes` each (null keys). */
export function buildPlainBatch(shape: StampedBatchShape): Promise<Buffer> {
  if (shape.recordBytes < stampBytes) throw new RangeError(`records must hold a ${stampBytes}-byte stamp`)
  const value = Buffer.alloc(shape.recordBytes, 0x61)
  const timestamp = Date.now()
  const records = Array.from({ length: shape.recordsPerBatch }, () => ({ timestamp, value }))
  return buildBatch({ records })
}

/**
 * Writes `stampMs` at each of `positions` (value starts found once with valuePositions) in the batch
 * that starts at `batchPosition` of `buffer`, and recomputes the batch CRC, which covers the records.
 */
export function writeStamp(
  buffer: Buffer,
  batchPosition: number,
  positions: readonly number[],
  stampMs: number,
): void {
  for (const position of positions) buffer.writeDoubleBE(stampMs, position)
  const batchLength = buffer.readInt32BE(batchPosition + BatchField.batchLength)
  buffer.writeUInt32BE(computeBatchCrc(buffer, batchPosition, batchLength), batchPosition + BatchField.crc)
}
