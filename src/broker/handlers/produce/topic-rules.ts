// Rules a topic's configs impose on produced batches. Batches are stored as produced unless a rule
// needs their records: a topic `compression.type` other than `producer` (recompress to it),
// compacted topics (every record needs a key) and bounded CreateTime timestamps
// (`message.timestamp.before.max.ms` / `after.max.ms`: INVALID_TIMESTAMP). Everything else stays bytes in, bytes out.

import { KafkaError } from '../../../errors.ts'
import { ErrorCode } from '../../../protocol/generated/index.ts'
import type { BatchIndexAndErrorMessage } from '../../../protocol/generated/produce-response.ts'
import { splitBatches } from '../../../protocol/records/batch-framing.ts'
import { TimestampType } from '../../../protocol/records/batch-header.ts'
import { buildBatch, decodeBatch } from '../../../protocol/records/batch-v2.ts'
import { CompressionCodec } from '../../../protocol/records/compression/index.ts'
import { longMax, type TopicCompressionType, type TopicConfig } from '../../../storage/topic-config.ts'

const codecOfTopicCompression: Record<Exclude<TopicCompressionType, 'producer'>, CompressionCodec> = {
  uncompressed: CompressionCodec.none,
  gzip: CompressionCodec.gzip,
  snappy: CompressionCodec.snappy,
  lz4: CompressionCodec.lz4,
  zstd: CompressionCodec.zstd,
}

/** A produce refused for some of its records, with Kafka's per-record errors (KIP-467). */
export class InvalidRecordsError extends KafkaError {
  readonly recordErrors: BatchIndexAndErrorMessage[]
  constructor(
    message: string,
    recordErrors: BatchIndexAndErrorMessage[],
    options: { errorCode: number } = { errorCode: ErrorCode.INVALID_RECORD },
  ) {
    super(options.errorCode, message)
    this.recordErrors = recordErrors
  }
}

/** The batches as the topic stores them (recompressed when the topic says so). Throws KafkaError. */
export async function applyTopicRules(
  batches: Buffer,
  topic: string,
  config: TopicConfig,
  nowMs: number,
): Promise<Buffer> {
  const target =
    config.compressionType === 'producer' ? null : codecOfTopicCompression[config.compressionType]
  const compacted = config.cleanupPolicy.includes('compact')
  const timestampBounds = timestampBoundsOf(config, nowMs)
  if (target === null && !compacted && timestampBounds === null) return batches
  const rewritten: Buffer[] = []
  for (const span of splitBatches(batches).batches) {
    const { header, records } = await decodeBatch(batches, span.position, { origin: 'produce' })
    if (compacted)
      checkKeys(
        records.map((record) => record.key),
        topic,
      )
    if (timestampBounds !== null && header.timestampType === TimestampType.createTime) {
      checkTimestamps(
        records.map((record) => record.timestamp),
        timestampBounds,
      )
    }
    if (target === null || header.compression === target) {
      rewritten.push(span.bytes)
      continue
    }
    rewritten.push(
      await buildBatch({
        records: records.map((record) => ({
          offsetDelta: record.offset - header.baseOffset,
          timestamp: record.timestamp,
          key: record.key,
          value: record.value,
          headers: record.headers,
        })),
        compression: target,
        timestampType: header.timestampType,
        producerId: header.producerId,
        producerEpoch: header.producerEpoch,
        baseSequence: header.baseSequence,
        lastOffsetDelta: header.lastOffsetDelta,
      }),
    )
  }
  return rewritten.length === 1 ? rewritten[0] : Buffer.concat(rewritten)
}

interface TimestampBounds {
  earliestMs: number
  latestMs: number
}

/** The accepted CreateTime window (message.timestamp.before/after/difference.max.ms), or null if unbounded. */
function timestampBoundsOf(config: TopicConfig, nowMs: number): TimestampBounds | null {
  if (config.messageTimestampType !== 'CreateTime') return null
  const beforeMs = Math.min(config.messageTimestampBeforeMaxMs, config.messageTimestampDifferenceMaxMs)
  const afterMs = Math.min(config.messageTimestampAfterMaxMs, config.messageTimestampDifferenceMaxMs)
  if (beforeMs >= longMax && afterMs >= longMax) return null
  return { earliestMs: nowMs - beforeMs, latestMs: nowMs + afterMs }
}

function checkTimestamps(timestamps: number[], bounds: TimestampBounds): void {
  const recordErrors = timestamps.flatMap((timestamp, batchIndex) =>
    timestamp < bounds.earliestMs || timestamp > bounds.latestMs
      ? [{ batchIndex, batchIndexErrorMessage: `Timestamp ${timestamp} of message is out of range.` }]
      : [],
  )
  if (recordErrors.length > 0) {
    throw new InvalidRecordsError(
      'One or more records have been rejected due to invalid timestamp',
      recordErrors,
      {
        errorCode: ErrorCode.INVALID_TIMESTAMP,
      },
    )
  }
}

function checkKeys(keys: (Buffer | null)[], topic: string): void {
  const recordErrors = keys.flatMap((key, batchIndex) =>
    key === null
      ? [{ batchIndex, batchIndexErrorMessage: 'Compacted topic cannot accept message without key.' }]
      : [],
  )
  if (recordErrors.length > 0) {
    throw new InvalidRecordsError(
      `One or more records have been rejected: compacted topic ${topic} cannot accept records without a key`,
      recordErrors,
    )
  }
}
