// Offsets committed inside a transaction (TxnOffsetCommit, KIP-98/447): written to
// __consumer_offsets as a transactional batch right away, but visible to OffsetFetch only once the
// transaction coordinator writes the COMMIT marker; an ABORT drops them. While pending they make
// OffsetFetch with require_stable answer UNSTABLE_OFFSET_COMMIT for those partitions.

import { ErrorCode } from '../../protocol/generated/index.ts'
import type { TransactionalWrite } from '../internal-topic-log.ts'
import type { GroupCoordinator } from './group-coordinator.ts'
import type { OffsetsTopicRecord } from './offsets-topic-records.ts'
import { encodeOffsetCommitRecord } from './offsets-topic-records.ts'

export interface TransactionalCommit {
  groupId: string
  producer: TransactionalWrite
  generationId: number
  memberId: string
  groupInstanceId: string | null
  partitions: {
    topic: string
    partition: number
    offset: number
    leaderEpoch: number
    metadata: string | null
  }[]
}

export class TransactionalOffsets {
  /** Producer id → records waiting for the transaction's outcome. */
  private readonly pending = new Map<bigint, OffsetsTopicRecord[]>()
  private readonly coordinator: GroupCoordinator

  constructor(coordinator: GroupCoordinator) {
    this.coordinator = coordinator
  }

  /** Open transactions found when __consumer_offsets was replayed. */
  restore(producerId: bigint, records: OffsetsTopicRecord[]): void {
    this.pending.set(producerId, records)
  }

  /** TxnOffsetCommit: per-partition error codes, in request order. */
  async commit(request: TransactionalCommit): Promise<number[]> {
    const { coordinator } = this
    const refusal = coordinator.refuse(request.groupId)
    if (refusal !== ErrorCode.NONE) return request.partitions.map(() => refusal)
    const group = coordinator.groups.get(request.groupId)
    // KIP-447: a member id and generation, when given, must match the group's.
    if (group !== undefined && request.generationId >= 0) {
      if (!group.members.has(request.memberId))
        return request.partitions.map(() => ErrorCode.UNKNOWN_MEMBER_ID)
      if (group.generationId !== request.generationId)
        return request.partitions.map(() => ErrorCode.ILLEGAL_GENERATION)
    }
    const codes = request.partitions.map((entry) =>
      coordinator.logs.partition(entry.topic, entry.partition) === undefined
        ? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION
        : ErrorCode.NONE,
    )
    const accepted = request.partitions.filter((_, index) => codes[index] === ErrorCode.NONE)
    const nowMs = coordinator.now()
    const key = (entry: { topic: string; partition: number }) => ({
      group: request.groupId,
      topic: entry.topic,
      partition: entry.partition,
    })
    const value = (entry: TransactionalCommit['partitions'][number]) => ({
      offset: BigInt(entry.offset),
      leaderEpoch: entry.leaderEpoch,
      metadata: entry.metadata ?? '',
      commitTimestamp: BigInt(nowMs),
      expireTimestamp: -1n,
    })
    const records: OffsetsTopicRecord[] = accepted.map((entry) => ({
      kind: 'offset',
      ...key(entry),
      value: value(entry),
    }))
    const encoded = accepted.map((entry) => encodeOffsetCommitRecord(key(entry), value(entry)))
    try {
      await coordinator.stateLog.append(request.groupId, encoded, nowMs, request.producer)
    } catch (error) {
      coordinator.log.error(
        { err: error, group: request.groupId },
        'transactional offset commit write failed',
      )
      return codes.map((code) => (code === ErrorCode.NONE ? ErrorCode.COORDINATOR_NOT_AVAILABLE : code))
    }
    this.pending.set(request.producer.producerId, [
      ...(this.pending.get(request.producer.producerId) ?? []),
      ...records,
    ])
    return codes
  }

  /** Writes the transaction's marker into one partition of __consumer_offsets and applies (commit)
   * or drops (abort) the producer's pending offsets of the groups stored there. */
  async completeInPartition(
    partitionIndex: number,
    producer: TransactionalWrite,
    commit: boolean,
  ): Promise<void> {
    const { coordinator } = this
    await coordinator.topicLog.appendMarker(partitionIndex, producer, commit, coordinator.now())
    this.applyOutcome(
      producer.producerId,
      (groupId) => coordinator.topicLog.topic.partitionIndexOf(groupId) === partitionIndex,
      commit,
    )
  }

  /** The transaction's outcome for the producer's pending offsets of the groups `inScope` matches:
   * applied (commit) or dropped (abort). Cluster mode calls it once the outcome is in PostgreSQL. */
  applyOutcome(producerId: bigint, inScope: (groupId: string) => boolean, commit: boolean): void {
    const records = this.pending.get(producerId) ?? []
    if (commit) for (const record of records) if (inScope(record.group)) this.coordinator.replay(record)
    const others = records.filter((record) => !inScope(record.group))
    if (others.length > 0) this.pending.set(producerId, others)
    else this.pending.delete(producerId)
  }

  /** Cluster mode: pending offsets read back with a group's slot (added to what is pending). */
  add(producerId: bigint, records: OffsetsTopicRecord[]): void {
    this.pending.set(producerId, [...(this.pending.get(producerId) ?? []), ...records])
  }

  /** Drops the pending offsets of the groups that match (their coordinator moved elsewhere). */
  forget(matches: (groupId: string) => boolean): void {
    for (const [producerId, records] of this.pending) {
      const kept = records.filter((record) => !matches(record.group))
      if (kept.length > 0) this.pending.set(producerId, kept)
      else this.pending.delete(producerId)
    }
  }

  /** The __consumer_offsets partition holding `groupId` (what AddOffsetsToTxn adds to a transaction). */
  async partitionForGroup(groupId: string): Promise<number> {
    await this.coordinator.topicLog.topic.ensureTopic()
    return this.coordinator.topicLog.topic.partitionIndexOf(groupId)
  }

  /** Whether an open transaction holds an offset for this partition (require_stable). */
  isPending(groupId: string, topic: string, partition: number): boolean {
    for (const records of this.pending.values()) {
      for (const record of records) {
        if (
          record.kind === 'offset' &&
          record.group === groupId &&
          record.topic === topic &&
          record.partition === partition
        )
          return true
      }
    }
    return false
  }
}
