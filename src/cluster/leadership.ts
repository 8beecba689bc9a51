// What this broker leads, in memory: for each partition it holds a lease on, the epoch it writes with,
// the next offset to assign (the committed high watermark: offsets are assigned when an object is
// built, after the previous one committed) and until when its lease is valid by this process's own
// monotonic clock. The lease in PostgreSQL outlives this local validity (it is renewed from the same
// query, and PostgreSQL's expiry is counted from a later instant), so a broker that was paused stops
// accepting writes before anybody else may take its partitions; the epoch condition of every commit
// (commit.ts) is what makes that safe even when this clock is wrong.

import { performance } from 'node:perf_hooks'
import { PartitionTransactions } from '../storage/partition-transactions.ts'
import { ProducerStateManager } from '../storage/producer-state.ts'
import { partitionKey } from './commit.ts'
import type { Lease } from './leases.ts'

export interface LedPartition {
  topicId: string
  partition: number
  leaderEpoch: number
  /** Next offset to assign = the committed high watermark. */
  highWatermark: number
  logStartOffset: number
  /** performance.now() after which this broker no longer accepts writes for it. */
  validUntilMs: number
  /** Idempotent producers' state: loaded from PostgreSQL when the lease is taken (cluster-node.ts). */
  producers: ProducerStateManager
  /** Open transactions here (producer id → first offset), loaded with the producers. Changed when an
   * object is built; `aborted` only carries the entries of the object being built (commit.ts indexes
   * them in aborted_transactions). */
  transactions: PartitionTransactions
  /** The last stable offset as committed (set after each commit): what ListOffsets read_committed
   * answers here. */
  lastStableOffset: number
}

export class Leadership {
  private readonly led = new Map<string, LedPartition>()

  constructor(private readonly leaseTimeoutMs: number) {}

  get(topicId: string, partition: number): LedPartition | undefined {
    return this.led.get(partitionKey(topicId, partition))
  }

  /** The partition when this broker may write to it now, else undefined. */
  writable(topicId: string, partition: number): LedPartition | undefined {
    const led = this.get(topicId, partition)
    return led !== undefined && performance.now() < led.validUntilMs ? led : undefined
  }

  get size(): number {
    return this.led.size
  }

  all(): LedPartition[] {
    return [...this.led.values()]
  }

  /**
   * Applies the leases the database confirmed (renewed or acquired) at `askedAtMs` (performance.now()
   * when the query was sent). A lease already known keeps its high watermark (this broker's commits
   * are the only ones that move it); a new one, or one at a new epoch, takes the database's.
   */
  confirm(leases: readonly Lease[], askedAtMs: number): LedPartition[] {
    const added: LedPartition[] = []
    for (const lease of leases) {
      const key = partitionKey(lease.topicId, lease.partition)
      const known = this.led.get(key)
      const validUntilMs = askedAtMs + this.leaseTimeoutMs
      if (known !== undefined && known.leaderEpoch === lease.leaderEpoch) {
        known.validUntilMs = validUntilMs
        continue
      }
      const entry = {
        ...lease,
        validUntilMs,
        producers: new ProducerStateManager(),
        transactions: new PartitionTransactions(),
        lastStableOffset: lease.highWatermark,
      }
      this.led.set(key, entry)
      added.push(entry)
    }
    return added
  }

  /** After a renewal: forgets what the database no longer gives this broker. Returns what was lost. */
  keepOnly(leases: readonly Lease[]): LedPartition[] {
    const kept = new Set(leases.map((lease) => partitionKey(lease.topicId, lease.partition)))
    const lost: LedPartition[] = []
    for (const [key, entry] of this.led) {
      if (!kept.has(key)) {
        this.led.delete(key)
        lost.push(entry)
      }
    }
    return lost
  }

  forget(topicId: string, partition: number): void {
    this.led.delete(partitionKey(topicId, partition))
  }

  forgetAll(): LedPartition[] {
    const all = this.all()
    this.led.clear()
    return all
  }
}

/** Runs async jobs one at a time, in order: object commits and lease changes never interleave. */
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve()

  run<T>(job: () => Promise<T>): Promise<T> {
    const result = this.tail.then(job)
    this.tail = result.catch(() => {})
    return result
  }
}
