// One entry point for Kafka's compression codecs: compress(codec, bytes) and decompress(codec, bytes),
// with Kafka's codec ids (0 none, 1 gzip, 2 snappy, 3 lz4, 4 zstd). Every failure is a
// CorruptRecordError: 'compression' for a payload that does not decode, 'decompressed-size' when the
// output would exceed the limit (checked before the output is allocated), 'attributes' for a codec id
// Kafka reserves (5..7).

import { CorruptRecordError } from '../errors.ts'
import { CompressionCodec, isCompressionCodec } from './codec-id.ts'
import { decodeGzip, encodeGzip } from './gzip.ts'
import {
  decodeLz4Frames,
  encodeLz4Frame,
  type Lz4EncodeHeaderChecksum,
  type Lz4HeaderChecksum,
} from './lz4-frame.ts'
import { decodeSnappy, encodeSnappyXerial } from './snappy.ts'
import { decodeZstd, encodeZstd } from './zstd.ts'

export { CompressionCodec, compressionCodecNames, isCompressionCodec } from './codec-id.ts'

/**
 * Default bound on what one compressed payload (a batch's records, a wrapper message's inner set)
 * may decompress to. Kafka bounds the compressed size (max.message.bytes, 1 MiB by default; brokers
 * raise it to tens of MiB); 256 MiB leaves room for that at real-world ratios while a bomb
 * (ratios of 1000:1 and more) still fails instead of exhausting memory.
 */
export const decompressedBytesMaxDefault = 256 * 1024 * 1024

export interface DecompressOptions {
  decompressedBytesMax?: number
  /** LZ4 header checksum rule: 'strict' for v2 batches, 'accept-legacy' for v0/v1 message sets (KIP-57). */
  lz4HeaderChecksum?: Lz4HeaderChecksum
}

export interface CompressOptions {
  /** 'legacy-kafka' writes the KIP-57 broken LZ4 header checksum, for message format v0. */
  lz4HeaderChecksum?: Lz4EncodeHeaderChecksum
}

export async function compress(
  codec: CompressionCodec,
  input: Buffer,
  options: CompressOptions = {},
): Promise<Buffer> {
  switch (codec) {
    case CompressionCodec.none:
      return input
    case CompressionCodec.gzip:
      return encodeGzip(input)
    case CompressionCodec.snappy:
      return encodeSnappyXerial(input)
    case CompressionCodec.lz4:
      return encodeLz4Frame(input, { headerChecksum: options.lz4HeaderChecksum ?? 'standard' })
    case CompressionCodec.zstd:
      return encodeZstd(input)
    default:
      return unknownCodec(codec)
  }
}

export async function decompress(
  codec: CompressionCodec,
  input: Buffer,
  options: DecompressOptions = {},
): Promise<Buffer> {
  const decompressedBytesMax = options.decompressedBytesMax ?? decompressedBytesMaxDefault
  switch (codec) {
    case CompressionCodec.none:
      return input
    case CompressionCodec.gzip:
      return decodeGzip(input, { decompressedBytesMax })
    case CompressionCodec.snappy:
      return decodeSnappy(input, { decompressedBytesMax })
    case CompressionCodec.lz4:
      return decodeLz4Frames(input, {
        decompressedBytesMax,
        headerChecksum: options.lz4HeaderChecksum ?? 'strict',
      })
    case CompressionCodec.zstd:
      return decodeZstd(input, { decompressedBytesMax })
    default:
      return unknownCodec(codec)
  }
}

/** A codec id from the wire, checked: reserved ids 5..7 fail with CORRUPT_MESSAGE ('attributes'). */
export function toCompressionCodec(value: number): CompressionCodec {
  if (!isCompressionCodec(value)) unknownCodec(value)
  return value
}

function unknownCodec(codec: never | number): never {
  throw new CorruptRecordError('attributes', `unknown compression codec id ${String(codec)}`)
}
