// PostgreSQL column types to Connect schemas and values, as Debezium's PostgreSQL connector maps them
// by default (time.precision.mode=adaptive, decimal.handling.mode=string, binary.handling.mode=bytes).
// Values arrive in PostgreSQL's text output (pgoutput's text mode; the snapshot reads text too), with
// the session's TimeZone=UTC and DateStyle=ISO.

import type { Schema } from '../../sdk/data.ts'

/** pg_type OIDs of the types mapped here. */
const Oid = {
  bool: 16,
  bytea: 17,
  int8: 20,
  int2: 21,
  int4: 23,
  oid: 26,
  json: 114,
  float4: 700,
  float8: 701,
  date: 1082,
  timestamp: 1114,
  timestamptz: 1184,
  numeric: 1700,
  uuid: 2950,
  jsonb: 3802,
} as const

/** What Debezium puts in a column whose TOASTed value did not change (PostgreSQL does not send it). */
export const unavailableValue = '__debezium_unavailable_value'

export function columnSchema(typeOid: number, optional: boolean): Schema {
  const schema = (type: Schema['type'], name?: string): Schema => ({
    type,
    optional,
    ...(name === undefined ? {} : { name, version: 1 }),
  })
  switch (typeOid) {
    case Oid.bool:
      return schema('boolean')
    case Oid.int2:
      return schema('int16')
    case Oid.int4:
      return schema('int32')
    case Oid.int8:
    case Oid.oid:
      return schema('int64')
    case Oid.float4:
      return schema('float32')
    case Oid.float8:
      return schema('float64')
    case Oid.bytea:
      return schema('bytes')
    case Oid.date:
      return schema('int32', 'io.debezium.time.Date')
    case Oid.timestamp:
      return schema('int64', 'io.debezium.time.MicroTimestamp')
    case Oid.timestamptz:
      return schema('string', 'io.debezium.time.ZonedTimestamp')
    case Oid.json:
    case Oid.jsonb:
      return schema('string', 'io.debezium.data.Json')
    case Oid.uuid:
      return schema('string', 'io.debezium.data.Uuid')
    default:
      // numeric (decimal.handling.mode=string), text, varchar, and every other type: its text form.
      return schema('string')
  }
}

/** The Connect value of one column's text output. */
export function columnValue(typeOid: number, text: string): unknown {
  switch (typeOid) {
    case Oid.bool:
      return text === 't' || text === 'true'
    case Oid.int2:
    case Oid.int4:
    case Oid.int8:
    case Oid.oid:
      return Number(text)
    case Oid.float4:
    case Oid.float8:
      return Number(text)
    case Oid.bytea:
      return text.startsWith('\\x') ? Buffer.from(text.slice(2), 'hex') : Buffer.from(text, 'utf8')
    case Oid.date:
      return Math.round(Date.parse(`${text}T00:00:00Z`) / 86_400_000)
    case Oid.timestamp:
      return microsSinceEpoch(text, 'Z')
    case Oid.timestamptz:
      return zonedTimestamp(text)
    default:
      return text
  }
}

/** Microseconds since the epoch of "2024-01-02 03:04:05.123456" read in the given zone. */
function microsSinceEpoch(text: string, zone: string): number {
  const match = /^(\d{4,}-\d\d-\d\d)[ T](\d\d:\d\d:\d\d)(?:\.(\d{1,6}))?$/.exec(text)
  if (match === null) return Number.NaN
  const seconds = Date.parse(`${match[1]}T${match[2]}${zone}`)
  const fraction = Number((match[3] ?? '').padEnd(6, '0'))
  return seconds * 1000 + fraction
}

/** "2024-01-02 03:04:05.12+00" → "2024-01-02T03:04:05.12Z" (Debezium's ISO-8601 form, in UTC). */
function zonedTimestamp(text: string): string {
  const match = /^(\d{4,}-\d\d-\d\d) (\d\d:\d\d:\d\d(?:\.\d+)?)([+-]\d\d(?::?\d\d)?)$/.exec(text)
  if (match === null) return text
  if (/^[+-]00(:?00)?$/.test(match[3])) return `${match[1]}T${match[2]}Z`
  const millis = Date.parse(`${match[1]}T${match[2]}${match[3].length === 3 ? `${match[3]}:00` : match[3]}`)
  return Number.isNaN(millis) ? text : new Date(millis).toISOString()
}
