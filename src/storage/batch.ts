// The storage engine's view of record batches: validation of appended bytes and the few header fields
// storage needs (offsets, timestamps, size). Byte layout and CRC checks come from protocol/records;
// this file only adds the storage-side rules (max.message.bytes, control batches from clients) and
// turns the batches of one append into a list of spans to patch and index.

import { KafkaError } from '../errors.ts'
import {
  BatchAttribute,
  BatchField,
  logOverheadBytes,
  patchBaseOffset,
  patchPartitionLeaderEpoch,
  setLogAppendTime,
  validateBatch,
} from '../protocol/records/batch-header.ts'
import { StorageErrorCode } from './error-codes.ts'
import { isHandedOver } from './handed-over.ts'
import { type MarkerType, markerTypeOf } from './partition-transactions.ts'
import type { ProducerBatchHeader } from './producer-state.ts'

export { logOverheadBytes }

/** What storage keeps of one batch while appending it. */
export interface BatchSpan {
  /** Position in the appended buffer. */
  position: number
  sizeBytes: number
  lastOffsetDelta: number
  maxTimestamp: number
  /** The idempotent producer that wrote it (data batches only), or null (producer id -1). */
  producer: ProducerBatchHeader | null
  /** Transactional data (marker null) or a transaction marker (control batch); null otherwise. */
  transaction: { producerId: bigint; producerEpoch: number; marker: MarkerType | null } | null
}

export interface AppendValidationRules {
  maxMessageBytes: number
  origin: 'client' | 'coordinator'
}

/** Validates every batch in `buffer` (framing, magic 2, CRC32C, counts, size, control flag).
 * Throws KafkaError: CORRUPT_MESSAGE, MESSAGE_TOO_LARGE, INVALID_RECORD. */
export function validateAppendBatches(buffer: Buffer, rules: AppendValidationRules): BatchSpan[] {
  if (buffer.length === 0) throw new KafkaError(StorageErrorCode.INVALID_RECORD, 'no record batch to append')
  const spans: BatchSpan[] = []
  // A handed-over buffer was built by this process's batch builder for this append (its CRC computed
  // over these bytes, nothing written since): its CRC is not computed a second time.
  const verifyCrc = !isHandedOver(buffer)
  let position = 0
  while (position < buffer.length) {
    const { header, sizeBytes } = validateBatch(buffer, position, { origin: 'produce', verifyCrc })
    if (sizeBytes > rules.maxMessageBytes) {
      throw new KafkaError(
        StorageErrorCode.MESSAGE_TOO_LARGE,
        `record batch of ${sizeBytes} bytes exceeds max.message.bytes ${rules.maxMessageBytes}`,
      )
    }
    if (header.isControl && rules.origin === 'client') {
      throw new KafkaError(StorageErrorCode.INVALID_RECORD, 'clients may not append control batches')
    }
    // Coordinators write transactional offset commits without sequences (Kafka's origin=Coordinator).
    const producer =
      header.producerId >= 0n && !header.isControl && rules.origin === 'client'
        ? {
            producerId: header.producerId,
            producerEpoch: header.producerEpoch,
            baseSequence: header.baseSequence,
            lastOffsetDelta: header.lastOffsetDelta,
            maxTimestamp: header.maxTimestamp,
          }
        : null
    const transaction =
      header.isControl || header.isTransactional
        ? {
            producerId: header.producerId,
            producerEpoch: header.producerEpoch,
            marker: header.isControl ? markerTypeOf(buffer, position) : null,
          }
        : null
    spans.push({
      position,
      sizeBytes,
      lastOffsetDelta: header.lastOffsetDelta,
      maxTimestamp: header.maxTimestamp,
      producer,
      transaction,
    })
    position += sizeBytes
  }
  return spans
}

/** Stamps the offset (and leader epoch, and LogAppendTime when asked) into one validated batch. */
export function stampBatch(
  buffer: Buffer,
  span: BatchSpan,
  stamp: { baseOffset: number; leaderEpoch: number | undefined; logAppendTimeMs: number | undefined },
): void {
  patchBaseOffset(buffer, span.position, stamp.baseOffset)
  if (stamp.leaderEpoch !== undefined) patchPartitionLeaderEpoch(buffer, span.position, stamp.leaderEpoch)
  if (stamp.logAppendTimeMs !== undefined) {
    setLogAppendTime(buffer, span.position, stamp.logAppendTimeMs)
    span.maxTimestamp = stamp.logAppendTimeMs
  }
}

/** Header fields read from stored bytes (no validation: callers validated on append or in recovery). */
export interface StoredBatchHeader {
  baseOffset: number
  sizeBytes: number
  lastOffset: number
  maxTimestamp: number
  isControl: boolean
  isTransactional: boolean
}

/** Smallest number of bytes readStoredBatchHeader needs. */
export const storedHeaderBytes = BatchField.records

function readInt64(buffer: Buffer, at: number): number {
  return buffer.readInt32BE(at) * 2 ** 32 + buffer.readUInt32BE(at + 4)
}

/** Reads the header of a stored batch at `position` (at least storedHeaderBytes must be there). */
export function readStoredBatchHeader(buffer: Buffer, position: number): StoredBatchHeader {
  const baseOffset = readInt64(buffer, position + BatchField.baseOffset)
  const attributes = buffer.readInt16BE(position + BatchField.attributes)
  return {
    baseOffset,
    sizeBytes: logOverheadBytes + buffer.readInt32BE(position + BatchField.batchLength),
    lastOffset: baseOffset + buffer.readInt32BE(position + BatchField.lastOffsetDelta),
    maxTimestamp: readInt64(buffer, position + BatchField.maxTimestamp),
    isControl: (attributes & BatchAttribute.isControl) !== 0,
    isTransactional: (attributes & BatchAttribute.isTransactional) !== 0,
  }
}

/** The length of the whole batches at the start of `buffer` (drops a cut batch at the end). */
export function wholeBatchesLength(buffer: Buffer): number {
  let position = 0
  while (buffer.length - position >= logOverheadBytes) {
    const sizeBytes = logOverheadBytes + buffer.readInt32BE(position + BatchField.batchLength)
    if (sizeBytes < storedHeaderBytes || sizeBytes > buffer.length - position) break
    position += sizeBytes
  }
  return position
}
