// Reading and writing records for the admin API and the WebSocket tail. Reads decode whole batches
// from the log (records are decoded only here, for people, never on the Kafka path); writes build one
// v2 batch per partition and append it durably (as acks=all would), through the topic's rules.

import { applyTopicRules } from '../broker/handlers/produce/topic-rules.ts'
import { buildBatch, decodeBatches } from '../protocol/records/batch-v2.ts'
import type { KafkaRecord, RecordInput } from '../protocol/records/record.ts'
import type { PartitionLog, TopicDescription } from '../storage/types.ts'
import { invalidRequest } from './errors.ts'
import { type EncodedBytes, encodeBytes } from './message-codec.ts'

/** Bytes read from the log per step of a browse. */
const browseReadBytes = 1024 * 1024
/** Log reads one browse may make (a partition of many control batches cannot loop for long). */
const browseReadsMax = 64

export interface MessageView {
  partition: number
  offset: number
  timestamp: number
  key: EncodedBytes | null
  value: EncodedBytes | null
  headers: Array<{ key: string; value: EncodedBytes | null }>
}

export function viewOf(partition: number, record: KafkaRecord, mode: 'auto' | 'base64'): MessageView {
  return {
    partition,
    offset: record.offset,
    timestamp: record.timestamp,
    key: encodeBytes(record.key, mode),
    value: encodeBytes(record.value, mode),
    headers: record.headers.map((header) => ({ key: header.key, value: encodeBytes(header.value, mode) })),
  }
}

/** Data records (control batches skipped) from `offset` on, at most `limit`, and the offset after them. */
export async function readRecords(
  log: PartitionLog,
  offset: number,
  options: {
    limit: number
    skipBeforeTimestampMs?: number
    /** Only records it accepts are returned (the browser's search); others are skipped. */
    matches?: (record: KafkaRecord) => boolean
    /** Stop reading after this time (performance.now() ms); nextOffset says where to go on. */
    deadlineMs?: number
  },
): Promise<{ records: KafkaRecord[]; nextOffset: number }> {
  const { limit, matches } = options
  const deadlineMs = options.deadlineMs ?? Number.POSITIVE_INFINITY
  let skipBefore = options.skipBeforeTimestampMs ?? Number.NEGATIVE_INFINITY
  const records: KafkaRecord[] = []
  let position = Math.max(offset, log.logStartOffset)
  for (let reads = 0; reads < browseReadsMax && records.length < limit; reads += 1) {
    if (position >= log.highWatermark || performance.now() > deadlineMs) break
    const read = await log.read(position, browseReadBytes)
    if (read.records.length === 0) break
    const batches = await decodeBatches(read.records)
    let advanced = position
    for (const batch of batches) {
      const batchEnd = batch.header.baseOffset + batch.header.lastOffsetDelta + 1
      advanced = Math.max(advanced, batchEnd)
      if (batch.header.isControl) continue
      for (const record of batch.records) {
        if (record.offset < position || records.length >= limit) continue
        // Browsing by timestamp starts at the first record at or after it (as ListOffsets does).
        if (record.timestamp < skipBefore) continue
        skipBefore = Number.NEGATIVE_INFINITY
        if (matches !== undefined && !matches(record)) continue
        records.push(record)
      }
    }
    if (advanced === position) break
    position = records.length >= limit ? records[records.length - 1].offset + 1 : advanced
  }
  return { records, nextOffset: position }
}

/** The offset of the first record whose timestamp is ≥ `timestampMs` (the high watermark if none). The
 * log's index finds the batch; the batch is decoded to find the record, as ListOffsets answers. */
export async function offsetForTimestamp(log: PartitionLog, timestampMs: number): Promise<number> {
  const found = await log.offsetForTimestamp(timestampMs)
  if (found === null) return log.highWatermark
  const { records } = await readRecords(log, found.offset, { limit: 1, skipBeforeTimestampMs: timestampMs })
  return records.length === 0 ? log.highWatermark : records[0].offset
}

export interface ProduceInput {
  partition: number
  record: RecordInput
}

/** Appends the records of one partition as one batch, durably. Returns the base offset. */
export async function appendRecords(
  log: PartitionLog,
  topic: TopicDescription,
  records: RecordInput[],
): Promise<number> {
  if (records.length === 0) throw invalidRequest('no messages to produce')
  const batch = await buildBatch({ records })
  const stored = await applyTopicRules(batch, topic.name, topic.config, Date.now())
  const result = await log.append(stored, { durable: true, leaderEpoch: 0 })
  return result.baseOffset
}
