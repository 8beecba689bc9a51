// The 61-byte header of a record batch v2 (magic 2), and the checks a broker runs on it before a batch
// is appended or after it is read back (recovery). Layout (implementation.html, "Record Batch"):
//
//   baseOffset int64 · batchLength int32 · partitionLeaderEpoch int32 · magic int8 · crc uint32 ·
//   attributes int16 · lastOffsetDelta int32 · baseTimestamp int64 · maxTimestamp int64 ·
//   producerId int64 · producerEpoch int16 · baseSequence int32 · recordCount int32 · records...
//
// batchLength counts the bytes after itself (so a batch occupies 12 + batchLength bytes). The CRC32C
// covers attributes..end, so baseOffset, batchLength, partitionLeaderEpoch and magic can be patched
// without recomputing it; the broker patches baseOffset and partitionLeaderEpoch on append.
// Offsets and timestamps are returned as numbers: readers check they are safe integers (2^53 - 1 is
// ~285 000 years of milliseconds and 9 × 10^15 offsets) and fail with CORRUPT_MESSAGE otherwise.

import { CompressionCodec, isCompressionCodec } from './compression/codec-id.ts'
import { crc32c } from './crc32c.ts'
import { CorruptRecordError } from './errors.ts'

/** Byte offsets of the header fields, relative to the start of the batch. */
export const BatchField = {
  baseOffset: 0,
  batchLength: 8,
  partitionLeaderEpoch: 12,
  magic: 16,
  crc: 17,
  attributes: 21,
  lastOffsetDelta: 23,
  baseTimestamp: 27,
  maxTimestamp: 35,
  producerId: 43,
  producerEpoch: 51,
  baseSequence: 53,
  recordCount: 57,
  records: 61,
} as const

/** Size of the v2 header, up to the first record. */
export const batchHeaderBytes = 61
/** Kafka's LOG_OVERHEAD: baseOffset (int64) + batchLength (int32), the framing shared by v0, v1 and v2. */
export const logOverheadBytes = 12
/** Smallest valid batchLength of a v2 batch: the header after the 12-byte log overhead, no records. */
export const batchLengthMin = batchHeaderBytes - logOverheadBytes
/** The CRC covers from `attributes` to the end of the batch. */
export const crcStartOffset = BatchField.attributes
/** A record's smallest encoding: length, attributes, timestampDelta, offsetDelta, key, value, headers. */
export const recordBytesMin = 7

export const currentMagic = 2

export const TimestampType = { createTime: 0, logAppendTime: 1 } as const
export type TimestampType = (typeof TimestampType)[keyof typeof TimestampType]

/** Attribute bits of a v2 batch. Bits 7..15 are unused and must be ignored on read. */
export const BatchAttribute = {
  compressionMask: 0x07,
  timestampType: 0x08,
  isTransactional: 0x10,
  isControl: 0x20,
  hasDeleteHorizon: 0x40,
} as const

/** Kafka's "no producer" values (NO_PRODUCER_ID, NO_PRODUCER_EPOCH, NO_SEQUENCE), and NO_TIMESTAMP. */
export const noProducerId = -1n
export const noProducerEpoch = -1
export const noSequence = -1
export const noTimestamp = -1
/** Kafka's NO_PARTITION_LEADER_EPOCH. */
export const noPartitionLeaderEpoch = -1

export interface BatchHeader {
  baseOffset: number
  batchLength: number
  partitionLeaderEpoch: number
  magic: number
  /** As stored (unsigned 32-bit). */
  crc: number
  attributes: number
  compression: CompressionCodec
  timestampType: TimestampType
  isTransactional: boolean
  isControl: boolean
  hasDeleteHorizon: boolean
  lastOffsetDelta: number
  baseTimestamp: number
  maxTimestamp: number
  producerId: bigint
  producerEpoch: number
  baseSequence: number
  recordCount: number
}

/** Reads an int64 as a number, failing with CORRUPT_MESSAGE outside the safe-integer range. */
export function readSafeInt64(buffer: Buffer, at: number, field: string): number {
  const value = buffer.readBigInt64BE(at)
  if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < BigInt(Number.MIN_SAFE_INTEGER)) {
    throw new CorruptRecordError('integer-range', `${field} ${value} is outside the safe-integer range`)
  }
  return Number(value)
}

function requireBytes(buffer: Buffer, position: number, bytes: number, what: string): void {
  if (!Number.isInteger(position) || position < 0 || buffer.length - position < bytes) {
    throw new CorruptRecordError(
      'truncated',
      `${what} needs ${bytes} bytes at position ${position}, buffer has ${buffer.length}`,
    )
  }
}

/** Decodes the header of the v2 batch at `position`. Checks only that 61 bytes are there. */
export function readBatchHeader(buffer: Buffer, position: number): BatchHeader {
  requireBytes(buffer, position, batchHeaderBytes, 'record batch header')
  const attributes = buffer.readInt16BE(position + BatchField.attributes)
  const codec = attributes & BatchAttribute.compressionMask
  return {
    baseOffset: readSafeInt64(buffer, position + BatchField.baseOffset, 'baseOffset'),
    batchLength: buffer.readInt32BE(position + BatchField.batchLength),
    partitionLeaderEpoch: buffer.readInt32BE(position + BatchField.partitionLeaderEpoch),
    magic: buffer.readInt8(position + BatchField.magic),
    crc: buffer.readUInt32BE(position + BatchField.crc),
    attributes,
    // A reserved codec id (5..7) is reported as is; validateBatch rejects it.
    compression: codec as CompressionCodec,
    timestampType: (attributes & BatchAttribute.timestampType) === 0 ? 0 : 1,
    isTransactional: (attributes & BatchAttribute.isTransactional) !== 0,
    isControl: (attributes & BatchAttribute.isControl) !== 0,
    hasDeleteHorizon: (attributes & BatchAttribute.hasDeleteHorizon) !== 0,
    lastOffsetDelta: buffer.readInt32BE(position + BatchField.lastOffsetDelta),
    baseTimestamp: readSafeInt64(buffer, position + BatchField.baseTimestamp, 'baseTimestamp'),
    maxTimestamp: readSafeInt64(buffer, position + BatchField.maxTimestamp, 'maxTimestamp'),
    producerId: buffer.readBigInt64BE(position + BatchField.producerId),
    producerEpoch: buffer.readInt16BE(position + BatchField.producerEpoch),
    baseSequence: buffer.readInt32BE(position + BatchField.baseSequence),
    recordCount: buffer.readInt32BE(position + BatchField.recordCount),
  }
}

/** The CRC32C a v2 batch at `position` (of `batchLength`) should carry: attributes..end. */
export function computeBatchCrc(buffer: Buffer, position: number, batchLength: number): number {
  return crc32c(buffer.subarray(position + crcStartOffset, position + logOverheadBytes + batchLength))
}

/**
 * Where the batch comes from decides how strict the offset checks are:
 * - 'produce': as a client sent it (Kafka's LogValidator): at least one record, and
 *   lastOffsetDelta = recordCount - 1 exactly.
 * - 'log': as stored. Compaction removes records but keeps lastOffsetDelta (and may keep an empty
 *   batch to preserve producer state), so recordCount ≥ 0 and lastOffsetDelta ≥ recordCount - 1.
 */
export type BatchOrigin = 'produce' | 'log'

export interface ValidateBatchOptions {
  origin?: BatchOrigin
  /**
   * False skips the CRC32C check, for bytes this process built with buildBatch for this one call and
   * never touched since (storage/handed-over.ts): their CRC was computed over these very bytes. Every
   * other check still runs. Default true.
   */
  verifyCrc?: boolean
}

export interface ValidatedBatch {
  header: BatchHeader
  /** Bytes the whole batch occupies, log overhead included (12 + batchLength). */
  sizeBytes: number
  /** baseOffset + lastOffsetDelta. */
  lastOffset: number
}

/**
 * Checks the v2 batch at `position`: it fits, batchLength is in range, magic is 2, the codec id is
 * defined, the CRC32C matches, and the counts and offset deltas agree. Trailing bytes after the batch
 * are allowed (the caller iterates). Throws CorruptRecordError (CORRUPT_MESSAGE) naming the check.
 */
export function validateBatch(
  buffer: Buffer,
  position: number,
  options: ValidateBatchOptions = {},
): ValidatedBatch {
  const origin = options.origin ?? 'produce'
  const header = readBatchHeader(buffer, position)
  if (header.batchLength < batchLengthMin) {
    throw new CorruptRecordError('length', `batchLength ${header.batchLength} is below ${batchLengthMin}`)
  }
  const sizeBytes = logOverheadBytes + header.batchLength
  requireBytes(buffer, position, sizeBytes, `record batch of batchLength ${header.batchLength}`)
  if (header.magic !== currentMagic) {
    throw new CorruptRecordError('magic', `magic ${header.magic} where a v2 batch (magic 2) is required`)
  }
  if (options.verifyCrc !== false) {
    const expectedCrc = computeBatchCrc(buffer, position, header.batchLength)
    if (expectedCrc !== header.crc) {
      throw new CorruptRecordError('crc', `batch CRC32C is ${hex(header.crc)}, computed ${hex(expectedCrc)}`)
    }
  }
  if (!isCompressionCodec(header.compression)) {
    throw new CorruptRecordError('attributes', `reserved compression codec id ${header.compression}`)
  }
  checkCounts(header, origin)
  const lastOffset = header.baseOffset + header.lastOffsetDelta
  if (!Number.isSafeInteger(lastOffset)) {
    throw new CorruptRecordError(
      'integer-range',
      `last offset ${lastOffset} is outside the safe-integer range`,
    )
  }
  return { header, sizeBytes, lastOffset }
}

function checkCounts(header: BatchHeader, origin: BatchOrigin): void {
  const { recordCount, lastOffsetDelta } = header
  if (recordCount < 0) throw new CorruptRecordError('count', `negative recordCount ${recordCount}`)
  // Uncompressed records are stored in place: each takes at least recordBytesMin bytes, so a count that
  // cannot fit is corrupt (and this bounds any per-record allocation a decoder makes).
  if (
    header.compression === CompressionCodec.none &&
    recordCount * recordBytesMin > header.batchLength - batchLengthMin
  ) {
    throw new CorruptRecordError(
      'count',
      `recordCount ${recordCount} cannot fit in batchLength ${header.batchLength}`,
    )
  }
  if (origin === 'produce') {
    if (recordCount === 0) throw new CorruptRecordError('count', 'a produced batch has no records')
    if (lastOffsetDelta !== recordCount - 1) {
      throw new CorruptRecordError(
        'offset',
        `lastOffsetDelta ${lastOffsetDelta} is inconsistent with recordCount ${recordCount}`,
      )
    }
    return
  }
  if (lastOffsetDelta < 0 || lastOffsetDelta < recordCount - 1) {
    throw new CorruptRecordError(
      'offset',
      `lastOffsetDelta ${lastOffsetDelta} is inconsistent with recordCount ${recordCount}`,
    )
  }
}

function hex(value: number): string {
  return `0x${value.toString(16).padStart(8, '0')}`
}

/** Writes baseOffset into the batch at `position` (not covered by the CRC). */
export function patchBaseOffset(buffer: Buffer, position: number, baseOffset: number): void {
  if (!Number.isSafeInteger(baseOffset) || baseOffset < 0) {
    throw new RangeError(`baseOffset must be a non-negative safe integer, got ${baseOffset}`)
  }
  requireBytes(buffer, position, batchHeaderBytes, 'record batch header')
  buffer.writeBigInt64BE(BigInt(baseOffset), position + BatchField.baseOffset)
}

/** Writes partitionLeaderEpoch into the batch at `position` (not covered by the CRC). */
export function patchPartitionLeaderEpoch(
  buffer: Buffer,
  position: number,
  partitionLeaderEpoch: number,
): void {
  if (
    !Number.isInteger(partitionLeaderEpoch) ||
    partitionLeaderEpoch < -1 ||
    partitionLeaderEpoch > 0x7fffffff
  ) {
    throw new RangeError(`partitionLeaderEpoch must be an int32 ≥ -1, got ${partitionLeaderEpoch}`)
  }
  requireBytes(buffer, position, batchHeaderBytes, 'record batch header')
  buffer.writeInt32BE(partitionLeaderEpoch, position + BatchField.partitionLeaderEpoch)
}

/**
 * Turns the batch into a LogAppendTime batch stamped `timestampMs`, as Kafka does for topics with
 * message.timestamp.type=LogAppendTime: sets the timestampType bit and maxTimestamp, then recomputes
 * the CRC (both fields are covered by it). The records themselves are not touched (not even
 * decompressed): readers take maxTimestamp as every record's timestamp for such batches.
 */
export function setLogAppendTime(buffer: Buffer, position: number, timestampMs: number): void {
  if (!Number.isSafeInteger(timestampMs))
    throw new RangeError(`timestamp must be a safe integer: ${timestampMs}`)
  const header = readBatchHeader(buffer, position)
  if (header.batchLength < batchLengthMin) {
    throw new CorruptRecordError('length', `batchLength ${header.batchLength} is below ${batchLengthMin}`)
  }
  requireBytes(buffer, position, logOverheadBytes + header.batchLength, 'record batch')
  buffer.writeInt16BE(header.attributes | BatchAttribute.timestampType, position + BatchField.attributes)
  buffer.writeBigInt64BE(BigInt(timestampMs), position + BatchField.maxTimestamp)
  buffer.writeUInt32BE(computeBatchCrc(buffer, position, header.batchLength), position + BatchField.crc)
}
