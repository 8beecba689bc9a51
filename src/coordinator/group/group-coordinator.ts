// The group coordinator of this broker: it owns every group (this single broker coordinates all of
// them), keeps their state in __consumer_offsets and replays it on start. Handlers call it; the
// rules themselves live in classic-*.ts (membership) and offset-operations.ts (offsets).
// Until the replay finishes, group requests get COORDINATOR_LOAD_IN_PROGRESS.

import type { Logger } from '../../log.ts'
import { ErrorCode } from '../../protocol/generated/index.ts'
import type { JoinGroupResponse } from '../../protocol/generated/join-group-response.ts'
import type { SyncGroupResponse } from '../../protocol/generated/sync-group-response.ts'
import type { LogManager } from '../../storage/types.ts'
import { ClassicGroup, type GroupState } from './classic-group.ts'
import { type JoinRequest, joinGroup } from './classic-join.ts'
import { expireDeadlines, joinResponse, prepareRebalance, type RebalanceHost } from './classic-rebalance.ts'
import { heartbeat, leaveGroup, type MemberIdentity, type SyncRequest, syncGroup } from './classic-sync.ts'
import {
  heartbeatConsumerGroup,
  joinConsumerGroup,
  leaveConsumerGroup,
  syncConsumerGroup,
} from './consumer-classic-coordinator.ts'
import { ConsumerGroupCoordinator, type EncodedRecord } from './consumer-coordinator.ts'
import type { ConsumerGroupConfig } from './consumer-group-config.ts'
import { defaultGroupConfig, type GroupConfig } from './group-config.ts'
import type { GroupStateHost, GroupStateLog } from './group-state-log.ts'
import { type CommittedOffset, OffsetStore } from './offset-store.ts'
import { defaultOffsetsTopicOptions, OffsetsTopicLog, type OffsetsTopicOptions } from './offsets-topic-log.ts'
import {
  encodeGroupMetadataRecord,
  encodeOffsetCommitRecord,
  type OffsetsTopicRecord,
} from './offsets-topic-records.ts'
import { TransactionalOffsets } from './transactional-offsets.ts'

export interface GroupCoordinatorOptions {
  logs: LogManager
  log: Logger
  config?: Partial<GroupConfig>
  /** KIP-848 consumer groups (`group.consumer.*`). */
  consumer?: Partial<ConsumerGroupConfig>
  offsetsTopic?: Partial<OffsetsTopicOptions>
  /** Where group state is kept; `__consumer_offsets` (topicLog) unless given (cluster mode). */
  stateLog?: GroupStateLog
  now?: () => number
}

export class GroupCoordinator implements RebalanceHost, GroupStateHost {
  readonly config: GroupConfig
  readonly groups = new Map<string, ClassicGroup>()
  readonly offsets = new OffsetStore()
  /** Offsets committed inside open transactions (TxnOffsetCommit), applied by their COMMIT marker. */
  readonly transactionalOffsets = new TransactionalOffsets(this)
  readonly topicLog: OffsetsTopicLog
  /** Where state changes are written: topicLog, or the cluster's PostgreSQL store. */
  readonly stateLog: GroupStateLog
  readonly logs: LogManager
  readonly log: Logger
  /** KIP-848 consumer groups (consumer-coordinator.ts); their ids are never in `groups`. */
  readonly consumerGroups: ConsumerGroupCoordinator
  private readonly clock: () => number
  private loaded = false
  private ticker: NodeJS.Timeout | undefined
  private lastRetentionCheckMs = 0

  constructor(options: GroupCoordinatorOptions) {
    this.config = { ...defaultGroupConfig, ...options.config }
    this.logs = options.logs
    this.log = options.log.child({ component: 'group-coordinator' })
    this.clock = options.now ?? Date.now
    this.topicLog = new OffsetsTopicLog(options.logs, {
      ...defaultOffsetsTopicOptions,
      ...options.offsetsTopic,
    })
    this.stateLog = options.stateLog ?? this.topicLog
    this.consumerGroups = new ConsumerGroupCoordinator(this, options.consumer)
    this.stateLog.attach?.(this)
  }

  now(): number {
    return this.clock()
  }

  /** True until __consumer_offsets has been replayed. */
  get loading(): boolean {
    return !this.loaded
  }

  /** Replays __consumer_offsets (if it exists yet), then starts the deadline ticker. */
  async start(): Promise<void> {
    const { records, openTransactions } = await this.stateLog.load((record) => this.replay(record))
    for (const [producerId, pending] of openTransactions)
      this.transactionalOffsets.restore(producerId, pending)
    this.loaded = true
    this.log.info({ records, groups: this.groups.size }, 'group state loaded')
    this.ticker = setInterval(() => this.tick(), this.config.tickIntervalMs)
    this.ticker.unref()
  }

  stop(): void {
    clearInterval(this.ticker)
  }

  /** Applies one __consumer_offsets record: the only way loaded state enters memory. */
  replay(record: OffsetsTopicRecord): void {
    if (record.kind === 'consumer') {
      this.consumerGroups.replay(record.record)
      return
    }
    if (record.kind === 'offset') {
      if (record.value === null) this.offsets.delete(record.group, record.topic, record.partition)
      else {
        const { offset, leaderEpoch, metadata, commitTimestamp } = record.value
        this.offsets.set(record.group, record.topic, record.partition, {
          offset: Number(offset),
          leaderEpoch,
          metadata,
          commitTimestampMs: Number(commitTimestamp),
        })
      }
      return
    }
    if (record.value === null) {
      this.groups.delete(record.group)
      return
    }
    this.groups.set(record.group, groupFromRecord(record.group, record.value, this.now()))
  }

  restoreOffset(groupId: string, topic: string, partition: number, committed: CommittedOffset): void {
    this.offsets.set(groupId, topic, partition, committed)
  }

  forgetGroups(matches: (groupId: string) => boolean): void {
    for (const [groupId, group] of this.groups) {
      if (!matches(groupId)) continue
      failWaiters(group)
      this.groups.delete(groupId)
    }
    for (const groupId of this.offsets.groupIds())
      if (matches(groupId))
        for (const entry of this.offsets.all(groupId))
          this.offsets.delete(groupId, entry.topic, entry.partition)
    for (const groupId of [...this.consumerGroups.groups.keys()])
      if (matches(groupId)) this.consumerGroups.groups.delete(groupId)
    this.transactionalOffsets.forget(matches)
  }

  /** Runs expirations; called by the ticker, and by tests with a controlled clock. */
  tick(): void {
    for (const group of this.groups.values()) expireDeadlines(this, group)
    this.consumerGroups.tick()
    if (this.now() - this.lastRetentionCheckMs >= this.config.offsetsRetentionCheckIntervalMs) {
      this.lastRetentionCheckMs = this.now()
      this.expireOffsets().catch((error: unknown) =>
        this.log.error({ err: error }, 'offset expiration failed'),
      )
    }
  }

  /** Offsets of groups empty for `offsets.retention.minutes` are deleted with tombstones. */
  private async expireOffsets(): Promise<void> {
    const cutoffMs = this.now() - this.config.offsetsRetentionMs
    for (const groupId of this.offsets.groupIds()) {
      const group = this.groups.get(groupId)
      if (this.consumerGroups.groups.get(groupId)?.members.size) continue
      if (group !== undefined && (group.state !== 'Empty' || group.stateSinceMs > cutoffMs)) continue
      const expired = this.offsets
        .all(groupId)
        .filter((offset) => group !== undefined || offset.commitTimestampMs <= cutoffMs)
      if (expired.length === 0) continue
      await this.deleteOffsetRecords(groupId, expired)
      this.log.info({ group: groupId, partitions: expired.length }, 'expired committed offsets')
    }
  }

  async deleteOffsetRecords(
    groupId: string,
    partitions: { topic: string; partition: number }[],
  ): Promise<void> {
    const records = partitions.map((entry) => encodeOffsetCommitRecord({ group: groupId, ...entry }, null))
    await this.stateLog.append(groupId, records, this.now())
    for (const entry of partitions) this.offsets.delete(groupId, entry.topic, entry.partition)
  }

  /** Writes the group's metadata record. Resolves false (and logs) when the write failed. */
  async storeGroup(group: ClassicGroup): Promise<boolean> {
    try {
      const record = encodeGroupMetadataRecord(group.groupId, groupToRecord(group))
      await this.stateLog.append(group.groupId, [record], this.now())
      return true
    } catch (error) {
      this.log.error({ err: error, group: group.groupId }, 'storing group metadata failed')
      return false
    }
  }

  /** The group, created empty when `create` and there is room. */
  group(groupId: string, options: { create: boolean }): ClassicGroup | undefined {
    const existing = this.groups.get(groupId)
    if (existing !== undefined || !options.create || this.groups.size >= this.config.groupsMax)
      return existing
    const group = new ClassicGroup(groupId, this.now())
    this.groups.set(groupId, group)
    return group
  }

  async joinGroup(request: JoinRequest): Promise<JoinGroupResponse> {
    let refusal = this.refuse(request.groupId)
    // A consumer group with members is joined as a classic member of it (KIP-848 migration).
    const consumerGroup = this.consumerGroups.groups.get(request.groupId)
    if (refusal === ErrorCode.NONE && consumerGroup !== undefined && consumerGroup.members.size > 0)
      return joinConsumerGroup(this.consumerGroups, consumerGroup, request)
    if (refusal === ErrorCode.NONE) refusal = await this.consumerGroups.yieldToClassic(request.groupId)
    const group =
      refusal === ErrorCode.NONE
        ? this.group(request.groupId, { create: request.memberId === '' })
        : undefined
    if (group === undefined) {
      const errorCode =
        refusal !== ErrorCode.NONE
          ? refusal
          : request.memberId === ''
            ? ErrorCode.COORDINATOR_NOT_AVAILABLE
            : ErrorCode.UNKNOWN_MEMBER_ID
      return joinResponse(new ClassicGroup(request.groupId, this.now()), request.memberId, errorCode)
    }
    return joinGroup(this, group, request)
  }

  async syncGroup(groupId: string, request: SyncRequest): Promise<SyncGroupResponse> {
    const refusal = this.refuse(groupId)
    if (refusal !== ErrorCode.NONE) {
      return {
        throttleTimeMs: 0,
        errorCode: refusal,
        protocolType: null,
        protocolName: null,
        assignment: Buffer.alloc(0),
      }
    }
    const consumerGroup = this.consumerGroups.groups.get(groupId)
    if (consumerGroup !== undefined) return syncConsumerGroup(this.consumerGroups, consumerGroup, request)
    return syncGroup(this, this.groups.get(groupId), request)
  }

  heartbeat(groupId: string, request: MemberIdentity): number {
    const refusal = this.refuse(groupId)
    if (refusal !== ErrorCode.NONE) return refusal
    const consumerGroup = this.consumerGroups.groups.get(groupId)
    if (consumerGroup !== undefined)
      return heartbeatConsumerGroup(this.consumerGroups, consumerGroup, request)
    return heartbeat(this, this.groups.get(groupId), request)
  }

  async leaveGroup(
    groupId: string,
    member: { memberId: string; groupInstanceId: string | null },
  ): Promise<number> {
    const refusal = this.refuse(groupId)
    if (refusal !== ErrorCode.NONE) return refusal
    const consumerGroup = this.consumerGroups.groups.get(groupId)
    if (consumerGroup !== undefined) return leaveConsumerGroup(this.consumerGroups, consumerGroup, member)
    return leaveGroup(this, this.groups.get(groupId), member)
  }

  // The classic side of online migration (ConsumerGroupHost; group-migration.ts).
  retireClassicGroup(group: ClassicGroup): void {
    if (this.groups.get(group.groupId) === group) this.groups.delete(group.groupId)
    failWaiters(group, ErrorCode.REBALANCE_IN_PROGRESS)
  }

  restoreClassicGroup(group: ClassicGroup): void {
    if (!this.groups.has(group.groupId)) this.groups.set(group.groupId, group)
  }

  adoptClassicGroup(group: ClassicGroup, rebalance: boolean): void {
    this.groups.set(group.groupId, group)
    if (rebalance) prepareRebalance(this, group)
  }

  classicGroupRecord(group: ClassicGroup): EncodedRecord {
    return encodeGroupMetadataRecord(group.groupId, groupToRecord(group))
  }

  /** The error every group request gets before it is looked at, or NONE. */
  refuse(groupId: string): number {
    if (this.loading) return ErrorCode.COORDINATOR_LOAD_IN_PROGRESS
    if (groupId === '') return ErrorCode.INVALID_GROUP_ID
    return this.stateLog.refuse?.(groupId) ?? ErrorCode.NONE
  }

  stateOf(groupId: string): GroupState | 'Dead' {
    return this.groups.get(groupId)?.state ?? 'Dead'
  }
}

/** Members waiting in JoinGroup or SyncGroup of a group whose coordinator moved (NOT_COORDINATOR:
 * they look again) or that became a consumer group (REBALANCE_IN_PROGRESS: they rejoin). */
function failWaiters(group: ClassicGroup, errorCode: number = ErrorCode.NOT_COORDINATOR): void {
  for (const member of group.members.values()) {
    const join = member.awaitingJoin
    const sync = member.awaitingSync
    member.awaitingJoin = null
    member.awaitingSync = null
    join?.(joinResponse(group, member.memberId, errorCode))
    sync?.({
      throttleTimeMs: 0,
      errorCode,
      protocolType: null,
      protocolName: null,
      assignment: Buffer.alloc(0),
    })
  }
}

function groupToRecord(group: ClassicGroup) {
  return {
    protocolType: group.protocolType ?? '',
    generation: group.generationId,
    protocol: group.protocolName,
    leader: group.leaderId,
    currentStateTimestamp: BigInt(group.stateSinceMs),
    members: [...group.members.values()].map((member) => ({
      memberId: member.memberId,
      groupInstanceId: member.groupInstanceId,
      clientId: member.clientId,
      clientHost: member.clientHost,
      rebalanceTimeout: member.rebalanceTimeoutMs,
      sessionTimeout: member.sessionTimeoutMs,
      subscription: group.metadataOf(member),
      assignment: member.assignment,
    })),
  }
}

function groupFromRecord(
  groupId: string,
  value: ReturnType<typeof groupToRecord>,
  nowMs: number,
): ClassicGroup {
  const group = new ClassicGroup(
    groupId,
    Number(value.currentStateTimestamp) > 0 ? Number(value.currentStateTimestamp) : nowMs,
  )
  group.protocolType = value.protocolType === '' ? null : value.protocolType
  group.generationId = value.generation
  group.protocolName = value.protocol
  group.leaderId = value.leader
  for (const member of value.members) {
    group.members.set(member.memberId, {
      memberId: member.memberId,
      groupInstanceId: member.groupInstanceId,
      clientId: member.clientId,
      clientHost: member.clientHost,
      sessionTimeoutMs: member.sessionTimeout,
      rebalanceTimeoutMs: member.rebalanceTimeout < 0 ? member.sessionTimeout : member.rebalanceTimeout,
      protocolType: value.protocolType,
      protocols: value.protocol === null ? [] : [{ name: value.protocol, metadata: member.subscription }],
      assignment: member.assignment,
      awaitingJoin: null,
      awaitingSync: null,
      // Members get a full session after a restart to find the coordinator again.
      sessionDeadlineMs: nowMs + member.sessionTimeout,
    })
    if (member.groupInstanceId !== null) group.staticMembers.set(member.groupInstanceId, member.memberId)
  }
  group.state = group.members.size > 0 ? 'Stable' : 'Empty'
  return group
}
