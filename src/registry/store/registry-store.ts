// The registry's store: the in-memory state (state.ts) kept equal to `_schemas` (schemas-topic.ts).
// A write appends its records durably, then reads the log forward from the last applied offset and
// applies what it finds, its own records included: the reply goes out only after that, so an answer
// never names an id that is not on disk, and state is only ever changed by applyRecord.
// Writes run one at a time (serialize), so the id and version a write picks cannot be taken by
// another write in between. Parsed schemas are cached by id (bounded by the ids registered).

import { CanonicalTexts } from '../canonical-texts.ts'
import { invalidSchema, schemaNotFound } from '../errors.ts'
import { formatFor } from '../formats/index.ts'
import type { ParsedSchema, ResolvedReference } from '../formats/types.ts'
import {
  decodeRecord,
  encodeRecord,
  type RegistryRecord,
  type SchemaReference,
  type SchemaType,
} from './records.ts'
import type { SchemasTopic } from './schemas-topic.ts'
import { RegistryState } from './state.ts'

/** How deep references may nest (a cycle or a runaway chain is refused as invalid). */
const referenceDepthMax = 32

export interface StoreLogger {
  warn(object: object, message: string): void
}

export class RegistryStore {
  readonly state = new RegistryState()
  private readonly topic: SchemasTopic
  private readonly log: StoreLogger
  private tail: Promise<unknown> = Promise.resolve()
  private readonly parsedById = new Map<number, Promise<ParsedSchema>>()
  /** Lookups' texts already parsed → their canonical text (subject-operations.ts). */
  readonly canonicalTexts = new CanonicalTexts()

  constructor(topic: SchemasTopic, log: StoreLogger) {
    this.topic = topic
    this.log = log
  }

  /** Replays `_schemas` from the start (the registry's start). */
  load(): Promise<void> {
    return this.serialize(() => this.catchUp())
  }

  /** Applies what `_schemas` holds beyond the last record applied (written by another registry). */
  refresh(): Promise<void> {
    return this.serialize(() => this.catchUp())
  }

  /** Runs `operation` after every earlier one has finished (writes are one at a time). */
  serialize<T>(operation: () => Promise<T>): Promise<T> {
    const run = this.tail.then(operation, operation)
    this.tail = run.catch(() => undefined)
    return run
  }

  /** Appends `records` durably and applies the log up to and including them. Call inside serialize. */
  async write(records: RegistryRecord[]): Promise<void> {
    await this.topic.append(records.map(encodeRecord), Date.now())
    await this.catchUp()
  }

  private async catchUp(): Promise<void> {
    await this.topic.catchUp((key, value) => {
      const record = decodeRecord(key, value)
      if (record === null) {
        this.log.warn(
          { key: key.toString('utf8').slice(0, 200) },
          'skipping a _schemas record that does not parse',
        )
        return
      }
      if (record.keytype === 'SCHEMA' && record.value !== null) this.parsedById.delete(record.value.id)
      this.state.applyRecord(record)
    })
  }

  /** The references' schemas, each with everything it references before it (depth-first). */
  async resolveReferences(references: readonly SchemaReference[], depth = 0): Promise<ResolvedReference[]> {
    if (depth > referenceDepthMax) throw invalidSchema(`references nest deeper than ${referenceDepthMax}`)
    const resolved: ResolvedReference[] = []
    const seen = new Set<string>()
    for (const reference of references) {
      const versions = this.state.subjects.get(reference.subject)
      const version =
        reference.version === -1
          ? this.state.versionsOf(reference.subject, { deleted: false }).at(-1)
          : versions?.get(reference.version)
      if (version === undefined) {
        throw invalidSchema(
          `reference ${reference.name}: subject '${reference.subject}' version ${reference.version} not found`,
        )
      }
      for (const nested of await this.resolveReferences(version.references, depth + 1)) {
        if (!seen.has(nested.name)) resolved.push(nested)
        seen.add(nested.name)
      }
      if (!seen.has(reference.name)) {
        resolved.push({
          name: reference.name,
          subject: reference.subject,
          version: version.version,
          schema: version.schema,
        })
      }
      seen.add(reference.name)
    }
    return resolved
  }

  async parse(
    schemaType: SchemaType,
    schema: string,
    references: readonly SchemaReference[],
  ): Promise<ParsedSchema> {
    const format = await formatFor(schemaType)
    return format.parse(schema, await this.resolveReferences(references))
  }

  /** The schema text of `id` in the `format` asked (`serialized`: Protobuf as a descriptor). */
  async schemaTextOf(id: number, format: string | null): Promise<string> {
    const content = this.state.contents.get(id)
    if (content === undefined) throw schemaNotFound()
    if (format !== 'serialized' || content.schemaType !== 'PROTOBUF') return content.schema
    const parsed = await this.parsedSchemaOf(id)
    return parsed.serialized?.() ?? content.schema
  }

  /** The parsed schema of a registered id (cached). */
  parsedSchemaOf(id: number): Promise<ParsedSchema> {
    let parsed = this.parsedById.get(id)
    if (parsed === undefined) {
      const content = this.state.contents.get(id)
      if (content === undefined) return Promise.reject(schemaNotFound())
      parsed = this.parse(content.schemaType, content.schema, content.references)
      parsed.catch(() => this.parsedById.delete(id))
      this.parsedById.set(id, parsed)
    }
    return parsed
  }
}
