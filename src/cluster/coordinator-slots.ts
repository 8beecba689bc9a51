// The coordinator slots one broker holds, for one key type (groups or transactional ids): the leases
// in coordinator_leases it renews, takes up to its fair share or gives back each sync round, which of
// them it may serve now (by its own clock: a lease it could not renew stops being served before
// another broker can take it), and which broker holds every other slot. The group and transaction
// stores (group-store.ts, txn-store.ts) load and forget their state as slots come and go.

import { performance } from 'node:perf_hooks'
import type { PoolClient } from 'pg'
import { ErrorCode } from '../protocol/generated/index.ts'
import {
  acquireCoordinatorLeases,
  type CoordinatorLease,
  coordinatorHolders,
  lockCoordinatorLeaseSqlFor,
  releaseCoordinatorLeases,
  renewCoordinatorLeases,
} from './coordinator-leases.ts'
import type { MetadataDatabase } from './database.ts'

export interface HeldSlot {
  epoch: number
  /** performance.now() after which this broker no longer serves the slot. */
  validUntilMs: number
  /** The slot's state was read back since it was taken (or since a failed write). */
  loaded: boolean
}

export interface CoordinatorSlotsOptions {
  database: MetadataDatabase
  leaseTimeoutMs: number
  keyType: number
  /** The number of slots of this key type (the fair share is slots / live brokers, rounded up). */
  slotCount(): number
  /** Slots this broker no longer holds: their state must be forgotten. */
  onDropped(slots: ReadonlySet<number>): void
}

export class CoordinatorSlots {
  private readonly held = new Map<number, HeldSlot>()
  private holders = new Map<number, number>()
  private brokerId = -1
  private readonly lockSql: string

  constructor(private readonly options: CoordinatorSlotsOptions) {
    this.lockSql = lockCoordinatorLeaseSqlFor(options.keyType)
  }

  /** The broker id coordinating `slot` now, or null while no broker holds it. */
  holderOf(slot: number): number | null {
    if (this.servable(slot) !== undefined) return this.brokerId
    const holder = this.holders.get(slot)
    return holder === undefined || holder === this.brokerId ? null : holder
  }

  /** NONE when this broker serves `slot` now, else NOT_COORDINATOR or COORDINATOR_LOAD_IN_PROGRESS. */
  refusal(slot: number): number {
    const held = this.servable(slot)
    if (held === undefined) return ErrorCode.NOT_COORDINATOR
    return held.loaded ? ErrorCode.NONE : ErrorCode.COORDINATOR_LOAD_IN_PROGRESS
  }

  /** The slot while this broker's lease of it is valid by its own clock. */
  servable(slot: number): HeldSlot | undefined {
    const held = this.held.get(slot)
    return held !== undefined && performance.now() < held.validUntilMs ? held : undefined
  }

  /** The slots this broker coordinates now (with their epochs). */
  leases(): CoordinatorLease[] {
    return [...this.held].map(([slot, held]) => ({ slot, epoch: held.epoch }))
  }

  /** Locks `held`'s lease row FOR SHARE in the caller's transaction; false when the lease moved on. */
  async lock(client: PoolClient, slot: number, held: HeldSlot): Promise<boolean> {
    const lease = await client.query(this.lockSql, [slot, this.brokerId, held.epoch])
    return lease.rowCount !== 0
  }

  /**
   * One round: renew, take slots up to the fair share or give the surplus back, `load` the slots not
   * loaded yet (then they are served), and read who holds the others.
   */
  async sync(brokerId: number, liveBrokers: number, load: (slots: number[]) => Promise<void>): Promise<void> {
    const { database, leaseTimeoutMs, keyType } = this.options
    this.brokerId = brokerId
    const askedAtMs = performance.now()
    const renewed = await renewCoordinatorLeases(database, brokerId, leaseTimeoutMs, keyType)
    const kept = new Map(renewed.map((lease) => [lease.slot, lease.epoch]))
    this.drop([...this.held].filter(([slot, held]) => kept.get(slot) !== held.epoch).map(([slot]) => slot))
    for (const [slot, epoch] of kept) {
      const known = this.held.get(slot)
      if (known !== undefined) known.validUntilMs = askedAtMs + leaseTimeoutMs
      else this.held.set(slot, { epoch, validUntilMs: askedAtMs + leaseTimeoutMs, loaded: false })
    }
    const share = Math.ceil(this.options.slotCount() / Math.max(1, liveBrokers))
    if (this.held.size > share) await this.release(this.leases().slice(0, this.held.size - share))
    else if (this.held.size < share) {
      const acquireAtMs = performance.now()
      const wanted = share - this.held.size
      for (const lease of await acquireCoordinatorLeases(database, brokerId, leaseTimeoutMs, wanted, keyType))
        this.held.set(lease.slot, {
          epoch: lease.epoch,
          validUntilMs: acquireAtMs + leaseTimeoutMs,
          loaded: false,
        })
    }
    const pending = [...this.held].filter(([, held]) => !held.loaded)
    if (pending.length > 0) {
      await load(pending.map(([slot]) => slot))
      for (const [, held] of pending) held.loaded = true
    }
    this.holders = await coordinatorHolders(database, keyType)
  }

  /** Graceful stop: every slot is given back at once. */
  close(): Promise<void> {
    return this.release(this.leases())
  }

  private async release(leases: CoordinatorLease[]): Promise<void> {
    this.drop(leases.map((lease) => lease.slot))
    await releaseCoordinatorLeases(this.options.database, this.brokerId, leases, this.options.keyType)
  }

  private drop(slots: readonly number[]): void {
    if (slots.length === 0) return
    for (const slot of slots) this.held.delete(slot)
    this.options.onDropped(new Set(slots))
  }
}
