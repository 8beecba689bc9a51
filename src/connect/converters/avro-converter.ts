// Confluent's io.confluent.connect.avro.AvroConverter: Connect data to Avro in Confluent's wire format
// through the schema registry at `schema.registry.url` (subjects by TopicNameStrategy, schemas
// registered unless `auto.register.schemas=false`, then the latest version of the subject is used), and
// back from any Avro written by Confluent's serializers (the writer's schema fetched by id).

import avro from 'avsc'
import type { Properties } from '../sdk/config-def.ts'
import type { Schema } from '../sdk/data.ts'
import { avroSchemaOf, avroValueOf, connectSchemaOf, connectValueOf } from './avro-data.ts'
import { type Converter, DataException, type SchemaAndValue } from './converter.ts'
import { RegistryClient, readWireFormat, subjectOf, wireFormat } from './registry-client.ts'

const typeCacheMax = 1_000

export class AvroConverter implements Converter {
  private registry: RegistryClient | null = null
  private isKey = false
  private autoRegister = true
  /** Parsed writer schemas by id (avsc type and Connect schema). */
  private readonly readers = new Map<number, { type: avro.Type; schema: Schema }>()
  private readonly writers = new Map<string, avro.Type>()

  configure(properties: Properties, options: { isKey: boolean }): void {
    this.registry = new RegistryClient(properties)
    this.isKey = options.isKey
    this.autoRegister = (properties['auto.register.schemas'] ?? 'true').trim().toLowerCase() !== 'false'
  }

  async fromConnectData(topic: string, schema: Schema | null, value: unknown): Promise<Buffer | null> {
    if (value === null || value === undefined) return null
    if (schema === null) throw new DataException('AvroConverter needs a schema (the record has none)')
    const avroSchema = JSON.stringify(avroSchemaOf(schema))
    const subject = subjectOf(topic, this.isKey)
    const id = this.autoRegister
      ? await this.client().register(subject, avroSchema, 'AVRO')
      : await this.client().latestId(subject)
    let type = this.writers.get(avroSchema)
    if (type === undefined) {
      if (this.writers.size >= typeCacheMax) this.writers.clear()
      type = avro.Type.forSchema(JSON.parse(avroSchema) as avro.Schema)
      this.writers.set(avroSchema, type)
    }
    try {
      return wireFormat(id, type.toBuffer(avroValueOf(schema, value)))
    } catch (error) {
      throw new DataException(
        `Failed to serialize Avro data from topic ${topic}: ${(error as Error).message}`,
      )
    }
  }

  async toConnectData(topic: string, bytes: Buffer | null): Promise<SchemaAndValue> {
    if (bytes === null) return { schema: null, value: null }
    const { id, payload } = readWireFormat(bytes)
    const reader = await this.reader(id)
    let decoded: unknown
    try {
      decoded = reader.type.fromBuffer(payload)
    } catch (error) {
      throw new DataException(
        `Failed to deserialize data for topic ${topic} to Avro: ${(error as Error).message}`,
      )
    }
    return { schema: reader.schema, value: connectValueOf(reader.schema, decoded) }
  }

  private async reader(id: number): Promise<{ type: avro.Type; schema: Schema }> {
    const found = this.readers.get(id)
    if (found !== undefined) return found
    const registered = await this.client().schemaById(id)
    if (registered.schemaType !== 'AVRO')
      throw new DataException(`Schema ${id} is ${registered.schemaType}, not Avro`)
    const parsed = JSON.parse(registered.schema) as unknown
    const reader = { type: avro.Type.forSchema(parsed as avro.Schema), schema: connectSchemaOf(parsed) }
    if (this.readers.size >= typeCacheMax) this.readers.clear()
    this.readers.set(id, reader)
    return reader
  }

  private client(): RegistryClient {
    if (this.registry === null) throw new DataException('AvroConverter used before configure()')
    return this.registry
  }
}
