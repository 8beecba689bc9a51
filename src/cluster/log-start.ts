// The log start offset of cluster partitions (DeleteRecords, retention.ms, retention.bytes) and the
// objects it frees. Moving it is one transaction, fenced by the leader's broker id and epoch like every
// commit: the offset only moves forward, the index rows (and aborted transactions) wholly below it are
// deleted, and the objects no row refers to any more are queued in deleted_objects. A deleted topic's
// index rows are removed and their objects queued the same way. One object may hold batches of many
// partitions, so it is queued only when its last row is gone; the transactions that delete rows take
// one advisory lock, so two of them freeing the last rows of one object at once cannot both miss it.
//
// The queue is emptied by object-cleaner.ts after a delay (reads in flight may still use an object).

import type { PoolClient } from 'pg'
import type { MetadataDatabase } from './database.ts'

/** pg_advisory_xact_lock key of the transactions that delete index rows. */
const indexDeletionLockKey = 'streamline-index-deletion'

export interface FencedPartition {
  topicId: string
  partition: number
  brokerId: number
  leaderEpoch: number
}

/** Moves the log start offset to `offset` (never back). Returns the log start offset after it, or null
 * when this broker no longer holds the partition's lease at that epoch. */
export function advanceLogStart(
  database: MetadataDatabase,
  part: FencedPartition,
  offset: number,
): Promise<number | null> {
  return database.transaction(async (client) => {
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [indexDeletionLockKey])
    const moved = await client.query<{ log_start_offset: number }>(
      `UPDATE partitions SET log_start_offset = GREATEST(log_start_offset, LEAST($5::bigint, high_watermark))
       WHERE topic_id = $1 AND partition = $2 AND leader_broker = $3 AND leader_epoch = $4
         AND lease_expires_at > now()
       RETURNING log_start_offset`,
      [part.topicId, part.partition, part.brokerId, part.leaderEpoch, offset],
    )
    const row = moved.rows[0]
    if (row === undefined) return null
    const logStartOffset = Number(row.log_start_offset)
    const gone = await client.query<{ object_key: string }>(
      `DELETE FROM partition_objects WHERE topic_id = $1 AND partition = $2 AND last_offset < $3
       RETURNING object_key`,
      [part.topicId, part.partition, logStartOffset],
    )
    await queueUnreferenced(
      client,
      gone.rows.map((each) => each.object_key),
    )
    // Aborted transactions wholly below the log start are never asked for again (read_committed reads
    // start at or above it), as Kafka drops the aborted-transaction index with its segments.
    await client.query(
      'DELETE FROM aborted_transactions WHERE topic_id = $1 AND partition = $2 AND last_offset < $3',
      [part.topicId, part.partition, logStartOffset],
    )
    return logStartOffset
  })
}

/** Where retention puts the log start offset of a partition, or null when nothing is due:
 * retention.ms drops the leading rows whose newest record is older than the cutoff, retention.bytes
 * the leading rows beyond the newest `retentionBytes` of data (whole rows, as Kafka drops whole
 * segments). -1 disables either. */
export async function retentionStart(
  database: MetadataDatabase,
  part: { topicId: string; partition: number },
  retention: { retentionMs: number; retentionBytes: number; nowMs: number },
): Promise<number | null> {
  const cutoffMs = retention.retentionMs < 0 ? null : retention.nowMs - retention.retentionMs
  const bytes = retention.retentionBytes < 0 ? null : retention.retentionBytes
  if (cutoffMs === null && bytes === null) return null
  const rows = await database.query<{ start: number | null }>(
    `SELECT max(last_offset) + 1 AS start FROM (
       SELECT last_offset, max_timestamp,
              sum(byte_end - byte_start) OVER (ORDER BY base_offset DESC) AS bytes_from_end,
              bool_and($3::bigint IS NOT NULL AND max_timestamp < $3) OVER (ORDER BY base_offset) AS expired
       FROM partition_objects WHERE topic_id = $1 AND partition = $2
     ) parts
     WHERE expired OR ($4::bigint IS NOT NULL AND bytes_from_end > $4)`,
    [part.topicId, part.partition, cutoffMs, bytes],
  )
  const start = rows[0]?.start
  return start === null || start === undefined ? null : Number(start)
}

/** Deletes a topic's index rows and queues their objects (within the caller's transaction, before the
 * topic row goes). */
export async function releaseTopicObjects(client: PoolClient, topicId: string): Promise<void> {
  await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [indexDeletionLockKey])
  const gone = await client.query<{ object_key: string }>(
    'DELETE FROM partition_objects WHERE topic_id = $1 RETURNING object_key',
    [topicId],
  )
  await queueUnreferenced(
    client,
    gone.rows.map((each) => each.object_key),
  )
}

async function queueUnreferenced(client: PoolClient, keys: readonly string[]): Promise<void> {
  if (keys.length === 0) return
  await client.query(
    `INSERT INTO deleted_objects (object_key)
     SELECT DISTINCT key FROM unnest($1::text[]) AS key
     WHERE NOT EXISTS (SELECT 1 FROM partition_objects p WHERE p.object_key = key)
     ON CONFLICT DO NOTHING`,
    [[...new Set(keys)]],
  )
}
