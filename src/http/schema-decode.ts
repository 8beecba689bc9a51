// Record keys and values in Confluent's wire format (magic byte 0, a big-endian 4-byte schema id, the
// payload) decoded through the schema registry for the message browser: Avro to Avro's JSON encoding,
// Protobuf to its JSON mapping, JSON Schema to the document. The schema comes from the registry's own
// store (the ids the registry gave the serializer), parsed once per id. Loaded on the first browse
// that asks for decoding (`decode=registry`), so the registry formats stay unloaded otherwise.

import type { RegistryRuntime } from '../registry/runtime.ts'
import type { EncodedBytes } from './message-codec.ts'

/** What a decoded field carries besides its data: the schema it was written with, or why it failed. */
export interface SchemaInfo {
  id: number
  /** AVRO, PROTOBUF or JSON; null when the id is not registered. */
  type: string | null
  /** The record's type name (Avro record, Protobuf message, JSON schema title), when it has one. */
  name: string | null
  /** Why the payload did not decode (it is then shown as bytes). */
  error?: string
}

export interface DecodedBytes extends EncodedBytes {
  schema?: SchemaInfo
}

const wireHeaderBytes = 5

export class SchemaDecoder {
  /** Ids looked up and not found: the store is read to its end once per browse before giving up. */
  private refreshed = false

  constructor(private readonly registry: RegistryRuntime) {}

  /** `bytes` decoded when it is in the wire format with a registered id; `shown` (the plain view) otherwise. */
  async decode(bytes: Buffer | null, shown: EncodedBytes | null): Promise<DecodedBytes | null> {
    if (bytes === null || bytes.length < wireHeaderBytes || bytes[0] !== 0) return shown
    const id = bytes.readInt32BE(1)
    const payload = bytes.subarray(wireHeaderBytes)
    const store = await this.registry.store()
    if (!store.state.contents.has(id) && !this.refreshed) {
      this.refreshed = true
      await store.refresh()
    }
    const base64: EncodedBytes = { encoding: 'base64', data: bytes.toString('base64') }
    const content = store.state.contents.get(id)
    if (content === undefined)
      return { ...base64, schema: { id, type: null, name: null, error: `schema id ${id} is not registered` } }
    let parsed: Awaited<ReturnType<typeof store.parsedSchemaOf>>
    try {
      parsed = await store.parsedSchemaOf(id)
    } catch (error) {
      const reason = `schema ${id} does not parse: ${(error as Error).message}`
      return { ...base64, schema: { id, type: content.schemaType, name: null, error: reason } }
    }
    const schema: SchemaInfo = { id, type: parsed.schemaType, name: parsed.recordName(payload) }
    try {
      return { encoding: 'json', data: parsed.decodeToJson(payload), schema }
    } catch (error) {
      return { ...base64, schema: { ...schema, error: (error as Error).message } }
    }
  }
}
