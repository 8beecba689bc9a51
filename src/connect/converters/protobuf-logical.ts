// Connect's logical types and nullable primitives in Protobuf, as Confluent's ProtobufData maps them:
// Date ↔ google.type.Date (year, month, day; UTC midnight), Time ↔ google.type.TimeOfDay (hours,
// minutes, seconds, nanos; 0 ≤ ms ≤ 86,400,000), Decimal ↔ confluent.type.Decimal (the unscaled value's
// big-endian two's-complement bytes, its precision and scale; the Connect schema's precision and scale
// travel in the field's `(confluent.field_meta)` params), and with `wrapper.for.nullables=true` an
// optional primitive ↔ its google.protobuf wrapper (int8/int16/int32 → Int32Value, int64 → Int64Value,
// float32 → FloatValue, float64 → DoubleValue, boolean → BoolValue, string → StringValue, bytes →
// BytesValue; reading, UInt32Value and UInt64Value give int64).

import { LogicalNames, type Schema } from '../sdk/data.ts'
import { DataException } from './converter.ts'

const msPerDay = 86_400_000

export const logicalProtoTypes = {
  [LogicalNames.date]: { type: 'google.type.Date', file: 'google/type/date.proto' },
  [LogicalNames.time]: { type: 'google.type.TimeOfDay', file: 'google/type/timeofday.proto' },
  [LogicalNames.decimal]: { type: 'confluent.type.Decimal', file: 'confluent/type/decimal.proto' },
  [LogicalNames.timestamp]: { type: 'google.protobuf.Timestamp', file: 'google/protobuf/timestamp.proto' },
} as const

export const wrapperFile = 'google/protobuf/wrappers.proto'

const wrapperOfType: Partial<Record<Schema['type'], string>> = {
  int8: 'google.protobuf.Int32Value',
  int16: 'google.protobuf.Int32Value',
  int32: 'google.protobuf.Int32Value',
  int64: 'google.protobuf.Int64Value',
  float32: 'google.protobuf.FloatValue',
  float64: 'google.protobuf.DoubleValue',
  boolean: 'google.protobuf.BoolValue',
  string: 'google.protobuf.StringValue',
  bytes: 'google.protobuf.BytesValue',
}

const typeOfWrapper: Record<string, Schema['type']> = {
  'google.protobuf.Int32Value': 'int32',
  'google.protobuf.Int64Value': 'int64',
  'google.protobuf.UInt32Value': 'int64',
  'google.protobuf.UInt64Value': 'int64',
  'google.protobuf.FloatValue': 'float32',
  'google.protobuf.DoubleValue': 'float64',
  'google.protobuf.BoolValue': 'boolean',
  'google.protobuf.StringValue': 'string',
  'google.protobuf.BytesValue': 'bytes',
}

/** The wrapper message of an optional primitive, or undefined when it is written bare. */
export function wrapperTypeOf(schema: Schema): string | undefined {
  return schema.optional && schema.name === undefined ? wrapperOfType[schema.type] : undefined
}

/** The primitive a wrapper message reads as (with wrapper.for.nullables), or undefined. */
export function primitiveOfWrapper(fullName: string): Schema['type'] | undefined {
  return typeOfWrapper[fullName]
}

/** The `[(confluent.field_meta) = …]` option of a Decimal field ('' without precision or scale). */
export function decimalFieldOption(schema: Schema): string {
  const params = [
    ['precision', schema.parameters?.['connect.decimal.precision']],
    ['scale', schema.parameters?.scale],
  ].filter((entry): entry is [string, string] => entry[1] !== undefined)
  if (params.length === 0) return ''
  const list = params.map(([key, value]) => `{ key: "${key}", value: "${value}" }`).join(', ')
  return ` [(confluent.field_meta) = { params: [${list}] }]`
}

/** The Connect Decimal schema of a confluent.type.Decimal field, from its field_meta params. */
export function decimalSchemaOf(parsedOptions: unknown): Schema {
  const params = new Map<string, string>()
  for (const option of Array.isArray(parsedOptions) ? parsedOptions : []) {
    const meta = (option as Record<string, { params?: Array<{ key?: string; value?: string }> }>)[
      '(confluent.field_meta)'
    ]
    for (const entry of meta?.params ?? [])
      if (entry.key !== undefined && entry.value !== undefined) params.set(entry.key, entry.value)
  }
  const precision = params.get('precision')
  return {
    type: 'bytes',
    optional: true,
    name: LogicalNames.decimal,
    version: 1,
    parameters: {
      scale: params.get('scale') ?? '0',
      ...(precision === undefined ? {} : { 'connect.decimal.precision': precision }),
    },
  }
}

function unscaledOf(bytes: Buffer): bigint {
  if (bytes.length === 0) return 0n
  const unsigned = BigInt(`0x${bytes.toString('hex')}`)
  return bytes[0] >= 0x80 ? unsigned - (1n << BigInt(bytes.length * 8)) : unsigned
}

function bytesOfUnscaled(value: bigint): Buffer {
  let length = 1
  while (value >= 1n << BigInt(length * 8 - 1) || value < -(1n << BigInt(length * 8 - 1))) length++
  const unsigned = value < 0n ? value + (1n << BigInt(length * 8)) : value
  return Buffer.from(unsigned.toString(16).padStart(length * 2, '0'), 'hex')
}

/** A Connect logical value as the protobufjs object of its message (undefined: not a logical type). */
export function protoLogicalValueOf(schema: Schema, value: unknown): unknown {
  switch (schema.name) {
    case LogicalNames.date: {
      const ms = value instanceof Date ? value.getTime() : Number(value) * msPerDay
      if (!Number.isFinite(ms) || ms % msPerDay !== 0)
        throw new DataException(
          'Kafka Connect Date type should not have any time fields set to non-zero values.',
        )
      const date = new Date(ms)
      return { year: date.getUTCFullYear(), month: date.getUTCMonth() + 1, day: date.getUTCDate() }
    }
    case LogicalNames.time: {
      const ms = value instanceof Date ? value.getTime() : Number(value)
      if (!Number.isFinite(ms) || ms < 0 || ms > msPerDay)
        throw new DataException('Time values must use number of millis greater than 0 and less than 86400000')
      const date = new Date(ms)
      return {
        hours: date.getUTCHours(),
        minutes: date.getUTCMinutes(),
        seconds: date.getUTCSeconds(),
        nanos: date.getUTCMilliseconds() * 1_000_000,
      }
    }
    case LogicalNames.decimal: {
      if (!Buffer.isBuffer(value) && !(value instanceof Uint8Array))
        throw new DataException('Invalid type for Decimal: expected the unscaled bytes')
      const unscaled = unscaledOf(Buffer.from(value))
      const digits = (unscaled < 0n ? -unscaled : unscaled).toString().length
      return {
        value: bytesOfUnscaled(unscaled),
        precision: digits,
        scale: Number(schema.parameters?.scale ?? 0),
      }
    }
    default:
      return undefined
  }
}

/** A decoded logical message as its Connect value (undefined: not a logical type). */
export function connectLogicalValueOf(schema: Schema, value: Record<string, unknown>): unknown {
  const int = (name: string) => Number(value[name] ?? 0)
  switch (schema.name) {
    case LogicalNames.date:
      return Date.UTC(int('year'), int('month') - 1, int('day')) / msPerDay
    case LogicalNames.time:
      return (
        ((int('hours') * 60 + int('minutes')) * 60 + int('seconds')) * 1000 +
        Math.floor(int('nanos') / 1_000_000)
      )
    case LogicalNames.decimal: {
      const bytes = Buffer.from((value.value as Uint8Array | undefined) ?? [])
      const from = int('scale')
      const to = Number(schema.parameters?.scale ?? 0)
      if (from === to) return bytes.length === 0 ? Buffer.from([0]) : bytes
      if (from > to) throw new DataException(`Decimal of scale ${from} does not fit the schema's scale ${to}`)
      return bytesOfUnscaled(unscaledOf(bytes) * 10n ** BigInt(to - from))
    }
    default:
      return undefined
  }
}
