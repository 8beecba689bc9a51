// The state of one KIP-848 consumer group (Kafka's ConsumerGroup): group epoch, subscribed topic
// metadata, members with their current assignment, and the target assignment with its epoch.
// `apply(record)` is the only way the persisted state changes, live and on replay; deadlines are
// runtime state beside it (after a restart every member gets a full session again).

import {
  type Assignment,
  assignmentFromTopicPartitions,
  emptyAssignment,
  toTopicPartitions,
} from './consumer-assignment.ts'
import type { ConsumerGroupRecord } from './consumer-group-records.ts'

/** Kafka's MemberState (the `State` int8 of ConsumerGroupCurrentMemberAssignmentValue). */
export const MemberState = {
  Stable: 0,
  UnrevokedPartitions: 1,
  UnreleasedPartitions: 2,
  Unknown: 127,
} as const

/** Kafka's ConsumerGroupState names, as ListGroups and ConsumerGroupDescribe report them. */
export type ConsumerGroupState = 'Empty' | 'Assigning' | 'Reconciling' | 'Stable'

/** Member epochs with a meaning of their own (ConsumerGroupHeartbeatRequest.MemberEpoch). */
export const leaveGroupMemberEpoch = -1
export const leaveGroupStaticMemberEpoch = -2

export interface ConsumerMember {
  memberId: string
  instanceId: string | null
  rackId: string | null
  clientId: string
  clientHost: string
  subscribedTopicNames: readonly string[]
  subscribedTopicRegex: string | null
  rebalanceTimeoutMs: number
  serverAssignor: string | null
  memberEpoch: number
  previousMemberEpoch: number
  state: number
  assignedPartitions: Assignment
  partitionsPendingRevocation: Assignment
  /** Set for a member that speaks the classic protocol (JoinGroup/SyncGroup/Heartbeat) inside this
   * group (ConsumerGroupMemberMetadataValue.ClassicMemberMetadata); null for KIP-848 members. */
  classic: ClassicMemberMetadata | null
}

export interface ClassicMemberMetadata {
  sessionTimeoutMs: number
  /** The protocols of its last JoinGroup, in its order of preference. */
  supportedProtocols: readonly { name: string; metadata: Buffer }[]
}

export interface SubscribedTopic {
  topicId: string
  topicName: string
  numPartitions: number
}

export function newMember(memberId: string): ConsumerMember {
  return {
    memberId,
    instanceId: null,
    rackId: null,
    clientId: '',
    clientHost: '',
    subscribedTopicNames: [],
    subscribedTopicRegex: null,
    rebalanceTimeoutMs: -1,
    serverAssignor: null,
    memberEpoch: 0,
    previousMemberEpoch: 0,
    state: MemberState.Stable,
    assignedPartitions: emptyAssignment,
    partitionsPendingRevocation: emptyAssignment,
    classic: null,
  }
}

interface Snapshot {
  groupEpoch: number
  assignmentEpoch: number
  subscriptionMetadata: ReadonlyMap<string, SubscribedTopic>
  members: Map<string, ConsumerMember>
  targetAssignment: Map<string, Assignment>
}

export class ConsumerGroup {
  readonly groupId: string
  groupEpoch = 0
  assignmentEpoch = 0
  /** Subscribed topics by name, as last persisted (ConsumerGroupPartitionMetadataValue). */
  subscriptionMetadata: ReadonlyMap<string, SubscribedTopic> = new Map()
  readonly members = new Map<string, ConsumerMember>()
  readonly targetAssignment = new Map<string, Assignment>()
  /** instanceId → memberId of static members. Derived from `members`. */
  readonly staticMembers = new Map<string, string>()
  /** memberId → when its session ends unless it heartbeats. */
  readonly sessionDeadlineMs = new Map<string, number>()
  /** memberId → when it must have revoked its partitions, with the epoch the deadline was set at. */
  readonly rebalanceDeadline = new Map<string, { deadlineMs: number; memberEpoch: number }>()
  /** memberId → when a classic member must send JoinGroup (told to rejoin) or SyncGroup (after its
   * JoinGroup answer), else it is fenced. Runtime state, like the session deadlines. */
  readonly classicDeadline = new Map<string, { deadlineMs: number; awaiting: 'JoinGroup' | 'SyncGroup' }>()
  /** Bumped whenever a member's subscription may have changed (caches of subscribed topics). */
  subscriptionVersion = 0
  /** Operations on this group run one after another (see ConsumerGroupCoordinator.exclusive). */
  tail: Promise<unknown> = Promise.resolve()
  /** topicId → partition → epoch of the member that owns it (assigned or pending revocation). */
  private readonly partitionEpochs = new Map<string, Map<number, number>>()

  constructor(groupId: string) {
    this.groupId = groupId
  }

  /** Kafka's ConsumerGroup state, derived from the epochs and the members' reconciliation. */
  state(): ConsumerGroupState {
    if (this.members.size === 0) return 'Empty'
    if (this.groupEpoch > this.assignmentEpoch) return 'Assigning'
    for (const member of this.members.values()) {
      if (member.state !== MemberState.Stable || member.memberEpoch !== this.assignmentEpoch)
        return 'Reconciling'
    }
    return 'Stable'
  }

  /** Whether every member speaks the classic protocol, leaving out `except` (Kafka's
   * allMembersUseClassicProtocolExcept): the test for a downgrade to a classic group. */
  allMembersClassicExcept(except: ReadonlySet<string>): boolean {
    for (const member of this.members.values())
      if (!except.has(member.memberId) && member.classic === null) return false
    return true
  }

  /** The epoch of the member owning the partition, or -1 when it is free. */
  currentPartitionEpoch(topicId: string, partition: number): number {
    return this.partitionEpochs.get(topicId)?.get(partition) ?? -1
  }

  targetOf(memberId: string): Assignment {
    return this.targetAssignment.get(memberId) ?? emptyAssignment
  }

  /** Applies one record: the only change to the persisted state. */
  apply(record: ConsumerGroupRecord): void {
    switch (record.type) {
      case 'GroupEpoch':
        this.groupEpoch = record.value?.epoch ?? 0
        return
      case 'PartitionMetadata':
        this.subscriptionMetadata = new Map(
          (record.value?.topics ?? []).map((topic) => [
            topic.topicName,
            { topicId: topic.topicId, topicName: topic.topicName, numPartitions: topic.numPartitions },
          ]),
        )
        return
      case 'MemberMetadata': {
        this.subscriptionVersion++
        if (record.value === null) {
          this.removeMember(record.memberId)
          return
        }
        const value = record.value
        this.putMember({
          ...(this.members.get(record.memberId) ?? newMember(record.memberId)),
          instanceId: value.instanceId,
          rackId: value.rackId,
          clientId: value.clientId,
          clientHost: value.clientHost,
          subscribedTopicNames: value.subscribedTopicNames,
          subscribedTopicRegex: value.subscribedTopicRegex,
          rebalanceTimeoutMs: value.rebalanceTimeoutMs,
          serverAssignor: value.serverAssignor,
          classic:
            value.classicMemberMetadata === null
              ? null
              : {
                  sessionTimeoutMs: value.classicMemberMetadata.sessionTimeoutMs,
                  supportedProtocols: value.classicMemberMetadata.supportedProtocols.map((protocol) => ({
                    name: protocol.name,
                    metadata: protocol.metadata,
                  })),
                },
        })
        return
      }
      case 'TargetAssignmentEpoch':
        this.assignmentEpoch = record.value?.assignmentEpoch ?? 0
        return
      case 'TargetAssignmentMember':
        if (record.value === null) this.targetAssignment.delete(record.memberId)
        else
          this.targetAssignment.set(
            record.memberId,
            assignmentFromTopicPartitions(record.value.topicPartitions),
          )
        return
      case 'CurrentAssignment': {
        const member = this.members.get(record.memberId) ?? newMember(record.memberId)
        const value = record.value
        this.putMember({
          ...member,
          memberEpoch: value?.memberEpoch ?? leaveGroupMemberEpoch,
          previousMemberEpoch: value?.previousMemberEpoch ?? leaveGroupMemberEpoch,
          state: value?.state ?? MemberState.Stable,
          assignedPartitions:
            value === null ? emptyAssignment : assignmentFromTopicPartitions(value.assignedPartitions),
          partitionsPendingRevocation:
            value === null
              ? emptyAssignment
              : assignmentFromTopicPartitions(value.partitionsPendingRevocation),
        })
        return
      }
    }
  }

  private putMember(member: ConsumerMember): void {
    const previous = this.members.get(member.memberId)
    if (previous !== undefined) {
      this.trackPartitions(previous, 'release')
      if (previous.instanceId !== null && this.staticMembers.get(previous.instanceId) === member.memberId)
        this.staticMembers.delete(previous.instanceId)
    }
    this.members.set(member.memberId, member)
    this.trackPartitions(member, 'own')
    if (member.instanceId !== null) this.staticMembers.set(member.instanceId, member.memberId)
  }

  private removeMember(memberId: string): void {
    const member = this.members.get(memberId)
    if (member === undefined) return
    this.trackPartitions(member, 'release')
    if (member.instanceId !== null && this.staticMembers.get(member.instanceId) === memberId)
      this.staticMembers.delete(member.instanceId)
    this.members.delete(memberId)
    this.sessionDeadlineMs.delete(memberId)
    this.rebalanceDeadline.delete(memberId)
    this.classicDeadline.delete(memberId)
  }

  private trackPartitions(member: ConsumerMember, change: 'own' | 'release'): void {
    for (const assignment of [member.assignedPartitions, member.partitionsPendingRevocation]) {
      for (const [topicId, partitions] of assignment) {
        let epochs = this.partitionEpochs.get(topicId)
        if (epochs === undefined) {
          if (change === 'release') continue
          epochs = new Map()
          this.partitionEpochs.set(topicId, epochs)
        }
        for (const partition of partitions) {
          if (change === 'own') epochs.set(partition, member.memberEpoch)
          else epochs.delete(partition)
        }
        if (epochs.size === 0) this.partitionEpochs.delete(topicId)
      }
    }
  }

  /** The persisted state, to restore when writing an operation's records failed. */
  snapshot(): Snapshot {
    return {
      groupEpoch: this.groupEpoch,
      assignmentEpoch: this.assignmentEpoch,
      subscriptionMetadata: this.subscriptionMetadata,
      members: new Map(this.members),
      targetAssignment: new Map(this.targetAssignment),
    }
  }

  restore(snapshot: Snapshot): void {
    this.groupEpoch = snapshot.groupEpoch
    this.assignmentEpoch = snapshot.assignmentEpoch
    this.subscriptionMetadata = snapshot.subscriptionMetadata
    this.subscriptionVersion++
    for (const memberId of [...this.members.keys()])
      if (!snapshot.members.has(memberId)) this.removeMember(memberId)
    for (const member of snapshot.members.values()) this.putMember(member)
    this.targetAssignment.clear()
    for (const [memberId, assignment] of snapshot.targetAssignment)
      this.targetAssignment.set(memberId, assignment)
  }
}

/** The ConsumerGroupCurrentMemberAssignment record of a member. */
export function currentAssignmentRecord(groupId: string, member: ConsumerMember): ConsumerGroupRecord {
  return {
    type: 'CurrentAssignment',
    groupId,
    memberId: member.memberId,
    value: {
      memberEpoch: member.memberEpoch,
      previousMemberEpoch: member.previousMemberEpoch,
      state: member.state,
      assignedPartitions: toTopicPartitions(member.assignedPartitions),
      partitionsPendingRevocation: toTopicPartitions(member.partitionsPendingRevocation),
    },
  }
}

/** The ConsumerGroupMemberMetadata record of a member. */
export function memberMetadataRecord(groupId: string, member: ConsumerMember): ConsumerGroupRecord {
  return {
    type: 'MemberMetadata',
    groupId,
    memberId: member.memberId,
    value: {
      instanceId: member.instanceId,
      rackId: member.rackId,
      clientId: member.clientId,
      clientHost: member.clientHost,
      subscribedTopicNames: [...member.subscribedTopicNames],
      subscribedTopicRegex: member.subscribedTopicRegex,
      rebalanceTimeoutMs: member.rebalanceTimeoutMs,
      serverAssignor: member.serverAssignor,
      classicMemberMetadata:
        member.classic === null
          ? null
          : {
              sessionTimeoutMs: member.classic.sessionTimeoutMs,
              supportedProtocols: member.classic.supportedProtocols.map((protocol) => ({
                name: protocol.name,
                metadata: protocol.metadata,
              })),
            },
    },
  }
}

export function targetAssignmentRecord(
  groupId: string,
  memberId: string,
  assignment: Assignment,
): ConsumerGroupRecord {
  return {
    type: 'TargetAssignmentMember',
    groupId,
    memberId,
    value: { topicPartitions: toTopicPartitions(assignment) },
  }
}
