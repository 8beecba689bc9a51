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

function sameReferences(a: readonly SchemaReference[], b: readonly SchemaReference[]): boolean {
  if (a.length !== b.length) return false
  for (let index = 0; index < a.length; index++) {
    const [x, y] = [a[index], b[index]]
    if (x.name !== y.name || x.subject !== y.subject || x.version !== y.version) return false
  }
  return true
}

/** "subject\u0000version": one user of an id. */
const userKey = (subject: string, version: number): string => `${subject}\u0000${version}`

/** The key of the global config and mode (Confluent writes them with no subject). */
export const globalScope = ''

/** One context's ids: their contents, users, and the largest id ever seen there. */
export class IdSpace {
  /** id → content, while at least one subject-version names it (the first value naming it). */
  readonly contents = new Map<number, SchemaContent>()
  /**
   * id → "subject\u0000version" of every subject-version using it: the key itself while there is one
   * (most ids), a Set once there are more (memory: a Set per id costs more than the schema's text).
   */
  private readonly usersOfId = new Map<number, string | Set<string>>()
  /**
   * Schema text → the id whose content has it (or the ids, when the same text was registered with other
   * types or references): finds the id a schema already has in O(1). Keyed by the stored text itself,
   * so the text is kept once (a key built from type, references and text would copy every schema).
   */
  private readonly idsByText = new Map<string, number | number[]>()
  /** The largest id ever seen in this context, so a new id is always above every id handed out. */
  maxId = 0

  addUser(value: SchemaValue): void {
    if (!this.contents.has(value.id)) {
      // The first value names the content (its id, type, references and text; nothing else is read).
      this.contents.set(value.id, value)
      const ids = this.idsByText.get(value.schema)
      this.idsByText.set(
        value.schema,
        ids === undefined ? value.id : [...(Array.isArray(ids) ? ids : [ids]), value.id],
      )
    }
    const user = userKey(value.subject, value.version)
    const users = this.usersOfId.get(value.id)
    if (users === undefined || users === user) this.usersOfId.set(value.id, user)
    else if (typeof users === 'string') this.usersOfId.set(value.id, new Set([users, user]))
    else users.add(user)
    if (value.id > this.maxId) this.maxId = value.id
  }

  dropUser(id: number, subject: string, version: number): void {
    const users = this.usersOfId.get(id)
    const user = userKey(subject, version)
    if (typeof users === 'object') {
      users.delete(user)
      if (users.size === 1) this.usersOfId.set(id, [...users][0])
      return
    }
    if (users !== user) return
    this.usersOfId.delete(id)
    const content = this.contents.get(id)
    this.contents.delete(id)
    const ids = content === undefined ? undefined : this.idsByText.get(content.schema)
    if (content === undefined || ids === undefined) return
    const left = (Array.isArray(ids) ? ids : [ids]).filter((each) => each !== id)
    if (left.length === 0) this.idsByText.delete(content.schema)
    else this.idsByText.set(content.schema, left.length === 1 ? left[0] : left)
  }

  /** The id registered for exactly this content (stored text is canonical), or undefined. */
  idOfContent(content: Pick<SchemaContent, 'schemaType' | 'references' | 'schema'>): number | undefined {
    const ids = this.idsByText.get(content.schema)
    if (ids === undefined) return undefined
    // The latest id with this content (IMPORT may have given the same content several ids).
    for (const id of Array.isArray(ids) ? [...ids].reverse() : [ids]) {
      const found = this.contents.get(id)
      if (
        found !== undefined &&
        found.schemaType === content.schemaType &&
        sameReferences(found.references, content.references)
      )
        return id
    }
    return undefined
  }

  /** The "subject\u0000version" keys of the users of `id`. */
  usersKeysOf(id: number): Iterable<string> {
    const users = this.usersOfId.get(id)
    return users === undefined ? [] : typeof users === 'string' ? [users] : users
  }
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
  /** Contexts with a CONTEXT record (Confluent's ContextValue): listed until deleted, even when empty. */
  readonly contexts = new Set<string>()
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
      case 'CONTEXT':
        if (record.value === null) this.contexts.delete(record.context)
        else this.contexts.add(record.context)
        return
      case 'NOOP':
        return
    }
  }

  /** The default context, every context with a record, and every context a subject names (data
   * written before context records): Confluent's listContexts, sorted. */
  contextNames(): string[] {
    const names = new Set([defaultContext, ...this.contexts])
    for (const subject of this.subjects.keys()) names.add(contextOf(subject))
    return [...names].sort()
  }

  /** True when a subject of `context` has a version, soft-deleted ones included. */
  contextHasSubjects(context: string): boolean {
    for (const subject of this.subjects.keys()) if (contextOf(subject) === context) return true
    return false
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
    this.spaceFor(value.subject).addUser(value)
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
    this.spaceFor(subject).dropUser(id, subject, version)
  }

  /** The id registered for exactly this content in `context` (stored text is canonical), or undefined. */
  idOfContent(
    content: Pick<SchemaContent, 'schemaType' | 'references' | 'schema'>,
    context = defaultContext,
  ): number | undefined {
    return this.spaces.get(context)?.idOfContent(content)
  }

  /** Every subject-version registered with `id` in `context` (soft-deleted ones included). */
  usersOf(id: number, context = defaultContext): SchemaValue[] {
    const users: SchemaValue[] = []
    for (const user of this.spaces.get(context)?.usersKeysOf(id) ?? []) {
      const [subject, version] = user.split('\u0000')
      const value = this.subjects.get(subject)?.get(Number(version))
      if (value !== undefined) users.push(value)
    }
    return users.sort((a, b) =>
      a.subject === b.subject ? a.version - b.version : a.subject < b.subject ? -1 : 1,
    )
  }

  /** The latest version of `subject` registered with `id` (soft-deleted ones only when asked): O(users of id). */
  latestVersionWithId(subject: string, id: number, options: { deleted: boolean }): SchemaValue | undefined {
    let latest: SchemaValue | undefined
    for (const user of this.spaces.get(contextOf(subject))?.usersKeysOf(id) ?? []) {
      const cut = user.lastIndexOf('\u0000')
      if (cut !== subject.length || !user.startsWith(subject)) continue
      const value = this.subjects.get(subject)?.get(Number(user.slice(cut + 1)))
      if (value === undefined || (value.deleted && !options.deleted)) continue
      if (latest === undefined || value.version > latest.version) latest = value
    }
    return latest
  }

  /** True when `subject` has a version (soft-deleted ones count only when asked). */
  hasVersions(subject: string, options: { deleted: boolean }): boolean {
    for (const value of this.subjects.get(subject)?.values() ?? [])
      if (options.deleted || !value.deleted) return true
    return false
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
