// Producing through the schema registry from the admin API: a JSON document serialized with a registered
// schema into Confluent's wire format (magic byte 0, the big-endian 4-byte schema id, the payload), as
// Confluent's serializers write it, so any Confluent deserializer reads what the console produced.
// Loaded only by a produce that names a schema (`keySchemaId` / `valueSchemaId`).

import type { RegistryRuntime } from '../registry/runtime.ts'
import { invalidRequest } from './errors.ts'

export class SchemaEncoder {
  constructor(private readonly registry: RegistryRuntime) {}

  /** `document` in the wire format of schema `id`; 400 INVALID_REQUEST when the id is unknown or the
   * document does not fit the schema. */
  async encode(id: number, document: unknown, what: string): Promise<Buffer> {
    const store = await this.registry.store()
    if (!store.state.contents.has(id)) await store.refresh()
    if (!store.state.contents.has(id)) throw invalidRequest(`${what}: schema id ${id} is not registered`)
    let payload: Buffer
    try {
      payload = (await store.parsedSchemaOf(id)).encodeFromJson(document)
    } catch (error) {
      throw invalidRequest(`${what} does not fit schema ${id}: ${(error as Error).message}`)
    }
    const header = Buffer.alloc(5)
    header.writeInt32BE(id, 1)
    return Buffer.concat([header, payload])
  }
}
