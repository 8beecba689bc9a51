// One legacy message, magic v0 or v1 (implementation.html, "Message Sets"), with its log overhead:
//
//   offset int64 · messageSize int32 · crc uint32 · magic int8 · attributes int8 ·
//   [timestamp int64, v1 only] · key bytes (int32 length, -1 null) · value bytes (same)
//
// The CRC is CRC32 (IEEE, not CRC32C) over magic..end. Attributes: bits 0..2 the codec; bit 3 the
// timestamp type (v1 only). A compressed message (a "wrapper") holds a whole inner message set,
// compressed, as its value; message-set.ts handles those.

import { Reader } from '../reader.ts'
import { readSafeInt64, type TimestampType } from './batch-header.ts'
import { CompressionCodec, toCompressionCodec } from './compression/index.ts'
import { crc32 } from './crc32c.ts'
import { asCorruptRecord, CorruptRecordError } from './errors.ts'

export type LegacyMagic = 0 | 1

/** crc + magic + attributes + key length + value length (Kafka's RECORD_OVERHEAD_V0); v1 adds 8. */
export const legacyMessageBytesMinV0 = 14
export const legacyMessageBytesMinV1 = 22
const legacyTimestampTypeBit = 0x08
const crcFieldPosition = 12
const magicFieldPosition = 16

export interface LegacyMessage {
  offset: number
  magic: LegacyMagic
  attributes: number
  compression: CompressionCodec
  timestampType: TimestampType
  /** -1 (no timestamp) for magic 0. */
  timestamp: number
  key: Buffer | null
  value: Buffer | null
  /** Bytes it occupies, log overhead included. */
  sizeBytes: number
}

/** Decodes and CRC-checks the message at `position`. Throws CorruptRecordError. */
export function readLegacyMessage(buffer: Buffer, position: number): LegacyMessage {
  if (buffer.length - position < 12 + legacyMessageBytesMinV0) {
    throw new CorruptRecordError('truncated', `legacy message at ${position} is cut short`)
  }
  const messageSize = buffer.readInt32BE(position + 8)
  const magic = buffer.readInt8(position + magicFieldPosition)
  if (magic !== 0 && magic !== 1) throw new CorruptRecordError('magic', `legacy message with magic ${magic}`)
  const sizeMin = magic === 0 ? legacyMessageBytesMinV0 : legacyMessageBytesMinV1
  if (messageSize < sizeMin) throw new CorruptRecordError('length', `legacy message size ${messageSize}`)
  if (messageSize > buffer.length - position - 12) {
    throw new CorruptRecordError('truncated', `legacy message of ${messageSize} bytes, fewer remain`)
  }
  const end = position + 12 + messageSize
  const storedCrc = buffer.readUInt32BE(position + crcFieldPosition)
  const computedCrc = crc32(buffer.subarray(position + magicFieldPosition, end))
  if (storedCrc !== computedCrc) {
    throw new CorruptRecordError('crc', `legacy message CRC32 ${storedCrc}, computed ${computedCrc}`)
  }
  const attributes = buffer.readInt8(position + 17)
  return asCorruptRecord('legacy message', () => {
    const reader = new Reader(buffer, position + 18, end)
    let timestamp = -1
    if (magic === 1) {
      reader.readRawBytes(8, 'timestamp')
      timestamp = readSafeInt64(buffer, position + 18, 'timestamp')
    }
    const key = reader.readNullableBytes('key')
    const value = reader.readNullableBytes('value')
    reader.expectEnd('message')
    return {
      offset: readSafeInt64(buffer, position, 'offset'),
      magic,
      attributes,
      compression: toCompressionCodec(attributes & 0x07),
      timestampType: magic === 1 && (attributes & legacyTimestampTypeBit) !== 0 ? 1 : 0,
      timestamp,
      key,
      value,
      sizeBytes: 12 + messageSize,
    }
  })
}

export interface LegacyMessageInput {
  offset: number
  magic: LegacyMagic
  compression?: CompressionCodec
  timestampType?: TimestampType
  /** Ignored for magic 0. */
  timestamp?: number
  key: Buffer | null
  value: Buffer | null
}

/** Encodes one message, log overhead and CRC32 included. */
export function encodeLegacyMessage(message: LegacyMessageInput): Buffer {
  const timestampBytes = message.magic === 1 ? 8 : 0
  const keyBytes = message.key?.length ?? 0
  const valueBytes = message.value?.length ?? 0
  const messageSize = legacyMessageBytesMinV0 + timestampBytes + keyBytes + valueBytes
  const out = Buffer.alloc(12 + messageSize)
  out.writeBigInt64BE(BigInt(message.offset), 0)
  out.writeInt32BE(messageSize, 8)
  out.writeInt8(message.magic, magicFieldPosition)
  let attributes = message.compression ?? CompressionCodec.none
  if (message.magic === 1 && message.timestampType === 1) attributes |= legacyTimestampTypeBit
  out.writeInt8(attributes, 17)
  let position = 18
  if (message.magic === 1) {
    out.writeBigInt64BE(BigInt(message.timestamp ?? -1), position)
    position += 8
  }
  for (const bytes of [message.key, message.value]) {
    out.writeInt32BE(bytes === null ? -1 : bytes.length, position)
    position += 4
    if (bytes !== null) position += bytes.copy(out, position)
  }
  out.writeUInt32BE(crc32(out.subarray(magicFieldPosition)), crcFieldPosition)
  return out
}
