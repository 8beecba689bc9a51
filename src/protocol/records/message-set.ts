// Legacy message sets (magic v0/v1): decode them (wrappers included), convert them to one v2 batch
// for storage (old producers), and down-convert stored v2 batches to v0/v1 (old fetch versions).
//
// Wrapper (compressed) messages, as Kafka writes them:
// - the wrapper's value is the compressed inner message set; nested compression is invalid;
// - the wrapper's offset is the absolute offset of its last inner message;
// - v0 inner messages carry absolute offsets; v1 inner messages carry relative ones, so
//   absolute = wrapperOffset - lastInner.offset + inner.offset (KIP-31);
// - a v1 wrapper with LogAppendTime gives its timestamp to every inner message (KIP-32);
// - LZ4 in v0 uses the broken frame header checksum of Kafka 0.8/0.9 (KIP-57, see lz4-frame.ts).

import { KafkaError } from '../../errors.ts'
import { TimestampType } from './batch-header.ts'
import { buildBatch, decodeBatches } from './batch-v2.ts'
import { CompressionCodec, compress, decompress } from './compression/index.ts'
import { CorruptRecordError, unsupportedCompressionTypeErrorCode } from './errors.ts'
import {
  encodeLegacyMessage,
  type LegacyMagic,
  type LegacyMessage,
  readLegacyMessage,
} from './legacy-message.ts'
import type { KafkaRecord } from './record.ts'

/** One top-level message of a set: a plain message (one record) or a wrapper (its inner records). */
export interface LegacyEntry {
  offset: number
  magic: LegacyMagic
  compression: CompressionCodec
  timestampType: TimestampType
  timestamp: number
  sizeBytes: number
  /** Absolute offsets; no headers (v0/v1 have none). */
  records: KafkaRecord[]
}

export interface MessageSetOptions {
  decompressedBytesMax?: number
}

function recordOf(message: LegacyMessage, offset: number, timestamp: number): KafkaRecord {
  return { offset, timestamp, key: message.key, value: message.value, headers: [] }
}

async function innerRecords(wrapper: LegacyMessage, options: MessageSetOptions): Promise<KafkaRecord[]> {
  if (wrapper.value === null)
    throw new CorruptRecordError('record', 'compressed wrapper message with a null value')
  const inner = await decompress(wrapper.compression, wrapper.value, {
    decompressedBytesMax: options.decompressedBytesMax,
    lz4HeaderChecksum: 'accept-legacy',
  })
  const messages: LegacyMessage[] = []
  for (let position = 0; position < inner.length; ) {
    const message = readLegacyMessage(inner, position)
    if (message.compression !== CompressionCodec.none) {
      throw new CorruptRecordError('attributes', 'compressed message inside a compressed wrapper')
    }
    if (message.magic !== wrapper.magic) {
      throw new CorruptRecordError(
        'magic',
        `inner magic ${message.magic} in a magic ${wrapper.magic} wrapper`,
      )
    }
    messages.push(message)
    position += message.sizeBytes
  }
  if (messages.length === 0)
    throw new CorruptRecordError('count', 'compressed wrapper with no inner messages')
  const lastRelative = messages[messages.length - 1].offset
  const logAppendTime = wrapper.timestampType === TimestampType.logAppendTime
  return messages.map((message) => {
    const offset = wrapper.magic === 1 ? wrapper.offset - lastRelative + message.offset : message.offset
    return recordOf(message, offset, logAppendTime ? wrapper.timestamp : message.timestamp)
  })
}

/** Decodes a whole v0/v1 message set (every byte must belong to a message), wrappers included. */
export async function decodeMessageSet(
  buffer: Buffer,
  options: MessageSetOptions = {},
): Promise<LegacyEntry[]> {
  const entries: LegacyEntry[] = []
  for (let position = 0; position < buffer.length; ) {
    const message = readLegacyMessage(buffer, position)
    const records =
      message.compression === CompressionCodec.none
        ? [recordOf(message, message.offset, message.timestamp)]
        : await innerRecords(message, options)
    const { offset, magic, compression, timestampType, timestamp, sizeBytes } = message
    entries.push({ offset, magic, compression, timestampType, timestamp, sizeBytes, records })
    position += message.sizeBytes
  }
  return entries
}

export interface MessageSetToBatchOptions extends MessageSetOptions {
  /** Codec of the v2 batch. Default: the first codec used in the set (Kafka's source codec), else none. */
  compression?: CompressionCodec
  /**
   * 'sequential' (default): offsets 0..n-1 from baseOffset, as a broker assigns them on produce
   * (old producers send arbitrary offsets). 'preserve': keep the set's offsets (must increase).
   */
  offsets?: 'sequential' | 'preserve'
  baseOffset?: number
  partitionLeaderEpoch?: number
}

/** Converts a v0/v1 message set (e.g. from an old producer) into one v2 batch. */
export async function messageSetToBatch(
  buffer: Buffer,
  options: MessageSetToBatchOptions = {},
): Promise<Buffer> {
  const entries = await decodeMessageSet(buffer, options)
  const records = entries.flatMap((entry) => entry.records)
  if (records.length === 0) throw new CorruptRecordError('count', 'empty message set')
  const preserve = options.offsets === 'preserve'
  const firstOffset = records[0].offset
  let previous = -1
  const inputs = records.map((record, index) => {
    const offsetDelta = preserve ? record.offset - firstOffset : index
    if (offsetDelta <= previous || offsetDelta > 0x7fffffff) {
      throw new CorruptRecordError('offset', `message set offsets do not increase at offset ${record.offset}`)
    }
    previous = offsetDelta
    return { offsetDelta, timestamp: record.timestamp, key: record.key, value: record.value }
  })
  const sourceCodec = entries.find((entry) => entry.compression !== CompressionCodec.none)?.compression
  return buildBatch({
    records: inputs,
    baseOffset: preserve ? firstOffset : (options.baseOffset ?? 0),
    partitionLeaderEpoch: options.partitionLeaderEpoch,
    compression: options.compression ?? sourceCodec ?? CompressionCodec.none,
  })
}

function assertDownConvertible(compression: CompressionCodec, magic: LegacyMagic): void {
  if (compression === CompressionCodec.zstd) {
    // zstd exists from v2 only (KIP-110); the Java broker answers old fetch versions this way too.
    throw new KafkaError(
      unsupportedCompressionTypeErrorCode,
      `zstd batches cannot be down-converted to magic ${magic}`,
    )
  }
}

/**
 * Down-converts the v2 batches in `buffer` to a v0/v1 message set, one wrapper per compressed batch
 * (same codec) or one message per record. Control batches are dropped, as are headers, and (for v0)
 * timestamps: Kafka's down-conversion loses them the same way. zstd batches fail with
 * UNSUPPORTED_COMPRESSION_TYPE (76).
 */
export async function batchesToMessageSet(
  buffer: Buffer,
  magic: LegacyMagic,
  options: MessageSetOptions = {},
): Promise<Buffer> {
  const parts: Buffer[] = []
  for (const batch of await decodeBatches(buffer, { decompressedBytesMax: options.decompressedBytesMax })) {
    const { header, records } = batch
    if (header.isControl || records.length === 0) continue
    const timestampType = header.timestampType
    if (header.compression === CompressionCodec.none) {
      for (const record of records) parts.push(encodeLegacyMessage({ ...record, magic, timestampType }))
      continue
    }
    assertDownConvertible(header.compression, magic)
    const firstOffset = records[0].offset
    const inner = records.map((record) =>
      encodeLegacyMessage({
        ...record,
        offset: magic === 1 ? record.offset - firstOffset : record.offset,
        magic,
        timestampType,
      }),
    )
    const value = await compress(header.compression, Buffer.concat(inner), {
      lz4HeaderChecksum: magic === 0 ? 'legacy-kafka' : 'standard',
    })
    const last = records[records.length - 1]
    const wrapperTimestamp =
      timestampType === TimestampType.logAppendTime
        ? header.maxTimestamp
        : records.reduce((max, record) => Math.max(max, record.timestamp), -1)
    parts.push(
      encodeLegacyMessage({
        offset: last.offset,
        magic,
        compression: header.compression,
        timestampType,
        timestamp: wrapperTimestamp,
        key: null,
        value,
      }),
    )
  }
  return Buffer.concat(parts)
}
