// Checks and converts what an application passes to `producer.send` into the batch builder's
// RecordInput. Anything that is not a record answers EncodeError (SL_ERR_ENCODE) before a byte is
// stored: JavaScript callers get no compile-time check.

import { EncodeError } from '../../errors.ts'
import type { RecordHeader, RecordInput } from '../../protocol/records/record.ts'
import type { RecordBytes, RecordHeaderInput } from './types.ts'

/** `value` as bytes; `field` (and the record's index when given) name it in the EncodeError. */
export function bytesOf(value: unknown, field: string, index?: number): Buffer | null {
  if (value === null || value === undefined) return null
  if (Buffer.isBuffer(value)) return value
  if (typeof value === 'string') return Buffer.from(value, 'utf8')
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength)
  // The field's name is only built here: a send of many records builds no string per record.
  const name = index === undefined ? field : `records[${index}].${field}`
  throw new EncodeError(
    `${name} must be a Buffer, a string or null (got ${typeName(value)}); use a serializer`,
  )
}

/** Shared by every record sent without headers (the batch builder only reads it). */
const noHeaders: RecordHeader[] = []

export function headersOf(headers: unknown): RecordHeader[] {
  if (headers === undefined || headers === null) return noHeaders
  if (Array.isArray(headers)) {
    return headers.map((header: unknown, index) => {
      if (
        typeof header !== 'object' ||
        header === null ||
        typeof (header as RecordHeaderInput).key !== 'string'
      )
        throw new EncodeError(`headers[${index}] must be { key: string, value }`)
      const { key, value } = header as RecordHeaderInput
      return { key, value: bytesOf(value, `header ${key}`) }
    })
  }
  if (typeof headers !== 'object')
    throw new EncodeError(`headers must be an object or a list (got ${typeName(headers)})`)
  return Object.entries(headers as Record<string, RecordBytes>).map(([key, value]) => ({
    key,
    value: bytesOf(value, `header ${key}`),
  }))
}

export function timestampOf(value: unknown, now: number): number {
  if (value === undefined || value === null) return now
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0)
    throw new EncodeError(`timestamp must be a non-negative integer of ms (got ${String(value)})`)
  return value
}

export function partitionOf(value: unknown, partitionCount: number, topic: string): number | null {
  if (value === undefined || value === null) return null
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0)
    throw new EncodeError(`partition must be a non-negative integer (got ${String(value)})`)
  if (value >= partitionCount)
    throw new EncodeError(`partition ${value} does not exist: ${topic} has ${partitionCount} partitions`)
  return value
}

/** A record as the batch builder takes it (no offsetDelta: its index in the batch), placed. */
export interface PreparedRecord extends RecordInput {
  timestamp: number
  key: Buffer | null
  value: Buffer | null
  headers: RecordHeader[]
  partition: number
  /** Estimated encoded size, for batchSize. */
  sizeBytes: number
}

export function estimatedSize(key: Buffer | null, value: Buffer | null, headers: RecordHeader[]): number {
  let size = 21 + (key?.length ?? 0) + (value?.length ?? 0)
  for (const header of headers) size += 10 + header.key.length + (header.value?.length ?? 0)
  return size
}

function typeName(value: unknown): string {
  if (Array.isArray(value)) return 'array'
  return typeof value
}
