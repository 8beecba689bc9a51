// Parquet objects for the S3 sink's ParquetFormat, written by DuckDB (already the SQL engine's
// dependency; imported only when a Parquet sink task writes its first object). Each object's records
// are appended to a table whose columns are the value struct's fields, then `COPY … TO (FORMAT
// parquet)` writes a file in a private temporary directory, which is read back and removed.
// Types follow Confluent's ParquetFormat (Connect → Avro → Parquet): int8/int16/int32 INT32, int64
// INT64, float32 FLOAT, float64 DOUBLE, boolean, string, bytes BINARY, Timestamp TIMESTAMP(MILLIS),
// Date DATE, Time TIME, Decimal DECIMAL (precision up to 38), arrays LIST, string-keyed maps MAP,
// structs nested groups.

import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve, sep } from 'node:path'
import type { DuckDBConnection, DuckDBInstance, DuckDBType, DuckDBValue } from '@duckdb/node-api'
import { DataException } from '../../converters/converter.ts'
import { isStruct, LogicalNames, type Schema } from '../../sdk/data.ts'

type DuckDb = typeof import('@duckdb/node-api')

export type ParquetCodec = 'none' | 'snappy' | 'gzip' | 'zstd' | 'brotli'

/** DuckDB's COMPRESSION names for Confluent's parquet.codec values. */
const duckCompression: Record<ParquetCodec, string> = {
  none: 'uncompressed',
  snappy: 'snappy',
  gzip: 'gzip',
  zstd: 'zstd',
  brotli: 'brotli',
}

/** DuckDB's largest DECIMAL precision. */
const decimalPrecisionMax = 38

function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`
}

function duckTypeOf(duckdb: DuckDb, schema: Schema): DuckDBType {
  switch (schema.type) {
    case 'int8':
    case 'int16':
      return duckdb.INTEGER
    case 'int32':
      if (schema.name === LogicalNames.date) return duckdb.DATE
      if (schema.name === LogicalNames.time) return duckdb.TIME
      return duckdb.INTEGER
    case 'int64':
      return schema.name === LogicalNames.timestamp ? duckdb.TIMESTAMP_MS : duckdb.BIGINT
    case 'float32':
      return duckdb.FLOAT
    case 'float64':
      return duckdb.DOUBLE
    case 'boolean':
      return duckdb.BOOLEAN
    case 'string':
      return duckdb.VARCHAR
    case 'bytes': {
      if (schema.name !== LogicalNames.decimal) return duckdb.BLOB
      const precision = Number(schema.parameters?.['connect.decimal.precision'] ?? 64)
      if (precision > decimalPrecisionMax)
        throw new DataException(
          `ParquetFormat: Decimal precision ${precision} is above ${decimalPrecisionMax} (set connect.decimal.precision)`,
        )
      return duckdb.DECIMAL(precision, Number(schema.parameters?.scale ?? 0))
    }
    case 'array':
      if (schema.items === undefined) throw new DataException('Array schema without items')
      return duckdb.LIST(duckTypeOf(duckdb, schema.items))
    case 'map':
      if (schema.values === undefined || schema.keys?.type !== 'string')
        throw new DataException('ParquetFormat: only maps with string keys are supported')
      return duckdb.MAP(duckdb.VARCHAR, duckTypeOf(duckdb, schema.values))
    case 'struct': {
      const fields = schema.fields ?? []
      if (fields.length === 0) throw new DataException('ParquetFormat: a struct without fields')
      return duckdb.STRUCT(
        Object.fromEntries(fields.map((field) => [field.field, duckTypeOf(duckdb, field)])),
      )
    }
  }
}

/** The unscaled value of a Decimal's bytes (big-endian two's complement, as Connect's Decimal). */
function unscaled(bytes: Uint8Array): bigint {
  let result = 0n
  for (const byte of bytes) result = (result << 8n) | BigInt(byte)
  if (bytes.length > 0 && (bytes[0] & 0x80) !== 0) result -= 1n << BigInt(bytes.length * 8)
  return result
}

function millisOf(value: unknown): number {
  if (value instanceof Date) return value.getTime()
  if (typeof value === 'number' || typeof value === 'bigint') return Number(value)
  throw new DataException(`ParquetFormat: ${typeof value} is not a time value`)
}

function duckValueOf(duckdb: DuckDb, schema: Schema, value: unknown): DuckDBValue {
  if (value === null || value === undefined) {
    if (schema.default !== undefined && schema.default !== null)
      return duckValueOf(duckdb, schema, schema.default)
    if (!schema.optional) throw new DataException('Conversion error: null value for a required field')
    return null
  }
  switch (schema.type) {
    case 'int8':
    case 'int16':
    case 'int32':
      if (schema.name === LogicalNames.date) return duckdb.dateValue(Math.floor(millisOf(value) / 86_400_000))
      if (schema.name === LogicalNames.time) return duckdb.timeValue(BigInt(millisOf(value)) * 1000n)
      return Number(value)
    case 'int64':
      if (schema.name === LogicalNames.timestamp) return duckdb.timestampMillisValue(BigInt(millisOf(value)))
      return BigInt(value as number | bigint)
    case 'float32':
    case 'float64':
      return Number(value)
    case 'boolean':
      return Boolean(value)
    case 'string':
      return String(value)
    case 'bytes': {
      const bytes = typeof value === 'string' ? Buffer.from(value, 'base64') : (value as Uint8Array)
      if (schema.name !== LogicalNames.decimal) return duckdb.blobValue(bytes)
      const precision = Number(schema.parameters?.['connect.decimal.precision'] ?? 64)
      return duckdb.decimalValue(unscaled(bytes), precision, Number(schema.parameters?.scale ?? 0))
    }
    case 'array':
      if (!Array.isArray(value)) throw new DataException('Array value expected')
      return duckdb.listValue(value.map((item) => duckValueOf(duckdb, schema.items as Schema, item)))
    case 'map': {
      const entries = value instanceof Map ? [...value] : Object.entries(value as Record<string, unknown>)
      return duckdb.mapValue(
        entries.map(([key, item]) => ({
          key: String(key),
          value: duckValueOf(duckdb, schema.values as Schema, item),
        })),
      )
    }
    case 'struct': {
      if (!isStruct(value)) throw new DataException('Struct value expected')
      return duckdb.structValue(
        Object.fromEntries(
          (schema.fields ?? []).map((field) => [field.field, duckValueOf(duckdb, field, value[field.field])]),
        ),
      )
    }
  }
}

/** A task's Parquet writer: one DuckDB instance and temporary directory, made on first use. */
export class ParquetObjectWriter {
  private duckdb: DuckDb | null = null
  private instance: DuckDBInstance | null = null
  private connection: DuckDBConnection | null = null
  private directory = ''
  private written = 0

  private async open(): Promise<{ duckdb: DuckDb; connection: DuckDBConnection }> {
    if (this.duckdb !== null && this.connection !== null)
      return { duckdb: this.duckdb, connection: this.connection }
    const duckdb = await import('@duckdb/node-api')
    this.directory = await mkdtemp(join(tmpdir(), 'streamline-s3-parquet-'))
    const instance = await duckdb.DuckDBInstance.create(':memory:', {
      threads: '1',
      autoinstall_known_extensions: 'false',
      autoload_known_extensions: 'false',
      allow_community_extensions: 'false',
      max_temp_directory_size: '0B',
    })
    const connection = await instance.connect()
    // DuckDB may touch no file but this task's directory (it runs no user SQL, but stays locked anyway).
    const allowed = `${resolve(this.directory)}${sep}`.replaceAll("'", "''")
    await connection.run(`SET allowed_directories = ['${allowed}']`)
    await connection.run('SET enable_external_access = false')
    this.duckdb = duckdb
    this.instance = instance
    this.connection = connection
    return { duckdb, connection }
  }

  /** A Parquet file of `values` (structs of `schema`) compressed with `codec`. */
  async encode(schema: Schema, values: unknown[], codec: ParquetCodec): Promise<Buffer> {
    if (schema.type !== 'struct')
      throw new DataException(`ParquetFormat needs struct values (the value schema is ${schema.type})`)
    const { duckdb, connection } = await this.open()
    const fields = schema.fields ?? []
    const columns = fields.map((field) => ({ field, type: duckTypeOf(duckdb, field) }))
    const table = `object_${this.written++}`
    const file = join(this.directory, `${table}.parquet`)
    await connection.run(
      `CREATE TABLE ${table} (${columns.map(({ field, type }) => `${quoteIdentifier(field.field)} ${type.toString()}`).join(', ')})`,
    )
    try {
      const appender = await connection.createAppender(table)
      try {
        for (const value of values) {
          if (!isStruct(value)) throw new DataException('Struct value expected')
          for (const { field, type } of columns) {
            const cell = duckValueOf(duckdb, field, value[field.field])
            if (cell === null) appender.appendNull()
            else appender.appendValue(cell, type)
          }
          appender.endRow()
        }
        appender.flushSync()
      } finally {
        appender.closeSync()
      }
      const path = file.replaceAll("'", "''")
      await connection.run(
        `COPY ${table} TO '${path}' (FORMAT parquet, COMPRESSION ${duckCompression[codec]})`,
      )
      return await readFile(file)
    } finally {
      await connection.run(`DROP TABLE ${table}`)
      await rm(file, { force: true })
    }
  }

  async close(): Promise<void> {
    this.connection?.closeSync()
    this.instance?.closeSync()
    this.connection = null
    this.instance = null
    this.duckdb = null
    if (this.directory !== '') await rm(this.directory, { recursive: true, force: true })
    this.directory = ''
  }
}
