// Serializers and deserializers for the in-process producer and consumer: JSON, UTF-8 strings and raw
// bytes. Schema-registry serdes (Confluent's wire format) are in registry-serdes.ts.

import { EncodeError } from '../../errors.ts'
import type { Deserializer, Serializer } from './types.ts'

/** JSON text in UTF-8; null stays null (a tombstone). */
export const jsonSerializer: Serializer<unknown> = (value) => {
  if (value === null || value === undefined) return null
  const text = JSON.stringify(value)
  if (text === undefined) throw new EncodeError(`a ${typeof value} has no JSON form`)
  return Buffer.from(text, 'utf8')
}

export const jsonDeserializer: Deserializer<unknown> = (bytes) =>
  bytes === null ? null : JSON.parse(bytes.toString('utf8'))

export const stringSerializer: Serializer<string | null> = (value) =>
  value === null ? null : Buffer.from(value, 'utf8')

export const stringDeserializer: Deserializer<string | null> = (bytes) =>
  bytes === null ? null : bytes.toString('utf8')

export const bytesSerializer: Serializer<Buffer | null> = (value) => value

export const bytesDeserializer: Deserializer<Buffer | null> = (bytes) => bytes
