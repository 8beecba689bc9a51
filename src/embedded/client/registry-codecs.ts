// The registry serdes' encodings, loaded on first use (registry-serdes.ts hands them out):
// - Avro: Avro binary of the writer schema (avsc); a reader schema is resolved against the writer's.
// - Protobuf: the message indexes (a zigzag-varint count, then each index; [0] as a lone 0) naming the
//   message in the schema's file, then the message (protobufjs). Values are plain objects converted with
//   protobufjs's fromObject (enums by name or number, 64-bit integers as numbers or strings, bytes as
//   Buffers or base64); deserialized values are toObject's with enums as names, 64-bit integers as
//   strings, bytes as Buffers and unset fields at their defaults.
// - JSON Schema: the JSON text, checked against the schema before sending (validate, default true).

import avro from 'avsc'
import protobuf from 'protobufjs'
import { DecodeError, EncodeError } from '../../errors.ts'
import { AvroSchema } from '../../registry/formats/avro.ts'
import { JsonSchema } from '../../registry/formats/json-schema.ts'
import { ProtobufSchema } from '../../registry/formats/protobuf.ts'
import { type MessageNode, messageOfPayload } from '../../registry/formats/protobuf-payload.ts'
import type { ParsedSchema } from '../../registry/formats/types.ts'
import type { RegistryRuntime } from '../../registry/runtime.ts'
import { protobufReferences } from './protobuf-references.ts'
import { readerSchemaOfId, splitHeader, WriterSchemas, withHeader } from './registry-schemas.ts'
import type {
  AvroDeserializerOptions,
  AvroSerializerOptions,
  JsonSchemaDeserializerOptions,
  JsonSchemaSerializerOptions,
  ProtobufSerializerOptions,
} from './registry-serdes.ts'
import type { SerdeContext } from './types.ts'

export type SerializeFunction = (value: unknown, context: SerdeContext) => Promise<Buffer | null>
export type DeserializeFunction = (bytes: Buffer | null, context: SerdeContext) => Promise<unknown>

function textOf(schema: string | object | undefined): string | null {
  if (schema === undefined) return null
  return typeof schema === 'string' ? schema : JSON.stringify(schema)
}

function expect<T extends ParsedSchema>(
  parsed: ParsedSchema,
  kind: abstract new (...args: never[]) => T,
  what: string,
): T {
  if (!(parsed instanceof kind)) throw new EncodeError(`schema is ${parsed.schemaType}, not ${what}`)
  return parsed
}

// ---- Avro

export function avroSerializer(runtime: RegistryRuntime, options: AvroSerializerOptions): SerializeFunction {
  const schemas = new WriterSchemas(runtime, {
    schemaType: 'AVRO',
    schema: textOf(options.schema),
    options,
    recordName: (parsed) => parsed.recordName(Buffer.alloc(0)),
  })
  return async (value, context) => {
    if (value === null || value === undefined) return null
    const { id, parsed } = await schemas.schemaFor(context)
    const { type } = expect(parsed, AvroSchema, 'AVRO')
    const problems: string[] = []
    if (!type.isValid(value, { errorHook: (path) => problems.push(path.join('.') || '(the value)') }))
      throw new EncodeError(`value does not match Avro ${type.name ?? type.typeName}: ${problems.join(', ')}`)
    return withHeader(id, type.toBuffer(value))
  }
}

export function avroDeserializer(
  runtime: RegistryRuntime,
  options: AvroDeserializerOptions,
): DeserializeFunction {
  const readerText = textOf(options.readerSchema)
  const reader = readerText === null ? null : avro.Type.forSchema(JSON.parse(readerText) as avro.Schema)
  const resolvers = new Map<number, avro.Type | avro.Resolver>()
  return async (bytes, context) => {
    if (bytes === null) return null
    const { id, payload } = splitHeader(bytes)
    const writer = expect(await readerSchemaOfId(runtime, id, context), AvroSchema, 'AVRO').type
    if (reader === null) return decodeWith(() => writer.fromBuffer(payload), id)
    let resolver = resolvers.get(id)
    if (resolver === undefined) {
      resolver = reader.equals(writer) ? reader : reader.createResolver(writer)
      resolvers.set(id, resolver)
    }
    const chosen = resolver
    return decodeWith(
      () =>
        chosen === reader ? reader.fromBuffer(payload) : reader.fromBuffer(payload, chosen as avro.Resolver),
      id,
    )
  }
}

function decodeWith(decode: () => unknown, id: number): unknown {
  try {
    return decode()
  } catch (error) {
    throw new DecodeError(
      `payload of schema id ${id} does not decode: ${(error as Error).message}`,
      5,
      'payload',
    )
  }
}

// ---- Protobuf

/** The path of message indexes naming `fullName` in the file's message tree, or null. */
function indexesOf(tree: readonly MessageNode[], fullName: string): number[] | null {
  for (let index = 0; index < tree.length; index++) {
    if (tree[index].fullName === fullName) return [index]
    const nested = indexesOf(tree[index].nested, fullName)
    if (nested !== null) return [index, ...nested]
  }
  return null
}

function zigzagVarint(value: number): number[] {
  let unsigned = ((value << 1) ^ (value >> 31)) >>> 0
  const bytes: number[] = []
  while (unsigned > 0x7f) {
    bytes.push((unsigned & 0x7f) | 0x80)
    unsigned >>>= 7
  }
  bytes.push(unsigned)
  return bytes
}

/** Confluent's message-index prefix: [0] is written as a lone 0. */
export function messageIndexesBytes(indexes: readonly number[]): Buffer {
  if (indexes.length === 1 && indexes[0] === 0) return Buffer.from([0])
  return Buffer.from([...zigzagVarint(indexes.length), ...indexes.flatMap(zigzagVarint)])
}

function messageTypeOf(schema: ProtobufSchema, messageType: string | undefined): protobuf.Type {
  const fullName = messageType ?? schema.messageTree[0]?.fullName
  if (fullName === undefined) throw new EncodeError('the Protobuf schema has no message')
  try {
    return schema.root.lookupType(fullName)
  } catch {
    throw new EncodeError(`the Protobuf schema has no message ${fullName}`)
  }
}

export function protobufSerializer(
  runtime: RegistryRuntime,
  options: ProtobufSerializerOptions,
): SerializeFunction {
  const nameOf = (parsed: ParsedSchema): string | null => {
    const schema = expect(parsed, ProtobufSchema, 'PROTOBUF')
    return options.messageType ?? schema.messageTree[0]?.fullName ?? null
  }
  const schemas = new WriterSchemas(runtime, {
    schemaType: 'PROTOBUF',
    schema: options.schema ?? null,
    options,
    recordName: nameOf,
    references: (store) => protobufReferences(store, options.schema ?? '', options),
  })
  return async (value, context) => {
    if (value === null || value === undefined) return null
    const { id, parsed } = await schemas.schemaFor(context)
    const schema = expect(parsed, ProtobufSchema, 'PROTOBUF')
    const type = messageTypeOf(schema, options.messageType)
    const indexes = indexesOf(schema.messageTree, type.fullName.replace(/^\./, ''))
    if (indexes === null) throw new EncodeError(`${type.fullName} is not a message of schema id ${id}`)
    const message = value instanceof protobuf.Message ? value : messageFrom(type, value)
    return withHeader(id, Buffer.concat([messageIndexesBytes(indexes), type.encode(message).finish()]))
  }
}

function messageFrom(type: protobuf.Type, value: unknown): protobuf.Message {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new EncodeError(`a ${type.name} value must be an object`)
  for (const field of Object.keys(value))
    if (type.fields[field] === undefined && type.oneofs?.[field] === undefined)
      throw new EncodeError(`${type.name} has no field ${field}`)
  try {
    return type.fromObject(value as Record<string, unknown>)
  } catch (error) {
    throw new EncodeError(`value is not a ${type.name}: ${(error as Error).message}`)
  }
}

export function protobufDeserializer(runtime: RegistryRuntime): DeserializeFunction {
  return async (bytes, context) => {
    if (bytes === null) return null
    const { id, payload } = splitHeader(bytes)
    const schema = expect(await readerSchemaOfId(runtime, id, context), ProtobufSchema, 'PROTOBUF')
    const message = messageOfPayload(schema.messageTree, payload)
    if (typeof message === 'string')
      throw new DecodeError(`schema id ${id}: ${message}`, 5, 'message indexes')
    const type = schema.root.lookupType(message.fullName)
    const decoded = decodeWith(() => type.decode(payload.subarray(message.offset)), id) as protobuf.Message
    return type.toObject(decoded, { enums: String, longs: String, defaults: true, oneofs: true })
  }
}

// ---- JSON Schema

export function jsonSchemaSerializer(
  runtime: RegistryRuntime,
  options: JsonSchemaSerializerOptions,
): SerializeFunction {
  const schemas = new WriterSchemas(runtime, {
    schemaType: 'JSON',
    schema: textOf(options.schema),
    options,
    recordName: (parsed) => parsed.recordName(Buffer.alloc(0)),
  })
  return async (value, context) => {
    if (value === null || value === undefined) return null
    const { id, parsed } = await schemas.schemaFor(context)
    const schema = expect(parsed, JsonSchema, 'JSON')
    const text = JSON.stringify(value)
    if (text === undefined) throw new EncodeError(`a ${typeof value} has no JSON form`)
    if (options.validate !== false) {
      const issue = schema.documentIssue(JSON.parse(text))
      if (issue !== null) throw new EncodeError(`value ${issue} (schema id ${id})`)
    }
    return withHeader(id, Buffer.from(text, 'utf8'))
  }
}

export function jsonSchemaDeserializer(
  runtime: RegistryRuntime,
  options: JsonSchemaDeserializerOptions,
): DeserializeFunction {
  return async (bytes, context) => {
    if (bytes === null) return null
    const { id, payload } = splitHeader(bytes)
    const schema = expect(await readerSchemaOfId(runtime, id, context), JsonSchema, 'JSON')
    const document = decodeWith(() => JSON.parse(payload.toString('utf8')), id)
    if (options.validate === true) {
      const issue = schema.documentIssue(document)
      if (issue !== null) throw new DecodeError(`document ${issue} (schema id ${id})`, 5, 'payload')
    }
    return document
  }
}
