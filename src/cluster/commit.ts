// The commit of one data object: what makes its records visible and acknowledged. One statement (so
// one transaction) advances each partition's high watermark and indexes the object's byte range for
// it, but only where the writer still holds the partition at its epoch and the high watermark is where
// the writer started: a leader that lost its lease (paused, partitioned, slow) commits nothing, and no
// offset is ever committed twice or skipped. Partitions that fail the condition are simply not in the
// answer; the object's bytes for them become garbage that nothing references. The same statement
// stores the idempotent producers' state of the committed parts (producer-state-rows.ts), with the
// first offset of each one's open transaction (the last stable offset), and indexes the transactions
// the part's ABORT markers ended.

import type { MetadataDatabase } from './database.ts'
import type { ProducerStateRow } from './producer-state-rows.ts'

/** One partition's part of an object: offsets [baseOffset, lastOffset] at bytes [byteStart, byteEnd). */
export interface ObjectPart {
  topicId: string
  partition: number
  leaderEpoch: number
  baseOffset: number
  lastOffset: number
  byteStart: number
  byteEnd: number
  maxTimestamp: number
  /** The state, after this part, of each idempotent producer that wrote to it (producer_state). */
  producers?: readonly ProducerStateRow[]
  /** Transactions an ABORT marker of this part ended (aborted_transactions: read_committed skips them). */
  aborted?: readonly { producerId: bigint; firstOffset: number; lastOffset: number }[]
}

/** Commits the parts of `objectKey` written by `brokerId`; returns the keys (`topicId:partition`) committed. */
export async function commitObject(
  database: MetadataDatabase,
  brokerId: number,
  objectKey: string,
  parts: readonly ObjectPart[],
): Promise<Set<string>> {
  if (parts.length === 0) return new Set()
  const rows = await database.query<{ topic_id: string; partition: number }>(
    `WITH input AS (
       SELECT * FROM unnest($3::uuid[], $4::int[], $5::int[], $6::bigint[], $7::bigint[], $8::bigint[],
                            $9::bigint[], $10::bigint[])
         AS t(topic_id, partition, leader_epoch, base_offset, last_offset, byte_start, byte_end, max_timestamp)),
     advanced AS (
       UPDATE partitions p SET high_watermark = i.last_offset + 1
       FROM input i
       WHERE p.topic_id = i.topic_id AND p.partition = i.partition AND p.leader_broker = $1
         AND p.leader_epoch = i.leader_epoch AND p.high_watermark = i.base_offset
       RETURNING p.topic_id, p.partition),
     producers AS (
       INSERT INTO producer_state
         (topic_id, partition, producer_id, producer_epoch, batches, last_timestamp, txn_first_offset)
       SELECT s.topic_id, s.partition, s.producer_id, s.producer_epoch, s.batches::jsonb, s.last_timestamp,
              s.txn_first_offset
       FROM unnest($11::uuid[], $12::int[], $13::bigint[], $14::int[], $15::text[], $16::bigint[],
                   $17::bigint[])
         AS s(topic_id, partition, producer_id, producer_epoch, batches, last_timestamp, txn_first_offset)
       JOIN advanced a ON a.topic_id = s.topic_id AND a.partition = s.partition
       ON CONFLICT (topic_id, partition, producer_id) DO UPDATE SET producer_epoch = excluded.producer_epoch,
         batches = excluded.batches, last_timestamp = excluded.last_timestamp,
         txn_first_offset = excluded.txn_first_offset
       RETURNING 1),
     aborted AS (
       INSERT INTO aborted_transactions (topic_id, partition, producer_id, first_offset, last_offset)
       SELECT x.topic_id, x.partition, x.producer_id, x.first_offset, x.last_offset
       FROM unnest($18::uuid[], $19::int[], $20::bigint[], $21::bigint[], $22::bigint[])
         AS x(topic_id, partition, producer_id, first_offset, last_offset)
       JOIN advanced a ON a.topic_id = x.topic_id AND a.partition = x.partition
       ON CONFLICT DO NOTHING
       RETURNING 1)
     INSERT INTO partition_objects
       (topic_id, partition, base_offset, last_offset, object_key, byte_start, byte_end, max_timestamp, leader_epoch)
     SELECT i.topic_id, i.partition, i.base_offset, i.last_offset, $2, i.byte_start, i.byte_end,
            i.max_timestamp, i.leader_epoch
     FROM input i JOIN advanced a ON a.topic_id = i.topic_id AND a.partition = i.partition
     RETURNING topic_id, partition`,
    [
      brokerId,
      objectKey,
      parts.map((part) => part.topicId),
      parts.map((part) => part.partition),
      parts.map((part) => part.leaderEpoch),
      parts.map((part) => part.baseOffset),
      parts.map((part) => part.lastOffset),
      parts.map((part) => part.byteStart),
      parts.map((part) => part.byteEnd),
      parts.map((part) => part.maxTimestamp),
      ...producerColumns(parts),
      ...abortedColumns(parts),
    ],
  )
  return new Set(rows.map((row) => partitionKey(row.topic_id, row.partition)))
}

/** aborted_transactions rows of every part, as the five unnest columns ($18-$22). */
function abortedColumns(parts: readonly ObjectPart[]): unknown[][] {
  const rows = parts.flatMap((part) => (part.aborted ?? []).map((entry) => ({ part, entry })))
  return [
    rows.map((row) => row.part.topicId),
    rows.map((row) => row.part.partition),
    rows.map((row) => row.entry.producerId.toString()),
    rows.map((row) => row.entry.firstOffset),
    rows.map((row) => row.entry.lastOffset),
  ]
}

/** producer_state rows of every part, as the seven unnest columns ($11-$17). */
function producerColumns(parts: readonly ObjectPart[]): unknown[][] {
  const rows = parts.flatMap((part) => (part.producers ?? []).map((producer) => ({ part, producer })))
  return [
    rows.map((row) => row.part.topicId),
    rows.map((row) => row.part.partition),
    rows.map((row) => row.producer.producerId.toString()),
    rows.map((row) => row.producer.epoch),
    rows.map((row) => JSON.stringify(row.producer.batches)),
    rows.map((row) => row.producer.lastTimestampMs),
    rows.map((row) => row.producer.txnFirstOffset),
  ]
}

export function partitionKey(topicId: string, partition: number): string {
  return `${topicId}:${partition}`
}
