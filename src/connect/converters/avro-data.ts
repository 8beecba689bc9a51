// Connect schemas and values <-> Avro, as Confluent's AvroData maps them: a struct is a record (named
// after the Connect schema, else io.confluent.connect.avro.ConnectDefault), an optional schema a union
// with "null" first and a null default, int8/int16 an int with "connect.type", Kafka's logical types
// Avro's (Date: date, Time: time-millis, Timestamp: timestamp-millis, Decimal: bytes decimal), a map
// with string keys an Avro map. Values keep the runtime's representation (logical values as their
// base numbers or bytes, as JsonConverter keeps them).

import { isStruct, LogicalNames, type Schema } from '../sdk/data.ts'
import { DataException } from './converter.ts'

type AvroSchema = string | AvroSchema[] | { [key: string]: unknown }

const defaultNamespace = 'io.confluent.connect.avro'
const defaultName = 'ConnectDefault'

/** The Avro schema of a Connect schema (Confluent's fromConnectSchema). */
export function avroSchemaOf(schema: Schema): AvroSchema {
  let unnamed = 0
  const convert = (connect: Schema): AvroSchema => {
    const base = baseSchema(connect)
    return connect.optional ? ['null', base] : base
  }
  const baseSchema = (connect: Schema): AvroSchema => {
    switch (connect.type) {
      case 'int8':
      case 'int16':
        return { type: 'int', 'connect.type': connect.type }
      case 'int32':
        if (connect.name === LogicalNames.date) return { type: 'int', logicalType: 'date' }
        if (connect.name === LogicalNames.time) return { type: 'int', logicalType: 'time-millis' }
        return 'int'
      case 'int64':
        if (connect.name === LogicalNames.timestamp) return { type: 'long', logicalType: 'timestamp-millis' }
        return 'long'
      case 'float32':
        return 'float'
      case 'float64':
        return 'double'
      case 'boolean':
        return 'boolean'
      case 'string':
        return 'string'
      case 'bytes':
        if (connect.name === LogicalNames.decimal) {
          const scale = Number(connect.parameters?.scale ?? 0)
          const precision = Number(connect.parameters?.['connect.decimal.precision'] ?? 64)
          return { type: 'bytes', logicalType: 'decimal', precision, scale }
        }
        return 'bytes'
      case 'array':
        if (connect.items === undefined) throw new DataException('Array schema without items')
        return { type: 'array', items: convert(connect.items) }
      case 'map':
        if (connect.values === undefined) throw new DataException('Map schema without values')
        if (connect.keys?.type !== 'string')
          throw new DataException('AvroConverter: only maps with string keys are supported')
        return { type: 'map', values: convert(connect.values) }
      case 'struct': {
        const full = connect.name ?? `${defaultNamespace}.${defaultName}${unnamed++ === 0 ? '' : unnamed}`
        const cut = full.lastIndexOf('.')
        const record: Record<string, unknown> = {
          type: 'record',
          name: cut < 0 ? full : full.slice(cut + 1),
          ...(cut < 0 ? {} : { namespace: full.slice(0, cut) }),
          ...(connect.doc === undefined ? {} : { doc: connect.doc }),
          fields: (connect.fields ?? []).map((field) => ({
            name: field.field,
            type: convert(field),
            ...(field.optional ? { default: null } : {}),
          })),
        }
        if (connect.name !== undefined) record['connect.name'] = connect.name
        return record
      }
    }
  }
  return convert(schema)
}

/** The Connect schema of an Avro schema (Confluent's toConnectSchema); unions other than [null, T] are refused. */
export function connectSchemaOf(avro: unknown, optional = false): Schema {
  if (Array.isArray(avro)) {
    const others = avro.filter((branch) => branch !== 'null')
    if (others.length === 1 && avro.length === 2) return connectSchemaOf(others[0], true)
    throw new DataException('AvroConverter: unions other than [null, T] are not supported')
  }
  if (typeof avro === 'string') return primitive(avro, optional)
  if (!isStruct(avro)) throw new DataException('Unreadable Avro schema')
  const type = avro.type
  const logical = avro.logicalType
  if (type === 'int' && (avro['connect.type'] === 'int8' || avro['connect.type'] === 'int16'))
    return { type: avro['connect.type'], optional }
  if (type === 'int' && logical === 'date')
    return { type: 'int32', optional, name: LogicalNames.date, version: 1 }
  if (type === 'int' && logical === 'time-millis')
    return { type: 'int32', optional, name: LogicalNames.time, version: 1 }
  if (type === 'long' && logical === 'timestamp-millis')
    return { type: 'int64', optional, name: LogicalNames.timestamp, version: 1 }
  if (type === 'bytes' && logical === 'decimal')
    return {
      type: 'bytes',
      optional,
      name: LogicalNames.decimal,
      version: 1,
      parameters: {
        scale: String(avro.scale ?? 0),
        'connect.decimal.precision': String(avro.precision ?? 64),
      },
    }
  if (type === 'array') return { type: 'array', optional, items: connectSchemaOf(avro.items) }
  if (type === 'map')
    return {
      type: 'map',
      optional,
      keys: { type: 'string', optional: false },
      values: connectSchemaOf(avro.values),
    }
  if (type === 'enum') return { type: 'string', optional }
  if (type === 'fixed') return { type: 'bytes', optional }
  if (type === 'record') {
    const namespace = typeof avro.namespace === 'string' ? `${avro.namespace}.` : ''
    const full = `${namespace}${String(avro.name)}`
    const fields = Array.isArray(avro.fields) ? (avro.fields as Array<{ name: string; type: unknown }>) : []
    return {
      type: 'struct',
      optional,
      ...(full.startsWith(`${defaultNamespace}.${defaultName}`) ? {} : { name: full }),
      fields: fields.map((field) => ({ ...connectSchemaOf(field.type), field: field.name })),
    }
  }
  if (typeof type === 'string' || Array.isArray(type) || isStruct(type))
    return connectSchemaOf(type, optional)
  throw new DataException('Unreadable Avro schema')
}

function primitive(name: string, optional: boolean): Schema {
  const types: Record<string, Schema['type']> = {
    int: 'int32',
    long: 'int64',
    float: 'float32',
    double: 'float64',
    boolean: 'boolean',
    string: 'string',
    bytes: 'bytes',
  }
  const type = types[name]
  if (type === undefined)
    throw new DataException(`AvroConverter: Avro type ${name} (a named type reference?) is not supported`)
  return { type, optional }
}

/** A Connect value in the shape avsc writes for avroSchemaOf(schema). */
export function avroValueOf(schema: Schema, value: unknown): unknown {
  if (value === null || value === undefined) {
    if (schema.default !== undefined) return avroValueOf(schema, schema.default)
    if (!schema.optional) throw new DataException('Conversion error: null value for a required field')
    return null
  }
  switch (schema.type) {
    case 'int64':
      return typeof value === 'bigint' ? Number(value) : value instanceof Date ? value.getTime() : value
    case 'int32':
      return value instanceof Date
        ? Math.floor(value.getTime() / (schema.name === LogicalNames.date ? 86_400_000 : 1))
        : value
    case 'array':
      if (!Array.isArray(value)) throw new DataException('Array value expected')
      return value.map((item) => avroValueOf(schema.items as Schema, item))
    case 'map': {
      const entries = value instanceof Map ? [...value] : Object.entries(value as Record<string, unknown>)
      return Object.fromEntries(
        entries.map(([key, item]) => [String(key), avroValueOf(schema.values as Schema, item)]),
      )
    }
    case 'struct': {
      if (!isStruct(value)) throw new DataException('Struct value expected')
      const out: Record<string, unknown> = {}
      for (const field of schema.fields ?? []) out[field.field] = avroValueOf(field, value[field.field])
      return out
    }
    default:
      return value
  }
}

/** An avsc-decoded value as a Connect value of `schema` (records as plain objects, longs as numbers). */
export function connectValueOf(schema: Schema, value: unknown): unknown {
  if (value === null || value === undefined) return null
  switch (schema.type) {
    case 'array':
      return (value as unknown[]).map((item) => connectValueOf(schema.items as Schema, item))
    case 'map':
      return Object.fromEntries(
        Object.entries(value as Record<string, unknown>).map(([key, item]) => [
          key,
          connectValueOf(schema.values as Schema, item),
        ]),
      )
    case 'struct': {
      const record = value as Record<string, unknown>
      const out: Record<string, unknown> = {}
      for (const field of schema.fields ?? []) out[field.field] = connectValueOf(field, record[field.field])
      return out
    }
    case 'string':
      return String(value)
    default:
      return value
  }
}
