// The registry's in-memory state and the one function that changes it: applyRecord, called for every
// record of `_schemas` in offset order, both when replaying at start and when the registry's own
// write comes back (registry-store.ts). Nothing else mutates this state, so what a restart rebuilds
// is by construction what was acknowledged.
// Ids live in the context of their subject (contexts.ts): each context has its own IdSpace, so ids
// start at 1 in each and the same id may name different schemas in two contexts, as in Confluent.
// `contents`, `maxId`, `idOfContent` and `usersOf` without a context are the default context's.

import { contextOf, defaultContext } from './contexts.ts'
import type { RegistryRecord, SchemaReference, SchemaType, SchemaValue } from './records.ts'

/** The content a global id names; shared by every subject-version registered with it. */
export interface SchemaContent {
  id: number
  schemaType: SchemaType
  schema: string
  references: SchemaReference[]
}

function contentKey(content: Pick<SchemaContent, 'schemaType' | 'references' | 'schema'>): string {
  return `${content.schemaType}\u0000${JSON.stringify(content.references)}\u0000${content.schema}`
}

/** The key of the global config and mode (Confluent writes them with no subject). */
export const globalScope = ''

/** One context's ids: their contents, users, and the largest id ever seen there. */
export class IdSpace {
  /** id → content, while at least one subject-version names it. */
  readonly contents = new Map<number, SchemaContent>()
  /** id → "subject\u0000version" of every subject-version using it. */
  readonly usersOfId = new Map<number, Set<string>>()
  /** contentKey(type, references, schema text) → id: finds the id a schema already has in O(1). */
  readonly idByContent = new Map<string, number>()
  /** The largest id ever seen in this context, so a new id is always above every id handed out. */
  maxId = 0
}

export class RegistryState {
  /** subject → version → value (soft-deleted versions included, with deleted: true). */
  readonly subjects = new Map<string, Map<number, SchemaValue>>()
  /** context → its ids (the default context's always exists). */
  readonly spaces = new Map<string, IdSpace>([[defaultContext, new IdSpace()]])
  private readonly defaultSpace = this.spaces.get(defaultContext) as IdSpace
  /** subject (or globalScope) → ConfigValue as stored (compatibilityLevel, normalize, …). */
  readonly configs = new Map<string, Record<string, unknown>>()
  /** subject (or globalScope) → mode. */
  readonly modes = new Map<string, string>()
  /** Records applied (metrics, tests). */
  applied = 0

  /** The default context's id → content. */
  get contents(): Map<number, SchemaContent> {
    return this.defaultSpace.contents
  }

  /** The largest id ever seen in the default context. */
  get maxId(): number {
    return this.defaultSpace.maxId
  }

  /** The ids of a context (undefined while it has none). */
  spaceOf(context: string): IdSpace | undefined {
    return this.spaces.get(context)
  }

  private spaceFor(subject: string): IdSpace {
    const context = contextOf(subject)
    let space = this.spaces.get(context)
    if (space === undefined) {
      space = new IdSpace()
      this.spaces.set(context, space)
    }
    return space
  }

  applyRecord(record: RegistryRecord): void {
    this.applied++
    switch (record.keytype) {
      case 'SCHEMA':
        if (record.value === null) this.removeVersion(record.subject, record.version)
        else this.putVersion(record.value)
        return
      case 'CONFIG':
        if (record.value === null) this.configs.delete(record.subject ?? globalScope)
        else this.configs.set(record.subject ?? globalScope, record.value)
        return
      case 'MODE':
        if (record.value === null) this.modes.delete(record.subject ?? globalScope)
        else this.modes.set(record.subject ?? globalScope, record.value.mode)
        return
      case 'DELETE_SUBJECT': {
        if (record.value === null) return
        const versions = this.subjects.get(record.subject)
        if (versions === undefined) return
        for (const [version, value] of versions)
          if (version <= record.value.version) versions.set(version, { ...value, deleted: true })
        return
      }
      case 'CLEAR_SUBJECT': {
        const versions = this.subjects.get(record.subject)
        if (versions === undefined) return
        for (const [version, value] of [...versions])
          if (value.deleted) this.removeVersion(record.subject, version)
        return
      }
      case 'NOOP':
        return
    }
  }

  private putVersion(value: SchemaValue): void {
    let versions = this.subjects.get(value.subject)
    if (versions === undefined) {
      versions = new Map()
      this.subjects.set(value.subject, versions)
    }
    const previous = versions.get(value.version)
    if (previous !== undefined && previous.id !== value.id)
      this.dropUser(previous.id, value.subject, value.version)
    versions.set(value.version, value)
    const space = this.spaceFor(value.subject)
    if (!space.contents.has(value.id)) {
      space.contents.set(value.id, {
        id: value.id,
        schemaType: value.schemaType,
        schema: value.schema,
        references: value.references,
      })
      space.idByContent.set(contentKey(value), value.id)
    }
    let users = space.usersOfId.get(value.id)
    if (users === undefined) {
      users = new Set()
      space.usersOfId.set(value.id, users)
    }
    users.add(`${value.subject}\u0000${value.version}`)
    if (value.id > space.maxId) space.maxId = value.id
  }

  private removeVersion(subject: string, version: number): void {
    const versions = this.subjects.get(subject)
    const value = versions?.get(version)
    if (versions === undefined || value === undefined) return
    versions.delete(version)
    if (versions.size === 0) this.subjects.delete(subject)
    this.dropUser(value.id, subject, version)
  }

  private dropUser(id: number, subject: string, version: number): void {
    const space = this.spaceFor(subject)
    const users = space.usersOfId.get(id)
    users?.delete(`${subject}\u0000${version}`)
    if (users !== undefined && users.size === 0) {
      space.usersOfId.delete(id)
      const content = space.contents.get(id)
      if (content !== undefined && space.idByContent.get(contentKey(content)) === id)
        space.idByContent.delete(contentKey(content))
      space.contents.delete(id)
    }
  }

  /** The id registered for exactly this content in `context` (stored text is canonical), or undefined. */
  idOfContent(
    content: Pick<SchemaContent, 'schemaType' | 'references' | 'schema'>,
    context = defaultContext,
  ): number | undefined {
    return this.spaces.get(context)?.idByContent.get(contentKey(content))
  }

  /** Every subject-version registered with `id` in `context` (soft-deleted ones included). */
  usersOf(id: number, context = defaultContext): SchemaValue[] {
    const users: SchemaValue[] = []
    for (const user of this.spaces.get(context)?.usersOfId.get(id) ?? []) {
      const [subject, version] = user.split('\u0000')
      const value = this.subjects.get(subject)?.get(Number(version))
      if (value !== undefined) users.push(value)
    }
    return users.sort((a, b) =>
      a.subject === b.subject ? a.version - b.version : a.subject < b.subject ? -1 : 1,
    )
  }

  /** The versions of a subject in ascending order; soft-deleted ones only when asked. */
  versionsOf(subject: string, options: { deleted: boolean }): SchemaValue[] {
    const versions = this.subjects.get(subject)
    if (versions === undefined) return []
    return [...versions.values()]
      .filter((value) => options.deleted || !value.deleted)
      .sort((a, b) => a.version - b.version)
  }

  /** The largest version a subject ever had (soft-deleted included): the next one is above it. */
  maxVersionOf(subject: string): number {
    let max = 0
    for (const version of this.subjects.get(subject)?.keys() ?? []) if (version > max) max = version
    return max
  }
}
