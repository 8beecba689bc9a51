// Record-exact answers for ListOffsets by timestamp and max timestamp. The time index and batch
// headers find the batch (cheap); the records of that one batch are then decoded to name the exact
// record, as Kafka answers: the first record whose timestamp is ≥ the target, and the record that
// holds the largest timestamp (KIP-734).

import { decodeBatch } from '../protocol/records/batch-v2.ts'
import type { ReadResult, TimestampOffset } from './types.ts'

type ReadBatchAt = (offset: number) => Promise<ReadResult>

/** The first record at or after `batchHit.offset` whose timestamp is ≥ `timestampMs`. */
export async function firstRecordAtOrAfter(
  read: ReadBatchAt,
  batchHit: TimestampOffset,
  timestampMs: number,
): Promise<TimestampOffset> {
  const { records } = await read(batchHit.offset)
  if (records.length === 0) return batchHit
  const { header, records: decoded } = await decodeBatch(records)
  if (header.isControl) return batchHit
  const record = decoded.find((each) => each.offset >= batchHit.offset && each.timestamp >= timestampMs)
  return record === undefined ? batchHit : { timestamp: record.timestamp, offset: record.offset }
}

/** The record holding the largest timestamp in the batch that holds `batchHit.offset`. */
export async function recordWithMaxTimestamp(
  read: ReadBatchAt,
  batchHit: TimestampOffset,
): Promise<TimestampOffset> {
  const { records } = await read(batchHit.offset)
  if (records.length === 0) return batchHit
  const { header, records: decoded } = await decodeBatch(records)
  if (header.isControl || decoded.length === 0) return batchHit
  let best = decoded[0]
  for (const record of decoded) if (record.timestamp > best.timestamp) best = record
  return { timestamp: best.timestamp, offset: best.offset }
}
