// Which schema id a registry serializer writes, and the schema an id names, through the broker's own
// registry store: Confluent's serializer logic (AbstractKafkaSchemaSerDe) without HTTP.
// - useSchemaId: that id; useLatestVersion: the subject's latest version; autoRegisterSchemas (the
//   default): register under the subject (an existing version's id is reused); otherwise look the
//   schema up under the subject (40401/40403 when it is not there).
// - The id is cached per subject for the serializer's life, as Confluent's serializers cache it,
//   except with useLatestVersion, which reads the store each time (a new version is used at once).
// Confluent's wire format: magic byte 0, the id as a big-endian int32, the payload.

import { DecodeError, EncodeError } from '../../errors.ts'
import type { ParsedSchema } from '../../registry/formats/types.ts'
import type { RegistryRuntime } from '../../registry/runtime.ts'
import type { SchemaReference, SchemaType } from '../../registry/store/records.ts'
import type { RegistryStore } from '../../registry/store/registry-store.ts'
import { subjectFor } from '../../registry/validation/subject-name-strategy.ts'
import { refuseRules } from './data-contract-rules.ts'
import type { RegistrySerializerOptions } from './registry-serdes.ts'
import type { SerdeContext } from './types.ts'

const magicByte = 0
export const headerBytes = 5

/** The schema a serializer writes with: its id and the parsed schema registered under it. */
export interface WriterSchema {
  id: number
  parsed: ParsedSchema
  /** The data-contract rules of the version written with (refused: data-contract-rules.ts). */
  ruleSet?: unknown
}

/** The ruleSet of `id` as the registry's /schemas/ids/{id}?subject= gives it: `subject`'s version,
 * else the first subject-version using the id. */
function ruleSetOfId(store: RegistryStore, id: number, subject: string | null): unknown {
  const users = store.state.usersOf(id)
  return (users.find((value) => value.subject === subject) ?? users[0])?.ruleSet
}

/** The parsed schema a deserializer reads `id` with; a schema whose rules apply to reading is refused. */
export async function readerSchemaOfId(
  runtime: RegistryRuntime,
  id: number,
  context: SerdeContext,
): Promise<ParsedSchema> {
  const parsed = await schemaOfId(runtime, id)
  const subject = `${context.topic}-${context.isKey ? 'key' : 'value'}`
  refuseRules(ruleSetOfId(await runtime.store(), id, subject), 'READ', id)
  return parsed
}

/** Bytes in Confluent's wire format: the magic byte, the id, then the payload. */
export function withHeader(id: number, payload: Buffer): Buffer {
  const header = Buffer.alloc(headerBytes)
  header.writeUInt8(magicByte, 0)
  header.writeInt32BE(id, 1)
  return Buffer.concat([header, payload])
}

/** The schema id and the payload of bytes in Confluent's wire format (DecodeError otherwise). */
export function splitHeader(bytes: Buffer): { id: number; payload: Buffer } {
  if (bytes.length < headerBytes)
    throw new DecodeError(
      `Confluent wire format needs ${headerBytes} bytes, got ${bytes.length}`,
      0,
      'header',
    )
  if (bytes[0] !== magicByte) throw new DecodeError(`Unknown magic byte ${bytes[0]}`, 0, 'magic byte')
  return { id: bytes.readInt32BE(1), payload: bytes.subarray(headerBytes) }
}

/** The parsed schema of a registered id; reads `_schemas` to its end once if the id is unknown. */
export async function schemaOfId(runtime: RegistryRuntime, id: number): Promise<ParsedSchema> {
  const store = await runtime.store()
  if (!store.state.contents.has(id)) await store.refresh()
  return store.parsedSchemaOf(id)
}

/** What a serializer was given: its format, its schema text (if any) and how it picks the id. */
export interface SchemaSource {
  schemaType: SchemaType
  schema: string | null
  options: RegistrySerializerOptions
  /** The record name RecordNameStrategy names the subject after (null: the schema's own). */
  recordName(parsed: ParsedSchema): string | null
  /** The references to register and look the schema up with (default: `options.references`); Protobuf
   * registers the files it imports here (protobuf-references.ts). */
  references?(store: RegistryStore): Promise<SchemaReference[]>
}

/** Picks and caches the writer schema per subject for one serializer. */
export class WriterSchemas {
  private readonly runtime: RegistryRuntime
  private readonly source: SchemaSource
  private readonly bySubject = new Map<string, Promise<WriterSchema>>()
  private ownParsed: Promise<ParsedSchema> | null = null
  private ownReferences: Promise<SchemaReference[]> | null = null

  constructor(runtime: RegistryRuntime, source: SchemaSource) {
    this.runtime = runtime
    this.source = source
    const { options, schema } = source
    if (schema === null && options.useSchemaId === undefined && options.useLatestVersion !== true)
      throw new EncodeError('a registry serializer needs a schema, useLatestVersion or useSchemaId')
  }

  /** The schema to write with; one whose data-contract rules apply to writing is refused (EncodeError). */
  async schemaFor(context: SerdeContext): Promise<WriterSchema> {
    const writer = await this.chosenSchema(context)
    refuseRules(writer.ruleSet, 'WRITE', writer.id)
    return writer
  }

  private async chosenSchema(context: SerdeContext): Promise<WriterSchema> {
    const { options } = this.source
    if (options.useSchemaId !== undefined) {
      const id = options.useSchemaId
      return this.cached(`\u0000id`, async () => {
        const parsed = await schemaOfId(this.runtime, id)
        const store = await this.runtime.store()
        const topicSubject = `${context.topic}-${context.isKey ? 'key' : 'value'}`
        return { id, parsed, ruleSet: ruleSetOfId(store, id, topicSubject) }
      })
    }
    const subject = await this.subjectOf(context)
    if (options.useLatestVersion === true) return this.latestOf(subject)
    return this.cached(subject, () => this.registerOrLookUp(subject))
  }

  private cached(key: string, build: () => Promise<WriterSchema>): Promise<WriterSchema> {
    let found = this.bySubject.get(key)
    if (found === undefined) {
      found = build()
      // A failure (subject missing, incompatible schema) is not kept: the next record tries again.
      found.catch(() => this.bySubject.delete(key))
      this.bySubject.set(key, found)
    }
    return found
  }

  private async subjectOf(context: SerdeContext): Promise<string> {
    const strategy = this.source.options.subjectNameStrategy ?? 'TopicNameStrategy'
    const side = context.isKey ? 'key' : 'value'
    if (strategy === 'TopicNameStrategy') return subjectFor(strategy, context.topic, side, null) as string
    const parsed = await this.parsedOwn()
    const subject = subjectFor(strategy, context.topic, side, this.source.recordName(parsed))
    if (subject === null) throw new EncodeError(`the schema has no record name for ${strategy}`)
    return subject
  }

  private parsedOwn(): Promise<ParsedSchema> {
    const { schemaType, schema, options } = this.source
    if (schema === null) throw new EncodeError(`${options.subjectNameStrategy} needs the schema given`)
    this.ownParsed ??= this.runtime
      .store()
      .then(async (store) => store.parse(schemaType, schema, await this.referencesFor(store)))
    return this.ownParsed
  }

  /** The schema's references, resolved once (a failure is not kept: the next record tries again). */
  private referencesFor(store: RegistryStore): Promise<SchemaReference[]> {
    if (this.ownReferences === null) {
      const resolving = this.source.references?.(store) ?? Promise.resolve(referencesOf(this.source.options))
      resolving.catch(() => {
        this.ownReferences = null
      })
      this.ownReferences = resolving
    }
    return this.ownReferences
  }

  private async latestOf(subject: string): Promise<WriterSchema> {
    const store = await this.runtime.store()
    const { versionOf } = await import('../../registry/subject-operations.ts')
    const latest = versionOf(store, subject, -1, { deleted: false })
    return { id: latest.id, parsed: await store.parsedSchemaOf(latest.id), ruleSet: latest.ruleSet }
  }

  private async registerOrLookUp(subject: string): Promise<WriterSchema> {
    const { schemaType, schema, options } = this.source
    const store: RegistryStore = await this.runtime.store()
    const { lookUpSchema, registerSchema } = await import('../../registry/subject-operations.ts')
    const request = { schemaType, schema: schema as string, references: await this.referencesFor(store) }
    const normalize = options.normalizeSchemas === true
    const value =
      options.autoRegisterSchemas === false
        ? await lookUpSchema(store, subject, request, { normalize, deleted: false })
        : await registerSchema(store, subject, request, { normalize })
    return { id: value.id, parsed: await store.parsedSchemaOf(value.id), ruleSet: value.ruleSet }
  }
}

function referencesOf(options: RegistrySerializerOptions): SchemaReference[] {
  return (options.references ?? []).map(({ name, subject, version }) => ({ name, subject, version }))
}
