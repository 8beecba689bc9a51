// The KIP-848 side of the group coordinator: consumer groups, their heartbeats, timeouts and
// persistence. Every operation on a group runs alone (a per-group promise chain): it applies its
// records to the group as it computes them (group.apply, the same path as replay), writes them to
// __consumer_offsets as one durable batch, and answers only then; if the write fails, the group's
// snapshot is restored and the member gets COORDINATOR_NOT_AVAILABLE (retriable).
// Online migration (group-migration.ts, `group.consumer.migration.policy`): a ConsumerGroupHeartbeat
// joining a classic group with members upgrades it (the classic tombstone and the new group's
// records in one write); when the last consumer-protocol member leaves or is fenced and classic
// members remain, the group is downgraded in the same write. Classic members of a consumer group
// are served by consumer-classic-coordinator.ts. When the policy forbids the upgrade, the heartbeat
// gets GROUP_ID_NOT_FOUND ("is not a consumer group"), as in Kafka.

import { randomBytes } from 'node:crypto'
import { KafkaError, StreamlineError } from '../../errors.ts'
import type { Logger } from '../../log.ts'
import { ErrorCode } from '../../protocol/generated/index.ts'
import type { LogManager } from '../../storage/types.ts'
import { builtInAssignors, type PartitionAssignor } from './assignors/index.ts'
import type { ClassicGroup } from './classic-group.ts'
import { afterHeartbeat, expireMembers } from './consumer-deadlines.ts'
import { ConsumerGroup, leaveGroupMemberEpoch } from './consumer-group.ts'
import { type ConsumerGroupConfig, defaultConsumerGroupConfig } from './consumer-group-config.ts'
import { type ConsumerGroupRecord, encodeConsumerGroupRecord } from './consumer-group-records.ts'
import {
  type HeartbeatInput,
  type HeartbeatResult,
  heartbeat,
  validateHeartbeat,
} from './consumer-heartbeat.ts'
import { TopicCatalog } from './consumer-subscriptions.ts'
import type { OperationContext } from './consumer-target-assignment.ts'
import type { GroupConfig } from './group-config.ts'
import {
  classicGroupFrom,
  emitUpgrade,
  groupTombstones,
  shouldDowngrade,
  upgradeRefusal,
} from './group-migration.ts'
import type { GroupStateLog } from './group-state-log.ts'
import type { OffsetStore } from './offset-store.ts'
import type { OffsetsTopicLog } from './offsets-topic-log.ts'
import { encodeGroupMetadataRecord, encodeOffsetCommitRecord } from './offsets-topic-records.ts'

/** The first OffsetCommit version whose generation field carries a KIP-848 member epoch. */
const offsetCommitMemberEpochVersion = 9

/** What the consumer side uses of the GroupCoordinator that owns it. */
export interface ConsumerGroupHost {
  readonly logs: LogManager
  readonly topicLog: OffsetsTopicLog
  readonly stateLog: GroupStateLog
  readonly log: Logger
  readonly groups: Map<string, ClassicGroup>
  readonly offsets: OffsetStore
  readonly config: GroupConfig
  now(): number
  refuse(groupId: string): number
  /** Takes an upgraded classic group out of service: its members waiting in JoinGroup or SyncGroup
   * are told to rejoin (REBALANCE_IN_PROGRESS), which they then do as members of the consumer group. */
  retireClassicGroup(group: ClassicGroup): void
  /** Puts back a classic group whose upgrade could not be written. */
  restoreClassicGroup(group: ClassicGroup): void
  /** Serves a downgraded group as a classic group from now on; starts its rebalance when `rebalance`
   * (a member left), not when a joining static member replaced the last consumer-protocol one. */
  adoptClassicGroup(group: ClassicGroup, rebalance: boolean): void
  /** The GroupMetadata record of a classic group, for the write that downgrades to it. */
  classicGroupRecord(group: ClassicGroup): EncodedRecord
}

/** A migration decided during an operation: records written before the operation's own (the
 * upgraded classic group's tombstone) and after them (the downgraded group's tombstones and its
 * classic record), and the classic group to hand over once written. */
export interface Migration {
  records: EncodedRecord[]
  trailing: EncodedRecord[]
  classic: ClassicGroup | null
  /** Whether the downgraded group rebalances (false when a JoinGroup replaced the member that left). */
  rebalance: boolean
}

/** A migration not decided yet; the operation fills it in. */
export function noMigration(): Migration {
  return { records: [], trailing: [], classic: null, rebalance: true }
}

export interface HeartbeatOutcome extends Omit<HeartbeatResult, 'memberId'> {
  /** Null when the request failed. */
  memberId: string | null
  errorCode: number
  errorMessage: string | null
  heartbeatIntervalMs: number
}

export type EncodedRecord = { key: Buffer; value: Buffer | null }

export class ConsumerGroupCoordinator {
  readonly groups = new Map<string, ConsumerGroup>()
  /** Settings; tests may change them on a running coordinator. */
  readonly config: ConsumerGroupConfig
  readonly catalog: TopicCatalog
  readonly host: ConsumerGroupHost
  private readonly assignors: ReadonlyMap<string, PartitionAssignor>

  constructor(host: ConsumerGroupHost, config: Partial<ConsumerGroupConfig> = {}) {
    this.host = host
    this.config = { ...defaultConsumerGroupConfig, ...config }
    const unknown = this.config.assignors.filter((name) => !builtInAssignors.has(name))
    if (unknown.length > 0 || this.config.assignors.length === 0)
      throw new Error(`group.consumer.assignors: unknown or empty (${unknown.join(', ')})`)
    this.assignors = builtInAssignors
    this.catalog = new TopicCatalog(host.logs, this.config.regexRefreshIntervalMs)
  }

  has(groupId: string): boolean {
    return this.groups.has(groupId)
  }

  /** Applies a replayed record of __consumer_offsets. */
  replay(record: ConsumerGroupRecord): void {
    if (record.type === 'GroupEpoch' && record.value === null) {
      this.groups.delete(record.groupId)
      return
    }
    let group = this.groups.get(record.groupId)
    // A tombstone of a group already forgotten (a compacted log keeps tombstones for a while).
    if (group === undefined && record.value === null) return
    if (group === undefined) {
      group = new ConsumerGroup(record.groupId)
      this.groups.set(record.groupId, group)
    }
    group.apply(record)
  }

  async heartbeat(
    request: HeartbeatInput & { groupId: string },
    apiVersion: number,
  ): Promise<HeartbeatOutcome> {
    try {
      validateHeartbeat(request, apiVersion, this.config.assignors)
      const refusal = this.host.refuse(request.groupId)
      if (refusal !== ErrorCode.NONE) throw new KafkaError(refusal, '')
      const { group, replacedClassic } = this.groupForHeartbeat(request.groupId, request.memberEpoch)
      const migration = noMigration()
      if (replacedClassic !== null) migration.records.push(encodeGroupMetadataRecord(request.groupId, null))
      let retired = false
      const upgrade = (context: OperationContext) => {
        if (replacedClassic === null) return
        if (!replacedClassic.isEmpty) emitUpgrade(context, replacedClassic)
        this.host.retireClassicGroup(replacedClassic)
        retired = true
      }
      const result = await this.run(
        group,
        (context) => {
          upgrade(context)
          const outcome = heartbeat(context, request, newMemberId)
          if (request.memberEpoch === leaveGroupMemberEpoch) this.maybeDowngrade(context, migration)
          return outcome
        },
        migration.records,
        () => this.migrated(group, migration),
        migration.trailing,
      ).catch((error: unknown) => {
        if (retired && replacedClassic !== null) this.host.restoreClassicGroup(replacedClassic)
        throw error
      })
      afterHeartbeat(this, group, result.memberId)
      return {
        ...result,
        errorCode: ErrorCode.NONE,
        errorMessage: null,
        heartbeatIntervalMs: this.config.heartbeatIntervalMs,
      }
    } catch (error) {
      const { errorCode, errorMessage } = kafkaOutcome(error)
      return {
        memberId: null,
        memberEpoch: 0,
        assignment: null,
        errorCode,
        errorMessage,
        heartbeatIntervalMs: 0,
      }
    }
  }

  private groupForHeartbeat(
    groupId: string,
    memberEpoch: number,
  ): { group: ConsumerGroup; replacedClassic: ClassicGroup | null } {
    const existing = this.groups.get(groupId)
    if (existing !== undefined) return { group: existing, replacedClassic: null }
    const classic = this.host.groups.get(groupId)
    const notConsumerGroup = () =>
      new KafkaError(ErrorCode.GROUP_ID_NOT_FOUND, `Group ${groupId} is not a consumer group.`)
    if (classic !== undefined && memberEpoch !== 0) throw notConsumerGroup()
    if (classic !== undefined && !classic.isEmpty) {
      const refusal = upgradeRefusal(this.config.migrationPolicy, classic, this.config.maxSize)
      if (refusal !== null) {
        this.host.log.info({ group: groupId, reason: refusal }, 'classic group not upgraded')
        throw notConsumerGroup()
      }
    }
    if (memberEpoch !== 0)
      throw new KafkaError(ErrorCode.GROUP_ID_NOT_FOUND, `Consumer group ${groupId} not found.`)
    if (classic === undefined && this.groups.size + this.host.groups.size >= this.host.config.groupsMax)
      throw new KafkaError(ErrorCode.COORDINATOR_NOT_AVAILABLE, 'too many groups')
    const group = new ConsumerGroup(groupId)
    this.groups.set(groupId, group)
    return { group, replacedClassic: classic ?? null }
  }

  /** Within an operation that removed members: when only classic members remain (and the policy
   * allows it), writes the group's tombstones and the classic group's record (Kafka's
   * convertToClassicGroup); `migrated` then hands the group to the classic side. */
  maybeDowngrade(context: OperationContext, migration: Migration): void {
    const { group } = context
    const classicMaxSize = this.host.config.groupMaxSize
    if (!shouldDowngrade(this.config.migrationPolicy, group, new Set(), classicMaxSize)) return
    const classic = classicGroupFrom(group, this.catalog, context.nowMs)
    migration.trailing.push(
      ...groupTombstones(group).map(encodeConsumerGroupRecord),
      this.host.classicGroupRecord(classic),
    )
    migration.classic = classic
  }

  /** After the write of an operation: a downgraded group now lives on the classic side. */
  migrated(group: ConsumerGroup, migration: Migration): void {
    if (migration.classic === null) return
    if (this.groups.get(group.groupId) === group) this.groups.delete(group.groupId)
    this.host.adoptClassicGroup(migration.classic, migration.rebalance)
    this.host.log.info({ group: group.groupId }, 'consumer group downgraded to a classic group')
  }

  /** Runs one operation on a group after the ones before it; see the file header. */
  async run<T>(
    group: ConsumerGroup,
    operation: (context: OperationContext) => T,
    extraRecords: EncodedRecord[] = [],
    onWritten: () => void = () => {},
    trailingRecords: EncodedRecord[] = [],
  ): Promise<T> {
    const previous = group.tail
    let release = () => {}
    const tail = new Promise<void>((resolve) => {
      release = resolve
    })
    group.tail = tail
    await previous
    try {
      if (this.groups.get(group.groupId) !== group)
        throw new KafkaError(ErrorCode.COORDINATOR_NOT_AVAILABLE, `group ${group.groupId} was just deleted`)
      const snapshot = group.snapshot()
      const records: ConsumerGroupRecord[] = []
      const nowMs = this.host.now()
      const context: OperationContext = {
        group,
        config: this.config,
        catalog: this.catalog,
        assignors: this.assignors,
        nowMs,
        emit: (record) => {
          group.apply(record)
          records.push(record)
        },
      }
      try {
        const result = operation(context)
        const encoded = records.map(encodeConsumerGroupRecord)
        await this.append(group.groupId, [...extraRecords, ...encoded, ...trailingRecords], nowMs)
        onWritten()
        return result
      } catch (error) {
        group.restore(snapshot)
        throw error
      }
    } finally {
      release()
      // A group created by a request that failed before anything was written goes away again.
      if (
        group.tail === tail &&
        group.groupEpoch === 0 &&
        group.members.size === 0 &&
        this.groups.get(group.groupId) === group
      )
        this.groups.delete(group.groupId)
    }
  }

  private async append(groupId: string, records: EncodedRecord[], nowMs: number): Promise<void> {
    if (records.length === 0) return
    try {
      await this.host.stateLog.append(groupId, records, nowMs)
    } catch (error) {
      this.host.log.error({ err: error, group: groupId }, 'writing consumer group records failed')
      throw new KafkaError(ErrorCode.COORDINATOR_NOT_AVAILABLE, 'writing the group state failed', {
        cause: error,
      })
    }
  }

  /** Fences members whose session or rebalance timeout passed. Called by the coordinator's ticker. */
  tick(): void {
    expireMembers(this)
  }

  /** A classic member's own session timeout (from its JoinGroup), else group.consumer.session.timeout.ms. */
  sessionTimeoutOf(member: { classic: { sessionTimeoutMs: number } | null }): number {
    return member.classic?.sessionTimeoutMs ?? this.config.sessionTimeoutMs
  }

  /** JoinGroup on an empty consumer group's id: the group is deleted so a classic group can take the
   * id (a consumer group with members is joined instead: consumer-classic-coordinator.ts). */
  async yieldToClassic(groupId: string): Promise<number> {
    const group = this.groups.get(groupId)
    if (group === undefined || group.members.size > 0) return ErrorCode.NONE
    return this.deleteGroupRecords(group, { withOffsets: false })
  }

  /** DeleteGroups for a consumer group: NON_EMPTY_GROUP while it has members. */
  async deleteGroup(groupId: string): Promise<number> {
    const group = this.groups.get(groupId)
    if (group === undefined) return ErrorCode.GROUP_ID_NOT_FOUND
    if (group.members.size > 0) return ErrorCode.NON_EMPTY_GROUP
    return this.deleteGroupRecords(group, { withOffsets: true })
  }

  private async deleteGroupRecords(group: ConsumerGroup, options: { withOffsets: boolean }): Promise<number> {
    const groupId = group.groupId
    const offsets = options.withOffsets ? this.host.offsets.all(groupId) : []
    try {
      await this.run(
        group,
        (context) => {
          if (group.members.size > 0)
            throw new KafkaError(ErrorCode.NON_EMPTY_GROUP, `Group ${groupId} is not empty.`)
          for (const memberId of group.targetAssignment.keys())
            context.emit({ type: 'TargetAssignmentMember', groupId, memberId, value: null })
          context.emit({ type: 'TargetAssignmentEpoch', groupId, value: null })
          context.emit({ type: 'PartitionMetadata', groupId, value: null })
          context.emit({ type: 'GroupEpoch', groupId, value: null })
        },
        offsets.map((entry) =>
          encodeOffsetCommitRecord({ group: groupId, topic: entry.topic, partition: entry.partition }, null),
        ),
        () => {
          for (const entry of offsets) this.host.offsets.delete(groupId, entry.topic, entry.partition)
          this.groups.delete(groupId)
        },
      )
      return ErrorCode.NONE
    } catch (error) {
      return kafkaOutcome(error).errorCode
    }
  }

  /** OffsetCommit from a consumer group (Kafka's ConsumerGroup.validateOffsetCommit). */
  validateOffsetCommit(
    groupId: string,
    memberId: string,
    memberEpoch: number,
    apiVersion = offsetCommitMemberEpochVersion,
  ): number {
    const group = this.groups.get(groupId)
    if (group === undefined) return ErrorCode.GROUP_ID_NOT_FOUND
    // Admin tools and standalone consumers commit with epoch -1 to a group without members.
    if (memberEpoch < 0 && group.members.size === 0) return ErrorCode.NONE
    const member = group.members.get(memberId)
    if (member === undefined) return ErrorCode.UNKNOWN_MEMBER_ID
    // A classic member commits with its generation, which is its member epoch here (Kafka's
    // validateMemberEpoch answers it ILLEGAL_GENERATION, the code classic consumers rejoin on).
    if (member.classic !== null)
      return memberEpoch === member.memberEpoch ? ErrorCode.NONE : ErrorCode.ILLEGAL_GENERATION
    // Members of this protocol send their member epoch, which OffsetCommit carries from v9 on: an
    // older version is refused ("OffsetCommit version 9 or above must be used by members using the
    // modern group protocol"), as Kafka does for every member that does not use the classic protocol.
    if (apiVersion < offsetCommitMemberEpochVersion) return ErrorCode.UNSUPPORTED_VERSION
    return memberEpoch === member.memberEpoch ? ErrorCode.NONE : ErrorCode.STALE_MEMBER_EPOCH
  }

  /** OffsetFetch v9 with a member id and epoch (Kafka's ConsumerGroup.validateOffsetFetch). */
  validateOffsetFetch(groupId: string, memberId: string | null, memberEpoch: number): number {
    const group = this.groups.get(groupId)
    if (group === undefined || (memberId === null && memberEpoch < 0)) return ErrorCode.NONE
    const member = memberId === null ? undefined : group.members.get(memberId)
    if (member === undefined) return ErrorCode.UNKNOWN_MEMBER_ID
    return memberEpoch === member.memberEpoch ? ErrorCode.NONE : ErrorCode.STALE_MEMBER_EPOCH
  }

  /** Topic names the group subscribes to (OffsetDelete's GROUP_SUBSCRIBED_TO_TOPIC). */
  subscribedTopics(groupId: string): Set<string> {
    return new Set(this.groups.get(groupId)?.subscriptionMetadata.keys() ?? [])
  }
}

/** A new member id, as Kafka's Uuid.randomUuid().toString() prints one (base64url, 22 characters). */
function newMemberId(): string {
  return randomBytes(16).toString('base64url')
}

function kafkaOutcome(error: unknown): { errorCode: number; errorMessage: string | null } {
  if (error instanceof StreamlineError && error.errorCode !== undefined) {
    return { errorCode: error.errorCode, errorMessage: error.message === '' ? null : error.message }
  }
  throw error
}
