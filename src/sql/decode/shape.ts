// The type a decoded key or value gets in SQL, as a small model of DuckDB's types (a "shape"): derived
// from a registry schema (registry-shapes.ts) or inferred from JSON values (json-inference.ts), merged
// across schema versions and sampled values, then turned into a DuckDB type; and the conversion of a
// decoded JS value into a DuckDB value of that type. A value that does not fit its shape (a later
// record of another type than the sample's) becomes NULL rather than failing the query.

import {
  BIGINT,
  BLOB,
  BOOLEAN,
  blobValue,
  DATE,
  DECIMAL,
  DOUBLE,
  type DuckDBType,
  type DuckDBValue,
  DuckDBVarCharType,
  dateValue,
  decimalValue,
  FLOAT,
  INTEGER,
  LIST,
  listValue,
  MAP,
  mapValue,
  STRUCT,
  structValue,
  TIME,
  TIMESTAMP,
  timestampValue,
  timeValue,
  UBIGINT,
  UUID,
  uuidValue,
  VARCHAR,
} from '@duckdb/node-api'

/** A time of day read from an Avro time-millis/time-micros. */
export class TimeMicros {
  constructor(readonly micros: bigint) {}
}

/** An instant (or local date-time) read from an Avro timestamp-* / local-timestamp-*. */
export class TimestampMicros {
  constructor(readonly micros: bigint) {}
}

/** A decimal read from an Avro decimal: unscaled × 10^-scale. */
export class UnscaledDecimal {
  constructor(
    readonly unscaled: bigint,
    readonly scale: number,
  ) {}

  toString(): string {
    const digits = (this.unscaled < 0n ? -this.unscaled : this.unscaled)
      .toString()
      .padStart(this.scale + 1, '0')
    const sign = this.unscaled < 0n ? '-' : ''
    if (this.scale === 0) return `${sign}${digits}`
    return `${sign}${digits.slice(0, -this.scale)}.${digits.slice(-this.scale)}`
  }
}

export type ScalarKind =
  | 'null'
  | 'boolean'
  | 'integer'
  | 'bigint'
  | 'ubigint'
  | 'float'
  | 'double'
  | 'varchar'
  | 'blob'
  | 'date'
  | 'timestamp'
  | 'time'
  | 'uuid'
  | 'json'

export type Shape =
  | { kind: ScalarKind }
  | { kind: 'decimal'; precision: number; scale: number }
  | { kind: 'struct'; fields: Map<string, Shape> }
  | { kind: 'list'; item: Shape }
  | { kind: 'map'; value: Shape }

export const nullShape: Shape = { kind: 'null' }
export const jsonShape: Shape = { kind: 'json' }

const integerKinds: ReadonlySet<string> = new Set(['integer', 'bigint'])
const numberKinds: ReadonlySet<string> = new Set([
  'integer',
  'bigint',
  'ubigint',
  'float',
  'double',
  'decimal',
])
const textKinds: ReadonlySet<string> = new Set(['varchar', 'date', 'timestamp', 'time', 'uuid'])
/** DuckDB's widest DECIMAL; wider Avro decimals are VARCHAR (their exact text). */
const decimalPrecisionMax = 38

/** The shape holding both (read_json's rules): numbers widen, text kinds fall back to VARCHAR, structs
 * take the union of their fields by name, anything else that differs becomes JSON. */
export function mergeShapes(a: Shape, b: Shape): Shape {
  if (a.kind === 'null') return b
  if (b.kind === 'null') return a
  if (a.kind === 'struct' && b.kind === 'struct') {
    const fields = new Map(a.fields)
    for (const [name, shape] of b.fields) {
      const known = fields.get(name)
      fields.set(name, known === undefined ? shape : mergeShapes(known, shape))
    }
    return { kind: 'struct', fields }
  }
  if (a.kind === 'list' && b.kind === 'list') return { kind: 'list', item: mergeShapes(a.item, b.item) }
  if (a.kind === 'map' && b.kind === 'map') return { kind: 'map', value: mergeShapes(a.value, b.value) }
  if (a.kind === 'decimal' && b.kind === 'decimal') {
    // Versions of one decimal field: the same scale keeps DECIMAL at the wider precision.
    if (a.scale !== b.scale) return { kind: 'double' }
    return { kind: 'decimal', precision: Math.max(a.precision, b.precision), scale: a.scale }
  }
  if (a.kind === b.kind) return a
  if (integerKinds.has(a.kind) && integerKinds.has(b.kind)) return { kind: 'bigint' }
  if (numberKinds.has(a.kind) && numberKinds.has(b.kind)) return { kind: 'double' }
  if (textKinds.has(a.kind) && textKinds.has(b.kind)) return { kind: 'varchar' }
  return jsonShape
}

export const jsonType: DuckDBType = DuckDBVarCharType.create('JSON')

const scalarTypes: Record<ScalarKind, DuckDBType> = {
  null: jsonType,
  boolean: BOOLEAN,
  integer: INTEGER,
  bigint: BIGINT,
  ubigint: UBIGINT,
  float: FLOAT,
  double: DOUBLE,
  varchar: VARCHAR,
  blob: BLOB,
  date: DATE,
  timestamp: TIMESTAMP,
  time: TIME,
  uuid: UUID,
  json: jsonType,
}

/** The DuckDB type of a shape (only-NULL and conflicting values are JSON; an empty object a MAP, as read_json). */
export function duckDbTypeOf(shape: Shape): DuckDBType {
  switch (shape.kind) {
    case 'struct': {
      if (shape.fields.size === 0) return MAP(VARCHAR, jsonType)
      const entries: Record<string, DuckDBType> = {}
      for (const [name, field] of shape.fields) entries[name] = duckDbTypeOf(field)
      return STRUCT(entries)
    }
    case 'list':
      return LIST(duckDbTypeOf(shape.item))
    case 'map':
      return MAP(VARCHAR, duckDbTypeOf(shape.value))
    case 'decimal':
      return shape.precision <= decimalPrecisionMax ? DECIMAL(shape.precision, shape.scale) : VARCHAR
    default:
      return scalarTypes[shape.kind]
  }
}

const int32Min = -(2 ** 31)
const int32Max = 2 ** 31 - 1
const microsPerDay = 86_400_000_000n
const isoDate = /^(\d{4})-(\d{2})-(\d{2})$/
const isoTimestamp =
  /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:?\d{2})?$/

/** Days since 1970-01-01 of an ISO date, or null. */
export function daysOfIsoDate(text: string): number | null {
  const match = isoDate.exec(text)
  if (match === null) return null
  const ms = Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]))
  const date = new Date(ms)
  if (date.getUTCDate() !== Number(match[3]) || date.getUTCMonth() !== Number(match[2]) - 1) return null
  return ms / 86_400_000
}

/** Microseconds since the epoch (UTC) of an ISO timestamp (`YYYY-MM-DD[ T]hh:mm:ss[.f][Z|±hh:mm]`), or null. */
export function microsOfIsoTimestamp(text: string): bigint | null {
  const match = isoTimestamp.exec(text)
  if (match === null) return null
  const days = daysOfIsoDate(`${match[1]}-${match[2]}-${match[3]}`)
  const [hours, minutes, seconds] = [Number(match[4]), Number(match[5]), Number(match[6])]
  if (days === null || hours > 23 || minutes > 59 || seconds > 59) return null
  let offsetSeconds = 0
  const zone = match[8]
  if (zone !== undefined && zone !== 'Z') {
    const digits = zone.replace(':', '')
    offsetSeconds =
      (Number(digits.slice(1, 3)) * 3600 + Number(digits.slice(3, 5)) * 60) * (zone[0] === '-' ? -1 : 1)
  }
  const fraction = BigInt((match[7] ?? '').padEnd(6, '0').slice(0, 6))
  const secondsOfDay = hours * 3600 + minutes * 60 + seconds - offsetSeconds
  return BigInt(days) * microsPerDay + BigInt(secondsOfDay) * 1_000_000n + fraction
}

function integerOf(value: unknown): bigint | null {
  if (typeof value === 'bigint') return value
  if (typeof value === 'number') return Number.isInteger(value) ? BigInt(value) : null
  if (typeof value === 'string' && /^-?\d+$/.test(value)) return BigInt(value)
  return null
}

/** JSON text of a decoded value (64-bit integers as numbers while safe, as text beyond; bytes as base64). */
export function jsonTextOf(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) => {
    if (typeof item === 'bigint')
      return item >= Number.MIN_SAFE_INTEGER && item <= Number.MAX_SAFE_INTEGER
        ? Number(item)
        : item.toString()
    if (isBufferJson(item)) return Buffer.from(item.data).toString('base64')
    if (item instanceof TimeMicros || item instanceof TimestampMicros || item instanceof UnscaledDecimal)
      return textOfLogical(item)
    return item
  })
}

const microsPerSecond = 1_000_000n

/** The text of a logical value (a VARCHAR holding it, or its JSON). */
function textOfLogical(value: TimeMicros | TimestampMicros | UnscaledDecimal): string {
  if (value instanceof UnscaledDecimal) return value.toString()
  if (value instanceof TimestampMicros) {
    const ms = Number(value.micros / 1000n)
    const micros = String(((value.micros % microsPerSecond) + microsPerSecond) % microsPerSecond)
    return `${new Date(ms).toISOString().slice(0, 19).replace('T', ' ')}.${micros.padStart(6, '0')}`
  }
  const seconds = value.micros / microsPerSecond
  const two = (n: bigint) => String(n).padStart(2, '0')
  const fraction = String(value.micros % microsPerSecond).padStart(6, '0')
  return `${two(seconds / 3600n)}:${two((seconds / 60n) % 60n)}:${two(seconds % 60n)}.${fraction}`
}

/** A decimal's unscaled value at `scale` (exact), or null when it has more fractional digits. */
function rescaled(value: UnscaledDecimal, scale: number): bigint | null {
  if (value.scale === scale) return value.unscaled
  if (value.scale > scale) return null
  return value.unscaled * 10n ** BigInt(scale - value.scale)
}

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/** A Buffer as JSON.stringify hands it to a replacer (after its toJSON). */
function isBufferJson(item: unknown): item is { type: 'Buffer'; data: number[] } {
  return typeof item === 'object' && item !== null && (item as { type?: unknown }).type === 'Buffer'
}

function isObject(value: unknown): value is Record<string, unknown> {
  return (
    typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array)
  )
}

/** A decoded JS value as a DuckDB value of `shape`'s type; null when it does not fit. */
export function duckDbValueOf(value: unknown, shape: Shape): DuckDBValue {
  if (value === null || value === undefined) return null
  switch (shape.kind) {
    case 'null':
    case 'json':
      return jsonTextOf(value)
    case 'boolean':
      return typeof value === 'boolean' ? value : null
    case 'integer': {
      const integer = integerOf(value)
      return integer !== null && integer >= int32Min && integer <= int32Max ? Number(integer) : null
    }
    case 'bigint':
    case 'ubigint': {
      const integer = integerOf(value)
      if (integer === null) return null
      if (shape.kind === 'ubigint') return integer >= 0n && integer < 2n ** 64n ? integer : null
      return integer >= -(2n ** 63n) && integer < 2n ** 63n ? integer : null
    }
    case 'float':
    case 'double':
      if (typeof value === 'number') return value
      if (value instanceof UnscaledDecimal) return Number(value.toString())
      return typeof value === 'bigint' ? Number(value) : null
    case 'decimal': {
      if (!(value instanceof UnscaledDecimal)) return null
      if (shape.precision > decimalPrecisionMax) return value.toString()
      const unscaled = rescaled(value, shape.scale)
      const bound = 10n ** BigInt(shape.precision)
      // A value with more digits than its precision (the bytes allow it) does not fit: NULL.
      if (unscaled === null || unscaled >= bound || unscaled <= -bound) return null
      return decimalValue(unscaled, shape.precision, shape.scale)
    }
    case 'time':
      return value instanceof TimeMicros && value.micros >= 0n && value.micros <= 86_400n * microsPerSecond
        ? timeValue(value.micros)
        : null
    case 'uuid':
      return typeof value === 'string' && uuidPattern.test(value)
        ? uuidValue(BigInt(`0x${value.replaceAll('-', '')}`))
        : null
    case 'varchar':
      if (value instanceof TimeMicros || value instanceof TimestampMicros || value instanceof UnscaledDecimal)
        return textOfLogical(value)
      return typeof value === 'string' ? value : null
    case 'blob':
      return value instanceof Uint8Array ? blobValue(value) : null
    case 'date': {
      if (typeof value === 'number') return Number.isInteger(value) ? dateValue(value) : null
      const days = typeof value === 'string' ? daysOfIsoDate(value) : null
      return days === null ? null : dateValue(days)
    }
    case 'timestamp': {
      if (value instanceof TimestampMicros) return timestampValue(value.micros)
      if (typeof value === 'number') return timestampValue(BigInt(Math.trunc(value * 1000)))
      if (value instanceof Date) return timestampValue(BigInt(value.getTime()) * 1000n)
      const micros = typeof value === 'string' ? microsOfIsoTimestamp(value) : null
      return micros === null ? null : timestampValue(micros)
    }
    case 'struct': {
      if (!isObject(value)) return null
      if (shape.fields.size === 0) return mapValueOf(value, jsonShape)
      const entries: Record<string, DuckDBValue> = {}
      for (const [name, field] of shape.fields) entries[name] = duckDbValueOf(value[name], field)
      return structValue(entries)
    }
    case 'list':
      return Array.isArray(value) ? listValue(value.map((item) => duckDbValueOf(item, shape.item))) : null
    case 'map':
      if (value instanceof Map)
        return mapValue(
          [...value].map(([key, item]) => ({ key: String(key), value: duckDbValueOf(item, shape.value) })),
        )
      return isObject(value) ? mapValueOf(value, shape.value) : null
  }
}

function mapValueOf(value: Record<string, unknown>, shape: Shape): DuckDBValue {
  return mapValue(Object.entries(value).map(([key, item]) => ({ key, value: duckDbValueOf(item, shape) })))
}
