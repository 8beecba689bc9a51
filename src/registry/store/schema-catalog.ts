// What a registration decides against: the subjects, versions and ids of the registry, seen through
// the SchemaCatalog interface. The committed catalog is the state every reader sees (applied from
// `_schemas`, durable). The pending overlay adds the registrations decided but not yet durable (group
// commit, registry-store.ts): the next registration must not pick their id or version again, and must
// find them when it registers the same schema, but no reader may see them before they are on disk.

import type { ParsedSchema } from '../formats/types.ts'
import { contextOf } from './contexts.ts'
import type { SchemaValue } from './records.ts'
import type { SchemaContent } from './state.ts'

export type ContentFields = Pick<SchemaContent, 'schemaType' | 'references' | 'schema'>

export interface SchemaCatalog {
  /** The versions of a subject in ascending order; soft-deleted ones only when asked. */
  versionsOf(subject: string, options: { deleted: boolean }): SchemaValue[]
  /** The largest version the subject ever had (soft-deleted included). */
  maxVersionOf(subject: string): number
  hasVersion(subject: string, version: number): boolean
  /** The id this content already has in the subject's context, or undefined. */
  idOfContent(subject: string, content: ContentFields): number | undefined
  /** Whether `id` names a schema in the subject's context. */
  hasId(subject: string, id: number): boolean
  /** The largest id ever seen in the subject's context (the next one is above it). */
  maxIdOf(subject: string): number
  /** The parsed schema of `id` in the subject's context. */
  parsedSchemaOf(subject: string, id: number): Promise<ParsedSchema>
}

export interface PendingRegistration {
  value: SchemaValue
  /** Resolves once the registration is durable and applied to the committed state. */
  durable: Promise<void>
}

/** Parses a pending registration's schema (asked only when another registration compares with it). */
export type ParsePending = (value: SchemaValue) => Promise<ParsedSchema>

function sameContent(value: SchemaValue, content: ContentFields): boolean {
  return (
    value.schemaType === content.schemaType &&
    value.schema === content.schema &&
    JSON.stringify(value.references) === JSON.stringify(content.references)
  )
}

/** Registrations decided and queued for the next group commit, until they are applied. */
export class PendingRegistrations {
  private readonly entries = new Set<PendingRegistration>()

  get size(): number {
    return this.entries.size
  }

  add(entry: PendingRegistration): void {
    this.entries.add(entry)
  }

  delete(entry: PendingRegistration): void {
    this.entries.delete(entry)
  }

  /** The durability of `value` when it is a pending registration (an answer naming it waits for it). */
  durableOf(value: SchemaValue): Promise<void> | undefined {
    for (const entry of this.entries) if (entry.value === value) return entry.durable
    return undefined
  }

  /**
   * `committed` with the pending registrations added. A pending schema is parsed again when asked for
   * (`parse`): the parse of its registration is not kept while it waits for the group commit, so it
   * dies young instead of being promoted to the old generation with the registration's other objects.
   */
  over(committed: SchemaCatalog, parse: ParsePending): SchemaCatalog {
    const entries = this.entries
    const inSubject = (subject: string): SchemaValue[] => {
      const values: SchemaValue[] = []
      for (const entry of entries) if (entry.value.subject === subject) values.push(entry.value)
      return values
    }
    const inContextOf = (subject: string): PendingRegistration[] => {
      const context = contextOf(subject)
      return [...entries].filter((entry) => contextOf(entry.value.subject) === context)
    }
    return {
      versionsOf(subject, options) {
        const byVersion = new Map<number, SchemaValue>()
        for (const value of committed.versionsOf(subject, options)) byVersion.set(value.version, value)
        for (const value of inSubject(subject)) byVersion.set(value.version, value)
        return [...byVersion.values()].sort((a, b) => a.version - b.version)
      },
      maxVersionOf(subject) {
        let max = committed.maxVersionOf(subject)
        for (const value of inSubject(subject)) max = Math.max(max, value.version)
        return max
      },
      hasVersion(subject, version) {
        return (
          committed.hasVersion(subject, version) ||
          inSubject(subject).some((value) => value.version === version)
        )
      },
      idOfContent(subject, content) {
        return (
          committed.idOfContent(subject, content) ??
          inContextOf(subject).find((entry) => sameContent(entry.value, content))?.value.id
        )
      },
      hasId(subject, id) {
        return committed.hasId(subject, id) || inContextOf(subject).some((entry) => entry.value.id === id)
      },
      maxIdOf(subject) {
        let max = committed.maxIdOf(subject)
        for (const entry of inContextOf(subject)) max = Math.max(max, entry.value.id)
        return max
      },
      parsedSchemaOf(subject, id) {
        const pending = inContextOf(subject).find((entry) => entry.value.id === id)
        return pending === undefined ? committed.parsedSchemaOf(subject, id) : parse(pending.value)
      },
    }
  }
}
