// Reads Kafka's message definitions (shared/kafka-spec/messages/*.json) into a typed model.
// The JSON files carry `//` comment lines (the license header and notes) which are stripped first.

import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'

/** An inclusive version range; `max` is Infinity for "N+", and an empty range has min > max. */
export interface VersionRange {
  min: number
  max: number
}

export type PrimitiveName =
  | 'bool'
  | 'int8'
  | 'int16'
  | 'uint16'
  | 'int32'
  | 'uint32'
  | 'int64'
  | 'float64'
  | 'string'
  | 'uuid'
  | 'bytes'
  | 'records'

export type FieldType =
  | { kind: 'primitive'; name: PrimitiveName }
  | { kind: 'array'; element: FieldType }
  | { kind: 'struct'; name: string }

export interface FieldSpec {
  name: string
  type: FieldType
  versions: VersionRange
  nullableVersions: VersionRange
  taggedVersions: VersionRange | null
  tag: number | null
  ignorable: boolean
  defaultValue: string | undefined
  /** Field-level override of the message's flexible versions ("none" on RequestHeader.ClientId). */
  flexibleVersions: VersionRange | null
  about: string
}

export interface StructSpec {
  name: string
  fields: FieldSpec[]
}

export interface MessageSpec {
  fileName: string
  name: string
  kind: 'request' | 'response' | 'header' | 'data'
  apiKey: number | null
  validVersions: VersionRange
  flexibleVersions: VersionRange
  listeners: string[]
  latestVersionUnstable: boolean
  about: string
  /** The message's own fields, as the root struct named after the message. */
  root: StructSpec
  /** Every struct (nested or common) declared in the file, by name. */
  structs: Map<string, StructSpec>
}

const primitives = new Set<string>([
  'bool',
  'int8',
  'int16',
  'uint16',
  'int32',
  'uint32',
  'int64',
  'float64',
  'string',
  'uuid',
  'bytes',
  'records',
])

export const emptyRange: VersionRange = { min: 1, max: 0 }

export function parseRange(text: string | undefined): VersionRange {
  if (text === undefined || text === 'none' || text === '') return emptyRange
  const plus = /^(\d+)\+$/.exec(text)
  if (plus) return { min: Number(plus[1]), max: Number.POSITIVE_INFINITY }
  const span = /^(\d+)-(\d+)$/.exec(text)
  if (span) return { min: Number(span[1]), max: Number(span[2]) }
  if (/^\d+$/.test(text)) return { min: Number(text), max: Number(text) }
  throw new Error(`unparseable version range ${JSON.stringify(text)}`)
}

export function inRange(range: VersionRange, version: number): boolean {
  return version >= range.min && version <= range.max
}

interface RawField {
  name: string
  type: string
  versions?: string
  nullableVersions?: string
  taggedVersions?: string
  tag?: number
  ignorable?: boolean
  default?: string | number | boolean
  flexibleVersions?: string
  about?: string
  fields?: RawField[]
}

interface RawMessage {
  apiKey?: number
  type: string
  name: string
  validVersions: string
  flexibleVersions: string
  listeners?: string[]
  latestVersionUnstable?: boolean
  about?: string
  fields: RawField[]
  commonStructs?: { name: string; versions?: string; fields: RawField[] }[]
}

function parseType(text: string): FieldType {
  if (text.startsWith('[]')) return { kind: 'array', element: parseType(text.slice(2)) }
  if (primitives.has(text)) return { kind: 'primitive', name: text as PrimitiveName }
  return { kind: 'struct', name: text }
}

function structNameOf(type: FieldType): string | null {
  if (type.kind === 'struct') return type.name
  if (type.kind === 'array') return structNameOf(type.element)
  return null
}

function parseFields(raw: RawField[], structs: Map<string, StructSpec>): FieldSpec[] {
  return raw.map((field) => {
    const type = parseType(field.type)
    const nested = structNameOf(type)
    if (field.fields !== undefined && nested !== null) {
      if (structs.has(nested)) throw new Error(`struct ${nested} declared twice`)
      structs.set(nested, { name: nested, fields: parseFields(field.fields, structs) })
    }
    return {
      name: field.name,
      type,
      versions: parseRange(field.versions),
      nullableVersions: parseRange(field.nullableVersions),
      taggedVersions: field.taggedVersions === undefined ? null : parseRange(field.taggedVersions),
      tag: field.tag ?? null,
      ignorable: field.ignorable === true,
      defaultValue: field.default === undefined ? undefined : String(field.default),
      flexibleVersions: field.flexibleVersions === undefined ? null : parseRange(field.flexibleVersions),
      about: field.about ?? '',
    }
  })
}

export function parseMessage(fileName: string, text: string): MessageSpec {
  const json = text
    .split('\n')
    .filter((line) => !line.trim().startsWith('//'))
    .join('\n')
  const raw = JSON.parse(json) as RawMessage
  const structs = new Map<string, StructSpec>()
  for (const common of raw.commonStructs ?? []) {
    structs.set(common.name, { name: common.name, fields: parseFields(common.fields, structs) })
  }
  const root: StructSpec = { name: raw.name, fields: parseFields(raw.fields, structs) }
  return {
    fileName,
    name: raw.name,
    kind: raw.type as MessageSpec['kind'],
    apiKey: raw.apiKey ?? null,
    validVersions: parseRange(raw.validVersions),
    flexibleVersions: parseRange(raw.flexibleVersions),
    listeners: raw.listeners ?? [],
    latestVersionUnstable: raw.latestVersionUnstable === true,
    about: raw.about ?? '',
    root,
    structs,
  }
}

export function readSpecFolder(messagesDir: string): MessageSpec[] {
  return readdirSync(messagesDir)
    .filter((file) => file.endsWith('.json'))
    .sort()
    .map((file) => parseMessage(file, readFileSync(join(messagesDir, file), 'utf8')))
}
