// The version rules of Produce records, before anything reaches the log (Kafka's
// ProduceRequest.validateRecords and LogValidator): what magic and how many batches a version may
// carry, zstd only from v7 (KIP-110), legacy v0/v1 message sets converted to one v2 batch.
// Idempotent and transactional batches go on to the log, which checks their sequences and epochs
// (storage/producer-state.ts) and tracks open transactions (storage/partition-transactions.ts).

import { KafkaError } from '../../../errors.ts'
import { ErrorCode } from '../../../protocol/generated/index.ts'
import { splitBatches } from '../../../protocol/records/batch-framing.ts'
import { currentMagic, readBatchHeader } from '../../../protocol/records/batch-header.ts'
import { CompressionCodec } from '../../../protocol/records/compression/index.ts'
import { messageSetToBatch } from '../../../protocol/records/message-set.ts'

/** Where the magic byte sits in both a v2 batch and a v0/v1 message (offset, length, then crc or epoch). */
const magicPosition = 16
/** Produce v7 is the first that may carry zstd (KIP-110). */
const zstdProduceVersionMin = 7
/** Produce v3 is the first that requires record batch v2 (KIP-98). */
const batchV2ProduceVersionMin = 3

/** The partition's records as v2 batches ready for the log. Throws KafkaError with Kafka's code. */
export async function normalizeProduceRecords(records: Buffer | null, apiVersion: number): Promise<Buffer> {
  if (records === null || records.length <= magicPosition) {
    throw new KafkaError(
      ErrorCode.CORRUPT_MESSAGE,
      'produce request carries no record batch for the partition',
    )
  }
  const magic = records.readInt8(magicPosition)
  if (magic !== currentMagic) {
    if (apiVersion >= batchV2ProduceVersionMin) {
      throw new KafkaError(
        ErrorCode.INVALID_RECORD,
        `Produce v${apiVersion} requires magic 2, got magic ${magic}`,
      )
    }
    if (magic !== 0 && magic !== 1) throw new KafkaError(ErrorCode.CORRUPT_MESSAGE, `unknown magic ${magic}`)
    // Old producers: store as v2, keeping the producer's codec.
    return messageSetToBatch(records)
  }
  const { batches, trailing } = splitBatches(records)
  if (trailing !== null || batches.length === 0) {
    throw new KafkaError(ErrorCode.CORRUPT_MESSAGE, 'record batches are truncated')
  }
  if (apiVersion >= batchV2ProduceVersionMin && batches.length !== 1) {
    throw new KafkaError(
      ErrorCode.INVALID_RECORD,
      `Produce v${apiVersion} must have exactly one record batch per partition, got ${batches.length}`,
    )
  }
  for (const batch of batches) checkBatchFlags(records, batch.position, apiVersion)
  return records
}

function checkBatchFlags(records: Buffer, position: number, apiVersion: number): void {
  const header = readBatchHeader(records, position)
  if (header.compression === CompressionCodec.zstd && apiVersion < zstdProduceVersionMin) {
    throw new KafkaError(
      ErrorCode.UNSUPPORTED_COMPRESSION_TYPE,
      `zstd needs Produce v7 or later, got v${apiVersion}`,
    )
  }
}
