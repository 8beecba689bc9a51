// COMMIT/ABORT markers in cluster mode. The transaction coordinator of a transactional id does not
// lead the partitions of its transactions, so it does not write their markers itself: with the
// transaction prepared (txn-store.ts) it inserts one row per partition (and per group slot, for the
// offsets of the transaction) into `txn_markers` and notifies. Every broker applies the rows it can:
// the leader of a partition appends the marker through its object writer (so it gets the partition's
// next offset and is committed like data: the last stable offset moves and an ABORT enters the aborted
// index in the same statement, commit.ts); the coordinator of a group slot applies the outcome to the
// pending transactional offsets (group-txn-offsets.ts). The row is then deleted and the coordinator,
// which waits for its rows to be gone, writes CompleteCommit/CompleteAbort.
//
// A broker that dies between writing a marker and deleting its row leaves the row: the partition's
// next leader writes the marker again. A second marker of the same outcome is harmless (no transaction
// of that producer is open in the partition any more; consumers skip control batches), and the
// producer cannot have begun its next transaction: EndTxn is answered only after every row is gone.
// Rows are applied when notified (LISTEN) and in every sync round (a partition whose leader changed,
// a notification lost with its connection).

import { markerBatch } from '../coordinator/internal-topic-log.ts'
import type { Logger } from '../log.ts'
import type { ClusterPartitionLog } from './cluster-partition-log.ts'
import type { MetadataDatabase } from './database.ts'
import type { ClusterGroupStore } from './group-store.ts'

/** The NOTIFY channel: payload 'new' (rows to apply) or 'done' (rows deleted). */
export const markersChannel = 'streamline_txn_markers'

export function partitionTarget(topicId: string, partition: number): string {
  return `p:${topicId}:${partition}`
}

export function groupSlotTarget(slot: number): string {
  return `g:${slot}`
}

interface MarkerRow {
  transactional_id: string
  target: string
  producer_id: string
  producer_epoch: number
  commit: boolean
}

export interface MarkerApplierOptions {
  database: MetadataDatabase
  /** The partition's log when this broker may write to it now, else undefined. */
  ledPartition(topicId: string, partition: number): ClusterPartitionLog | undefined
  groupStore: ClusterGroupStore
  /** Rows were deleted: coordinators waiting for them look again. */
  onDone(): void
  log: Logger
}

export class MarkerApplier {
  private running: Promise<void> | null = null
  private again = false
  private readonly inFlight = new Set<string>()
  private stopListening: (() => void) | null = null

  constructor(private readonly options: MarkerApplierOptions) {}

  start(): void {
    this.stopListening = this.options.database.listen(markersChannel, (payload) => {
      if (payload === 'done') this.options.onDone()
      else this.run()
    })
  }

  stop(): void {
    this.stopListening?.()
    this.stopListening = null
  }

  /** Applies what this broker can now; a call during a pass runs one more pass after it. */
  run(): void {
    if (this.running !== null) {
      this.again = true
      return
    }
    this.running = this.pass()
      .catch((error: unknown) => this.options.log.warn({ err: error }, 'applying transaction markers failed'))
      .finally(() => {
        this.running = null
        if (this.again) {
          this.again = false
          this.run()
        }
      })
  }

  private async pass(): Promise<void> {
    const rows = await this.options.database.query<MarkerRow>(
      `SELECT transactional_id, target, producer_id::text AS producer_id, producer_epoch, commit
       FROM txn_markers`,
    )
    const applied = await Promise.all(rows.map((row) => this.apply(row)))
    if (applied.some(Boolean))
      await this.options.database.query(`SELECT pg_notify('${markersChannel}', 'done')`)
  }

  /** Writes one marker if this broker holds its target; true when its row was deleted. */
  private async apply(row: MarkerRow): Promise<boolean> {
    const key = `${row.transactional_id}\u0000${row.target}`
    if (this.inFlight.has(key)) return false
    this.inFlight.add(key)
    try {
      const producerId = BigInt(row.producer_id)
      if (!(await this.write(row, producerId))) return false
      const deleted = await this.options.database.query(
        `DELETE FROM txn_markers WHERE transactional_id = $1 AND target = $2 AND producer_id = $3
           AND producer_epoch = $4 AND commit = $5 RETURNING 1`,
        [row.transactional_id, row.target, row.producer_id, row.producer_epoch, row.commit],
      )
      return deleted.length > 0
    } catch (error) {
      this.options.log.debug({ err: error, target: row.target }, 'transaction marker not written; retried')
      return false
    } finally {
      this.inFlight.delete(key)
    }
  }

  private async write(row: MarkerRow, producerId: bigint): Promise<boolean> {
    const [kind, first, second] = row.target.split(':')
    if (kind === 'g')
      return this.options.groupStore.completeTransaction(Number(first), producerId, row.commit)
    const log = this.options.ledPartition(first, Number(second))
    if (log === undefined) return !(await this.partitionExists(first, Number(second)))
    const producer = { producerId, producerEpoch: row.producer_epoch }
    await log.append(await markerBatch(producer, row.commit, Date.now()), {
      durable: true,
      origin: 'coordinator',
    })
    return true
  }

  /** A deleted partition has nothing left to mark: its row is dropped. */
  private async partitionExists(topicId: string, partition: number): Promise<boolean> {
    const rows = await this.options.database.query(
      'SELECT 1 FROM partitions WHERE topic_id = $1 AND partition = $2',
      [topicId, partition],
    )
    return rows.length > 0
  }
}
