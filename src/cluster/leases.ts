// Partition leadership leases with fencing epochs. A lease is a row of `partitions`: its leader, its
// leader epoch and when the lease expires (PostgreSQL's clock). The leader renews all its leases with
// its heartbeat; a partition whose lease expired (its leader stopped heartbeating) is taken by another
// broker with leader_epoch + 1 in one conditional UPDATE, so two brokers can never both take it. Every
// commit of data is conditional on the writer's epoch (commit.ts), which is what fences a leader that
// was paused and comes back: its epoch is no longer the partition's.

import type { MetadataDatabase } from './database.ts'
import { msInterval } from './membership.ts'

/** A partition this broker leads, as the database has it. */
export interface Lease {
  topicId: string
  partition: number
  leaderEpoch: number
  highWatermark: number
  logStartOffset: number
}

interface LeaseRow {
  topic_id: string
  partition: number
  leader_epoch: number
  high_watermark: number
  log_start_offset: number
}

const leaseColumns = 'topic_id, partition, leader_epoch, high_watermark, log_start_offset'

function leaseOf(row: LeaseRow): Lease {
  return {
    topicId: row.topic_id,
    partition: row.partition,
    leaderEpoch: row.leader_epoch,
    highWatermark: Number(row.high_watermark),
    logStartOffset: Number(row.log_start_offset),
  }
}

/** Extends every lease this broker holds; returns them (a partition missing from the answer was lost). */
export async function renewLeases(
  database: MetadataDatabase,
  brokerId: number,
  leaseTimeoutMs: number,
): Promise<Lease[]> {
  const rows = await database.query<LeaseRow>(
    `UPDATE partitions SET lease_expires_at = now() + ${msInterval('$2')}
     WHERE leader_broker = $1 RETURNING ${leaseColumns}`,
    [brokerId, leaseTimeoutMs],
  )
  return rows.map(leaseOf)
}

/** Takes up to `count` partitions that have no leader or whose lease expired, each with epoch + 1. */
export async function acquireLeases(
  database: MetadataDatabase,
  brokerId: number,
  leaseTimeoutMs: number,
  count: number,
): Promise<Lease[]> {
  if (count <= 0) return []
  const rows = await database.query<LeaseRow>(
    `UPDATE partitions p
     SET leader_broker = $1, leader_epoch = p.leader_epoch + 1, lease_expires_at = now() + ${msInterval('$2')}
     FROM (SELECT topic_id, partition FROM partitions
           WHERE leader_broker IS NULL OR lease_expires_at IS NULL OR lease_expires_at < now()
           ORDER BY topic_id, partition LIMIT $3 FOR UPDATE SKIP LOCKED) free
     WHERE p.topic_id = free.topic_id AND p.partition = free.partition
     RETURNING p.topic_id, p.partition, p.leader_epoch, p.high_watermark, p.log_start_offset`,
    [brokerId, leaseTimeoutMs, count],
  )
  return rows.map(leaseOf)
}

/** Gives leases back (graceful stop, rebalancing): only while they are still this broker's at that epoch. */
export async function releaseLeases(
  database: MetadataDatabase,
  brokerId: number,
  leases: readonly Lease[],
): Promise<void> {
  if (leases.length === 0) return
  await database.query(
    `UPDATE partitions p SET leader_broker = NULL, lease_expires_at = NULL
     FROM unnest($2::uuid[], $3::int[], $4::int[]) AS released(topic_id, partition, leader_epoch)
     WHERE p.topic_id = released.topic_id AND p.partition = released.partition
       AND p.leader_epoch = released.leader_epoch AND p.leader_broker = $1`,
    [
      brokerId,
      leases.map((lease) => lease.topicId),
      leases.map((lease) => lease.partition),
      leases.map((lease) => lease.leaderEpoch),
    ],
  )
}

/** Partitions in the cluster and how many this broker holds with a valid lease (its fair share). */
export async function leaseCounts(
  database: MetadataDatabase,
  brokerId: number,
): Promise<{ total: number; mine: number }> {
  const rows = await database.query<{ total: number; mine: number }>(
    `SELECT count(*)::int AS total,
            count(*) FILTER (WHERE leader_broker = $1 AND lease_expires_at > now())::int AS mine
     FROM partitions`,
    [brokerId],
  )
  return rows[0]
}
