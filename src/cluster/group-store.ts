// Consumer groups in cluster mode: which broker coordinates which group, and the groups' state in
// PostgreSQL (the GroupStateLog of the group coordinator, src/coordinator/group/group-state-log.ts).
//
// Each sync round (cluster-node.ts) renews this broker's coordinator leases, takes slots without a
// valid lease up to its fair share (slots / live brokers, rounded up) or gives its surplus back, and
// reads which broker holds each slot (FindCoordinator answers from that). A slot this broker takes is
// loaded before its groups are served (COORDINATOR_LOAD_IN_PROGRESS meanwhile); a slot it loses is
// dropped from memory (NOT_COORDINATOR from then on, clients look the coordinator up again). Every
// write locks the slot's lease row FOR SHARE at this broker's epoch in the same transaction, so a
// coordinator that was paused and lost its lease writes nothing, and a new one reads every write of
// the old one (a takeover skips a row locked by a write in progress).

import { performance } from 'node:perf_hooks'
import type { GroupStateHost, GroupStateLog } from '../coordinator/group/group-state-log.ts'
import type { OffsetsTopicLoad } from '../coordinator/group/offsets-topic-log.ts'
import type { TransactionalWrite } from '../coordinator/internal-topic-log.ts'
import { KafkaError } from '../errors.ts'
import { ErrorCode } from '../protocol/generated/index.ts'
import {
  acquireCoordinatorLeases,
  type CoordinatorLease,
  coordinatorHolders,
  groupCoordinatorSlotCount,
  groupSlotOf,
  lockCoordinatorLeaseSql,
  releaseCoordinatorLeases,
  renewCoordinatorLeases,
} from './coordinator-leases.ts'
import type { MetadataDatabase } from './database.ts'
import { type GroupRecordWrite, loadGroupState, writeGroupRecords } from './group-state-rows.ts'
import {
  completeTransactionalOffsets,
  loadTransactionalOffsets,
  writeTransactionalOffsets,
} from './group-txn-offsets.ts'

interface HeldSlot {
  epoch: number
  /** performance.now() after which this broker no longer serves the slot's groups. */
  validUntilMs: number
  loaded: boolean
}

export class ClusterGroupStore implements GroupStateLog {
  private host: GroupStateHost | null = null
  private readonly held = new Map<number, HeldSlot>()
  private holders = new Map<number, number>()
  private brokerId = -1

  constructor(
    private readonly database: MetadataDatabase,
    private readonly leaseTimeoutMs: number,
  ) {}

  attach(host: GroupStateHost): void {
    this.host = host
  }

  /** Nothing is replayed at start: slots are loaded as they are taken (sync). */
  load(): Promise<OffsetsTopicLoad> {
    return Promise.resolve({ records: 0, openTransactions: new Map() })
  }

  /** The broker id coordinating `groupId` now, or null while no broker holds its slot. */
  coordinatorOf(groupId: string): number | null {
    const slot = groupSlotOf(groupId)
    if (this.servable(slot) !== undefined) return this.brokerId
    const holder = this.holders.get(slot)
    return holder === undefined || holder === this.brokerId ? null : holder
  }

  refuse(groupId: string): number {
    const slot = groupSlotOf(groupId)
    const held = this.servable(slot)
    if (held === undefined) return ErrorCode.NOT_COORDINATOR
    return held.loaded ? ErrorCode.NONE : ErrorCode.COORDINATOR_LOAD_IN_PROGRESS
  }

  /** The slots this broker coordinates now (with their epochs). */
  leases(): CoordinatorLease[] {
    return [...this.held].map(([slot, held]) => ({ slot, epoch: held.epoch }))
  }

  private servable(slot: number): HeldSlot | undefined {
    const held = this.held.get(slot)
    return held !== undefined && performance.now() < held.validUntilMs ? held : undefined
  }

  async append(
    groupId: string,
    records: GroupRecordWrite[],
    _timestampMs: number,
    transactional?: TransactionalWrite,
  ): Promise<void> {
    if (records.length === 0) return
    const slot = groupSlotOf(groupId)
    const held = this.servable(slot)
    if (held === undefined)
      throw new KafkaError(ErrorCode.NOT_COORDINATOR, `not the coordinator of ${groupId}`)
    await this.database.transaction(async (client) => {
      const lease = await client.query(lockCoordinatorLeaseSql, [slot, this.brokerId, held.epoch])
      if (lease.rowCount === 0)
        throw new KafkaError(ErrorCode.NOT_COORDINATOR, `the coordinator lease of ${groupId} moved`)
      if (transactional === undefined) await writeGroupRecords(client, groupId, slot, records)
      else await writeTransactionalOffsets(client, groupId, slot, transactional.producerId, records)
    })
  }

  /** Applies a transaction's outcome to the pending offsets of `slot`'s groups (a marker for the slot,
   * txn-markers.ts); false when this broker does not serve the slot now (another will). */
  async completeTransaction(slot: number, producerId: bigint, commit: boolean): Promise<boolean> {
    const held = this.servable(slot)
    if (held === undefined || !held.loaded) return false
    const applied = await this.database.transaction(async (client) => {
      const lease = await client.query(lockCoordinatorLeaseSql, [slot, this.brokerId, held.epoch])
      if (lease.rowCount === 0) return false
      await completeTransactionalOffsets(client, slot, producerId, commit)
      return true
    })
    if (applied)
      this.host?.transactionalOffsets.applyOutcome(
        producerId,
        (groupId) => groupSlotOf(groupId) === slot,
        commit,
      )
    return applied
  }

  /** One round: renew, read the holders, then take slots up to the fair share or give the surplus back. */
  async sync(brokerId: number, liveBrokers: number): Promise<void> {
    this.brokerId = brokerId
    const askedAtMs = performance.now()
    const renewed = await renewCoordinatorLeases(this.database, brokerId, this.leaseTimeoutMs)
    const kept = new Map(renewed.map((lease) => [lease.slot, lease.epoch]))
    const lost = [...this.held].filter(([slot, held]) => kept.get(slot) !== held.epoch).map(([slot]) => slot)
    this.drop(lost)
    for (const [slot, epoch] of kept) {
      const known = this.held.get(slot)
      if (known !== undefined) known.validUntilMs = askedAtMs + this.leaseTimeoutMs
      else this.held.set(slot, { epoch, validUntilMs: askedAtMs + this.leaseTimeoutMs, loaded: false })
    }
    const share = Math.ceil(groupCoordinatorSlotCount() / Math.max(1, liveBrokers))
    if (this.held.size > share) await this.releaseSurplus(this.held.size - share)
    else if (this.held.size < share) {
      const acquireAtMs = performance.now()
      const acquired = await acquireCoordinatorLeases(
        this.database,
        brokerId,
        this.leaseTimeoutMs,
        share - this.held.size,
      )
      for (const lease of acquired)
        this.held.set(lease.slot, {
          epoch: lease.epoch,
          validUntilMs: acquireAtMs + this.leaseTimeoutMs,
          loaded: false,
        })
    }
    await this.loadPending()
    this.holders = await coordinatorHolders(this.database)
  }

  /** Reads the state of the slots taken but not loaded yet, then serves them. */
  private async loadPending(): Promise<void> {
    const pending = [...this.held].filter(([, held]) => !held.loaded)
    if (pending.length === 0) return
    const slots = new Set(pending.map(([slot]) => slot))
    // Whatever memory holds for these groups (from an earlier lease) is stale: the database is the truth.
    this.host?.forgetGroups((groupId) => slots.has(groupSlotOf(groupId)))
    const state = await loadGroupState(this.database, [...slots])
    for (const record of state.records) this.host?.replay(record)
    for (const entry of state.offsets)
      this.host?.restoreOffset(entry.groupId, entry.topic, entry.partition, entry.committed)
    const pendingOffsets = await loadTransactionalOffsets(this.database, [...slots])
    for (const [producerId, records] of pendingOffsets)
      this.host?.transactionalOffsets.add(producerId, records)
    for (const [, held] of pending) held.loaded = true
  }

  private drop(slots: readonly number[]): void {
    if (slots.length === 0) return
    const dropped = new Set(slots)
    for (const slot of slots) this.held.delete(slot)
    this.host?.forgetGroups((groupId) => dropped.has(groupSlotOf(groupId)))
  }

  private async releaseSurplus(count: number): Promise<void> {
    const surplus = this.leases().slice(0, count)
    this.drop(surplus.map((lease) => lease.slot))
    await releaseCoordinatorLeases(this.database, this.brokerId, surplus)
  }

  /** Graceful stop: every slot is given back at once. */
  async close(): Promise<void> {
    const all = this.leases()
    this.drop(all.map((lease) => lease.slot))
    await releaseCoordinatorLeases(this.database, this.brokerId, all)
  }
}
