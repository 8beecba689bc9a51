// The S3 sink's format.class: how an object's records become its bytes, and the object name's
// extension (Confluent's): JsonFormat `.json` (one JSON value per line), AvroFormat `.avro` (an Avro
// object container file, avro.codec), ParquetFormat `.parquet` after the codec's extension
// (`.snappy.parquet`, `.gz.parquet`, …; parquet.codec). Avro and Parquet need a value schema and hold
// one schema per object (the sink rotates when it changes); their modules load on first use.

import { DataException } from '../../converters/converter.ts'
import { toJsonValue } from '../../converters/json-converter.ts'
import type { Schema } from '../../sdk/data.ts'
import type { AvroCodec } from './avro-container.ts'
import type { ParquetCodec, ParquetObjectWriter } from './parquet-writer.ts'
import { avroFormat, jsonFormat, parquetFormat } from './s3-sink-config.ts'

/** Parquet-mr's CompressionCodecName extensions, which Confluent's ParquetFormat puts before `.parquet`. */
const parquetCodecExtensions: Record<ParquetCodec, string> = {
  none: '',
  snappy: '.snappy',
  gzip: '.gz',
  zstd: '.zstd',
  brotli: '.br',
}

export interface ObjectFormat {
  readonly extension: string
  readonly contentType: string
  /** Throws a DataException when a record of this value schema cannot be written (checked at put). */
  check(schema: Schema | null): void
  encode(schema: Schema | null, values: unknown[], key: string): Promise<Buffer>
  close(): Promise<void>
}

class JsonObjectFormat implements ObjectFormat {
  readonly extension = '.json'
  readonly contentType = 'application/json'
  check(): void {}
  async encode(schema: Schema | null, values: unknown[]): Promise<Buffer> {
    const lines = values.map((value) => `${JSON.stringify(toJsonValue(schema, value))}\n`)
    return Buffer.from(lines.join(''))
  }
  async close(): Promise<void> {}
}

class AvroObjectFormat implements ObjectFormat {
  readonly extension = '.avro'
  readonly contentType = 'application/octet-stream'
  check(schema: Schema | null): void {
    if (schema === null) throw new DataException('AvroFormat needs records with a value schema')
  }
  constructor(private readonly codec: AvroCodec) {}
  async encode(schema: Schema | null, values: unknown[], key: string): Promise<Buffer> {
    const { avroContainer } = await import('./avro-container.ts')
    return avroContainer(schema as Schema, values, this.codec, key)
  }
  async close(): Promise<void> {}
}

class ParquetObjectFormat implements ObjectFormat {
  readonly extension: string
  readonly contentType = 'application/octet-stream'
  private writer: ParquetObjectWriter | null = null
  constructor(private readonly codec: ParquetCodec) {
    this.extension = `${parquetCodecExtensions[codec]}.parquet`
  }
  check(schema: Schema | null): void {
    if (schema === null) throw new DataException('ParquetFormat needs records with a value schema')
    if (schema.type !== 'struct')
      throw new DataException(`ParquetFormat needs struct values (the value schema is ${schema.type})`)
  }
  async encode(schema: Schema | null, values: unknown[]): Promise<Buffer> {
    if (this.writer === null) {
      const { ParquetObjectWriter } = await import('./parquet-writer.ts')
      this.writer = new ParquetObjectWriter()
    }
    return this.writer.encode(schema as Schema, values, this.codec)
  }
  async close(): Promise<void> {
    await this.writer?.close()
    this.writer = null
  }
}

export function objectFormat(formatClass: string, avroCodec: string, parquetCodec: string): ObjectFormat {
  if (formatClass === avroFormat) return new AvroObjectFormat(avroCodec as AvroCodec)
  if (formatClass === parquetFormat) return new ParquetObjectFormat(parquetCodec as ParquetCodec)
  if (formatClass === jsonFormat) return new JsonObjectFormat()
  throw new Error(`unknown format.class ${formatClass}`)
}
