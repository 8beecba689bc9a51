// AVRO schemas: validated with avsc (names, defaults, logical types), references resolved as named
// types parsed first into the same registry (Confluent's Avro references). Canonical text: the JSON as
// given without whitespace (a bare `{"type":"string"}` as `"string"`, as Avro's Schema.toString());
// normalized: avsc's canonical schema with attributes (Confluent's normalize=true). Compatibility:
// avro-compatibility.ts. A parse checks the schema with avsc without compiling avsc's code
// (avro-types.ts); the type that encodes and decodes is built the first time it is asked for.

import type avro from 'avsc'
import { invalidSchema } from '../errors.ts'
import { avroReaderIssues, collectNamedTypes, type NamedTypes } from './avro-compatibility.ts'
import { checkedType, compiledType } from './avro-types.ts'
import type { ParsedSchema, ResolvedReference, SchemaFormat } from './types.ts'

const primitives = new Set(['null', 'boolean', 'int', 'long', 'float', 'double', 'bytes', 'string'])

function compactAvro(json: unknown): unknown {
  if (typeof json === 'object' && json !== null && !Array.isArray(json)) {
    const keys = Object.keys(json)
    const type = (json as Record<string, unknown>).type
    if (keys.length === 1 && typeof type === 'string' && primitives.has(type)) return type
  }
  return json
}

function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text)
  } catch (error) {
    throw invalidSchema(`${what}: ${(error as Error).message}`)
  }
}

export class AvroSchema implements ParsedSchema {
  readonly schemaType = 'AVRO'
  readonly canonical: string
  readonly normalized: string
  readonly json: unknown
  readonly named: NamedTypes
  private readonly references: readonly ResolvedReference[]
  private readonly name: string | null
  private compiled: avro.Type | undefined

  /** `checked`: the schema's type as avro-types.ts `checkedType` built it (read here, not kept). */
  constructor(
    json: unknown,
    checked: avro.Type,
    named: NamedTypes,
    references: readonly ResolvedReference[],
  ) {
    this.json = compactAvro(json)
    this.canonical = JSON.stringify(this.json)
    this.normalized = JSON.stringify(checked.schema({ exportAttrs: true }))
    this.named = named
    this.references = references
    this.name = checked.name ?? checked.typeName
  }

  /** The avsc type that encodes and decodes (the embedded client's registry serdes use it), built on
   * first use: avsc compiles its code then (avro-types.ts). */
  get type(): avro.Type {
    if (this.compiled === undefined) {
      const registry: Record<string, avro.Type> = {}
      for (const reference of this.references) compiledType(JSON.parse(reference.schema), registry)
      this.compiled = compiledType(this.json, registry)
    }
    return this.compiled
  }

  recordName(): string | null {
    return this.name
  }

  decodeToJson(payload: Buffer): unknown {
    // Avro's JSON encoding (unions as {"type": value}, bytes as code points), as Confluent's
    // kafka-avro-console-consumer prints records.
    return JSON.parse(this.type.toString(this.type.fromBuffer(payload)))
  }

  encodeFromJson(document: unknown): Buffer {
    // Avro's JSON encoding (unions as {"type": value}), the form decodeToJson gives.
    return this.type.toBuffer(this.type.fromString(JSON.stringify(document)))
  }

  payloadIssue(payload: Buffer): string | null {
    try {
      // Throws on truncated data, bad unions or enums, and on bytes left over.
      this.type.fromBuffer(payload)
      return null
    } catch (error) {
      return `does not decode as Avro ${this.recordName()}: ${(error as Error).message}`
    }
  }

  readerIssues(writer: ParsedSchema): string[] {
    if (!(writer instanceof AvroSchema)) return ['TYPE_MISMATCH: the old schema is not an Avro schema']
    return avroReaderIssues(
      { schema: this.json, named: this.named },
      { schema: writer.json, named: writer.named },
    )
  }
}

export const avroFormat: SchemaFormat = {
  schemaType: 'AVRO',
  parse(schema: string, references: readonly ResolvedReference[]): AvroSchema {
    const registry: Record<string, avro.Type> = {}
    const named: NamedTypes = new Map()
    for (const reference of references) {
      const json = parseJson(reference.schema, `reference ${reference.name}`)
      try {
        checkedType(json, registry)
      } catch (error) {
        throw invalidSchema(`reference ${reference.name}: ${(error as Error).message}`)
      }
      collectNamedTypes(json, '', named)
    }
    const json = parseJson(schema, 'not JSON')
    let type: avro.Type
    try {
      type = checkedType(json, registry)
    } catch (error) {
      throw invalidSchema(`${schema}, details: ${(error as Error).message}`)
    }
    collectNamedTypes(json, '', named)
    return new AvroSchema(json, type, named, references)
  },
}
