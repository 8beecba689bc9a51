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

import type { GroupStateHost, GroupStateLog } from '../coordinator/group/group-state-log.ts'
import type { OffsetsTopicLoad } from '../coordinator/group/offsets-topic-log.ts'
import type { TransactionalWrite } from '../coordinator/internal-topic-log.ts'
import { KafkaError } from '../errors.ts'
import { ErrorCode } from '../protocol/generated/index.ts'
import {
  type CoordinatorLease,
  groupCoordinatorSlotCount,
  groupSlotOf,
  keyTypeGroup,
} from './coordinator-leases.ts'
import { CoordinatorSlots } from './coordinator-slots.ts'
import type { MetadataDatabase } from './database.ts'
import { type GroupRecordWrite, loadGroupState, writeGroupRecords } from './group-state-rows.ts'
import {
  completeTransactionalOffsets,
  loadTransactionalOffsets,
  writeTransactionalOffsets,
} from './group-txn-offsets.ts'

export class ClusterGroupStore implements GroupStateLog {
  private host: GroupStateHost | null = null
  private readonly slots: CoordinatorSlots

  constructor(
    private readonly database: MetadataDatabase,
    leaseTimeoutMs: number,
  ) {
    this.slots = new CoordinatorSlots({
      database,
      leaseTimeoutMs,
      keyType: keyTypeGroup,
      slotCount: groupCoordinatorSlotCount,
      onDropped: (dropped) => this.host?.forgetGroups((groupId) => dropped.has(groupSlotOf(groupId))),
    })
  }

  attach(host: GroupStateHost): void {
    this.host = host
  }

  /** Nothing is replayed at start: slots are loaded as they are taken (sync). */
  load(): Promise<OffsetsTopicLoad> {
    return Promise.resolve({ records: 0, openTransactions: new Map() })
  }

  /** The broker id coordinating `groupId` now, or null while no broker holds its slot. */
  coordinatorOf(groupId: string): number | null {
    return this.slots.holderOf(groupSlotOf(groupId))
  }

  refuse(groupId: string): number {
    return this.slots.refusal(groupSlotOf(groupId))
  }

  /** The slots this broker coordinates now (with their epochs). */
  leases(): CoordinatorLease[] {
    return this.slots.leases()
  }

  async append(
    groupId: string,
    records: GroupRecordWrite[],
    _timestampMs: number,
    transactional?: TransactionalWrite,
  ): Promise<void> {
    if (records.length === 0) return
    const slot = groupSlotOf(groupId)
    const held = this.slots.servable(slot)
    if (held === undefined)
      throw new KafkaError(ErrorCode.NOT_COORDINATOR, `not the coordinator of ${groupId}`)
    await this.database.transaction(async (client) => {
      if (!(await this.slots.lock(client, slot, held)))
        throw new KafkaError(ErrorCode.NOT_COORDINATOR, `the coordinator lease of ${groupId} moved`)
      if (transactional === undefined) await writeGroupRecords(client, groupId, slot, records)
      else await writeTransactionalOffsets(client, groupId, slot, transactional.producerId, records)
    })
  }

  /** Applies a transaction's outcome to the pending offsets of `slot`'s groups (a marker for the slot,
   * txn-markers.ts); false when this broker does not serve the slot now (another will). */
  async completeTransaction(slot: number, producerId: bigint, commit: boolean): Promise<boolean> {
    const held = this.slots.servable(slot)
    if (held === undefined || !held.loaded) return false
    const applied = await this.database.transaction(async (client) => {
      if (!(await this.slots.lock(client, slot, held))) return false
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

  /** One round of the slots (coordinator-slots.ts), reading the groups of the slots taken. */
  sync(brokerId: number, liveBrokers: number): Promise<void> {
    return this.slots.sync(brokerId, liveBrokers, (slots) => this.loadSlots(slots))
  }

  /** Reads the state of slots just taken; memory's (from an earlier lease) is stale: the database is the
   * truth. */
  private async loadSlots(slots: number[]): Promise<void> {
    const taken = new Set(slots)
    this.host?.forgetGroups((groupId) => taken.has(groupSlotOf(groupId)))
    const state = await loadGroupState(this.database, slots)
    for (const record of state.records) this.host?.replay(record)
    for (const entry of state.offsets)
      this.host?.restoreOffset(entry.groupId, entry.topic, entry.partition, entry.committed)
    const pendingOffsets = await loadTransactionalOffsets(this.database, slots)
    for (const [producerId, records] of pendingOffsets)
      this.host?.transactionalOffsets.add(producerId, records)
  }

  /** Graceful stop: every slot is given back at once. */
  close(): Promise<void> {
    return this.slots.close()
  }
}
