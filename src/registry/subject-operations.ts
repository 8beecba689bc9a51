// Registering, looking up and deleting schemas under a subject: the rules of Confluent's
// KafkaSchemaRegistry (register, lookUpSchemaUnderSubject, deleteSchemaVersion, deleteSubject),
// each write one durable record batch through the store. Registrations decide one at a time against
// the committed state plus the registrations still waiting for their group commit (SchemaCatalog), so
// ids and versions are picked by one writer at a time; deletes run alone (store.serialize).

import { type CompatibilityLevel, compatibilityIssues } from './compatibility.ts'
import {
  incompatibleSchema,
  invalidSubject,
  operationNotPermitted,
  referenceExists,
  schemaNotFound,
  subjectNotFound,
  subjectNotSoftDeleted,
  subjectSoftDeleted,
  versionNotFound,
  versionNotSoftDeleted,
  versionSoftDeleted,
} from './errors.ts'
import type { ParsedSchema } from './formats/types.ts'
import type { SchemaRequest } from './schema-request.ts'
import { checkWritable, compatibilityOf, modeOf } from './settings.ts'
import { contextOf, defaultContext, isValidSubject } from './store/contexts.ts'
import type { SchemaValue } from './store/records.ts'
import { qualifiedReference, type RegistryStore } from './store/registry-store.ts'
import type { SchemaCatalog } from './store/schema-catalog.ts'

function sameReferences(a: SchemaValue['references'], b: SchemaValue['references']): boolean {
  return JSON.stringify(a) === JSON.stringify(b)
}

/** The version of `subject` holding the same schema (canonical or normalized text), or undefined. */
async function findInSubject(
  catalog: SchemaCatalog,
  subject: string,
  request: SchemaRequest,
  parsed: ParsedSchema,
  options: { normalize: boolean; deleted: boolean },
): Promise<SchemaValue | undefined> {
  const versions = catalog.versionsOf(subject, { deleted: options.deleted }).reverse()
  // Fast path: the same canonical text has an id, held by a version of this subject.
  const id = findId(catalog, subject, request, parsed)
  const same = id === undefined ? undefined : versions.find((value) => value.id === id)
  if (same !== undefined || !options.normalize) return same
  for (const value of versions) {
    if (value.schemaType !== request.schemaType || !sameReferences(value.references, request.references))
      continue
    const existing = await catalog.parsedSchemaOf(subject, value.id).catch(() => null)
    if (existing !== null && existing.normalized === parsed.normalized) return value
  }
  return undefined
}

/** The id already given to the same schema under any subject of the subject's context, or undefined
 * (stored text is canonical). */
function findId(
  catalog: SchemaCatalog,
  subject: string,
  request: SchemaRequest,
  parsed: ParsedSchema,
): number | undefined {
  return catalog.idOfContent(subject, {
    schemaType: request.schemaType,
    references: request.references,
    schema: parsed.canonical,
  })
}

/** The live versions a level compares with (oldest first): none for NONE, the latest unless transitive. */
export async function previousSchemas(
  catalog: SchemaCatalog,
  subject: string,
  level: CompatibilityLevel,
): Promise<ParsedSchema[]> {
  if (level === 'NONE') return []
  const versions = catalog.versionsOf(subject, { deleted: false })
  const needed = level.endsWith('_TRANSITIVE') ? versions : versions.slice(-1)
  return Promise.all(needed.map((value) => catalog.parsedSchemaOf(subject, value.id)))
}

/** POST /subjects/{subject}/versions: the id (existing or new) of the schema under the subject. */
export function registerSchema(
  store: RegistryStore,
  subject: string,
  request: SchemaRequest,
  options: { normalize: boolean },
): Promise<SchemaValue> {
  if (!isValidSubject(subject)) return Promise.reject(invalidSubject(subject))
  return store.register(async (catalog) => {
    const { state } = store
    checkWritable(state, subject)
    const parsed = await store.parse(
      request.schemaType,
      request.schema,
      request.references,
      contextOf(subject),
    )
    const mode = modeOf(state, subject)
    const existing = await findInSubject(catalog, subject, request, parsed, {
      normalize: options.normalize,
      deleted: false,
    })
    if (existing !== undefined && (request.id === undefined || request.id === existing.id))
      return { value: existing, write: false }
    const known = findId(catalog, subject, request, parsed)
    let id = known ?? catalog.maxIdOf(subject) + 1
    if (request.id !== undefined) {
      if (mode !== 'IMPORT' && request.id !== known)
        throw operationNotPermitted(
          `Subject ${subject} is not in import mode; the id ${request.id} cannot be chosen`,
        )
      if (catalog.hasId(subject, request.id) && request.id !== known)
        throw operationNotPermitted(`Overwrite new schema with id ${request.id} is not permitted.`)
      id = request.id
    }
    if (mode !== 'IMPORT') {
      const level = compatibilityOf(state, subject)
      const issues = compatibilityIssues(level, parsed, await previousSchemas(catalog, subject, level))
      if (issues.length > 0) throw incompatibleSchema(issues)
    }
    const version = request.version ?? catalog.maxVersionOf(subject) + 1
    if (request.version !== undefined && catalog.hasVersion(subject, request.version))
      throw operationNotPermitted(`Overwrite new schema with version ${request.version} is not permitted.`)
    const value: SchemaValue = {
      subject,
      version,
      id,
      schemaType: request.schemaType,
      references: request.references,
      schema: parsed.canonical,
      deleted: false,
      ...(request.metadata === undefined ? {} : { metadata: request.metadata }),
      ...(request.ruleSet === undefined ? {} : { ruleSet: request.ruleSet }),
    }
    return { value, write: true }
  })
}

/**
 * The version of `subject` holding the content `schema` (already canonical) has, found in O(1) without
 * parsing, or undefined (then the caller parses: the text may be new, invalid, or need `normalize`).
 */
function findCanonicalInSubject(
  store: RegistryStore,
  subject: string,
  request: SchemaRequest,
  schema: string,
  options: { deleted: boolean },
): SchemaValue | undefined {
  const id = store.state.idOfContent(
    { schemaType: request.schemaType, references: request.references, schema },
    contextOf(subject),
  )
  return id === undefined ? undefined : store.state.latestVersionWithId(subject, id, options)
}

/** POST /subjects/{subject}: the subject-version holding this schema. */
export async function lookUpSchema(
  store: RegistryStore,
  subject: string,
  request: SchemaRequest,
  options: { normalize: boolean; deleted: boolean },
): Promise<SchemaValue> {
  if (!store.state.hasVersions(subject, { deleted: options.deleted })) throw subjectNotFound(subject)
  // Serializers send the same text again and again: as stored (canonical), or a text parsed before.
  const context = contextOf(subject)
  const { schemaType, references, schema } = request
  const known = findCanonicalInSubject(store, subject, request, schema, options)
  if (known !== undefined) return known
  // A text's canonical form may depend on its references, which resolve in the subject's context.
  const cacheable = references.length === 0 || context === defaultContext
  const canonical = cacheable ? store.canonicalTexts.get(schemaType, references, schema) : undefined
  const cached =
    canonical === undefined ? undefined : findCanonicalInSubject(store, subject, request, canonical, options)
  if (cached !== undefined) return cached
  const parsed = await store.parse(schemaType, schema, references, context)
  if (cacheable) store.canonicalTexts.set(schemaType, references, schema, parsed.canonical)
  const found = await findInSubject(store.committed, subject, request, parsed, options)
  if (found === undefined) throw schemaNotFound()
  return found
}

/** The version a path names (-1: the latest), soft-deleted ones only when `deleted`. Throws 40401/40402. */
export function versionOf(
  store: RegistryStore,
  subject: string,
  version: number,
  options: { deleted: boolean },
): SchemaValue {
  const versions = store.state.versionsOf(subject, { deleted: true })
  if (versions.length === 0 || (!options.deleted && versions.every((value) => value.deleted)))
    throw subjectNotFound(subject)
  const visible = versions.filter((value) => options.deleted || !value.deleted)
  const found = version === -1 ? visible.at(-1) : visible.find((value) => value.version === version)
  if (found === undefined) throw versionNotFound(version)
  return found
}

/** Ids of schemas whose references name subject/version (soft-deleted referrers excluded); a
 * reference resolves in its referrer's context. */
export function referencedBy(store: RegistryStore, subject: string, version: number): number[] {
  const ids = new Set<number>()
  for (const versions of store.state.subjects.values()) {
    for (const value of versions.values()) {
      if (value.deleted) continue
      const context = contextOf(value.subject)
      if (
        value.references.some(
          (reference) =>
            qualifiedReference(reference.subject, context) === subject && reference.version === version,
        )
      )
        ids.add(value.id)
    }
  }
  return [...ids].sort((a, b) => a - b)
}

/** DELETE /subjects/{subject}/versions/{version}: the version number deleted. */
export function deleteVersion(
  store: RegistryStore,
  subject: string,
  version: number,
  options: { permanent: boolean },
): Promise<number> {
  return store.serialize(async () => {
    const { state } = store
    checkWritable(state, subject)
    // A soft-deleted version named by number answers 40406 (not 40402); "latest" means the live one.
    const value = versionOf(store, subject, version, { deleted: options.permanent || version !== -1 })
    if (referencedBy(store, subject, value.version).length > 0)
      throw referenceExists(
        `One or more references exist to the schema {subject=${subject},version=${value.version}}`,
      )
    if (options.permanent) {
      if (!value.deleted) throw versionNotSoftDeleted(subject, value.version)
      await store.write([{ keytype: 'SCHEMA', subject, version: value.version, value: null }])
    } else {
      if (value.deleted) throw versionSoftDeleted(subject, value.version)
      await store.write([
        { keytype: 'SCHEMA', subject, version: value.version, value: { ...value, deleted: true } },
      ])
    }
    return value.version
  })
}

/** DELETE /subjects/{subject}: the versions deleted. */
export function deleteSubject(
  store: RegistryStore,
  subject: string,
  options: { permanent: boolean },
): Promise<number[]> {
  return store.serialize(async () => {
    const { state } = store
    checkWritable(state, subject)
    const all = state.versionsOf(subject, { deleted: true })
    if (all.length === 0) throw subjectNotFound(subject)
    const live = all.filter((value) => !value.deleted)
    for (const value of live) {
      if (referencedBy(store, subject, value.version).length > 0)
        throw referenceExists(
          `One or more references exist to the schema {subject=${subject},version=${value.version}}`,
        )
    }
    if (options.permanent) {
      if (live.length > 0) throw subjectNotSoftDeleted(subject)
      await store.write([
        ...all.map((value) => ({ keytype: 'SCHEMA' as const, subject, version: value.version, value: null })),
        { keytype: 'CLEAR_SUBJECT', subject, value: { subject } },
      ])
      return all.map((value) => value.version)
    }
    if (live.length === 0) throw subjectSoftDeleted(subject)
    const latest = live[live.length - 1].version
    await store.write([{ keytype: 'DELETE_SUBJECT', subject, value: { subject, version: latest } }])
    return live.map((value) => value.version)
  })
}
