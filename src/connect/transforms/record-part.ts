// What most transforms share: each exists as `$Key` and `$Value`, working on that part of the record
// (its schema and value), schemaless (a plain object) or with a struct schema.

import { DataException } from '../converters/converter.ts'
import { isStruct, type Schema, type StructValue } from '../sdk/data.ts'
import type { ConnectRecord } from '../sdk/records.ts'

export type Part = 'key' | 'value'

export function partOf(record: ConnectRecord, part: Part): { schema: Schema | null; value: unknown } {
  return part === 'key'
    ? { schema: record.keySchema, value: record.key }
    : { schema: record.valueSchema, value: record.value }
}

export function withPart<R extends ConnectRecord>(
  record: R,
  part: Part,
  schema: Schema | null,
  value: unknown,
): R {
  return part === 'key'
    ? { ...record, keySchema: schema, key: value }
    : { ...record, valueSchema: schema, value }
}

/** The part as a struct or map, or Kafka's DataException naming the transform's requirement. */
export function requireObject(value: unknown, purpose: string): StructValue {
  if (!isStruct(value))
    throw new DataException(
      `Only Struct objects supported for [${purpose}], found: ${value === null ? 'null' : typeof value}`,
    )
  return value
}

export function listOption(text: string | undefined): string[] {
  return (text ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '')
}

/** Registers both variants of a transform: `<className>$Key` and `<className>$Value`. */
export function bothParts(
  className: string,
  create: (part: Part) => import('../sdk/transformation.ts').Transformation,
) {
  return [
    { className: `${className}$Key`, create: () => create('key') },
    { className: `${className}$Value`, create: () => create('value') },
  ]
}
