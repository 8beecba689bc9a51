// Connect schemas and values <-> JSON Schema, as Confluent's JsonSchemaData maps them: a struct is an
// object with `title` (the Connect name) and properties carrying `connect.index`; integers and numbers
// carry `connect.type`; an optional schema is `oneOf [null, T]`; bytes are base64 strings
// (`connect.type: bytes`); a map with string keys an object with `additionalProperties`.

import { isStruct, type Schema } from '../sdk/data.ts'
import { DataException } from './converter.ts'

type JsonSchema = Record<string, unknown>

/** The JSON Schema of a Connect schema (Confluent's fromConnectSchema). */
export function jsonSchemaOf(schema: Schema): JsonSchema {
  const base = baseSchema(schema)
  return schema.optional ? { oneOf: [{ type: 'null' }, base] } : base
}

function baseSchema(schema: Schema): JsonSchema {
  switch (schema.type) {
    case 'int8':
    case 'int16':
    case 'int32':
    case 'int64':
      return { type: 'integer', 'connect.type': schema.type, ...named(schema) }
    case 'float32':
    case 'float64':
      return { type: 'number', 'connect.type': schema.type }
    case 'boolean':
      return { type: 'boolean' }
    case 'string':
      return { type: 'string' }
    case 'bytes':
      return { type: 'string', 'connect.type': 'bytes', ...named(schema) }
    case 'array':
      return { type: 'array', items: jsonSchemaOf(schema.items as Schema) }
    case 'map':
      if (schema.keys?.type !== 'string')
        throw new DataException('JsonSchemaConverter: only maps with string keys are supported')
      return {
        type: 'object',
        additionalProperties: jsonSchemaOf(schema.values as Schema),
        'connect.type': 'map',
      }
    case 'struct':
      return {
        type: 'object',
        ...(schema.name === undefined ? {} : { title: schema.name }),
        properties: Object.fromEntries(
          (schema.fields ?? []).map((field, index) => [
            field.field,
            { ...jsonSchemaOf(field), 'connect.index': index },
          ]),
        ),
      }
  }
}

function named(schema: Schema): JsonSchema {
  return schema.name === undefined ? {} : { title: schema.name }
}

/** The Connect schema of a JSON Schema (Confluent's toConnectSchema, for the shapes it writes and plain ones). */
export function connectSchemaOfJson(json: unknown, optional = false): Schema {
  if (json === true || (isStruct(json) && Object.keys(json).length === 0))
    throw new DataException('JsonSchemaConverter: an unconstrained schema has no Connect schema')
  if (!isStruct(json)) throw new DataException('Unreadable JSON Schema')
  const branches = (json.oneOf ?? json.anyOf) as unknown
  if (Array.isArray(branches)) {
    const others = branches.filter((branch) => !(isStruct(branch) && branch.type === 'null'))
    if (others.length === 1 && branches.length === 2) return connectSchemaOfJson(others[0], true)
    throw new DataException('JsonSchemaConverter: oneOf other than [null, T] is not supported')
  }
  const connectType = typeof json['connect.type'] === 'string' ? json['connect.type'] : undefined
  const name = typeof json.title === 'string' ? { name: json.title } : {}
  switch (json.type) {
    case 'integer':
      return { type: (connectType as Schema['type'] | undefined) ?? 'int64', optional, ...name }
    case 'number':
      return { type: connectType === 'float32' ? 'float32' : 'float64', optional }
    case 'boolean':
      return { type: 'boolean', optional }
    case 'string':
      return connectType === 'bytes' ? { type: 'bytes', optional, ...name } : { type: 'string', optional }
    case 'array':
      return { type: 'array', optional, items: connectSchemaOfJson(json.items) }
    case 'object': {
      if (connectType === 'map' || (json.properties === undefined && isStruct(json.additionalProperties)))
        return {
          type: 'map',
          optional,
          keys: { type: 'string', optional: false },
          values: connectSchemaOfJson(json.additionalProperties),
        }
      const properties = isStruct(json.properties) ? Object.entries(json.properties) : []
      const index = (entry: unknown, fallback: number) =>
        isStruct(entry) && typeof entry['connect.index'] === 'number' ? entry['connect.index'] : fallback
      const ordered = properties
        .map(([field, entry], position) => ({ field, entry, order: index(entry, position) }))
        .sort((a, b) => a.order - b.order)
      const required = Array.isArray(json.required) ? (json.required as string[]) : null
      return {
        type: 'struct',
        optional,
        ...name,
        fields: ordered.map(({ field, entry }) => {
          const fieldSchema = connectSchemaOfJson(entry)
          // Plain JSON Schemas: a property not listed in `required` may be absent.
          if (required !== null && !required.includes(field)) fieldSchema.optional = true
          return { ...fieldSchema, field }
        }),
      }
    }
    default:
      throw new DataException(`JsonSchemaConverter: JSON Schema type ${String(json.type)} is not supported`)
  }
}

/** A Connect value as the JSON Confluent writes (bytes as base64, bigint as number). */
export function jsonValueOf(schema: Schema, value: unknown): unknown {
  if (value === null || value === undefined) {
    if (schema.default !== undefined) return jsonValueOf(schema, schema.default)
    if (!schema.optional) throw new DataException('Conversion error: null value for a required field')
    return null
  }
  switch (schema.type) {
    case 'bytes':
      return Buffer.isBuffer(value) ? value.toString('base64') : value
    case 'int64':
      return typeof value === 'bigint' ? Number(value) : value instanceof Date ? value.getTime() : value
    case 'array':
      return (value as unknown[]).map((item) => jsonValueOf(schema.items as Schema, item))
    case 'map': {
      const entries = value instanceof Map ? [...value] : Object.entries(value as Record<string, unknown>)
      return Object.fromEntries(
        entries.map(([key, item]) => [String(key), jsonValueOf(schema.values as Schema, item)]),
      )
    }
    case 'struct': {
      if (!isStruct(value)) throw new DataException('Struct value expected')
      const out: Record<string, unknown> = {}
      for (const field of schema.fields ?? []) out[field.field] = jsonValueOf(field, value[field.field])
      return out
    }
    default:
      return value
  }
}

/** Parsed JSON as a Connect value of `schema` (absent optional fields null, bytes from base64). */
export function connectValueOfJson(schema: Schema, json: unknown): unknown {
  if (json === null || json === undefined) return null
  switch (schema.type) {
    case 'bytes':
      return typeof json === 'string' ? Buffer.from(json, 'base64') : json
    case 'array':
      return (json as unknown[]).map((item) => connectValueOfJson(schema.items as Schema, item))
    case 'map':
      return Object.fromEntries(
        Object.entries(json as Record<string, unknown>).map(([key, item]) => [
          key,
          connectValueOfJson(schema.values as Schema, item),
        ]),
      )
    case 'struct': {
      if (!isStruct(json)) throw new DataException('Struct value must be a JSON object')
      const out: Record<string, unknown> = {}
      for (const field of schema.fields ?? []) out[field.field] = connectValueOfJson(field, json[field.field])
      return out
    }
    default:
      return json
  }
}
