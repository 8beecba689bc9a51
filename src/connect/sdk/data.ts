// Connect's data model in TypeScript: a Schema (Kafka's org.apache.kafka.connect.data.Schema, in the
// shape JsonConverter writes it) and the values it describes. A struct value is a plain object, a map a
// plain object or Map, bytes a Buffer; int64 values are numbers (JavaScript safe integers) or bigint.

export type SchemaType =
  | 'int8'
  | 'int16'
  | 'int32'
  | 'int64'
  | 'float32'
  | 'float64'
  | 'boolean'
  | 'string'
  | 'bytes'
  | 'array'
  | 'map'
  | 'struct'

export interface Schema {
  type: SchemaType
  optional: boolean
  name?: string
  version?: number
  doc?: string
  default?: unknown
  parameters?: Record<string, string>
  /** struct: its fields in order. */
  fields?: Field[]
  /** array: the element schema. */
  items?: Schema
  /** map: key and value schemas. */
  keys?: Schema
  values?: Schema
}

export interface Field extends Schema {
  field: string
}

/** Logical types named as Kafka names them (org.apache.kafka.connect.data.*). */
export const LogicalNames = {
  timestamp: 'org.apache.kafka.connect.data.Timestamp',
  date: 'org.apache.kafka.connect.data.Date',
  time: 'org.apache.kafka.connect.data.Time',
  decimal: 'org.apache.kafka.connect.data.Decimal',
} as const

export type StructValue = Record<string, unknown>

export interface Header {
  key: string
  schema: Schema | null
  value: unknown
}

export function isStruct(value: unknown): value is StructValue {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !Buffer.isBuffer(value)
}

export function optionalSchema(type: SchemaType): Schema {
  return { type, optional: true }
}

/** The schema of a struct with these fields (all given in order). */
export function structSchema(fields: Field[], options: { name?: string; optional?: boolean } = {}): Schema {
  return {
    type: 'struct',
    optional: options.optional ?? false,
    fields,
    ...(options.name === undefined ? {} : { name: options.name }),
  }
}

export function fieldOf(schema: Schema, name: string): Field | undefined {
  return schema.fields?.find((field) => field.field === name)
}
