// Transactions in cluster mode: which broker coordinates which transactional id, and the transaction
// coordinator's state in PostgreSQL (what `__transaction_state` holds for a single broker).
//
// Transactional ids map to 50 slots (Kafka's partitionFor over __transaction_state's partitions); each
// slot is a coordinator lease (coordinator_leases, key type 1), spread, renewed and taken over
// (epoch + 1) exactly like the group coordinator slots (group-store.ts). A slot taken is read back
// (txn_state rows) before its ids are served (COORDINATOR_LOAD_IN_PROGRESS meanwhile); prepared
// transactions are then completed by the coordinator, open ones go on (the producer continues with the
// new coordinator) or abort at their timeout. Every write locks the slot's lease row FOR SHARE at this
// broker's epoch in its transaction: a coordinator that lost its slot writes nothing, and a takeover
// never overtakes a write. A write that fails leaves the slot unloaded until the next sync reads it
// back (memory may be ahead of the database after a failure).
//
// Markers: writeMarkers inserts the transaction's rows into txn_markers under the same lock, notifies,
// and waits until the partitions' leaders and the groups' coordinators applied them (txn-markers.ts).

import { offsetsTopicName } from '../coordinator/group/offsets-topic-log.ts'
import { internalPartitionFor } from '../coordinator/internal-topic-log.ts'
import type { TransactionMetadata, TransactionState } from '../coordinator/txn/transaction-metadata.ts'
import type { TransactionStateHost, TransactionStateLog } from '../coordinator/txn/transaction-state-log.ts'
import { KafkaError } from '../errors.ts'
import { ErrorCode } from '../protocol/generated/index.ts'
import type { LogManager } from '../storage/types.ts'
import { type CoordinatorLease, groupSlotOf, keyTypeTransaction } from './coordinator-leases.ts'
import { CoordinatorSlots } from './coordinator-slots.ts'
import type { MetadataDatabase } from './database.ts'
import { groupSlotTarget, markersChannel, partitionTarget } from './txn-markers.ts'

/** Slots of transactional ids (migration 5 inserts their rows). */
export const transactionCoordinatorSlots = 50
/** How often a coordinator waiting for its markers looks again without a notification. */
const markerPollMs = 100

export function transactionSlotOf(transactionalId: string): number {
  return internalPartitionFor(transactionalId, transactionCoordinatorSlots)
}

interface TxnStateRow {
  transactional_id: string
  producer_id: string
  producer_epoch: number
  timeout_ms: number
  state: number
  partitions: Record<string, number[]>
  start_ms: number
  last_update_ms: number
}

export class ClusterTransactionStore implements TransactionStateLog {
  private host: TransactionStateHost | null = null
  private readonly slots: CoordinatorSlots
  private readonly waiters = new Set<() => void>()

  constructor(
    private readonly database: MetadataDatabase,
    private readonly logs: LogManager,
    leaseTimeoutMs: number,
    readonly transactionalIdExpirationMs: number,
  ) {
    this.slots = new CoordinatorSlots({
      database,
      leaseTimeoutMs,
      keyType: keyTypeTransaction,
      slotCount: () => transactionCoordinatorSlots,
      onDropped: (dropped) =>
        this.host?.forget((transactionalId) => dropped.has(transactionSlotOf(transactionalId))),
    })
  }

  attach(host: TransactionStateHost): void {
    this.host = host
  }

  groupSlotOf(groupId: string): number {
    return groupSlotOf(groupId)
  }

  /** The broker id coordinating `transactionalId` now, or null while no broker holds its slot. */
  coordinatorOf(transactionalId: string): number | null {
    return this.slots.holderOf(transactionSlotOf(transactionalId))
  }

  refuse(transactionalId: string): number {
    return this.slots.refusal(transactionSlotOf(transactionalId))
  }

  leases(): CoordinatorLease[] {
    return this.slots.leases()
  }

  /** Runs `write` in a transaction holding the slot's lease row FOR SHARE at this broker's epoch. */
  private async fenced(transactionalId: string, write: (client: import('pg').PoolClient) => Promise<void>) {
    const slot = transactionSlotOf(transactionalId)
    const held = this.slots.servable(slot)
    if (held === undefined)
      throw new KafkaError(ErrorCode.NOT_COORDINATOR, `not the coordinator of ${transactionalId}`)
    try {
      await this.database.transaction(async (client) => {
        if (!(await this.slots.lock(client, slot, held)))
          throw new KafkaError(ErrorCode.NOT_COORDINATOR, `the coordinator lease of ${transactionalId} moved`)
        await write(client)
      })
    } catch (error) {
      // Memory may now be ahead of the database: serve the slot again only after reading it back.
      held.loaded = false
      throw error
    }
  }

  persist(metadata: TransactionMetadata): Promise<void> {
    return this.fenced(metadata.transactionalId, async (client) => {
      await client.query(
        `INSERT INTO txn_state (transactional_id, coordinator_slot, producer_id, producer_epoch, timeout_ms,
           state, partitions, start_ms, last_update_ms)
         VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8, $9)
         ON CONFLICT (transactional_id) DO UPDATE SET producer_id = excluded.producer_id,
           producer_epoch = excluded.producer_epoch, timeout_ms = excluded.timeout_ms, state = excluded.state,
           partitions = excluded.partitions, start_ms = excluded.start_ms,
           last_update_ms = excluded.last_update_ms`,
        [
          metadata.transactionalId,
          transactionSlotOf(metadata.transactionalId),
          metadata.producerId.toString(),
          metadata.producerEpoch,
          metadata.timeoutMs,
          metadata.state,
          JSON.stringify(
            Object.fromEntries([...metadata.partitions].map(([topic, ids]) => [topic, [...ids]])),
          ),
          metadata.startMs,
          metadata.lastUpdateMs,
        ],
      )
    })
  }

  remove(metadata: TransactionMetadata): Promise<void> {
    return this.fenced(metadata.transactionalId, async (client) => {
      await client.query('DELETE FROM txn_state WHERE transactional_id = $1', [metadata.transactionalId])
    })
  }

  async writeMarkers(metadata: TransactionMetadata, commit: boolean): Promise<void> {
    const targets: string[] = []
    for (const [topic, partitions] of metadata.partitions) {
      if (topic === offsetsTopicName) {
        for (const slot of partitions) targets.push(groupSlotTarget(slot))
        continue
      }
      // A topic deleted during the transaction has nothing left to mark.
      const topicId = this.logs.getTopic(topic)?.topicId
      if (topicId !== undefined)
        for (const partition of partitions) targets.push(partitionTarget(topicId, partition))
    }
    const { transactionalId } = metadata
    if (targets.length > 0)
      await this.fenced(transactionalId, async (client) => {
        await client.query(
          `INSERT INTO txn_markers (transactional_id, target, producer_id, producer_epoch, commit)
           SELECT $1, t, $3, $4, $5 FROM unnest($2::text[]) AS t ON CONFLICT DO NOTHING`,
          [transactionalId, targets, metadata.producerId.toString(), metadata.producerEpoch, commit],
        )
        await client.query(`SELECT pg_notify('${markersChannel}', 'new')`)
      })
    await this.waitForMarkers(transactionalId)
  }

  /** Resolves once no marker row of `transactionalId` is left (NOT_COORDINATOR if the slot moves). */
  private async waitForMarkers(transactionalId: string): Promise<void> {
    for (;;) {
      const rows = await this.database.query<{ left: number }>(
        'SELECT count(*)::int AS left FROM txn_markers WHERE transactional_id = $1',
        [transactionalId],
      )
      if (rows[0].left === 0) return
      if (this.slots.servable(transactionSlotOf(transactionalId)) === undefined)
        throw new KafkaError(ErrorCode.NOT_COORDINATOR, `the coordinator lease of ${transactionalId} moved`)
      await new Promise<void>((resolve) => {
        const wake = () => {
          clearTimeout(timer)
          this.waiters.delete(wake)
          resolve()
        }
        const timer = setTimeout(wake, markerPollMs)
        this.waiters.add(wake)
      })
    }
  }

  /** Marker rows were deleted somewhere: waiting coordinators look again. */
  wake(): void {
    for (const wake of [...this.waiters]) wake()
  }

  /** One round of the slots (coordinator-slots.ts), reading the transactions of the slots taken (or left
   * unloaded by a failed write); prepared ones are then completed by the host. */
  sync(brokerId: number, liveBrokers: number): Promise<void> {
    return this.slots.sync(brokerId, liveBrokers, (slots) => this.loadSlots(slots))
  }

  private async loadSlots(slots: number[]): Promise<void> {
    const taken = new Set(slots)
    const rows = await this.database.query<TxnStateRow>(
      `SELECT transactional_id, producer_id::text AS producer_id, producer_epoch, timeout_ms, state, partitions,
              start_ms, last_update_ms
       FROM txn_state WHERE coordinator_slot = ANY($1::int[])`,
      [slots],
    )
    this.host?.forget((transactionalId) => taken.has(transactionSlotOf(transactionalId)))
    this.host?.restore(rows.map(metadataOf))
  }

  /** Graceful stop: every slot is given back at once. */
  close(): Promise<void> {
    return this.slots.close()
  }
}

function metadataOf(row: TxnStateRow): TransactionMetadata {
  return {
    transactionalId: row.transactional_id,
    producerId: BigInt(row.producer_id),
    producerEpoch: row.producer_epoch,
    timeoutMs: row.timeout_ms,
    state: row.state as TransactionState,
    partitions: new Map(Object.entries(row.partitions).map(([topic, ids]) => [topic, new Set(ids)])),
    startMs: Number(row.start_ms),
    lastUpdateMs: Number(row.last_update_ms),
  }
}
