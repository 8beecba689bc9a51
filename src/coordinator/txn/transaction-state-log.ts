// Where the transaction coordinator keeps its state when it is not `__transaction_state`: in cluster
// mode (src/cluster/txn-store.ts) each transactional id is coordinated by the broker holding its
// coordinator slot, its state is a row in PostgreSQL, and the COMMIT/ABORT markers are written by each
// partition's leader (and each group's coordinator for offsets), wherever those are. The store loads a
// slot's transactions into the coordinator when it takes the slot and drops them when it loses it.

import type { TransactionMetadata } from './transaction-metadata.ts'

/** What a store may do to the coordinator's in-memory state. */
export interface TransactionStateHost {
  /** A slot was taken: its transactions, as stored. Prepared ones are completed by the host. */
  restore(transactions: readonly TransactionMetadata[]): void
  /** The slot moved away (or its state is stale): forgets every transactional id that matches. */
  forget(matches: (transactionalId: string) => boolean): void
}

export interface TransactionStateLog {
  attach(host: TransactionStateHost): void
  /** NONE, NOT_COORDINATOR (another broker holds the id's slot) or COORDINATOR_LOAD_IN_PROGRESS. */
  refuse(transactionalId: string): number
  /** Writes the transaction's state durably (fenced by the slot's lease). */
  persist(metadata: TransactionMetadata): Promise<void>
  /** Removes an expired transactional id (fenced by the slot's lease). */
  remove(metadata: TransactionMetadata): Promise<void>
  /** Has every partition of the transaction get its COMMIT/ABORT marker (and every group in it its
   * offsets applied or dropped); resolves once all are written. */
  writeMarkers(metadata: TransactionMetadata, commit: boolean): Promise<void>
  /** The slot of a group: the "partition" AddOffsetsToTxn adds for it. */
  groupSlotOf(groupId: string): number
  /** `transactional.id.expiration.ms`. */
  readonly transactionalIdExpirationMs: number
}
