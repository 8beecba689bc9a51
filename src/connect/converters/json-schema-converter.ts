// Confluent's io.confluent.connect.json.JsonSchemaConverter: Connect data as JSON in Confluent's wire
// format (byte 0, the schema id, the JSON text) with a JSON Schema registered in the schema registry at
// `schema.registry.url` (TopicNameStrategy; `auto.register.schemas=false` uses the subject's latest),
// and back from JSON written by Confluent's JSON Schema serializer (the writer's schema fetched by id).

import type { Properties } from '../sdk/config-def.ts'
import type { Schema } from '../sdk/data.ts'
import { type Converter, DataException, type SchemaAndValue } from './converter.ts'
import { connectSchemaOfJson, connectValueOfJson, jsonSchemaOf, jsonValueOf } from './json-schema-data.ts'
import { RegistryClient, readWireFormat, subjectOf, wireFormat } from './registry-client.ts'

const cacheMax = 1_000

export class JsonSchemaConverter implements Converter {
  private registry: RegistryClient | null = null
  private isKey = false
  private autoRegister = true
  private readonly readers = new Map<number, Schema>()

  configure(properties: Properties, options: { isKey: boolean }): void {
    this.registry = new RegistryClient(properties)
    this.isKey = options.isKey
    this.autoRegister = (properties['auto.register.schemas'] ?? 'true').trim().toLowerCase() !== 'false'
  }

  async fromConnectData(topic: string, schema: Schema | null, value: unknown): Promise<Buffer | null> {
    if (value === null || value === undefined) return null
    if (schema === null) throw new DataException('JsonSchemaConverter needs a schema (the record has none)')
    const jsonSchema = JSON.stringify(jsonSchemaOf(schema))
    const subject = subjectOf(topic, this.isKey)
    const id = this.autoRegister
      ? await this.client().register(subject, jsonSchema, 'JSON')
      : await this.client().latestId(subject)
    return wireFormat(id, Buffer.from(JSON.stringify(jsonValueOf(schema, value))))
  }

  async toConnectData(topic: string, bytes: Buffer | null): Promise<SchemaAndValue> {
    if (bytes === null) return { schema: null, value: null }
    const { id, payload } = readWireFormat(bytes)
    const schema = await this.reader(id)
    let json: unknown
    try {
      json = JSON.parse(payload.toString('utf8'))
    } catch (error) {
      throw new DataException(
        `Failed to deserialize JSON data for topic ${topic}: ${(error as Error).message}`,
      )
    }
    return { schema, value: connectValueOfJson(schema, json) }
  }

  private async reader(id: number): Promise<Schema> {
    const found = this.readers.get(id)
    if (found !== undefined) return found
    const registered = await this.client().schemaById(id)
    if (registered.schemaType !== 'JSON')
      throw new DataException(`Schema ${id} is ${registered.schemaType}, not a JSON Schema`)
    const schema = connectSchemaOfJson(JSON.parse(registered.schema) as unknown)
    if (this.readers.size >= cacheMax) this.readers.clear()
    this.readers.set(id, schema)
    return schema
  }

  private client(): RegistryClient {
    if (this.registry === null) throw new DataException('JsonSchemaConverter used before configure()')
    return this.registry
  }
}
