// Group coordinator leases. Group ids map to 50 slots (Kafka's hash of the id modulo
// offsets.topic.num.partitions' default, so a group lands where Kafka would put it); each slot is a
// row of `coordinator_leases` held by one broker with an epoch and an expiry (PostgreSQL's clock),
// renewed with the heartbeat and taken over with epoch + 1 when it expired — exactly as partition
// leases (leases.ts). Every write of group state is conditional on the slot's lease (group-store.ts).

import { internalPartitionFor } from '../coordinator/internal-topic-log.ts'
import type { MetadataDatabase } from './database.ts'
import { msInterval } from './membership.ts'

/** Slots of group ids of a cluster whose schema predates cluster_settings (migration 2 inserted 50). */
export const groupCoordinatorSlots = 50
/** coordinator_leases.key_type: FindCoordinator's key types (0 groups, 1 transactional ids, whose
 * 50 slots migration 5 inserts: Kafka's partitionFor over __transaction_state's 50 partitions). */
export const keyTypeGroup = 0
export const keyTypeTransaction = 1
/** cluster_settings row holding the number of group coordinator slots. */
const slotsSetting = 'group_coordinator_slots'

/** The cluster's number of group coordinator slots, set once at start (settleGroupCoordinatorSlots):
 * every broker of a cluster must map a group id to the same slot, and a process is a member of one
 * cluster at most. */
let groupSlotCount = groupCoordinatorSlots

export function groupSlotOf(groupId: string): number {
  return internalPartitionFor(groupId, groupSlotCount)
}

export function groupCoordinatorSlotCount(): number {
  return groupSlotCount
}

/**
 * Fixes the cluster's number of group coordinator slots, as Kafka fixes offsets.topic.num.partitions
 * when it creates `__consumer_offsets`: the first broker of a new cluster stores its configured value
 * (a cluster that already holds group state keeps the slots it has); the coordinator_leases rows are
 * made to match, in one transaction under an advisory lock. Returns the cluster's count, which this
 * process uses from now on (a broker configured otherwise follows the cluster).
 */
export async function settleGroupCoordinatorSlots(
  database: MetadataDatabase,
  configured: number,
): Promise<number> {
  const slots = await database.transaction(async (client) => {
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [slotsSetting])
    const stored = await client.query<{ value: string }>(
      'SELECT value FROM cluster_settings WHERE name = $1',
      [slotsSetting],
    )
    if (stored.rows.length > 0) return Number(stored.rows[0].value)
    const existing = await client.query<{ slots: number }>(
      `SELECT CASE WHEN EXISTS (SELECT 1 FROM group_offsets) OR EXISTS (SELECT 1 FROM group_records)
         THEN (SELECT count(*)::int FROM coordinator_leases WHERE key_type = ${keyTypeGroup}) END AS slots`,
    )
    const count = existing.rows[0].slots ?? configured
    await client.query('INSERT INTO cluster_settings (name, value) VALUES ($1, $2)', [
      slotsSetting,
      String(count),
    ])
    await client.query(`DELETE FROM coordinator_leases WHERE key_type = ${keyTypeGroup} AND slot >= $1`, [
      count,
    ])
    await client.query(
      `INSERT INTO coordinator_leases (key_type, slot) SELECT ${keyTypeGroup}, generate_series(0, $1 - 1)
       ON CONFLICT DO NOTHING`,
      [count],
    )
    return count
  })
  groupSlotCount = slots
  return slots
}

export interface CoordinatorLease {
  slot: number
  epoch: number
}

/** Extends the leases this broker holds; returns them (a slot missing from the answer was lost). */
export function renewCoordinatorLeases(
  database: MetadataDatabase,
  brokerId: number,
  leaseTimeoutMs: number,
  keyType = keyTypeGroup,
): Promise<CoordinatorLease[]> {
  return database.query<CoordinatorLease>(
    `UPDATE coordinator_leases SET lease_expires_at = now() + ${msInterval('$2')}
     WHERE key_type = ${keyType} AND broker_id = $1 RETURNING slot, epoch`,
    [brokerId, leaseTimeoutMs],
  )
}

/** Takes up to `count` slots without a holder or whose lease expired, each with epoch + 1. A slot
 * whose holder is writing right now (its row locked FOR SHARE) is skipped until the next round. */
export function acquireCoordinatorLeases(
  database: MetadataDatabase,
  brokerId: number,
  leaseTimeoutMs: number,
  count: number,
  keyType = keyTypeGroup,
): Promise<CoordinatorLease[]> {
  if (count <= 0) return Promise.resolve([])
  return database.query<CoordinatorLease>(
    `UPDATE coordinator_leases c
     SET broker_id = $1, epoch = c.epoch + 1, lease_expires_at = now() + ${msInterval('$2')}
     FROM (SELECT slot FROM coordinator_leases
           WHERE key_type = ${keyType}
             AND (broker_id IS NULL OR lease_expires_at IS NULL OR lease_expires_at < now())
           ORDER BY slot LIMIT $3 FOR UPDATE SKIP LOCKED) free
     WHERE c.key_type = ${keyType} AND c.slot = free.slot
     RETURNING c.slot, c.epoch`,
    [brokerId, leaseTimeoutMs, count],
  )
}

/** Gives slots back (graceful stop, rebalancing): only while still this broker's at that epoch. */
export async function releaseCoordinatorLeases(
  database: MetadataDatabase,
  brokerId: number,
  leases: readonly CoordinatorLease[],
  keyType = keyTypeGroup,
): Promise<void> {
  if (leases.length === 0) return
  await database.query(
    `UPDATE coordinator_leases c SET broker_id = NULL, lease_expires_at = NULL
     FROM unnest($2::int[], $3::int[]) AS released(slot, epoch)
     WHERE c.key_type = ${keyType} AND c.slot = released.slot AND c.epoch = released.epoch
       AND c.broker_id = $1`,
    [brokerId, leases.map((lease) => lease.slot), leases.map((lease) => lease.epoch)],
  )
}

/** Which broker holds each slot with a valid lease (slots without one are absent). */
export async function coordinatorHolders(
  database: MetadataDatabase,
  keyType = keyTypeGroup,
): Promise<Map<number, number>> {
  const rows = await database.query<{ slot: number; broker_id: number }>(
    `SELECT slot, broker_id FROM coordinator_leases
     WHERE key_type = ${keyType} AND broker_id IS NOT NULL AND lease_expires_at > now()`,
  )
  return new Map(rows.map((row) => [row.slot, row.broker_id]))
}

/** The lock every write of group state takes in its transaction: the slot's row, FOR SHARE, only while
 * this broker holds it at `epoch` with a valid lease. A takeover (FOR UPDATE SKIP LOCKED) cannot
 * happen while the write is open, so the new holder reads the state after every write of the old one. */
export const lockCoordinatorLeaseSql = lockCoordinatorLeaseSqlFor(keyTypeGroup)

/** lockCoordinatorLeaseSql for another key type (transaction coordinator slots). */
export function lockCoordinatorLeaseSqlFor(keyType: number): string {
  return `SELECT 1 FROM coordinator_leases
  WHERE key_type = ${keyType} AND slot = $1 AND broker_id = $2 AND epoch = $3 AND lease_expires_at > now()
  FOR SHARE`
}
