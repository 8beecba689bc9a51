// JSON schemas: validated with ajv against the draft their "$schema" names (draft-04 through
// 2020-12; draft-07 when none), references added to the same validator under their names, so a
// "$ref" to a referenced schema resolves. Unknown keywords are allowed (strict: false), as
// Confluent's validator allows them. Canonical text: the JSON without whitespace; normalized: keys
// sorted. Compatibility: json-schema-compatibility.ts.

import { createRequire } from 'node:module'
import { Ajv, type ValidateFunction } from 'ajv'
import { Ajv2019 } from 'ajv/dist/2019.js'
import { Ajv2020 } from 'ajv/dist/2020.js'
import { invalidSchema } from '../errors.ts'
import { jsonReaderIssues } from './json-schema-compatibility.ts'
import type { ParsedSchema, ResolvedReference, SchemaFormat } from './types.ts'

const require = createRequire(import.meta.url)
// ajv-draft-04 is CommonJS whose module.exports is the class.
const AjvDraft04 = require('ajv-draft-04') as typeof Ajv

type AnyAjv = Ajv

function validatorFor(schema: unknown): AnyAjv {
  const draft =
    typeof schema === 'object' && schema !== null
      ? String((schema as Record<string, unknown>).$schema ?? '')
      : ''
  const options = { strict: false, allErrors: false, validateFormats: false }
  if (draft.includes('draft-04')) return new AjvDraft04(options)
  if (draft.includes('2019-09')) return new Ajv2019(options) as unknown as AnyAjv
  if (draft.includes('2020-12')) return new Ajv2020(options) as unknown as AnyAjv
  const ajv = new Ajv(options)
  if (draft.includes('draft-06'))
    ajv.addMetaSchema(require('ajv/dist/refs/json-schema-draft-06.json') as object)
  return ajv
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys)
  if (typeof value !== 'object' || value === null) return value
  const sorted: Record<string, unknown> = {}
  for (const key of Object.keys(value).sort()) sorted[key] = sortKeys((value as Record<string, unknown>)[key])
  return sorted
}

function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text)
  } catch (error) {
    throw invalidSchema(`${what}: ${(error as Error).message}`)
  }
}

/** Validates the schema and compiles it (which resolves every "$ref"); throws on any problem. */
function compileWith(ajv: AnyAjv, json: unknown, referenced: ReadonlyMap<string, unknown>): ValidateFunction {
  for (const [name, referencedJson] of referenced) {
    const id =
      typeof referencedJson === 'object' && referencedJson !== null
        ? (referencedJson as { $id?: unknown }).$id
        : undefined
    if (typeof id === 'string' && id !== name) ajv.addSchema(referencedJson as object)
    else ajv.addSchema(referencedJson as object, name)
  }
  if (!ajv.validateSchema(json as object)) throw new Error(ajv.errorsText(ajv.errors))
  return ajv.compile(json as object)
}

export class JsonSchema implements ParsedSchema {
  readonly schemaType = 'JSON'
  readonly canonical: string
  readonly normalized: string
  readonly json: unknown
  readonly references: ReadonlyMap<string, unknown>
  private readonly validate: ValidateFunction

  constructor(json: unknown, references: ReadonlyMap<string, unknown>, validate: ValidateFunction) {
    this.json = json
    this.canonical = JSON.stringify(json)
    this.normalized = JSON.stringify(sortKeys(json))
    this.references = references
    this.validate = validate
  }

  recordName(): string | null {
    const title =
      typeof this.json === 'object' && this.json !== null
        ? (this.json as { title?: unknown }).title
        : undefined
    return typeof title === 'string' ? title : null
  }

  decodeToJson(payload: Buffer): unknown {
    return JSON.parse(payload.toString('utf8'))
  }

  encodeFromJson(document: unknown): Buffer {
    const payload = Buffer.from(JSON.stringify(document), 'utf8')
    const issue = this.payloadIssue(payload)
    if (issue !== null) throw new Error(issue)
    return payload
  }

  payloadIssue(payload: Buffer): string | null {
    let document: unknown
    try {
      document = JSON.parse(payload.toString('utf8'))
    } catch (error) {
      return `is not JSON: ${(error as Error).message}`
    }
    return this.documentIssue(document)
  }

  /** Why a JSON document (already parsed) does not match the schema, or null when it does. */
  documentIssue(document: unknown): string | null {
    if (this.validate(document)) return null
    const first = this.validate.errors?.[0]
    return `does not match the JSON schema: ${first === undefined ? 'invalid' : `${first.instancePath || '/'} ${first.message ?? ''}`.trim()}`
  }

  readerIssues(writer: ParsedSchema): string[] {
    if (!(writer instanceof JsonSchema)) return ['TYPE_CHANGED: the old schema is not a JSON schema']
    return jsonReaderIssues(this, writer)
  }
}

export const jsonSchemaFormat: SchemaFormat = {
  schemaType: 'JSON',
  parse(schema: string, references: readonly ResolvedReference[]): JsonSchema {
    const json = parseJson(schema, 'not JSON')
    if (typeof json !== 'object' && typeof json !== 'boolean')
      throw invalidSchema(`${schema}: not a JSON schema`)
    const referenced = new Map<string, unknown>()
    for (const reference of references)
      referenced.set(reference.name, parseJson(reference.schema, `reference ${reference.name}`))
    let validate: ValidateFunction
    try {
      validate = compileWith(validatorFor(json), json, referenced)
    } catch (error) {
      if (error instanceof Error && error.name === 'RegistryError') throw error
      // A draft-04 style "id" without "$schema": valid for Confluent, so check it as draft-04.
      const draft04 = /keyword "id"/.test((error as Error).message)
      try {
        if (!draft04) throw error
        validate = compileWith(new AjvDraft04({ strict: false, validateFormats: false }), json, referenced)
      } catch (retried) {
        throw invalidSchema(`${schema}, details: ${(retried as Error).message}`)
      }
    }
    return new JsonSchema(json, referenced, validate)
  },
}
