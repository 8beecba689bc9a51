// The converter contract (Kafka's org.apache.kafka.connect.storage.Converter): Connect data <-> bytes.

import type { Properties } from '../sdk/config-def.ts'
import type { Schema } from '../sdk/data.ts'

export interface SchemaAndValue {
  schema: Schema | null
  value: unknown
}

export interface Converter {
  configure(properties: Properties, options: { isKey: boolean }): void
  /** Registry-backed converters answer asynchronously. */
  fromConnectData(
    topic: string,
    schema: Schema | null,
    value: unknown,
  ): Buffer | null | Promise<Buffer | null>
  toConnectData(topic: string, bytes: Buffer | null): SchemaAndValue | Promise<SchemaAndValue>
}

/** Data a converter or transform cannot handle (Kafka's DataException). */
export class DataException extends Error {
  override name = 'org.apache.kafka.connect.errors.DataException'
}
