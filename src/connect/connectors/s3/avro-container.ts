// Avro object container files (the Avro specification's "Object Container Files"), as Confluent's
// AvroFormat writes them: the header ("Obj" 1, metadata avro.schema and avro.codec, a 16-byte sync
// marker), then blocks of records (count, byte size, the records' binary encoding compressed by the
// codec, the sync marker). Written in memory in one go, since an S3 object is uploaded whole.
// The sync marker is derived from the object's key: the same records written again after a crash
// give the same bytes.

import { createHash } from 'node:crypto'
import { deflateRawSync } from 'node:zlib'
import { crc32 } from '@node-rs/crc32'
import avro from 'avsc'
import { compressSync } from 'snappy'
import { avroSchemaOf, avroValueOf } from '../../converters/avro-data.ts'
import { DataException } from '../../converters/converter.ts'
import type { Schema } from '../../sdk/data.ts'

export type AvroCodec = 'null' | 'deflate' | 'snappy'

/** Records per block are cut when a block's encoding passes this (avsc's and Java's default is 64 KiB). */
const blockBytesTarget = 64 * 1024
const magic = Buffer.from([0x4f, 0x62, 0x6a, 0x01])
const metadataType = avro.Type.forSchema({ type: 'map', values: 'bytes' })
const longType = avro.Type.forSchema('long')

/** Avro's codecs: snappy is the raw block followed by the CRC-32 (big-endian) of the uncompressed data. */
function compress(codec: AvroCodec, data: Buffer): Buffer {
  if (codec === 'deflate') return deflateRawSync(data)
  if (codec === 'snappy') {
    const checksum = Buffer.alloc(4)
    checksum.writeUInt32BE(crc32(data) >>> 0)
    return Buffer.concat([compressSync(data), checksum])
  }
  return data
}

/** One container file holding `values` (all of `schema`), the Avro schema mapped as Confluent's AvroData. */
export function avroContainer(schema: Schema, values: unknown[], codec: AvroCodec, key: string): Buffer {
  const avroSchema = avroSchemaOf(schema)
  const type = avro.Type.forSchema(avroSchema as avro.Schema)
  const sync = createHash('md5').update(key).digest()
  const chunks: Buffer[] = [
    magic,
    metadataType.toBuffer({
      'avro.schema': Buffer.from(JSON.stringify(avroSchema)),
      'avro.codec': Buffer.from(codec),
    }),
    sync,
  ]
  let pending: Buffer[] = []
  let pendingBytes = 0
  const flushBlock = (): void => {
    if (pending.length === 0) return
    const data = compress(codec, Buffer.concat(pending))
    chunks.push(longType.toBuffer(pending.length), longType.toBuffer(data.length), data, sync)
    pending = []
    pendingBytes = 0
  }
  for (const value of values) {
    let encoded: Buffer
    try {
      encoded = type.toBuffer(avroValueOf(schema, value))
    } catch (error) {
      throw new DataException(`AvroFormat could not write a record: ${(error as Error).message}`)
    }
    pending.push(encoded)
    pendingBytes += encoded.length
    if (pendingBytes >= blockBytesTarget) flushBlock()
  }
  flushBlock()
  return Buffer.concat(chunks)
}
