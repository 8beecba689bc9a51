// What the HTTP API shows of a cluster (GET /api/v1/cluster/members and /leases): every registered
// broker with its liveness, and who holds each partition and group coordinator lease. Read from
// PostgreSQL when asked (the admin API is not a hot path), so any broker answers the same; remaining
// times are computed with PostgreSQL's clock, the one the leases are decided by.

import type { MetadataDatabase } from './database.ts'
import { msInterval } from './membership.ts'

export interface ClusterMemberReport {
  brokerId: number
  host: string
  port: number
  rack: string | null
  /** Heartbeating within the lease timeout and not deregistered: partitions may be led by it. */
  live: boolean
  /** Left the cluster with a graceful stop (SIGTERM). */
  stopped: boolean
  /** Registrations at this id so far (a restart on the same address takes the id back, epoch + 1). */
  epoch: number
  registeredAt: string
  /** Milliseconds since the broker's last heartbeat. */
  heartbeatAgeMs: number
  /** Partition leases it holds that have not expired. */
  partitionLeases: number
  /** Group coordinator slots it holds that have not expired. */
  coordinatorLeases: number
}

export interface PartitionLeaseReport {
  topic: string
  partition: number
  /** The broker holding a valid lease, or null (no leader: LEADER_NOT_AVAILABLE until one takes it). */
  leaderId: number | null
  leaderEpoch: number
  /** Milliseconds until the lease expires unless renewed; null without a valid lease. */
  leaseRemainingMs: number | null
  highWatermark: number
  logStartOffset: number
}

export interface CoordinatorLeaseReport {
  slot: number
  brokerId: number | null
  epoch: number
  leaseRemainingMs: number | null
}

export interface ClusterLeasesReport {
  partitions: PartitionLeaseReport[]
  groupCoordinators: CoordinatorLeaseReport[]
}

/** A remaining time in ms from a SQL expression, or null when the lease is missing or expired. */
const remainingMs = (column: string): string =>
  `CASE WHEN ${column} > now() THEN floor(extract(epoch FROM ${column} - now()) * 1000)::bigint END`

export async function clusterMembers(
  database: MetadataDatabase,
  leaseTimeoutMs: number,
): Promise<ClusterMemberReport[]> {
  const rows = await database.query<{
    broker_id: number
    host: string
    port: number
    rack: string | null
    live: boolean
    stopped: boolean
    epoch: string
    registered_at: Date
    heartbeat_age_ms: string
    partition_leases: number
    coordinator_leases: number
  }>(
    `SELECT b.broker_id, b.host, b.port, b.rack, b.stopped, b.epoch, b.registered_at,
       (NOT b.stopped AND b.heartbeat_at >= now() - ${msInterval('$1')}) AS live,
       floor(extract(epoch FROM now() - b.heartbeat_at) * 1000)::bigint AS heartbeat_age_ms,
       (SELECT count(*)::int FROM partitions p
         WHERE p.leader_broker = b.broker_id AND p.lease_expires_at > now()) AS partition_leases,
       (SELECT count(*)::int FROM coordinator_leases c
         WHERE c.broker_id = b.broker_id AND c.lease_expires_at > now()) AS coordinator_leases
     FROM brokers b ORDER BY b.broker_id`,
    [leaseTimeoutMs],
  )
  return rows.map((row) => ({
    brokerId: row.broker_id,
    host: row.host,
    port: row.port,
    rack: row.rack,
    live: row.live,
    stopped: row.stopped,
    epoch: Number(row.epoch),
    registeredAt: row.registered_at.toISOString(),
    heartbeatAgeMs: Math.max(0, Number(row.heartbeat_age_ms)),
    partitionLeases: row.partition_leases,
    coordinatorLeases: row.coordinator_leases,
  }))
}

export async function clusterLeases(database: MetadataDatabase): Promise<ClusterLeasesReport> {
  const partitions = await database.query<{
    name: string
    partition: number
    leader_broker: number | null
    leader_epoch: number
    lease_remaining_ms: string | null
    high_watermark: string
    log_start_offset: string
  }>(
    `SELECT t.name, p.partition, p.leader_broker, p.leader_epoch, p.high_watermark, p.log_start_offset,
       ${remainingMs('p.lease_expires_at')} AS lease_remaining_ms
     FROM partitions p JOIN topics t USING (topic_id) ORDER BY t.name, p.partition`,
  )
  const coordinators = await database.query<{
    slot: number
    broker_id: number | null
    epoch: number
    lease_remaining_ms: string | null
  }>(
    `SELECT slot, broker_id, epoch, ${remainingMs('lease_expires_at')} AS lease_remaining_ms
     FROM coordinator_leases WHERE key_type = 0 ORDER BY slot`,
  )
  const remaining = (value: string | null): number | null => (value === null ? null : Number(value))
  return {
    partitions: partitions.map((row) => {
      const leaseRemainingMs = remaining(row.lease_remaining_ms)
      return {
        topic: row.name,
        partition: row.partition,
        leaderId: leaseRemainingMs === null ? null : row.leader_broker,
        leaderEpoch: row.leader_epoch,
        leaseRemainingMs,
        highWatermark: Number(row.high_watermark),
        logStartOffset: Number(row.log_start_offset),
      }
    }),
    groupCoordinators: coordinators.map((row) => {
      const leaseRemainingMs = remaining(row.lease_remaining_ms)
      return {
        slot: row.slot,
        brokerId: leaseRemainingMs === null ? null : row.broker_id,
        epoch: row.epoch,
        leaseRemainingMs,
      }
    }),
  }
}
