// Membership: the cluster id every broker shares, broker registration and heartbeats. A broker is
// live while its last heartbeat (PostgreSQL's clock, so brokers' clocks do not matter) is younger
// than the lease timeout and it has not deregistered. Broker ids come from the database: a broker
// restarted on the address of a dead one takes its id back (epoch + 1), any other gets a new id.

import { newClusterId } from '../storage/data-dir.ts'
import type { MetadataDatabase } from './database.ts'

export interface ClusterBroker {
  brokerId: number
  host: string
  port: number
  rack: string | null
}

export interface Registration {
  brokerId: number
  epoch: number
}

/** `$n` milliseconds as a PostgreSQL interval expression. */
export function msInterval(parameter: string): string {
  return `(${parameter}::double precision * interval '1 millisecond')`
}

/** The cluster id, created by the first broker that asks (all later ones read the same row). */
export async function clusterIdOf(database: MetadataDatabase): Promise<string> {
  await database.query(
    'INSERT INTO cluster (singleton, cluster_id) VALUES (true, $1) ON CONFLICT (singleton) DO NOTHING',
    [newClusterId()],
  )
  const rows = await database.query<{ cluster_id: string }>('SELECT cluster_id FROM cluster')
  return rows[0].cluster_id
}

/** Registers this broker (at its advertised address) and gives back whatever leases an earlier
 * process with the same id still held, so that they are taken again with a new epoch. */
export async function registerBroker(
  database: MetadataDatabase,
  broker: { host: string; port: number; rack: string | null; leaseTimeoutMs: number },
): Promise<Registration> {
  return database.transaction(async (client) => {
    const reused = await client.query<{ broker_id: number; epoch: number }>(
      `UPDATE brokers SET epoch = epoch + 1, heartbeat_at = now(), registered_at = now(), stopped = false,
         rack = $3
       WHERE broker_id = (
         SELECT broker_id FROM brokers
         WHERE host = $1 AND port = $2 AND (stopped OR heartbeat_at < now() - ${msInterval('$4')})
         ORDER BY broker_id LIMIT 1 FOR UPDATE SKIP LOCKED)
       RETURNING broker_id, epoch`,
      [broker.host, broker.port, broker.rack, broker.leaseTimeoutMs],
    )
    const row =
      reused.rows[0] ??
      (
        await client.query<{ broker_id: number; epoch: number }>(
          'INSERT INTO brokers (host, port, rack) VALUES ($1, $2, $3) RETURNING broker_id, epoch',
          [broker.host, broker.port, broker.rack],
        )
      ).rows[0]
    await client.query(
      'UPDATE partitions SET leader_broker = NULL, lease_expires_at = NULL WHERE leader_broker = $1',
      [row.broker_id],
    )
    return { brokerId: row.broker_id, epoch: Number(row.epoch) }
  })
}

/** Refreshes the heartbeat; false when this registration was replaced (the broker must stop leading). */
export async function heartbeat(database: MetadataDatabase, registration: Registration): Promise<boolean> {
  const rows = await database.query(
    'UPDATE brokers SET heartbeat_at = now() WHERE broker_id = $1 AND epoch = $2 AND NOT stopped RETURNING 1',
    [registration.brokerId, registration.epoch],
  )
  return rows.length === 1
}

export async function liveBrokers(
  database: MetadataDatabase,
  leaseTimeoutMs: number,
): Promise<ClusterBroker[]> {
  const rows = await database.query<{ broker_id: number; host: string; port: number; rack: string | null }>(
    `SELECT broker_id, host, port, rack FROM brokers
     WHERE NOT stopped AND heartbeat_at >= now() - ${msInterval('$1')} ORDER BY broker_id`,
    [leaseTimeoutMs],
  )
  return rows.map((row) => ({ brokerId: row.broker_id, host: row.host, port: row.port, rack: row.rack }))
}

/** A graceful stop: the broker leaves at once instead of after the lease timeout. */
export async function deregisterBroker(
  database: MetadataDatabase,
  registration: Registration,
): Promise<void> {
  await database.query('UPDATE brokers SET stopped = true WHERE broker_id = $1 AND epoch = $2', [
    registration.brokerId,
    registration.epoch,
  ])
}
