// JsonConverter (org.apache.kafka.connect.json.JsonConverter). With `schemas.enable=true` (Kafka's
// default) every message is the envelope {"schema": …, "payload": …}, the schema in Kafka's JSON form
// ({"type":"struct","fields":[{"type":"int32","optional":false,"field":"id"}],"optional":false});
// without, the plain JSON value. Bytes are base64 in JSON, as Kafka writes them. A null value with no
// schema is a tombstone (null bytes) either way.

import type { Properties } from '../sdk/config-def.ts'
import { type Field, isStruct, type Schema } from '../sdk/data.ts'
import { type Converter, DataException, type SchemaAndValue } from './converter.ts'

export class JsonConverter implements Converter {
  schemasEnabled = true

  configure(properties: Properties): void {
    this.schemasEnabled = (properties['schemas.enable'] ?? 'true').trim().toLowerCase() === 'true'
  }

  fromConnectData(_topic: string, schema: Schema | null, value: unknown): Buffer | null {
    if (schema === null && (value === null || value === undefined)) return null
    const payload = toJsonValue(schema, value)
    const json = this.schemasEnabled
      ? { schema: schema === null ? null : schemaToJson(schema), payload }
      : payload
    return Buffer.from(JSON.stringify(json))
  }

  toConnectData(_topic: string, bytes: Buffer | null): SchemaAndValue {
    if (bytes === null) return { schema: null, value: null }
    let json: unknown
    try {
      json = JSON.parse(bytes.toString('utf8'))
    } catch (error) {
      throw new DataException('Converting byte[] to Kafka Connect data failed due to serialization error: ', {
        cause: error,
      })
    }
    if (!this.schemasEnabled) return { schema: null, value: json }
    if (!isStruct(json) || !('schema' in json) || !('payload' in json) || Object.keys(json).length !== 2) {
      throw new DataException(
        'JsonConverter with schemas.enable requires "schema" and "payload" fields and may not contain additional fields. If you are trying to deserialize plain JSON data, set schemas.enable=false in your converter configuration.',
      )
    }
    const schema = json.schema === null ? null : schemaFromJson(json.schema)
    return { schema, value: fromJsonValue(schema, json.payload) }
  }
}

/** Kafka's asJsonSchema: type first, then fields/items/keys+values, optional, name, version, doc, parameters, default. */
export function schemaToJson(schema: Schema): Record<string, unknown> {
  const json: Record<string, unknown> = { type: schema.type }
  if (schema.type === 'struct') json.fields = (schema.fields ?? []).map(fieldToJson)
  if (schema.type === 'array' && schema.items !== undefined) json.items = schemaToJson(schema.items)
  if (schema.type === 'map') {
    if (schema.keys !== undefined) json.keys = schemaToJson(schema.keys)
    if (schema.values !== undefined) json.values = schemaToJson(schema.values)
  }
  json.optional = schema.optional
  if (schema.name !== undefined) json.name = schema.name
  if (schema.version !== undefined) json.version = schema.version
  if (schema.doc !== undefined) json.doc = schema.doc
  if (schema.parameters !== undefined) json.parameters = schema.parameters
  if (schema.default !== undefined) json.default = toJsonValue(schema, schema.default)
  return json
}

function fieldToJson(field: Field): Record<string, unknown> {
  const { field: name, ...schema } = field
  return { ...schemaToJson(schema), field: name }
}

const schemaTypes = new Set([
  'int8',
  'int16',
  'int32',
  'int64',
  'float32',
  'float64',
  'boolean',
  'string',
  'bytes',
  'array',
  'map',
  'struct',
])

export function schemaFromJson(json: unknown): Schema {
  if (!isStruct(json) || typeof json.type !== 'string' || !schemaTypes.has(json.type))
    throw new DataException(`Unknown schema type: ${isStruct(json) ? String(json.type) : typeof json}`)
  const schema: Schema = { type: json.type as Schema['type'], optional: json.optional === true }
  if (typeof json.name === 'string') schema.name = json.name
  if (typeof json.version === 'number') schema.version = json.version
  if (typeof json.doc === 'string') schema.doc = json.doc
  if (isStruct(json.parameters)) schema.parameters = json.parameters as Record<string, string>
  if (schema.type === 'struct') {
    if (!Array.isArray(json.fields))
      throw new DataException('Struct schema\'s "fields" argument is not an array.')
    schema.fields = json.fields.map((field: unknown) => {
      if (!isStruct(field) || typeof field.field !== 'string')
        throw new DataException("Struct schema's field name not specified properly")
      return { ...schemaFromJson(field), field: field.field }
    })
  }
  if (schema.type === 'array') schema.items = schemaFromJson(json.items)
  if (schema.type === 'map') {
    schema.keys = schemaFromJson(json.keys)
    schema.values = schemaFromJson(json.values)
  }
  if ('default' in json) schema.default = fromJsonValue(schema, json.default)
  return schema
}

/** A Connect value as JSON, following its schema where there is one. */
export function toJsonValue(schema: Schema | null, value: unknown): unknown {
  if (value === null || value === undefined) {
    if (schema !== null && !schema.optional && schema.default === undefined)
      throw new DataException(
        'Conversion error: null value for field that is required and has no default value',
      )
    return schema?.default === undefined ? null : toJsonValue(schema, schema.default)
  }
  if (Buffer.isBuffer(value)) return value.toString('base64')
  if (value instanceof Date) return value.getTime()
  if (typeof value === 'bigint') return Number(value)
  if (value instanceof Map)
    return Object.fromEntries([...value].map(([k, v]) => [String(k), toJsonValue(schema?.values ?? null, v)]))
  if (Array.isArray(value)) return value.map((item) => toJsonValue(schema?.items ?? null, item))
  if (isStruct(value)) {
    if (schema?.type === 'struct') {
      const out: Record<string, unknown> = {}
      for (const field of schema.fields ?? []) out[field.field] = toJsonValue(field, value[field.field])
      return out
    }
    const out: Record<string, unknown> = {}
    for (const [key, item] of Object.entries(value)) out[key] = toJsonValue(schema?.values ?? null, item)
    return out
  }
  return value
}

/** JSON back to a Connect value of this schema (bytes from base64, struct fields in schema order). */
export function fromJsonValue(schema: Schema | null, json: unknown): unknown {
  if (schema === null || json === null || json === undefined) return json ?? null
  switch (schema.type) {
    case 'bytes':
      if (typeof json !== 'string') throw new DataException('Invalid bytes field')
      return Buffer.from(json, 'base64')
    case 'struct': {
      if (!isStruct(json)) throw new DataException('Struct value must be a JSON object')
      const out: Record<string, unknown> = {}
      for (const field of schema.fields ?? []) out[field.field] = fromJsonValue(field, json[field.field])
      return out
    }
    case 'array':
      if (!Array.isArray(json)) throw new DataException('Array value must be a JSON array')
      return json.map((item) => fromJsonValue(schema.items ?? null, item))
    case 'int8':
    case 'int16':
    case 'int32':
    case 'int64':
    case 'float32':
    case 'float64':
      if (typeof json !== 'number')
        throw new DataException(`Invalid ${schema.type} value: ${JSON.stringify(json)}`)
      return json
    case 'boolean':
      if (typeof json !== 'boolean') throw new DataException('Invalid boolean value')
      return json
    case 'string':
      if (typeof json !== 'string') throw new DataException('Invalid string value')
      return json
    case 'map':
      return json
  }
}
