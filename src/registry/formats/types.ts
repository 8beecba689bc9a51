// What every schema format (Avro, JSON Schema, Protobuf) offers the registry: parse a schema with its
// references into a ParsedSchema (or throw RegistryError 42201), which knows its canonical text (what
// is stored and compared for "same schema"), its normalized text (`normalize=true`), why it
// cannot read data written with another schema of its format (compatibility, with reasons), and, for
// broker-side validation, its record name and whether a payload decodes with it.

import type { SchemaType } from '../store/records.ts'

/** A referenced schema, resolved: the name it is imported under and its text. */
export interface ResolvedReference {
  name: string
  subject: string
  version: number
  schema: string
}

export interface ParsedSchema {
  readonly schemaType: SchemaType
  /** The text stored and returned: the schema as given, without insignificant whitespace. */
  readonly canonical: string
  /** The text compared when `normalize=true`. */
  readonly normalized: string
  /**
   * Why a reader with this schema cannot read every message written with `writer` (empty: it can).
   * Messages use Confluent's difference names (READER_FIELD_MISSING_DEFAULT_VALUE, TYPE_NARROWED, …).
   */
  readerIssues(writer: ParsedSchema): string[]
  /**
   * The record name Confluent's RecordNameStrategy and TopicRecordNameStrategy name subjects after
   * (Avro: the named type's full name; Protobuf: the message the payload's indexes name; JSON: the
   * title), or null when it has none. `payload` is a record's bytes after the magic byte and id.
   */
  recordName(payload: Buffer): string | null
  /** Why `payload` (a record's bytes after the magic byte and id) does not decode with this schema,
   * or null when it does (broker-side validation's opt-in full check). */
  payloadIssue(payload: Buffer): string | null
  /** The payload (after the magic byte and id) as JSON: Avro's JSON encoding, Protobuf's JSON mapping
   * of the message the indexes name, the JSON document itself. Throws when it does not decode. */
  decodeToJson(payload: Buffer): unknown
  /** The inverse of decodeToJson: a JSON document as the payload after the magic byte and id (Protobuf:
   * the first message of the schema, with its message indexes). Throws when it does not fit the schema. */
  encodeFromJson(document: unknown): Buffer
  /** Protobuf only: the schema as a base64 FileDescriptorProto (`format=serialized`). */
  serialized?(): string
}

export interface SchemaFormat {
  readonly schemaType: SchemaType
  /** Throws RegistryError (42201) when the schema or a reference is not valid. */
  parse(schema: string, references: readonly ResolvedReference[]): ParsedSchema
}
