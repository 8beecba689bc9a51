// The records of `_schemas`, in Confluent's JSON formats (io.confluent.kafka.schemaregistry.storage:
// SchemaKey/SchemaValue, ConfigKey/ConfigValue, ModeKey/ModeValue, DeleteSubjectKey/Value,
// ClearSubjectKey/Value, NoopKey), so another registry could read this topic and we can read theirs.
//
//   SCHEMA         {"keytype":"SCHEMA","subject":"s","version":1,"magic":1}
//                  {"subject":"s","version":1,"id":1,"schemaType":"JSON","references":[…],"schema":"…","deleted":false}
//                  null value: the version was deleted permanently
//   CONFIG         {"keytype":"CONFIG","subject":"s","magic":0} (no subject: global) {"compatibilityLevel":"FULL"}
//   MODE           {"keytype":"MODE","subject":"s","magic":0}                        {"mode":"READONLY"}
//   DELETE_SUBJECT {"keytype":"DELETE_SUBJECT","subject":"s","magic":0}  {"subject":"s","version":3}
//   CLEAR_SUBJECT  {"keytype":"CLEAR_SUBJECT","subject":"s","magic":0}   {"subject":"s"}
//   CONTEXT        {"keytype":"CONTEXT","tenant":"default","context":".ctx","magic":0}
//                  {"tenant":"default","context":".ctx"}; null value: the context was deleted
//   NOOP           {"keytype":"NOOP","magic":0}                           (ignored)
// Records that do not parse are skipped on replay (logged by the caller), as Confluent's reader does.

export type SchemaType = 'AVRO' | 'JSON' | 'PROTOBUF'

export interface SchemaReference {
  name: string
  subject: string
  version: number
}

export interface SchemaValue {
  subject: string
  version: number
  id: number
  schemaType: SchemaType
  references: SchemaReference[]
  schema: string
  deleted: boolean
  /** Stored and returned as given (Confluent's data contracts). */
  metadata?: unknown
  ruleSet?: unknown
}

export type RegistryRecord =
  | { keytype: 'SCHEMA'; subject: string; version: number; value: SchemaValue | null }
  | { keytype: 'CONFIG'; subject: string | null; value: Record<string, unknown> | null }
  | { keytype: 'MODE'; subject: string | null; value: { mode: string } | null }
  | { keytype: 'DELETE_SUBJECT'; subject: string; value: { subject: string; version: number } | null }
  | { keytype: 'CLEAR_SUBJECT'; subject: string; value: { subject: string } | null }
  | { keytype: 'CONTEXT'; context: string; value: { tenant: string; context: string } | null }
  | { keytype: 'NOOP' }

export interface EncodedRecord {
  key: Buffer
  value: Buffer | null
}

const json = (value: unknown): Buffer => Buffer.from(JSON.stringify(value))

/** The key and value bytes of a record, field order as Confluent writes them. */
export function encodeRecord(record: RegistryRecord): EncodedRecord {
  switch (record.keytype) {
    case 'SCHEMA': {
      const key = json({ keytype: 'SCHEMA', subject: record.subject, version: record.version, magic: 1 })
      if (record.value === null) return { key, value: null }
      const { schemaType, references, metadata, ruleSet, ...rest } = record.value
      return {
        key,
        value: json({
          subject: rest.subject,
          version: rest.version,
          id: rest.id,
          ...(schemaType === 'AVRO' ? {} : { schemaType }),
          ...(references.length === 0 ? {} : { references }),
          ...(metadata === undefined ? {} : { metadata }),
          ...(ruleSet === undefined ? {} : { ruleSet }),
          schema: rest.schema,
          deleted: rest.deleted,
        }),
      }
    }
    case 'CONFIG':
    case 'MODE':
    case 'DELETE_SUBJECT':
    case 'CLEAR_SUBJECT': {
      const subject = record.subject === null ? {} : { subject: record.subject }
      return {
        key: json({ keytype: record.keytype, ...subject, magic: 0 }),
        value: record.value === null ? null : json(record.value),
      }
    }
    case 'CONTEXT':
      return {
        key: json({ keytype: 'CONTEXT', tenant: defaultTenant, context: record.context, magic: 0 }),
        value: record.value === null ? null : json(record.value),
      }
    case 'NOOP':
      return { key: json({ keytype: 'NOOP', magic: 0 }), value: null }
  }
}

/** Confluent's tenant of a single-tenant registry (ContextKey/ContextValue carry it). */
export const defaultTenant = 'default'

/** The CONTEXT record that marks `context` as existing (Confluent writes one with a context's first schema). */
export const contextRecord = (context: string): RegistryRecord => ({
  keytype: 'CONTEXT',
  context,
  value: { tenant: defaultTenant, context },
})

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function parseJson(bytes: Buffer): unknown {
  try {
    return JSON.parse(bytes.toString('utf8'))
  } catch {
    return undefined
  }
}

function schemaTypeOf(value: unknown): SchemaType | null {
  if (value === undefined || value === null) return 'AVRO'
  return value === 'AVRO' || value === 'JSON' || value === 'PROTOBUF' ? value : null
}

/** The references of every value that has none: one array, not one per stored schema (never mutated). */
const noReferences: SchemaReference[] = []

function referencesOf(value: unknown): SchemaReference[] | null {
  if (value === undefined || value === null || (Array.isArray(value) && value.length === 0))
    return noReferences
  if (!Array.isArray(value)) return null
  const references: SchemaReference[] = []
  for (const each of value) {
    if (!isObject(each)) return null
    const { name, subject, version } = each
    if (typeof name !== 'string' || typeof subject !== 'string' || typeof version !== 'number') return null
    references.push({ name, subject, version })
  }
  return references
}

function decodeSchemaValue(value: unknown): SchemaValue | null {
  if (!isObject(value)) return null
  const { subject, version, id, schema, deleted } = value
  const schemaType = schemaTypeOf(value.schemaType)
  const references = referencesOf(value.references)
  if (typeof subject !== 'string' || typeof version !== 'number' || typeof id !== 'number') return null
  if (typeof schema !== 'string' || schemaType === null || references === null) return null
  return {
    subject,
    version,
    id,
    schemaType,
    references,
    schema,
    deleted: deleted === true,
    ...(value.metadata === undefined || value.metadata === null ? {} : { metadata: value.metadata }),
    ...(value.ruleSet === undefined || value.ruleSet === null ? {} : { ruleSet: value.ruleSet }),
  }
}

/** The record a key and value encode, or null when they are not a registry record we know. */
export function decodeRecord(keyBytes: Buffer, valueBytes: Buffer | null): RegistryRecord | null {
  const key = parseJson(keyBytes)
  if (!isObject(key) || typeof key.keytype !== 'string') return null
  const value = valueBytes === null ? null : parseJson(valueBytes)
  if (value === undefined) return null
  const subject = typeof key.subject === 'string' ? key.subject : null
  switch (key.keytype) {
    case 'SCHEMA': {
      if (subject === null || typeof key.version !== 'number') return null
      const decoded = value === null ? null : decodeSchemaValue(value)
      if (value !== null && decoded === null) return null
      return { keytype: 'SCHEMA', subject, version: key.version, value: decoded }
    }
    case 'CONFIG':
      if (value !== null && !isObject(value)) return null
      return { keytype: 'CONFIG', subject, value }
    case 'MODE':
      if (value !== null && (!isObject(value) || typeof value.mode !== 'string')) return null
      return { keytype: 'MODE', subject, value: value === null ? null : { mode: value.mode as string } }
    case 'DELETE_SUBJECT':
      if (subject === null) return null
      if (value !== null && (!isObject(value) || typeof value.version !== 'number')) return null
      return {
        keytype: 'DELETE_SUBJECT',
        subject,
        value: value === null ? null : { subject, version: value.version as number },
      }
    case 'CLEAR_SUBJECT':
      if (subject === null) return null
      return { keytype: 'CLEAR_SUBJECT', subject, value: value === null ? null : { subject } }
    case 'CONTEXT': {
      // Another tenant's context (a multi-tenant Confluent deployment) is not ours to serve.
      if (typeof key.context !== 'string' || (key.tenant ?? defaultTenant) !== defaultTenant) return null
      if (value !== null && !isObject(value)) return null
      const context = key.context
      return {
        keytype: 'CONTEXT',
        context,
        value: value === null ? null : { tenant: defaultTenant, context },
      }
    }
    case 'NOOP':
      return { keytype: 'NOOP' }
    default:
      return null
  }
}
