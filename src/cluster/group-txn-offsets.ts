// Offsets committed inside a transaction (TxnOffsetCommit) in cluster mode: rows of
// `group_txn_offsets` pending the transaction's outcome, written by the group's coordinator under its
// slot's lease like every group write. When the transaction ends, the group's coordinator (wherever
// it is) applies the outcome (txn-markers.ts): COMMIT moves the producer's rows of the slot into
// `group_offsets`, ABORT deletes them, in one transaction. A coordinator that takes a slot reads the
// pending rows back, so OffsetFetch with require_stable keeps answering UNSTABLE_OFFSET_COMMIT for
// them until the outcome is applied.

import type { PoolClient } from 'pg'
import {
  decodeOffsetsTopicRecord,
  type OffsetsTopicRecord,
} from '../coordinator/group/offsets-topic-records.ts'
import type { MetadataDatabase } from './database.ts'
import type { GroupRecordWrite } from './group-state-rows.ts'

/** Writes the offset records of one TxnOffsetCommit within the caller's transaction. */
export async function writeTransactionalOffsets(
  client: PoolClient,
  groupId: string,
  slot: number,
  producerId: bigint,
  records: readonly GroupRecordWrite[],
): Promise<void> {
  const rows = records.flatMap((record) => {
    const decoded = decodeOffsetsTopicRecord(record.key, record.value)
    return decoded?.kind === 'offset' && decoded.value !== null ? [{ ...decoded, value: decoded.value }] : []
  })
  if (rows.length === 0) return
  await client.query(
    `INSERT INTO group_txn_offsets (group_id, coordinator_slot, producer_id, topic, partition,
       committed_offset, leader_epoch, metadata, commit_ms)
     SELECT $1, $2, $3, u.topic, u.partition, u.committed_offset, u.leader_epoch, u.metadata, u.commit_ms
     FROM unnest($4::text[], $5::int[], $6::bigint[], $7::int[], $8::text[], $9::bigint[])
       AS u(topic, partition, committed_offset, leader_epoch, metadata, commit_ms)
     ON CONFLICT (group_id, producer_id, topic, partition) DO UPDATE SET
       committed_offset = excluded.committed_offset, leader_epoch = excluded.leader_epoch,
       metadata = excluded.metadata, commit_ms = excluded.commit_ms, coordinator_slot = excluded.coordinator_slot`,
    [
      groupId,
      slot,
      producerId.toString(),
      rows.map((row) => row.topic),
      rows.map((row) => row.partition),
      rows.map((row) => Number(row.value.offset)),
      rows.map((row) => row.value.leaderEpoch),
      rows.map((row) => row.value.metadata),
      rows.map((row) => Number(row.value.commitTimestamp)),
    ],
  )
}

/** The outcome of a producer's transaction for the groups of `slot`, within the caller's transaction. */
export async function completeTransactionalOffsets(
  client: PoolClient,
  slot: number,
  producerId: bigint,
  commit: boolean,
): Promise<void> {
  if (commit)
    await client.query(
      `INSERT INTO group_offsets
         (group_id, topic, partition, committed_offset, leader_epoch, metadata, commit_timestamp, coordinator_slot)
       SELECT group_id, topic, partition, committed_offset, leader_epoch, metadata,
              to_timestamp(commit_ms / 1000.0), coordinator_slot
       FROM group_txn_offsets WHERE coordinator_slot = $1 AND producer_id = $2
       ON CONFLICT (group_id, topic, partition) DO UPDATE SET
         committed_offset = excluded.committed_offset, leader_epoch = excluded.leader_epoch,
         metadata = excluded.metadata, commit_timestamp = excluded.commit_timestamp,
         coordinator_slot = excluded.coordinator_slot`,
      [slot, producerId.toString()],
    )
  await client.query('DELETE FROM group_txn_offsets WHERE coordinator_slot = $1 AND producer_id = $2', [
    slot,
    producerId.toString(),
  ])
}

/** The pending offsets of the groups of `slots`, by producer id (loaded with the slots). */
export async function loadTransactionalOffsets(
  database: MetadataDatabase,
  slots: readonly number[],
): Promise<Map<bigint, OffsetsTopicRecord[]>> {
  const pending = new Map<bigint, OffsetsTopicRecord[]>()
  if (slots.length === 0) return pending
  const rows = await database.query<{
    group_id: string
    producer_id: string
    topic: string
    partition: number
    committed_offset: number
    leader_epoch: number
    metadata: string | null
    commit_ms: number
  }>(
    `SELECT group_id, producer_id::text AS producer_id, topic, partition, committed_offset, leader_epoch,
            metadata, commit_ms
     FROM group_txn_offsets WHERE coordinator_slot = ANY($1::int[])`,
    [slots],
  )
  for (const row of rows) {
    const producerId = BigInt(row.producer_id)
    const records = pending.get(producerId) ?? []
    records.push({
      kind: 'offset',
      group: row.group_id,
      topic: row.topic,
      partition: row.partition,
      value: {
        offset: BigInt(row.committed_offset),
        leaderEpoch: row.leader_epoch,
        metadata: row.metadata ?? '',
        commitTimestamp: BigInt(row.commit_ms),
        expireTimestamp: -1n,
      },
    })
    pending.set(producerId, records)
  }
  return pending
}
