// The body of POST /subjects/{subject}/versions, POST /subjects/{subject} and the compatibility
// routes (Confluent's RegisterSchemaRequest), checked field by field.

import { invalidSchema, RegistryError } from './errors.ts'
import { objectBody } from './http-io.ts'
import type { SchemaReference, SchemaType } from './store/records.ts'

export interface SchemaRequest {
  schema: string
  schemaType: SchemaType
  references: SchemaReference[]
  metadata?: unknown
  ruleSet?: unknown
  /** IMPORT mode: the id and version to register under. */
  id?: number
  version?: number
}

const fields = [
  'schema',
  'schemaType',
  'references',
  'metadata',
  'ruleSet',
  'id',
  'version',
  'subject',
  'schemaTagsToAdd',
  'schemaTagsToRemove',
  'propagateSchemaTags',
]

function unprocessable(message: string): RegistryError {
  return new RegistryError(422, 422, message)
}

function referencesOf(value: unknown): SchemaReference[] {
  if (value === undefined || value === null) return []
  if (!Array.isArray(value)) throw unprocessable('references must be an array')
  return value.map((each: unknown) => {
    if (typeof each !== 'object' || each === null) throw unprocessable('a reference must be an object')
    const { name, subject, version } = each as Record<string, unknown>
    if (
      typeof name !== 'string' ||
      typeof subject !== 'string' ||
      typeof version !== 'number' ||
      !Number.isInteger(version)
    ) {
      throw invalidSchema('a reference needs name, subject and an integer version')
    }
    return { name, subject, version }
  })
}

export function schemaRequestOf(body: unknown): SchemaRequest {
  const fieldsGiven = objectBody(body, fields)
  const { schema, schemaType, metadata, ruleSet, id, version } = fieldsGiven
  if (typeof schema !== 'string' || schema.length === 0) throw invalidSchema('Empty schema')
  const type = schemaType === undefined || schemaType === null ? 'AVRO' : schemaType
  if (type !== 'AVRO' && type !== 'JSON' && type !== 'PROTOBUF')
    throw invalidSchema(`unknown schemaType ${String(type)}`)
  if (id !== undefined && id !== null && (typeof id !== 'number' || !Number.isInteger(id) || id < 1))
    throw unprocessable('id must be a positive integer')
  if (
    version !== undefined &&
    version !== null &&
    (typeof version !== 'number' || !Number.isInteger(version) || version < 1)
  )
    throw unprocessable('version must be a positive integer')
  return {
    schema,
    schemaType: type,
    references: referencesOf(fieldsGiven.references),
    ...(metadata === undefined || metadata === null ? {} : { metadata }),
    ...(ruleSet === undefined || ruleSet === null ? {} : { ruleSet }),
    ...(typeof id === 'number' ? { id } : {}),
    ...(typeof version === 'number' ? { version } : {}),
  }
}
