// The registry's store: the in-memory state (state.ts) kept equal to `_schemas` (schemas-topic.ts).
// A write appends its records durably, then reads the log forward from the last applied offset and
// applies what it finds, its own records included: the reply goes out only after that, so an answer
// never names an id that is not on disk, and state is only ever changed by applyRecord.
//
// Group commit: registrations decide one at a time (the id and version one picks cannot be taken by
// another), but they do not wait for each other's fdatasync. A decided registration joins the commit
// queue and the pending overlay (schema-catalog.ts), through which the next decisions see it; one
// append at a time takes everything queued as one batch, one fdatasync, then applies it and answers
// all of them. So the registrations that arrive during one sync share the next. Other writes (deletes,
// config, mode) are exclusive: they wait until the queue is empty, decide on the committed state and
// write alone. Parsed schemas are cached by context and id (bounded by the ids registered).

import { CanonicalTexts } from '../canonical-texts.ts'
import { invalidSchema, schemaNotFound } from '../errors.ts'
import { formatFor } from '../formats/index.ts'
import type { ParsedSchema, ResolvedReference } from '../formats/types.ts'
import { contextOf, contextPrefixOf, defaultContext } from './contexts.ts'
import {
  contextRecord,
  decodeRecord,
  encodeRecord,
  type RegistryRecord,
  type SchemaReference,
  type SchemaType,
  type SchemaValue,
} from './records.ts'
import { PendingRegistrations, type SchemaCatalog } from './schema-catalog.ts'
import type { SchemasTopic } from './schemas-topic.ts'
import { RegistryState } from './state.ts'

/** How deep references may nest (a cycle or a runaway chain is refused as invalid). */
const referenceDepthMax = 32

export interface StoreLogger {
  warn(object: object, message: string): void
}

/** What a registration decided: the value to answer, and whether it is new (to be written). */
export interface Registration {
  value: SchemaValue
  write: boolean
}

interface QueuedWrite {
  records: RegistryRecord[]
  resolve: () => void
  reject: (error: unknown) => void
}

/** The cache key of a parsed schema: the id in the default context, "context\u0000id" in others. */
const parsedKey = (context: string, id: number): number | string =>
  context === defaultContext ? id : `${context}\u0000${id}`

/** A reference's subject as the referrer's context sees it (Confluent's qualifySubjectWithParent). */
export function qualifiedReference(referenceSubject: string, context: string): string {
  if (context === defaultContext || referenceSubject.startsWith(':.')) return referenceSubject
  return `${contextPrefixOf(context)}${referenceSubject}`
}

export class RegistryStore {
  readonly state = new RegistryState()
  private readonly topic: SchemasTopic
  private readonly log: StoreLogger
  private tail: Promise<unknown> = Promise.resolve()
  private readonly parsedById = new Map<number | string, Promise<ParsedSchema>>()
  /** Lookups' texts already parsed → their canonical text (subject-operations.ts). */
  readonly canonicalTexts = new CanonicalTexts()
  private readonly pending = new PendingRegistrations()
  private readonly queue: QueuedWrite[] = []
  private committing: Promise<void> | null = null
  /** Appends to `_schemas` (each one fdatasync) and the records they carried: the group commit's effect. */
  readonly commits = { appends: 0, records: 0 }
  /** The committed state as a catalog (what readers see). */
  readonly committed: SchemaCatalog

  constructor(topic: SchemasTopic, log: StoreLogger) {
    this.topic = topic
    this.log = log
    const { state } = this
    this.committed = {
      versionsOf: (subject, options) => state.versionsOf(subject, options),
      maxVersionOf: (subject) => state.maxVersionOf(subject),
      hasVersion: (subject, version) => state.subjects.get(subject)?.has(version) === true,
      idOfContent: (subject, content) => state.idOfContent(content, contextOf(subject)),
      hasId: (subject, id) => state.spaceOf(contextOf(subject))?.contents.has(id) === true,
      maxIdOf: (subject) => state.spaceOf(contextOf(subject))?.maxId ?? 0,
      parsedSchemaOf: (subject, id) => this.parsedSchemaOf(id, contextOf(subject)),
    }
  }

  /** Replays `_schemas` from the start (the registry's start). */
  load(): Promise<void> {
    return this.serialize(() => this.catchUp())
  }

  /** Applies what `_schemas` holds beyond the last record applied (written by another registry). */
  refresh(): Promise<void> {
    return this.serialize(() => this.catchUp())
  }

  /** Runs `operation` alone: after every earlier decision, once every queued write is applied. */
  serialize<T>(operation: () => Promise<T>): Promise<T> {
    return this.decide(async () => {
      await this.drained()
      return operation()
    })
  }

  /** Runs `operation` after every earlier decision has finished (decisions are one at a time). */
  private decide<T>(operation: () => Promise<T>): Promise<T> {
    const run = this.tail.then(operation, operation)
    this.tail = run.catch(() => undefined)
    return run
  }

  /**
   * A registration through the group commit: `decide` runs alone against the committed state plus the
   * registrations still pending; a new one is queued for the next append. Resolves with the value once
   * it (or the pending registration it found) is durable and applied.
   */
  async register(decide: (catalog: SchemaCatalog) => Promise<Registration>): Promise<SchemaValue> {
    const { value, durable } = await this.decide(async () => {
      const registration = await decide(this.pending.over(this.committed, this.parsePending))
      if (!registration.write)
        return { value: registration.value, durable: this.pending.durableOf(registration.value) }
      // Only the value waits for the commit (the parse is dropped here: schema-catalog.ts `over`).
      const { value: decided } = registration
      // A context's first schema also records the context (Confluent's ContextKey), so the context
      // stays listed after its subjects are gone, until DELETE /contexts/{context}.
      const context = contextOf(decided.subject)
      const marksContext = context !== defaultContext && !this.state.contexts.has(context)
      const written = this.enqueue([
        ...(marksContext ? [contextRecord(context)] : []),
        { keytype: 'SCHEMA', subject: decided.subject, version: decided.version, value: decided },
      ])
      const entry = { value: decided, durable: written }
      this.pending.add(entry)
      const settle = (): void => this.pending.delete(entry)
      written.then(settle, settle)
      return { value: decided, durable: written }
    })
    await durable
    return value
  }

  /** A pending registration's schema, parsed again (its references resolve in its subject's context). */
  private readonly parsePending = (value: SchemaValue): Promise<ParsedSchema> =>
    this.parse(value.schemaType, value.schema, value.references, contextOf(value.subject))

  /** Appends `records` durably and applies the log up to and including them. Call inside serialize. */
  write(records: RegistryRecord[]): Promise<void> {
    return this.enqueue(records)
  }

  private enqueue(records: RegistryRecord[]): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ records, resolve, reject })
      this.committing ??= this.commitQueued()
    })
  }

  /** One append at a time of everything queued (one batch, one fdatasync), applied, then answered. */
  private async commitQueued(): Promise<void> {
    while (this.queue.length > 0) {
      const writes = this.queue.splice(0)
      const records = writes.flatMap((write) => write.records)
      try {
        await this.topic.append(records.map(encodeRecord), Date.now())
        this.commits.appends++
        this.commits.records += records.length
        await this.catchUp()
        for (const write of writes) write.resolve()
      } catch (error) {
        for (const write of writes) write.reject(error)
      }
    }
    this.committing = null
  }

  /** Resolves once nothing is queued or being written. */
  private async drained(): Promise<void> {
    while (this.committing !== null) await this.committing
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
      if (record.keytype === 'SCHEMA' && record.value !== null)
        this.parsedById.delete(parsedKey(contextOf(record.subject), record.value.id))
      this.state.applyRecord(record)
    })
  }

  /** The references' schemas, each with everything it references before it (depth-first). */
  async resolveReferences(
    references: readonly SchemaReference[],
    context = defaultContext,
    depth = 0,
  ): Promise<ResolvedReference[]> {
    if (depth > referenceDepthMax) throw invalidSchema(`references nest deeper than ${referenceDepthMax}`)
    const resolved: ResolvedReference[] = []
    const seen = new Set<string>()
    for (const reference of references) {
      const subject = qualifiedReference(reference.subject, context)
      const versions = this.state.subjects.get(subject)
      const version =
        reference.version === -1
          ? this.state.versionsOf(subject, { deleted: false }).at(-1)
          : versions?.get(reference.version)
      if (version === undefined) {
        throw invalidSchema(
          `reference ${reference.name}: subject '${reference.subject}' version ${reference.version} not found`,
        )
      }
      for (const nested of await this.resolveReferences(version.references, contextOf(subject), depth + 1)) {
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

  /** Parses a schema; its references resolve in `context` (the context of its subject). */
  async parse(
    schemaType: SchemaType,
    schema: string,
    references: readonly SchemaReference[],
    context = defaultContext,
  ): Promise<ParsedSchema> {
    const format = await formatFor(schemaType)
    return format.parse(schema, await this.resolveReferences(references, context))
  }

  /** The schema text of `id` in `context`, in the `format` asked (`serialized`: Protobuf as a descriptor). */
  async schemaTextOf(id: number, format: string | null, context = defaultContext): Promise<string> {
    const content = this.state.spaceOf(context)?.contents.get(id)
    if (content === undefined) throw schemaNotFound()
    if (format !== 'serialized' || content.schemaType !== 'PROTOBUF') return content.schema
    const parsed = await this.parsedSchemaOf(id, context)
    return parsed.serialized?.() ?? content.schema
  }

  /** The parsed schema of a registered id in `context` (cached). */
  parsedSchemaOf(id: number, context = defaultContext): Promise<ParsedSchema> {
    const key = parsedKey(context, id)
    let parsed = this.parsedById.get(key)
    if (parsed === undefined) {
      const content = this.state.spaceOf(context)?.contents.get(id)
      if (content === undefined) return Promise.reject(schemaNotFound())
      parsed = this.parse(content.schemaType, content.schema, content.references, context)
      parsed.catch(() => this.parsedById.delete(key))
      this.parsedById.set(key, parsed)
    }
    return parsed
  }
}
