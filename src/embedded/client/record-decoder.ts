// The in-process consumer's record decoder: a batch's records section (decompressed) straight into
// ConsumedRecords, one object per record. The same layout and checks as protocol/records/record.ts
// (implementation.html, "Record"; every length checked against the bytes left, a record's fields
// filling exactly its length, the section filled exactly by `count` records), without its Reader: a
// consumer decodes millions of records, and a Reader per record (with field paths kept for error
// messages) was the largest cost per record after the copy of the fetched bytes. Any inconsistency is
// a CorruptRecordError ('record'), as decodeRecords reports it. Keys, values and header values are
// views into the batch (the log's bytes are never written to; the consumer hands them out as they are).

import { CorruptRecordError } from '../../protocol/records/errors.ts'
import type { ConsumedRecord } from './types.ts'

/** What the batch header gives each record. */
export interface ConsumedRecordContext {
  topic: string
  partition: number
  baseOffset: number
  baseTimestamp: number
  /** Set for LogAppendTime batches: every record's timestamp is the batch's maxTimestamp. */
  logAppendTime: number | null
  timestampType: 0 | 1
  /** Records below this offset are skipped (a fetch returns the whole batch holding its offset). */
  fromOffset: number
}

/** attributes .. headerCount, each at its smallest: a record body is at least 6 bytes. */
const recordBodyBytesMin = 6

/** The position after the last varint read (module state: the decoder runs to completion, never awaits). */
let next = 0

function corrupt(detail: string): never {
  throw new CorruptRecordError('record', `record batch: ${detail}`)
}

/** A zigzag varint (int32) at `at` in `data`, ending before `end`; sets `next`. */
function varint(data: Buffer, at: number, end: number): number {
  let unsigned = 0
  let shift = 0
  let position = at
  for (;;) {
    if (position >= end) corrupt(`varint at ${at} runs past its bounds`)
    const byte = data[position++]
    unsigned |= (byte & 0x7f) << shift
    if ((byte & 0x80) === 0) break
    shift += 7
    if (shift > 28) corrupt(`varint at ${at} is longer than 5 bytes`)
  }
  next = position
  return (unsigned >>> 1) ^ -(unsigned & 1)
}

/** A zigzag varlong at `at` as a number (a timestamp delta); beyond 2^53 is corrupt. Sets `next`. */
function varlong(data: Buffer, at: number, end: number): number {
  let unsigned = 0
  let scale = 1
  let position = at
  for (;;) {
    if (position >= end) corrupt(`varlong at ${at} runs past its bounds`)
    const byte = data[position++]
    unsigned += (byte & 0x7f) * scale
    if ((byte & 0x80) === 0) break
    scale *= 128
    if (scale > 2 ** 49) corrupt(`varlong at ${at} is outside the safe-integer range`)
  }
  if (unsigned > Number.MAX_SAFE_INTEGER) corrupt(`varlong at ${at} is outside the safe-integer range`)
  next = position
  return unsigned % 2 === 0 ? unsigned / 2 : -(unsigned + 1) / 2
}

/** A length-prefixed byte field (-1: null) at `at`, ending before `end`; sets `next` past it. */
function bytesField(data: Buffer, at: number, end: number, field: string): Buffer | null {
  const length = varint(data, at, end)
  if (length === -1) return null
  if (length < -1 || length > end - next) corrupt(`${field} length ${length} at ${at} does not fit`)
  const start = next
  next = start + length
  return data.subarray(start, next)
}

function headersOf(data: Buffer, at: number, end: number): ConsumedRecord['headers'] {
  const count = varint(data, at, end)
  // Each header takes at least 2 bytes (its two lengths): a count that cannot fit is corrupt.
  if (count < 0 || count * 2 > end - next) corrupt(`header count ${count} at ${at} does not fit`)
  const headers: ConsumedRecord['headers'] = []
  for (let index = 0; index < count; index++) {
    const keyLength = varint(data, next, end)
    if (keyLength < 0 || keyLength > end - next) corrupt(`header key length ${keyLength} does not fit`)
    const key = data.toString('utf8', next, next + keyLength)
    next += keyLength
    headers.push({ key, value: bytesField(data, next, end, 'header value') })
  }
  return headers
}

/**
 * Decodes exactly `count` records filling `data` (a batch's records section, decompressed) and appends
 * those at or past `context.fromOffset` to `into`.
 */
export function decodeConsumedRecords(
  data: Buffer,
  count: number,
  context: ConsumedRecordContext,
  into: ConsumedRecord[],
): void {
  if (count < 0 || count * (recordBodyBytesMin + 1) > data.length)
    corrupt(`${count} records cannot fit in ${data.length} bytes`)
  const { topic, partition, baseOffset, baseTimestamp, logAppendTime, fromOffset, timestampType } = context
  let position = 0
  for (let index = 0; index < count; index++) {
    const length = varint(data, position, data.length)
    if (length < recordBodyBytesMin || length > data.length - next)
      corrupt(`record length ${length} at ${position} does not fit`)
    const end = next + length
    // attributes (int8, unused in v2) first.
    const timestampDelta = varlong(data, next + 1, end)
    const offsetDelta = varint(data, next, end)
    const key = bytesField(data, next, end, 'key')
    const value = bytesField(data, next, end, 'value')
    const headers = headersOf(data, next, end)
    if (next !== end) corrupt(`record at ${position} has ${end - next} bytes after its headers`)
    position = end
    const offset = baseOffset + offsetDelta
    if (offset < fromOffset) continue
    const timestamp = logAppendTime ?? baseTimestamp + timestampDelta
    if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(timestamp))
      corrupt(`offset ${offset} or timestamp ${timestamp} is outside the safe-integer range`)
    into.push({ topic, partition, offset, timestamp, timestampType, key, value, headers })
  }
  if (position !== data.length) corrupt(`${data.length - position} bytes after the last record`)
}
