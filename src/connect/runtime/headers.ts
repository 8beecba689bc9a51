// Connect headers to and from Kafka record headers (Kafka's SimpleHeaderConverter, for the common
// cases: strings as UTF-8, bytes as they are, other values as their JSON text).

import type { Header } from '../sdk/data.ts'

export function headerBytes(headers: Header[]): Array<[string, Buffer | null]> {
  return headers.map((header) => [header.key, headerValueBytes(header.value)])
}

function headerValueBytes(value: unknown): Buffer | null {
  if (value === null || value === undefined) return null
  if (Buffer.isBuffer(value)) return value
  if (typeof value === 'string') return Buffer.from(value)
  return Buffer.from(JSON.stringify(value))
}

/** Kafka headers as Connect headers with string values (schema: optional string). */
export function headersOf(raw: Array<[string, Buffer | null]>): Header[] {
  return raw.map(([key, value]) => ({
    key,
    schema: { type: 'string', optional: true },
    value: value === null ? null : value.toString('utf8'),
  }))
}
