// Avro logical types as SQL types (issue 17). The registry parses Avro without logical types (avsc
// drops the attribute), so the SQL decoder parses a schema again with these classes: each reads the
// underlying value and gives the JS value shape.ts turns into the DuckDB value, and says its shape.
//   date                                   int    → DATE      (days since 1970-01-01)
//   time-millis / time-micros              int/long → TIME
//   timestamp-millis / timestamp-micros,   long   → TIMESTAMP (UTC; local-* as written)
//     local-timestamp-millis / -micros
//   decimal (bytes or fixed)                       → DECIMAL(precision, scale) (VARCHAR beyond 38 digits)
//   uuid (string, or fixed of 16)                  → UUID
// A logical type on another underlying type than the spec's is ignored, as Avro does (avsc falls back
// to the underlying type when a logical type's constructor throws). timestamp-nanos stays BIGINT.

import avro from 'avsc'
import type { AvroSchema } from '../../registry/formats/avro.ts'
import { collectNamedTypes, type NamedTypes } from '../../registry/formats/avro-compatibility.ts'
import { type Shape, TimeMicros, TimestampMicros, UnscaledDecimal } from './shape.ts'

type Attributes = Record<string, unknown>

/** A logical type the SQL decoder knows: its shape, and the conversion of an underlying value. */
abstract class SqlLogicalType extends avro.types.LogicalType {
  abstract readonly sqlShape: Shape

  protected expect(...typeNames: string[]): void {
    if (!typeNames.includes(this.underlyingType.typeName)) throw new Error('not this logical type')
  }

  protected override _toValue(value: unknown): unknown {
    return value
  }

  protected override _resolve(type: avro.Type): unknown {
    if (type.typeName === this.underlyingType.typeName) return (value: unknown) => this._fromValue(value)
    return undefined
  }
}

class DateType extends SqlLogicalType {
  readonly sqlShape: Shape = { kind: 'date' }
  constructor(schema: avro.Schema, opts?: unknown) {
    super(schema, opts)
    this.expect('int')
  }
  protected override _fromValue(days: number): number {
    return days
  }
}

function timeType(microsPerUnit: bigint, underlying: string) {
  return class TimeType extends SqlLogicalType {
    readonly sqlShape: Shape = { kind: 'time' }
    constructor(schema: avro.Schema, opts?: unknown) {
      super(schema, opts)
      this.expect(underlying)
    }
    protected override _fromValue(value: number): TimeMicros {
      return new TimeMicros(BigInt(value) * microsPerUnit)
    }
  }
}

function timestampType(microsPerUnit: bigint) {
  return class TimestampType extends SqlLogicalType {
    readonly sqlShape: Shape = { kind: 'timestamp' }
    constructor(schema: avro.Schema, opts?: unknown) {
      super(schema, opts)
      this.expect('long')
    }
    protected override _fromValue(value: number): TimestampMicros {
      return new TimestampMicros(BigInt(value) * microsPerUnit)
    }
  }
}

class DecimalType extends SqlLogicalType {
  readonly sqlShape: Shape
  private readonly scale: number
  constructor(schema: avro.Schema, opts?: unknown) {
    super(schema, opts)
    this.expect('bytes', 'fixed')
    const { precision, scale = 0 } = schema as Attributes
    if (!Number.isInteger(precision) || !Number.isInteger(scale)) throw new Error('bad decimal')
    if ((precision as number) < 1 || (scale as number) < 0 || (scale as number) > (precision as number))
      throw new Error('bad decimal')
    this.scale = scale as number
    this.sqlShape = { kind: 'decimal', precision: precision as number, scale: this.scale }
  }
  protected override _fromValue(bytes: Buffer): UnscaledDecimal {
    // Big-endian two's complement, as the Avro spec stores a decimal's unscaled value.
    if (bytes.length === 0) return new UnscaledDecimal(0n, this.scale)
    let unscaled = BigInt(`0x${bytes.toString('hex')}`)
    if (bytes[0] >= 0x80) unscaled -= 1n << BigInt(bytes.length * 8)
    return new UnscaledDecimal(unscaled, this.scale)
  }
}

class UuidType extends SqlLogicalType {
  readonly sqlShape: Shape = { kind: 'uuid' }
  constructor(schema: avro.Schema, opts?: unknown) {
    super(schema, opts)
    this.expect('string', 'fixed')
    if (this.underlyingType.typeName === 'fixed' && (schema as Attributes).size !== 16)
      throw new Error('a uuid fixed has 16 bytes')
  }
  protected override _fromValue(value: string | Buffer): string {
    if (typeof value === 'string') return value
    const hex = value.toString('hex')
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
  }
}

const logicalTypes = {
  date: DateType,
  'time-millis': timeType(1000n, 'int'),
  'time-micros': timeType(1n, 'long'),
  'timestamp-millis': timestampType(1000n),
  'timestamp-micros': timestampType(1n),
  'local-timestamp-millis': timestampType(1000n),
  'local-timestamp-micros': timestampType(1n),
  decimal: DecimalType,
  uuid: UuidType,
}

/** The shape of a logical type the SQL decoder knows, or null for any other type. */
export function logicalShapeOf(type: avro.Type): Shape | null {
  return type instanceof SqlLogicalType ? type.sqlShape : null
}

/**
 * The schema parsed again with the logical types above. Named types it references from other
 * subjects (Confluent's schema references) are parsed first into the same avsc registry, retried until
 * their order settles. Falls back to the registry's own type (logical types as their underlying
 * type) when that fails.
 */
export function avroTypeWithLogicalTypes(schema: AvroSchema): avro.Type {
  const own: NamedTypes = new Map()
  collectNamedTypes(schema.json, '', own)
  let pending = [...schema.named].filter(([name]) => !own.has(name))
  const registry: Record<string, avro.Type> = {}
  try {
    while (pending.length > 0) {
      const failed = pending.filter(([name, json]) => {
        // A type nested in a referenced one was defined with its parent.
        if (registry[name] !== undefined) return false
        try {
          avro.Type.forSchema(json as avro.Schema, { registry, logicalTypes })
          return false
        } catch {
          return true
        }
      })
      if (failed.length === pending.length) return schema.type
      pending = failed
    }
    return avro.Type.forSchema(schema.json as avro.Schema, { registry, logicalTypes })
  } catch {
    return schema.type
  }
}
