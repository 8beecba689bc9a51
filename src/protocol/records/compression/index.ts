// One entry point for Kafka's compression codecs: compress(codec, bytes) and decompress(codec, bytes),
// with Kafka's codec ids (0 none, 1 gzip, 2 snappy, 3 lz4, 4 zstd). Every failure is a
// CorruptRecordError: 'compression' for a payload that does not decode, 'decompressed-size' when the
// output would exceed the limit (checked before the output is allocated), 'attributes' for a codec id
// Kafka reserves (5..7).

import { CorruptRecordError } from '../errors.ts'
import { CompressionCodec, isCompressionCodec } from './codec-id.ts'
import { decodeGzip, encodeGzip } from './gzip.ts'
import type { Lz4EncodeHeaderChecksum, Lz4HeaderChecksum } from './lz4-frame.ts'

// The snappy, lz4 and zstd modules load native addons; they are imported on first use so a broker
// whose producers never use them does not pay for loading them at start-up.
const snappyCodec = () => import('./snappy.ts')
const lz4Codec = () => import('./lz4-frame.ts')
const zstdCodec = () => import('./zstd.ts')

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
      return (await snappyCodec()).encodeSnappyXerial(input)
    case CompressionCodec.lz4:
      return (await lz4Codec()).encodeLz4Frame(input, {
        headerChecksum: options.lz4HeaderChecksum ?? 'standard',
      })
    case CompressionCodec.zstd:
      return (await zstdCodec()).encodeZstd(input)
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
      return (await snappyCodec()).decodeSnappy(input, { decompressedBytesMax })
    case CompressionCodec.lz4:
      return (await lz4Codec()).decodeLz4Frames(input, {
        decompressedBytesMax,
        headerChecksum: options.lz4HeaderChecksum ?? 'strict',
      })
    case CompressionCodec.zstd:
      return (await zstdCodec()).decodeZstd(input, { decompressedBytesMax })
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
