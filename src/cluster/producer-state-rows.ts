// Idempotent producers in cluster mode. Producer ids come in blocks of 1000 from a PostgreSQL
// sequence, so they are unique across brokers. Each partition's producer state (Kafka's
// ProducerStateManager: per producer its epoch and last five batches) lives in memory at the leader
// and in `producer_state`, written by the same statement that commits the data (commit.ts): a leader
// that takes a partition over loads it before it writes, so a batch resent after a failover (its
// first answer lost with the old leader) is found and answered with its original offsets.

import type { ProducerBatch, ProducerEntry } from '../storage/producer-state.ts'
import { ProducerStateManager } from '../storage/producer-state.ts'
import type { MetadataDatabase } from './database.ts'

/** Ids per block (as Kafka's controller allocates). */
const producerIdBlockSize = 1000n

/** The first id of a fresh block no broker has had. */
export async function allocateProducerIdBlock(database: MetadataDatabase): Promise<bigint> {
  const rows = await database.query<{ block: string }>("SELECT nextval('producer_id_blocks')::text AS block")
  return BigInt(rows[0].block) * producerIdBlockSize
}

/** One producer's state of one partition, as committed with an object (commit.ts). */
export interface ProducerStateRow {
  producerId: bigint
  epoch: number
  batches: ProducerBatch[]
  lastTimestampMs: number
}

export function producerStateRowOf(entry: ProducerEntry): ProducerStateRow {
  return {
    producerId: entry.producerId,
    epoch: entry.epoch,
    batches: entry.batches.map((batch) => ({ ...batch })),
    lastTimestampMs: entry.lastTimestampMs,
  }
}

/** The producer state of a partition this broker just took. */
export async function loadProducerState(
  database: MetadataDatabase,
  topicId: string,
  partition: number,
): Promise<ProducerStateManager> {
  const rows = await database.query<{
    producer_id: string
    producer_epoch: number
    batches: ProducerBatch[]
    last_timestamp: number
  }>(
    `SELECT producer_id::text AS producer_id, producer_epoch, batches, last_timestamp FROM producer_state
     WHERE topic_id = $1 AND partition = $2`,
    [topicId, partition],
  )
  const state = new ProducerStateManager()
  for (const row of rows) {
    const producerId = BigInt(row.producer_id)
    state.entries.set(producerId, {
      producerId,
      epoch: row.producer_epoch,
      batches: row.batches,
      lastTimestampMs: row.last_timestamp,
    })
  }
  return state
}
