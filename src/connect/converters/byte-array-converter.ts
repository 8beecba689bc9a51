// ByteArrayConverter (org.apache.kafka.connect.converters.ByteArrayConverter): bytes pass through.

import type { Schema } from '../sdk/data.ts'
import { type Converter, DataException, type SchemaAndValue } from './converter.ts'

export class ByteArrayConverter implements Converter {
  configure(): void {}

  fromConnectData(_topic: string, schema: Schema | null, value: unknown): Buffer | null {
    if (schema !== null && schema.type !== 'bytes')
      throw new DataException(`Invalid schema type for ByteArrayConverter: ${schema.type.toUpperCase()}`)
    if (value === null || value === undefined) return null
    if (!Buffer.isBuffer(value))
      throw new DataException(`ByteArrayConverter is not compatible with objects of type ${typeof value}`)
    return value
  }

  toConnectData(_topic: string, bytes: Buffer | null): SchemaAndValue {
    return { schema: { type: 'bytes', optional: true }, value: bytes }
  }
}
