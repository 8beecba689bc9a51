// Registry schemas as SQL shapes, and their payloads (the bytes after Confluent's magic byte and schema
// id) as JS values that shape.ts converts:
//   - Avro (avsc, the registry's parsed type): record → STRUCT, array → LIST, map → MAP, int INTEGER,
//     long BIGINT, float/double, bytes/fixed BLOB, string/enum VARCHAR, a union with null → its other
//     branch (nullable), other unions JSON; logical types (date, time-*, timestamp-*, decimal, uuid) as
//     DATE, TIME, TIMESTAMP, DECIMAL, UUID (avro-logical.ts), others as their underlying type;
//   - Protobuf (protobufjs): the message the payload's message indexes name → STRUCT of its fields
//     (proto3 defaults filled, as Confluent's deserializer reads them), repeated → LIST, map → MAP,
//     int32 INTEGER, int64/uint32 BIGINT, uint64 UBIGINT, enum VARCHAR (the name), bytes BLOB;
//   - JSON Schema: `properties` → STRUCT, `items` → LIST, integer BIGINT, number DOUBLE, format
//     date/date-time DATE/TIMESTAMP, local `$ref`s followed; anything else (oneOf, no type) JSON.
// A recursive type is JSON below its first level.

import type * as avro from 'avsc'
import type protobuf from 'protobufjs'
import type { AvroSchema } from '../../registry/formats/avro.ts'
import type { JsonSchema } from '../../registry/formats/json-schema.ts'
import type { ProtobufSchema } from '../../registry/formats/protobuf.ts'
import type { ParsedSchema } from '../../registry/formats/types.ts'
import { avroTypeWithLogicalTypes, logicalShapeOf } from './avro-logical.ts'
import { jsonShape, mergeShapes, nullShape, type Shape } from './shape.ts'

export interface WireDecoder {
  /** The shape of the payload's value (Protobuf: of the message its indexes name). */
  shapeOf(payload: Buffer): Shape
  /** The payload as a JS value; throws when it does not decode. */
  decode(payload: Buffer): unknown
}

function avroShape(type: avro.Type, named: ReadonlySet<string>): Shape {
  const logical = logicalShapeOf(type)
  if (logical !== null) return logical
  switch (type.typeName) {
    case 'null':
      return nullShape
    case 'boolean':
      return { kind: 'boolean' }
    case 'int':
      return { kind: 'integer' }
    case 'long':
      return { kind: 'bigint' }
    case 'float':
      return { kind: 'float' }
    case 'double':
      return { kind: 'double' }
    case 'bytes':
    case 'fixed':
      return { kind: 'blob' }
    case 'string':
    case 'enum':
      return { kind: 'varchar' }
    case 'array':
      return { kind: 'list', item: avroShape((type as avro.types.ArrayType).itemsType, named) }
    case 'map':
      return { kind: 'map', value: avroShape((type as avro.types.MapType).valuesType as avro.Type, named) }
    case 'record':
    case 'error': {
      const name = type.name ?? ''
      if (named.has(name)) return jsonShape
      const inner = new Set(named).add(name)
      const fields = new Map<string, Shape>()
      for (const field of (type as avro.types.RecordType).fields)
        fields.set(field.name, avroShape(field.type, inner))
      return { kind: 'struct', fields }
    }
    case 'union:unwrapped': {
      // avsc unwraps a union whose branches it can tell apart (e.g. ["null", T]): the value is the branch's.
      const branches = (type as avro.types.UnwrappedUnionType).types.filter(
        (branch) => branch.typeName !== 'null',
      )
      if (branches.length === 1) return avroShape(branches[0], named)
      const merged = branches.map((branch) => avroShape(branch, named)).reduce(mergeShapes, nullShape)
      return merged.kind === 'struct' || merged.kind === 'list' || merged.kind === 'map' ? jsonShape : merged
    }
    default:
      return jsonShape
  }
}

const protoScalars: Readonly<Record<string, Shape['kind']>> = {
  double: 'double',
  float: 'float',
  int32: 'integer',
  sint32: 'integer',
  sfixed32: 'integer',
  uint32: 'bigint',
  fixed32: 'bigint',
  int64: 'bigint',
  sint64: 'bigint',
  sfixed64: 'bigint',
  uint64: 'ubigint',
  fixed64: 'ubigint',
  bool: 'boolean',
  string: 'varchar',
  bytes: 'blob',
}

function protoFieldShape(field: protobuf.Field, named: ReadonlySet<string>): Shape {
  const resolved = field.resolve().resolvedType
  let shape: Shape
  if (resolved === null) shape = { kind: protoScalars[field.type] ?? 'json' } as Shape
  else if ('values' in resolved && !('fieldsArray' in resolved)) shape = { kind: 'varchar' }
  else shape = protoMessageShape(resolved as protobuf.Type, named)
  if (field.map) return { kind: 'map', value: shape }
  return field.repeated ? { kind: 'list', item: shape } : shape
}

function protoMessageShape(type: protobuf.Type, named: ReadonlySet<string>): Shape {
  if (named.has(type.fullName)) return jsonShape
  const inner = new Set(named).add(type.fullName)
  const fields = new Map<string, Shape>()
  for (const field of type.fieldsArray) fields.set(field.name, protoFieldShape(field, inner))
  return { kind: 'struct', fields }
}

type JsonNode = Record<string, unknown>

function isNode(value: unknown): value is JsonNode {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** A local `$ref` (`#/definitions/X`, `#/$defs/X`, any JSON pointer into the document) resolved. */
function resolveRef(root: JsonNode, ref: string): JsonNode | null {
  if (!ref.startsWith('#')) return null
  let node: unknown = root
  for (const part of ref
    .slice(1)
    .split('/')
    .filter((item) => item !== '')) {
    if (!isNode(node)) return null
    node = node[part.replace(/~1/g, '/').replace(/~0/g, '~')]
  }
  return isNode(node) ? node : null
}

function jsonSchemaShape(root: JsonNode, node: unknown, depth: number): Shape {
  if (!isNode(node) || depth > 32) return jsonShape
  if (typeof node.$ref === 'string') {
    const target = resolveRef(root, node.$ref)
    return target === null || target === node ? jsonShape : jsonSchemaShape(root, target, depth + 1)
  }
  const types = (Array.isArray(node.type) ? node.type : [node.type]).filter((type) => type !== 'null')
  if (types.length !== 1) return types.length === 0 && node.type !== undefined ? nullShape : jsonShape
  switch (types[0]) {
    case 'object': {
      if (!isNode(node.properties)) return jsonShape
      const fields = new Map<string, Shape>()
      for (const [name, property] of Object.entries(node.properties))
        fields.set(name, jsonSchemaShape(root, property, depth + 1))
      return { kind: 'struct', fields }
    }
    case 'array':
      return isNode(node.items)
        ? { kind: 'list', item: jsonSchemaShape(root, node.items, depth + 1) }
        : jsonShape
    case 'integer':
      return { kind: 'bigint' }
    case 'number':
      return { kind: 'double' }
    case 'boolean':
      return { kind: 'boolean' }
    case 'string':
      if (node.format === 'date') return { kind: 'date' }
      return node.format === 'date-time' ? { kind: 'timestamp' } : { kind: 'varchar' }
    default:
      return jsonShape
  }
}

/** How to read payloads written with one registered schema. */
export function wireDecoderOf(parsed: ParsedSchema): WireDecoder {
  switch (parsed.schemaType) {
    case 'AVRO': {
      const type = avroTypeWithLogicalTypes(parsed as AvroSchema)
      const shape = avroShape(type, new Set())
      return { shapeOf: () => shape, decode: (payload) => type.fromBuffer(payload) }
    }
    case 'JSON': {
      const { json } = parsed as JsonSchema
      const shape = isNode(json) ? jsonSchemaShape(json, json, 0) : jsonShape
      return { shapeOf: () => shape, decode: (payload) => JSON.parse(payload.toString('utf8')) }
    }
    default: {
      const schema = parsed as ProtobufSchema
      const shapes = new Map<string, Shape>()
      const typeOf = (payload: Buffer): { type: protobuf.Type; offset: number } => {
        const found = schema.messageTypeOf(payload)
        if (typeof found === 'string') throw new Error(found)
        return found
      }
      return {
        shapeOf(payload) {
          const { type } = typeOf(payload)
          let shape = shapes.get(type.fullName)
          if (shape === undefined) {
            shape = protoMessageShape(type, new Set())
            shapes.set(type.fullName, shape)
          }
          return shape
        },
        decode(payload) {
          const { type, offset } = typeOf(payload)
          return type.toObject(type.decode(payload.subarray(offset)), {
            longs: String,
            enums: String,
            defaults: true,
          })
        },
      }
    }
  }
}
