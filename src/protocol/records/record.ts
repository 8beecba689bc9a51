// One record of a v2 batch (implementation.html, "Record"):
//
//   length varint · attributes int8 · timestampDelta varlong · offsetDelta varint ·
//   keyLength varint · key · valueLength varint · value · headerCount varint ·
//   [headerKeyLength varint · headerKey (UTF-8) · headerValueLength varint · headerValue]*
//
// Lengths of -1 mean null (key, value, header value; a header key is never null). Decoding goes
// through Reader (bounds-checked varints and lengths); any failure becomes CorruptRecordError
// ('record'). Decoded keys, values and header values are views into the batch (or its decompressed
// copy): callers that keep them past the buffer's lifetime copy them.

import { EncodeError } from '../../errors.ts'
import { Reader } from '../reader.ts'
import type { Writer } from '../writer.ts'
import { asCorruptRecord, CorruptRecordError } from './errors.ts'

export interface RecordHeader {
  key: string
  value: Buffer | null
}

/** A decoded record with absolute offset and timestamp. (Named so it does not shadow TS's Record.) */
export interface KafkaRecord {
  offset: number
  timestamp: number
  key: Buffer | null
  value: Buffer | null
  headers: RecordHeader[]
}

/** What a batch builder takes: the offset is relative (offsetDelta, default its index). */
export interface RecordInput {
  offsetDelta?: number
  timestamp: number
  key?: Buffer | null
  value?: Buffer | null
  headers?: RecordHeader[]
}

/** What the enclosing batch header gives each record. */
export interface RecordContext {
  baseOffset: number
  baseTimestamp: number
  /** Set for LogAppendTime batches: every record's timestamp is the batch's maxTimestamp. */
  logAppendTime: number | null
}

/** attributes .. headerCount, each at its smallest: a record body is at least 6 bytes. */
const recordBodyBytesMin = 6
/** headerKeyLength + headerValueLength at their smallest. */
const headerBytesMin = 2

function readLengthPrefixed(reader: Reader, field: string): Buffer | null {
  const length = reader.readVarint(field)
  if (length === -1) return null
  if (length < -1) reader.fail(`invalid length ${length}`, field)
  return reader.readRawBytes(length, field)
}

/** Every decoded record without headers shares this one (decoded records are never mutated). */
const noHeaders: RecordHeader[] = []

function readHeaders(reader: Reader): RecordHeader[] {
  const count = reader.readVarint('headerCount')
  if (count === 0) return noHeaders
  if (count < 0) reader.fail(`invalid header count ${count}`, 'headerCount')
  if (count * headerBytesMin > reader.remaining) {
    reader.fail(`${count} headers cannot fit in ${reader.remaining} bytes`, 'headerCount')
  }
  const headers: RecordHeader[] = []
  for (let index = 0; index < count; index++) {
    const keyLength = reader.readVarint('headers.key')
    if (keyLength < 0) reader.fail(`invalid header key length ${keyLength}`, 'headers.key')
    const key = reader.readRawBytes(keyLength, 'headers.key').toString('utf8')
    headers.push({ key, value: readLengthPrefixed(reader, 'headers.value') })
  }
  return headers
}

function safeSum(base: number, delta: number | bigint, field: string): number {
  const value = base + Number(delta)
  if (!Number.isSafeInteger(value)) {
    throw new CorruptRecordError(
      'integer-range',
      `${field} ${base} + ${delta} is outside the safe-integer range`,
    )
  }
  return value
}

/** Decodes one record at the reader's position (length prefix included) and moves past it. */
export function readRecord(reader: Reader, context: RecordContext): KafkaRecord {
  const length = reader.readVarint('record.length')
  if (length < recordBodyBytesMin) reader.fail(`invalid record length ${length}`, 'record.length')
  const body = reader.narrow(length, 'record')
  body.readInt8('record.attributes')
  const timestampDelta = body.readVarlongSmall('record.timestampDelta')
  const offsetDelta = body.readVarint('record.offsetDelta')
  const key = readLengthPrefixed(body, 'record.key')
  const value = readLengthPrefixed(body, 'record.value')
  const headers = readHeaders(body)
  body.expectEnd('record')
  return {
    offset: safeSum(context.baseOffset, offsetDelta, 'offset'),
    timestamp: context.logAppendTime ?? safeSum(context.baseTimestamp, timestampDelta, 'timestamp'),
    key,
    value,
    headers,
  }
}

/** Fails with CorruptRecordError when `count` records cannot fit in `data` (a batch's records section). */
export function checkRecordCount(data: Buffer, count: number): void {
  if (count < 0 || count * (recordBodyBytesMin + 1) > data.length) {
    throw new CorruptRecordError('count', `${count} records cannot fit in ${data.length} bytes`)
  }
}

/**
 * Decodes exactly `count` records filling `data` (a batch's records section, decompressed).
 * Fails with CorruptRecordError on a bad varint or length, on bytes left over, or when `count`
 * records cannot fit (checked before anything is allocated).
 */
export function decodeRecords(data: Buffer, count: number, context: RecordContext): KafkaRecord[] {
  checkRecordCount(data, count)
  return asCorruptRecord('record batch', () => {
    const reader = new Reader(data)
    const records: KafkaRecord[] = []
    for (let index = 0; index < count; index++) records.push(readRecord(reader, context))
    reader.expectEnd('records')
    return records
  })
}

function writeLengthPrefixed(writer: Writer, bytes: Buffer | null): void {
  if (bytes === null) {
    writer.writeVarint(-1)
    return
  }
  writer.writeVarint(bytes.length)
  writer.writeRawBytes(bytes)
}

const noHeaderKeys: Buffer[] = []

/** Timestamp deltas within this bound are encoded with number arithmetic (exact below 2^53). */
const numberVarlongBound = 2 ** 51

function lengthPrefixedBytes(bytes: Buffer | null): number {
  return bytes === null ? 1 : varintBytes(bytes.length) + bytes.length
}

/**
 * Appends one record (length prefix included) to `writer`. The body's length is computed first so
 * the record is written straight into `writer`: a producer encodes millions of these, and a
 * separate buffer per record was the largest cost (allocation, copy, GC) of building a batch.
 */
export function writeRecord(
  writer: Writer,
  record: RecordInput,
  offsetDelta: number,
  baseTimestamp: number,
): void {
  const key = record.key ?? null
  const value = record.value ?? null
  const headers = record.headers ?? []
  const timestampDelta = record.timestamp - baseTimestamp
  const smallDelta = Math.abs(timestampDelta) <= numberVarlongBound
  const headerKeys =
    headers.length === 0
      ? noHeaderKeys
      : headers.map((header) => {
          if (typeof header.key !== 'string') throw new EncodeError('a record header key must be a string')
          return Buffer.from(header.key, 'utf8')
        })
  let bodyBytes =
    1 +
    (smallDelta
      ? varintBytes(timestampDelta)
      : varlongBytes(BigInt(record.timestamp) - BigInt(baseTimestamp))) +
    varintBytes(offsetDelta) +
    lengthPrefixedBytes(key) +
    lengthPrefixedBytes(value) +
    varintBytes(headers.length)
  // Index loops, not forEach: a closure per record showed in the source tasks' allocation profile.
  for (let index = 0; index < headers.length; index++)
    bodyBytes += lengthPrefixedBytes(headerKeys[index]) + lengthPrefixedBytes(headers[index].value)
  writer.writeVarint(bodyBytes)
  writer.writeInt8(0)
  if (smallDelta) writer.writeVarlongNumber(timestampDelta)
  else writer.writeVarlong(BigInt(record.timestamp) - BigInt(baseTimestamp))
  writer.writeVarint(offsetDelta)
  writeLengthPrefixed(writer, key)
  writeLengthPrefixed(writer, value)
  writer.writeVarint(headers.length)
  for (let index = 0; index < headers.length; index++) {
    writeLengthPrefixed(writer, headerKeys[index])
    writeLengthPrefixed(writer, headers[index].value)
  }
}

/** Bytes of `value` as a zigzag varint (or varlong: the same encoding), for |value| < 2^53. */
function varintBytes(value: number): number {
  let remaining = value >= 0 ? value * 2 : -value * 2 - 1
  let bytes = 1
  while (remaining >= 0x80) {
    remaining = Math.floor(remaining / 0x80)
    bytes++
  }
  return bytes
}

function varlongBytes(value: bigint): number {
  let remaining = BigInt.asUintN(64, (value << 1n) ^ (value >> 63n))
  let bytes = 1
  while (remaining >= 0x80n) {
    remaining >>= 7n
    bytes++
  }
  return bytes
}
