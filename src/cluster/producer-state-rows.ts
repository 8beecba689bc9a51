// Idempotent producers in cluster mode. Producer ids come in blocks of 1000 from a PostgreSQL
// sequence, so they are unique across brokers. Each partition's producer state (Kafka's
// ProducerStateManager: per producer its epoch and last five batches) lives in memory at the leader
// and in `producer_state`, written by the same statement that commits the data (commit.ts): a leader
// that takes a partition over loads it before it writes, so a batch resent after a failover (its
// first answer lost with the old leader) is found and answered with its original offsets.

import { PartitionTransactions } from '../storage/partition-transactions.ts'
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
  /** The first offset of its open transaction in the partition, or null. */
  txnFirstOffset: number | null
}

export function producerStateRowOf(entry: ProducerEntry, txnFirstOffset: number | null): ProducerStateRow {
  return {
    producerId: entry.producerId,
    epoch: entry.epoch,
    batches: entry.batches.map((batch) => ({ ...batch })),
    lastTimestampMs: entry.lastTimestampMs,
    txnFirstOffset,
  }
}

/** The producer state of a partition this broker just took, with its open transactions. */
export async function loadProducerState(
  database: MetadataDatabase,
  topicId: string,
  partition: number,
): Promise<{ producers: ProducerStateManager; transactions: PartitionTransactions }> {
  const rows = await database.query<{
    producer_id: string
    producer_epoch: number
    batches: ProducerBatch[]
    last_timestamp: number
    txn_first_offset: number | null
  }>(
    `SELECT producer_id::text AS producer_id, producer_epoch, batches, last_timestamp, txn_first_offset
     FROM producer_state WHERE topic_id = $1 AND partition = $2`,
    [topicId, partition],
  )
  const state = new ProducerStateManager()
  const transactions = new PartitionTransactions()
  for (const row of rows) {
    const producerId = BigInt(row.producer_id)
    if (row.txn_first_offset !== null) transactions.ongoing.set(producerId, Number(row.txn_first_offset))
    state.entries.set(producerId, {
      producerId,
      epoch: row.producer_epoch,
      batches: row.batches,
      lastTimestampMs: row.last_timestamp,
    })
  }
  return { producers: state, transactions }
}

/** Forgets producers silent for `producer.id.expiration.ms` (by their last batch timestamp) without an
 * open transaction, in every partition (Kafka's ProducerStateManager expiry). Leaders forget them in
 * memory likewise (cluster-node.ts); a producer that writes again is accepted at any sequence. */
export async function expireProducerState(database: MetadataDatabase, expirationMs: number): Promise<number> {
  const rows = await database.query<{ producer_id: string }>(
    `DELETE FROM producer_state
     WHERE txn_first_offset IS NULL AND last_timestamp >= 0
       AND last_timestamp < floor(extract(epoch FROM now()) * 1000)::bigint - $1
     RETURNING producer_id::text AS producer_id`,
    [expirationMs],
  )
  return rows.length
}
