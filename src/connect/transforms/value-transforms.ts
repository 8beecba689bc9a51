// Cast and TimestampConverter (org.apache.kafka.connect.transforms), Kafka's options.

import { DataException } from '../converters/converter.ts'
import type { ConfigDef, Properties } from '../sdk/config-def.ts'
import { LogicalNames, type Schema, type SchemaType } from '../sdk/data.ts'
import type { ConnectRecord } from '../sdk/records.ts'
import type { Transformation } from '../sdk/transformation.ts'
import { listOption, type Part, partOf, requireObject, withPart } from './record-part.ts'
import { checkFormat, formatTime, parseTime } from './time-format.ts'

const castTypes = new Set(['int8', 'int16', 'int32', 'int64', 'float32', 'float64', 'boolean', 'string'])

function castValue(value: unknown, type: string): unknown {
  if (value === null || value === undefined) return null
  switch (type) {
    case 'string':
      return typeof value === 'object' ? JSON.stringify(value) : String(value)
    case 'boolean':
      return typeof value === 'string' ? value.toLowerCase() === 'true' : Boolean(value)
    case 'float32':
    case 'float64': {
      const number = typeof value === 'boolean' ? Number(value) : Number(value)
      if (Number.isNaN(number))
        throw new DataException(`Unexpected type in Cast transformation: ${typeof value}`)
      return number
    }
    default: {
      const number = typeof value === 'boolean' ? Number(value) : Number(value)
      if (Number.isNaN(number))
        throw new DataException(`Unexpected type in Cast transformation: ${typeof value}`)
      return Math.trunc(number)
    }
  }
}

/** Cast: `spec` is one type for the whole part, or `field:type,…`. */
export class Cast implements Transformation {
  private whole: string | null = null
  private fields = new Map<string, string>()
  constructor(private readonly part: Part) {}
  config(): ConfigDef {
    return [
      {
        name: 'spec',
        type: 'LIST',
        importance: 'HIGH',
        documentation:
          'List of fields and the type to cast them to of the form field1:type,field2:type to cast fields of Maps or Structs. A single type to cast the entire value.',
      },
    ]
  }
  configure(properties: Properties): void {
    const spec = listOption(properties.spec)
    for (const item of spec) {
      const [field, type] = item.includes(':') ? item.split(':') : [null, item]
      if (!castTypes.has(type)) throw new DataException(`Invalid type found in casting spec: ${item}`)
      if (field === null) this.whole = type
      else this.fields.set(field, type)
    }
  }
  apply<R extends ConnectRecord>(record: R): R | null {
    const { schema, value } = partOf(record, this.part)
    if (value === null) return record
    if (this.whole !== null)
      return withPart(
        record,
        this.part,
        schema === null ? null : { type: this.whole as SchemaType, optional: schema.optional },
        castValue(value, this.whole),
      )
    const out = { ...requireObject(value, 'cast') }
    for (const [field, type] of this.fields) if (field in out) out[field] = castValue(out[field], type)
    const newSchema =
      schema === null
        ? null
        : {
            ...schema,
            fields: (schema.fields ?? []).map((f) =>
              this.fields.has(f.field)
                ? { field: f.field, type: this.fields.get(f.field) as SchemaType, optional: f.optional }
                : f,
            ),
          }
    return withPart(record, this.part, newSchema, out)
  }
}

type TargetType = 'string' | 'unix' | 'Date' | 'Time' | 'Timestamp'
const dayMs = 86_400_000
const precisionFactor: Record<string, number> = {
  seconds: 1 / 1000,
  milliseconds: 1,
  microseconds: 1000,
  nanoseconds: 1_000_000,
}

/** TimestampConverter: field (empty: the whole part), target.type, format, unix.precision. */
export class TimestampConverter implements Transformation {
  private field = ''
  private target: TargetType = 'Timestamp'
  private format = ''
  private precision = 'milliseconds'
  constructor(private readonly part: Part) {}
  config(): ConfigDef {
    return [
      {
        name: 'field',
        type: 'STRING',
        defaultValue: '',
        importance: 'HIGH',
        documentation: 'The field containing the timestamp, or empty if the entire value is a timestamp',
      },
      {
        name: 'target.type',
        type: 'STRING',
        importance: 'HIGH',
        documentation: 'The desired timestamp representation: string, unix, Date, Time, or Timestamp',
      },
      {
        name: 'format',
        type: 'STRING',
        defaultValue: '',
        importance: 'MEDIUM',
        documentation: 'A SimpleDateFormat-compatible format for the timestamp.',
      },
      {
        name: 'unix.precision',
        type: 'STRING',
        defaultValue: 'milliseconds',
        importance: 'LOW',
        documentation:
          'The desired Unix precision for the timestamp: seconds, milliseconds, microseconds, or nanoseconds.',
      },
    ]
  }
  configure(properties: Properties): void {
    this.field = properties.field ?? ''
    const target = properties['target.type'] ?? ''
    if (!['string', 'unix', 'Date', 'Time', 'Timestamp'].includes(target))
      throw new DataException(`Unknown timestamp type in TimestampConverter: ${target}`)
    this.target = target as TargetType
    this.format = properties.format ?? ''
    if (this.target === 'string' && this.format === '')
      throw new DataException(
        'TimestampConverter requires format option to be specified when using string timestamps',
      )
    if (this.format !== '') checkFormat(this.format)
    this.precision = properties['unix.precision'] ?? 'milliseconds'
  }
  private toEpochMs(value: unknown, schema: Schema | null): number {
    if (value instanceof Date) return value.getTime()
    if (typeof value === 'string') return parseTime(value, this.format)
    if (typeof value === 'number' || typeof value === 'bigint') {
      const number = Number(value)
      return schema?.name === undefined ? number / (precisionFactor[this.precision] ?? 1) : number
    }
    throw new DataException(`Expected a timestamp, found ${typeof value}`)
  }
  private convert(epochMs: number): { schema: Schema; value: unknown } {
    switch (this.target) {
      case 'string':
        return { schema: { type: 'string', optional: true }, value: formatTime(epochMs, this.format) }
      case 'unix':
        return {
          schema: { type: 'int64', optional: true },
          value: Math.trunc(epochMs * (precisionFactor[this.precision] ?? 1)),
        }
      case 'Date':
        return {
          schema: { type: 'int32', optional: true, name: LogicalNames.date, version: 1 },
          value: Math.floor(epochMs / dayMs),
        }
      case 'Time':
        return {
          schema: { type: 'int32', optional: true, name: LogicalNames.time, version: 1 },
          value: ((epochMs % dayMs) + dayMs) % dayMs,
        }
      case 'Timestamp':
        return {
          schema: { type: 'int64', optional: true, name: LogicalNames.timestamp, version: 1 },
          value: epochMs,
        }
    }
  }
  apply<R extends ConnectRecord>(record: R): R | null {
    const { schema, value } = partOf(record, this.part)
    if (value === null) return record
    if (this.field === '') {
      const converted = this.convert(this.toEpochMs(value, schema))
      return withPart(record, this.part, schema === null ? null : converted.schema, converted.value)
    }
    const out = { ...requireObject(value, 'converting timestamp formats') }
    const fieldSchema = schema?.fields?.find((f) => f.field === this.field) ?? null
    if (out[this.field] === null || out[this.field] === undefined) return record
    const converted = this.convert(this.toEpochMs(out[this.field], fieldSchema))
    out[this.field] = converted.value
    const newSchema =
      schema === null
        ? null
        : {
            ...schema,
            fields: (schema.fields ?? []).map((f) =>
              f.field === this.field ? { ...converted.schema, field: f.field } : f,
            ),
          }
    return withPart(record, this.part, newSchema, out)
  }
}
