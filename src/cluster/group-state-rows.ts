// Group state rows in PostgreSQL: what `__consumer_offsets` holds for a single broker, as tables.
// Committed offsets are rows of `group_offsets` (one per group and partition, readable with SQL);
// every other record (classic group metadata, KIP-848 consumer group records) is kept as Kafka's
// key/value bytes in `group_records`, latest value per key, as compaction would leave the topic, and
// replayed in the order written. A tombstone deletes the row.

import type { PoolClient } from 'pg'
import type { CommittedOffset } from '../coordinator/group/offset-store.ts'
import {
  decodeOffsetsTopicRecord,
  type OffsetsTopicRecord,
} from '../coordinator/group/offsets-topic-records.ts'
import type { MetadataDatabase } from './database.ts'

export interface GroupRecordWrite {
  key: Buffer
  value: Buffer | null
}

/** Writes the records of one group (in its slot) within the caller's transaction. */
export async function writeGroupRecords(
  client: PoolClient,
  groupId: string,
  slot: number,
  records: readonly GroupRecordWrite[],
): Promise<void> {
  // Compaction within the batch: the last record of a key wins (one row changed once per statement).
  const latest = new Map<string, GroupRecordWrite>()
  for (const record of records) latest.set(record.key.toString('hex'), record)
  const offsets: { topic: string; partition: number; committed: CommittedOffset | null }[] = []
  const others: GroupRecordWrite[] = []
  for (const record of latest.values()) {
    const decoded = decodeOffsetsTopicRecord(record.key, record.value)
    if (decoded?.kind === 'offset') {
      const value = decoded.value
      offsets.push({
        topic: decoded.topic,
        partition: decoded.partition,
        committed:
          value === null
            ? null
            : {
                offset: Number(value.offset),
                leaderEpoch: value.leaderEpoch,
                metadata: value.metadata,
                commitTimestampMs: Number(value.commitTimestamp),
              },
      })
    } else others.push(record)
  }
  await writeOffsets(client, groupId, slot, offsets)
  await writeOtherRecords(client, groupId, slot, others)
}

async function writeOffsets(
  client: PoolClient,
  groupId: string,
  slot: number,
  offsets: readonly { topic: string; partition: number; committed: CommittedOffset | null }[],
): Promise<void> {
  const deleted = offsets.filter((entry) => entry.committed === null)
  if (deleted.length > 0)
    await client.query(
      `DELETE FROM group_offsets g USING unnest($2::text[], $3::int[]) AS d(topic, partition)
       WHERE g.group_id = $1 AND g.topic = d.topic AND g.partition = d.partition`,
      [groupId, deleted.map((entry) => entry.topic), deleted.map((entry) => entry.partition)],
    )
  const set = offsets.flatMap((entry) => (entry.committed === null ? [] : [{ ...entry, ...entry.committed }]))
  if (set.length === 0) return
  await client.query(
    `INSERT INTO group_offsets
       (group_id, topic, partition, committed_offset, leader_epoch, metadata, commit_timestamp, coordinator_slot)
     SELECT $1, u.topic, u.partition, u.committed_offset, u.leader_epoch, u.metadata,
            to_timestamp(u.commit_ms / 1000.0), $2
     FROM unnest($3::text[], $4::int[], $5::bigint[], $6::int[], $7::text[], $8::bigint[])
       AS u(topic, partition, committed_offset, leader_epoch, metadata, commit_ms)
     ON CONFLICT (group_id, topic, partition) DO UPDATE SET
       committed_offset = excluded.committed_offset, leader_epoch = excluded.leader_epoch,
       metadata = excluded.metadata, commit_timestamp = excluded.commit_timestamp,
       coordinator_slot = excluded.coordinator_slot`,
    [
      groupId,
      slot,
      set.map((entry) => entry.topic),
      set.map((entry) => entry.partition),
      set.map((entry) => entry.offset),
      set.map((entry) => entry.leaderEpoch),
      set.map((entry) => entry.metadata),
      set.map((entry) => entry.commitTimestampMs),
    ],
  )
}

async function writeOtherRecords(
  client: PoolClient,
  groupId: string,
  slot: number,
  records: readonly GroupRecordWrite[],
): Promise<void> {
  const deleted = records.filter((record) => record.value === null).map((record) => record.key)
  if (deleted.length > 0)
    await client.query('DELETE FROM group_records WHERE group_id = $1 AND record_key = ANY($2::bytea[])', [
      groupId,
      deleted,
    ])
  const set = records.filter((record) => record.value !== null)
  if (set.length === 0) return
  await client.query(
    `INSERT INTO group_records (group_id, coordinator_slot, record_key, record_value)
     SELECT $1, $2, u.record_key, u.record_value FROM unnest($3::bytea[], $4::bytea[]) AS u(record_key, record_value)
     ON CONFLICT (group_id, record_key) DO UPDATE SET
       record_value = excluded.record_value, written = nextval('group_records_written')`,
    [groupId, slot, set.map((record) => record.key), set.map((record) => record.value)],
  )
}

export interface LoadedGroupState {
  records: OffsetsTopicRecord[]
  offsets: { groupId: string; topic: string; partition: number; committed: CommittedOffset }[]
}

/** Everything stored for the groups of `slots`: records in the order written, and the offsets. */
export async function loadGroupState(
  database: MetadataDatabase,
  slots: readonly number[],
): Promise<LoadedGroupState> {
  if (slots.length === 0) return { records: [], offsets: [] }
  const [recordRows, offsetRows] = await Promise.all([
    database.query<{ record_key: Buffer; record_value: Buffer }>(
      `SELECT record_key, record_value FROM group_records WHERE coordinator_slot = ANY($1::int[])
       ORDER BY written`,
      [slots],
    ),
    database.query<{
      group_id: string
      topic: string
      partition: number
      committed_offset: number
      leader_epoch: number
      metadata: string | null
      commit_ms: number
    }>(
      `SELECT group_id, topic, partition, committed_offset, leader_epoch, metadata,
              floor(extract(epoch FROM commit_timestamp) * 1000)::bigint AS commit_ms
       FROM group_offsets WHERE coordinator_slot = ANY($1::int[])`,
      [slots],
    ),
  ])
  const records: OffsetsTopicRecord[] = []
  for (const row of recordRows) {
    const decoded = decodeOffsetsTopicRecord(row.record_key, row.record_value)
    if (decoded !== null) records.push(decoded)
  }
  return {
    records,
    offsets: offsetRows.map((row) => ({
      groupId: row.group_id,
      topic: row.topic,
      partition: row.partition,
      committed: {
        offset: row.committed_offset,
        leaderEpoch: row.leader_epoch,
        metadata: row.metadata ?? '',
        commitTimestampMs: row.commit_ms,
      },
    })),
  }
}
