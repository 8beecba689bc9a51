// Record batch v2: decode a whole batch into records (decompressing as needed) and build one from
// records. The header layout and its checks live in batch-header.ts; the record layout in record.ts.
// Decoding is for features that need records (compaction, conversion, LogAppendTime, the console):
// the produce/fetch path moves batches as bytes and only runs validateBatch.

import { EncodeError } from '../../errors.ts'
import { Writer } from '../writer.ts'
import {
  BatchAttribute,
  BatchField,
  type BatchHeader,
  type BatchOrigin,
  batchHeaderBytes,
  batchLengthMin,
  computeBatchCrc,
  currentMagic,
  logOverheadBytes,
  noPartitionLeaderEpoch,
  noProducerEpoch,
  noProducerId,
  noSequence,
  noTimestamp,
  TimestampType,
  validateBatch,
} from './batch-header.ts'
import { CompressionCodec, compress, decompress } from './compression/index.ts'
import { CorruptRecordError } from './errors.ts'
import {
  decodeRecords,
  type KafkaRecord,
  type RecordContext,
  type RecordInput,
  writeRecord,
} from './record.ts'

export interface DecodedBatch {
  header: BatchHeader
  records: KafkaRecord[]
  /** Bytes the batch occupies, the 12-byte log overhead included. */
  sizeBytes: number
}

export interface DecodeBatchOptions {
  /** How strict the count/offset checks are (see validateBatch). Default 'log'. */
  origin?: BatchOrigin
  decompressedBytesMax?: number
}

/** A validated batch with its records section decompressed (openBatch). */
export interface OpenedBatch {
  header: BatchHeader
  /** The records section, decompressed: `header.recordCount` records, read with readRecord. */
  data: Buffer
  /** What every record of the batch takes from its header. */
  context: RecordContext
  sizeBytes: number
}

/**
 * Validates (CRC, header) the v2 batch at `position` and decompresses its records section, without
 * decoding the records: a reader that takes them a few at a time (Connect's sink consumer) keeps only
 * those alive. Records of a LogAppendTime batch all carry the batch's maxTimestamp, as Kafka's readers do.
 */
export async function openBatch(
  buffer: Buffer,
  position = 0,
  options: DecodeBatchOptions = {},
): Promise<OpenedBatch> {
  const { header, sizeBytes } = validateBatch(buffer, position, { origin: options.origin ?? 'log' })
  const section = buffer.subarray(position + batchHeaderBytes, position + sizeBytes)
  const data = await decompress(header.compression, section, {
    decompressedBytesMax: options.decompressedBytesMax,
    lz4HeaderChecksum: 'strict',
  })
  const context: RecordContext = {
    baseOffset: header.baseOffset,
    baseTimestamp: header.baseTimestamp,
    logAppendTime: header.timestampType === TimestampType.logAppendTime ? header.maxTimestamp : null,
  }
  return { header, data, context, sizeBytes }
}

/** Validates (CRC, header) and decodes the v2 batch at `position` (openBatch, then every record). */
export async function decodeBatch(
  buffer: Buffer,
  position = 0,
  options: DecodeBatchOptions = {},
): Promise<DecodedBatch> {
  const { header, data, context, sizeBytes } = await openBatch(buffer, position, options)
  const records = decodeRecords(data, header.recordCount, context)
  return { header, records, sizeBytes }
}

export interface BuildBatchOptions {
  records: RecordInput[]
  baseOffset?: number
  partitionLeaderEpoch?: number
  compression?: CompressionCodec
  timestampType?: TimestampType
  isTransactional?: boolean
  isControl?: boolean
  producerId?: bigint
  producerEpoch?: number
  baseSequence?: number
  /** Default: the first record's timestamp (Kafka's firstTimestamp), or deleteHorizonMs when set. */
  baseTimestamp?: number
  /** Default: the largest record timestamp; for LogAppendTime batches, the append time. */
  maxTimestamp?: number
  /** Sets the hasDeleteHorizon attribute; Kafka then stores the horizon as baseTimestamp. */
  deleteHorizonMs?: number
  /** Default: the last record's offsetDelta. Compaction keeps the original (records may be gone). */
  lastOffsetDelta?: number
}

function attributesOf(options: BuildBatchOptions): number {
  let attributes = options.compression ?? CompressionCodec.none
  if (options.timestampType === TimestampType.logAppendTime) attributes |= BatchAttribute.timestampType
  if (options.isTransactional === true) attributes |= BatchAttribute.isTransactional
  if (options.isControl === true) attributes |= BatchAttribute.isControl
  if (options.deleteHorizonMs !== undefined) attributes |= BatchAttribute.hasDeleteHorizon
  return attributes
}

/**
 * The records' offset deltas: given ones must be non-negative and strictly increasing. Null when no
 * record gives one (a producer's batch): each record's delta is its index, with no array to build.
 */
function offsetDeltasOf(records: RecordInput[]): number[] | null {
  let given = false
  for (const record of records) {
    if (record.offsetDelta !== undefined) {
      given = true
      break
    }
  }
  if (!given) return null
  let previous = -1
  return records.map((record, index) => {
    const delta = record.offsetDelta ?? index
    if (!Number.isInteger(delta) || delta <= previous || delta > 0x7fffffff) {
      throw new EncodeError(`record ${index}: offsetDelta ${delta} must be an int32 above ${previous}`)
    }
    previous = delta
    return delta
  })
}

function timestampsOf(options: BuildBatchOptions): { baseTimestamp: number; maxTimestamp: number } {
  let largest = noTimestamp
  for (const record of options.records) {
    const { timestamp } = record
    if (!Number.isSafeInteger(timestamp))
      throw new EncodeError(`record timestamp ${timestamp} is not an integer`)
    if (timestamp > largest) largest = timestamp
  }
  const first = options.records.length > 0 ? options.records[0].timestamp : noTimestamp
  const baseTimestamp = options.deleteHorizonMs ?? options.baseTimestamp ?? first
  const maxTimestamp = options.maxTimestamp ?? largest
  return { baseTimestamp, maxTimestamp }
}

/** The largest buffer a batch's writer starts with (it still grows past it when needed). */
const writerInitialBytesMax = 8 * 1024 * 1024

/** A batch header's fields, for `fillBatchHeader` (defaults as buildBatch's). */
export interface BatchHeaderFields {
  baseOffset?: number
  partitionLeaderEpoch?: number
  attributes: number
  lastOffsetDelta: number
  baseTimestamp: number
  maxTimestamp: number
  producerId?: bigint
  producerEpoch?: number
  baseSequence?: number
  recordCount: number
}

/**
 * Writes the header of the batch in `batch` (its records section already in place after
 * batchHeaderBytes), CRC32C last.
 */
export function fillBatchHeader(batch: Buffer, fields: BatchHeaderFields): void {
  const batchLength = batch.length - (batchHeaderBytes - batchLengthMin)
  batch.writeBigInt64BE(BigInt(fields.baseOffset ?? 0), BatchField.baseOffset)
  batch.writeInt32BE(batchLength, BatchField.batchLength)
  batch.writeInt32BE(fields.partitionLeaderEpoch ?? noPartitionLeaderEpoch, BatchField.partitionLeaderEpoch)
  batch.writeInt8(currentMagic, BatchField.magic)
  batch.writeInt16BE(fields.attributes, BatchField.attributes)
  batch.writeInt32BE(fields.lastOffsetDelta, BatchField.lastOffsetDelta)
  batch.writeBigInt64BE(BigInt(fields.baseTimestamp), BatchField.baseTimestamp)
  batch.writeBigInt64BE(BigInt(fields.maxTimestamp), BatchField.maxTimestamp)
  batch.writeBigInt64BE(fields.producerId ?? noProducerId, BatchField.producerId)
  batch.writeInt16BE(fields.producerEpoch ?? noProducerEpoch, BatchField.producerEpoch)
  batch.writeInt32BE(fields.baseSequence ?? noSequence, BatchField.baseSequence)
  batch.writeInt32BE(fields.recordCount, BatchField.recordCount)
  batch.writeUInt32BE(computeBatchCrc(batch, 0, batchLength), BatchField.crc)
}

/** Placeholder bytes for an uncompressed batch's header (overwritten field by field). */
export const batchHeaderRoom = Buffer.alloc(batchHeaderBytes)

/** Builds a v2 batch (header, records, compression, CRC32C) from records. */
export async function buildBatch(options: BuildBatchOptions): Promise<Buffer> {
  const { records } = options
  const deltas = offsetDeltasOf(records)
  const lastRecordDelta =
    records.length === 0 ? undefined : deltas === null ? records.length - 1 : deltas[deltas.length - 1]
  const lastOffsetDelta = options.lastOffsetDelta ?? lastRecordDelta
  if (lastOffsetDelta === undefined) throw new EncodeError('an empty batch needs an explicit lastOffsetDelta')
  if (lastRecordDelta !== undefined && lastOffsetDelta < lastRecordDelta) {
    throw new EncodeError(`lastOffsetDelta ${lastOffsetDelta} is below the last record's offsetDelta`)
  }
  const { baseTimestamp, maxTimestamp } = timestampsOf(options)
  // Sized up front (keys, values and ~24 bytes of framing per record), so a large batch is not
  // built through a series of doubling copies.
  let estimatedBytes = 64 + batchHeaderBytes
  for (const record of options.records)
    estimatedBytes += (record.key?.length ?? 0) + (record.value?.length ?? 0) + 24
  const codec = options.compression ?? CompressionCodec.none
  const writer = new Writer(Math.min(estimatedBytes, writerInitialBytesMax))
  // Uncompressed, the records are written after room for the header, which is filled in below: the
  // batch is the writer's buffer, with no copy of its records into another one.
  if (codec === CompressionCodec.none) writer.writeRawBytes(batchHeaderRoom)
  for (let index = 0; index < records.length; index++)
    writeRecord(writer, records[index], deltas === null ? index : deltas[index], baseTimestamp)
  let batch: Buffer
  if (codec === CompressionCodec.none) batch = writer.toBuffer()
  else {
    const section = await compress(codec, writer.toBuffer())
    // Unzeroed: every header field is written below and the records are copied in after it.
    batch = Buffer.allocUnsafe(batchHeaderBytes + section.length)
    section.copy(batch, batchHeaderBytes)
  }
  fillBatchHeader(batch, {
    ...options,
    attributes: attributesOf(options),
    lastOffsetDelta,
    baseTimestamp,
    maxTimestamp,
    recordCount: records.length,
  })
  return batch
}

/** Decodes every whole v2 batch of `buffer` in order; a trailing partial batch is an error here. */
export async function decodeBatches(
  buffer: Buffer,
  options: DecodeBatchOptions = {},
): Promise<DecodedBatch[]> {
  const batches: DecodedBatch[] = []
  let position = 0
  while (position < buffer.length) {
    if (buffer.length - position < logOverheadBytes) {
      throw new CorruptRecordError(
        'truncated',
        `${buffer.length - position} trailing bytes after the last batch`,
      )
    }
    const batch = await decodeBatch(buffer, position, options)
    batches.push(batch)
    position += batch.sizeBytes
  }
  return batches
}
