// Confluent's io.confluent.connect.protobuf.ProtobufConverter: Connect data in Confluent's Protobuf
// wire format (byte 0, the schema id, the message indexes, the message) with a proto3 schema
// registered in the schema registry at `schema.registry.url` (TopicNameStrategy;
// `auto.register.schemas=false` uses the subject's latest version). Reading, the writer's schema is
// fetched by id (text or descriptor form) and the message indexes pick the message, so anything
// Confluent's Protobuf serializers wrote is read. `wrapper.for.nullables=true` writes and reads optional
// primitives as google.protobuf wrappers. Mapping: protobuf-data.ts and protobuf-logical.ts.

import type protobuf from 'protobufjs'
import { ProtobufSchema, protobufFormat } from '../../registry/formats/protobuf.ts'
import type { Properties } from '../sdk/config-def.ts'
import type { Schema } from '../sdk/data.ts'
import { type Converter, DataException, type SchemaAndValue } from './converter.ts'
import {
  connectSchemaOfType,
  connectValueOf,
  type ProtobufDataOptions,
  protoFileOf,
  protoValueOf,
} from './protobuf-data.ts'
import { RegistryClient, readWireFormat, subjectOf, wireFormat } from './registry-client.ts'

const cacheMax = 1_000
/** Message indexes [0] (the file's first message), as Confluent writes them: a single zero. */
const firstMessageIndexes = Buffer.from([0])

type Writer = { type: protobuf.Type; text: string }
type Reader = ProtobufSchema

function parseProto(text: string): ProtobufSchema {
  const parsed = protobufFormat.parse(text, [])
  if (!(parsed instanceof ProtobufSchema)) throw new DataException('not a Protobuf schema')
  return parsed
}

export class ProtobufConverter implements Converter {
  private registry: RegistryClient | null = null
  private isKey = false
  private autoRegister = true
  private options: ProtobufDataOptions = { wrapperForNullables: false }
  private readonly writers = new Map<string, Writer>()
  private readonly readers = new Map<number, Reader>()

  configure(properties: Properties, options: { isKey: boolean }): void {
    this.registry = new RegistryClient(properties)
    this.isKey = options.isKey
    this.autoRegister = (properties['auto.register.schemas'] ?? 'true').trim().toLowerCase() !== 'false'
    const flag = (name: string) => (properties[name] ?? 'false').trim().toLowerCase() === 'true'
    this.options = {
      wrapperForNullables: flag('wrapper.for.nullables'),
      optionalForNullables: flag('optional.for.nullables'),
      intForEnums: flag('int.for.enums'),
    }
  }

  async fromConnectData(topic: string, schema: Schema | null, value: unknown): Promise<Buffer | null> {
    if (value === null || value === undefined) return null
    if (schema === null) throw new DataException('ProtobufConverter needs a schema (the record has none)')
    const writer = this.writer(schema)
    const subject = subjectOf(topic, this.isKey)
    const id = this.autoRegister
      ? await this.client().register(subject, writer.text, 'PROTOBUF')
      : await this.client().latestId(subject)
    const message = writer.type.fromObject(
      protoValueOf(schema, value, this.options) as Record<string, unknown>,
    )
    return wireFormat(id, Buffer.concat([firstMessageIndexes, writer.type.encode(message).finish()]))
  }

  async toConnectData(topic: string, bytes: Buffer | null): Promise<SchemaAndValue> {
    if (bytes === null) return { schema: null, value: null }
    const { id, payload } = readWireFormat(bytes)
    const found = (await this.reader(id)).messageTypeOf(payload)
    if (typeof found === 'string')
      throw new DataException(`Failed to deserialize Protobuf data for topic ${topic}: ${found}`)
    let decoded: Record<string, unknown>
    try {
      decoded = found.type.toObject(found.type.decode(payload.subarray(found.offset)), {
        longs: String,
        enums: String,
        bytes: Buffer,
        defaults: true,
        arrays: true,
        objects: true,
      })
    } catch (error) {
      throw new DataException(
        `Failed to deserialize Protobuf data for topic ${topic}: ${(error as Error).message}`,
      )
    }
    const schema = connectSchemaOfType(found.type, this.options)
    return { schema, value: connectValueOf(schema, decoded) }
  }

  private writer(schema: Schema): Writer {
    const key = JSON.stringify(schema)
    const cached = this.writers.get(key)
    if (cached !== undefined) return cached
    const file = protoFileOf(schema, this.options)
    const root = parseProto(file.text)
    const found = root.messageTypeOf(firstMessageIndexes)
    if (typeof found === 'string') throw new DataException(found)
    const writer = { type: found.type, text: file.text }
    if (this.writers.size >= cacheMax) this.writers.clear()
    this.writers.set(key, writer)
    return writer
  }

  private async reader(id: number): Promise<Reader> {
    const found = this.readers.get(id)
    if (found !== undefined) return found
    const registered = await this.client().schemaById(id)
    if (registered.schemaType !== 'PROTOBUF')
      throw new DataException(`Schema ${id} is ${registered.schemaType}, not a Protobuf schema`)
    let reader: Reader
    try {
      reader = parseProto(registered.schema)
    } catch (error) {
      throw new DataException(
        `Schema ${id} cannot be read (schema references are not supported): ${(error as Error).message}`,
      )
    }
    if (this.readers.size >= cacheMax) this.readers.clear()
    this.readers.set(id, reader)
    return reader
  }

  private client(): RegistryClient {
    if (this.registry === null) throw new DataException('ProtobufConverter used before configure()')
    return this.registry
  }
}
