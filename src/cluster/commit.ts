// The commit of one data object: what makes its records visible and acknowledged. One statement (so
// one transaction) advances each partition's high watermark and indexes the object's byte range for
// it, but only where the writer still holds the partition at its epoch and the high watermark is where
// the writer started: a leader that lost its lease (paused, partitioned, slow) commits nothing, and no
// offset is ever committed twice or skipped. Partitions that fail the condition are simply not in the
// answer; the object's bytes for them become garbage that nothing references.

import type { MetadataDatabase } from './database.ts'

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
       RETURNING p.topic_id, p.partition)
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
    ],
  )
  return new Set(rows.map((row) => partitionKey(row.topic_id, row.partition)))
}

export function partitionKey(topicId: string, partition: number): string {
  return `${topicId}:${partition}`
}
