// Schema-registry serdes for the in-process client: Avro, Protobuf and JSON Schema in Confluent's wire
// format (magic byte 0, the schema id as a big-endian int32, then the payload; Protobuf payloads start
// with the message indexes), registering and reading schemas through the broker's own registry store
// (no HTTP). The options carry the names of Confluent's serializer configs (auto.register.schemas →
// autoRegisterSchemas, use.latest.version → useLatestVersion, use.schema.id → useSchemaId,
// normalize.schemas → normalizeSchemas, subject name strategies by their class names).
// This file only declares and hands out the serdes: the store, avsc and protobufjs load on the first
// record serialized or deserialized (registry-schemas.ts, registry-codecs.ts).

import { EncodeError } from '../../errors.ts'
import type { RegistryRuntime } from '../../registry/runtime.ts'
import type { SubjectNameStrategy } from '../../registry/validation/subject-name-strategy.ts'
import type { Deserializer, SerdeContext, Serializer } from './types.ts'

export type { SubjectNameStrategy }

/** A schema another one imports or names: registered already, under `subject` at `version`. */
export interface SchemaReferenceInput {
  /** The name the schema refers to it by (Avro: the type's full name; Protobuf: the import path). */
  name: string
  subject: string
  /** A version number, or -1 for the subject's latest. */
  version: number
}

/** How a serializer finds the schema id it writes (Confluent's serializer configs). */
export interface RegistrySerializerOptions {
  /** Register the schema under the subject if it is not there (the id is reused when it is). Default true. */
  autoRegisterSchemas?: boolean
  /** Write with the subject's latest version instead of the given schema (register nothing). Default false. */
  useLatestVersion?: boolean
  /** Write with this schema id, whatever the subject holds. */
  useSchemaId?: number
  /** Compare and register schemas in their normalized form (`normalize=true`). Default false. */
  normalizeSchemas?: boolean
  /** The subject: `<topic>-key|value` (default), the record's name, or `<topic>-<record name>`. */
  subjectNameStrategy?: SubjectNameStrategy
  /** Schemas this one refers to, registered beforehand. */
  references?: SchemaReferenceInput[]
}

export interface AvroSerializerOptions extends RegistrySerializerOptions {
  /** The Avro schema (JSON text or the parsed object); optional with useLatestVersion or useSchemaId. */
  schema?: string | object
}

export interface AvroDeserializerOptions {
  /** Read with this schema, resolved against the writer's (Avro schema resolution); default the writer's. */
  readerSchema?: string | object
}

export interface ProtobufSerializerOptions extends RegistrySerializerOptions {
  /** The `.proto` file's text; optional with useLatestVersion or useSchemaId. */
  schema?: string
  /** The message's full name (`package.Message`, `package.Outer.Inner`); default the file's first message. */
  messageType?: string
  /** The text of the files the schema imports, by import path (`'shared/money.proto': '...'`), and of
   * the files they import: each is registered under a subject named after its path and referenced, as
   * Confluent's serializers do (google/protobuf/*, google/type/* and confluent/* need no text). */
  imports?: Record<string, string>
}

export interface JsonSchemaSerializerOptions extends RegistrySerializerOptions {
  /** The JSON schema (text or object); optional with useLatestVersion or useSchemaId. */
  schema?: string | object
  /** Refuse a value the schema does not accept (EncodeError) before anything is sent. Default true. */
  validate?: boolean
}

export interface JsonSchemaDeserializerOptions {
  /** Refuse a document the writer's schema does not accept (DecodeError). Default false. */
  validate?: boolean
}

/** Serializers and deserializers bound to the running broker's schema registry. */
export interface RegistrySerdes {
  avroSerializer<T = unknown>(options: AvroSerializerOptions): Serializer<T>
  avroDeserializer<T = unknown>(options?: AvroDeserializerOptions): Deserializer<T>
  protobufSerializer<T = unknown>(options: ProtobufSerializerOptions): Serializer<T>
  protobufDeserializer<T = unknown>(): Deserializer<T>
  jsonSchemaSerializer<T = unknown>(options: JsonSchemaSerializerOptions): Serializer<T>
  jsonSchemaDeserializer<T = unknown>(options?: JsonSchemaDeserializerOptions): Deserializer<T>
}

type Codecs = typeof import('./registry-codecs.ts')
type SerializeFunction = (value: unknown, context: SerdeContext) => Promise<Buffer | null>
type DeserializeFunction = (bytes: Buffer | null, context: SerdeContext) => Promise<unknown>

export function registrySerdes(runtime: RegistryRuntime): RegistrySerdes {
  let loaded: Promise<Codecs> | null = null
  const codecs = (): Promise<Codecs> => {
    if (loaded === null) {
      const loading = import('./registry-codecs.ts')
      loading.catch(() => {
        loaded = null
      })
      loaded = loading
    }
    return loaded
  }
  const checked = <O extends { schema?: unknown; useSchemaId?: number; useLatestVersion?: boolean }>(
    options: O,
  ): O => {
    if (
      options.schema === undefined &&
      options.useSchemaId === undefined &&
      options.useLatestVersion !== true
    )
      throw new EncodeError('a registry serializer needs a schema, useLatestVersion or useSchemaId')
    return options
  }
  // Each serde builds its state (its caches) on first use; later calls go straight to it.
  const serializer = <T>(build: (module: Codecs) => SerializeFunction): Serializer<T> => {
    let built: SerializeFunction | null = null
    return async (value, context) => {
      built ??= build(await codecs())
      return built(value, context)
    }
  }
  const deserializer = <T>(build: (module: Codecs) => DeserializeFunction): Deserializer<T> => {
    let built: DeserializeFunction | null = null
    return async (bytes, context) => {
      built ??= build(await codecs())
      return (await built(bytes, context)) as T
    }
  }
  return {
    avroSerializer: (options) => {
      checked(options)
      return serializer((module) => module.avroSerializer(runtime, options))
    },
    avroDeserializer: (options = {}) => deserializer((module) => module.avroDeserializer(runtime, options)),
    protobufSerializer: (options) => {
      checked(options)
      return serializer((module) => module.protobufSerializer(runtime, options))
    },
    protobufDeserializer: () => deserializer((module) => module.protobufDeserializer(runtime)),
    jsonSchemaSerializer: (options) => {
      checked(options)
      return serializer((module) => module.jsonSchemaSerializer(runtime, options))
    },
    jsonSchemaDeserializer: (options = {}) =>
      deserializer((module) => module.jsonSchemaDeserializer(runtime, options)),
  }
}
