// Online migration between the group protocols (KIP-848; Kafka's ConsumerGroup.fromClassicGroup,
// ClassicGroup.fromConsumerGroup and group.consumer.migration.policy):
// - upgrade: a ConsumerGroupHeartbeat joining a classic group that has members turns it into a
//   consumer group. Every classic member becomes a member at the classic generation, Stable, with
//   the partitions of its last classic assignment as both its current and its target assignment;
//   the joining member then bumps the group epoch and the coordinator re-assigns.
// - downgrade: when the last member speaking the consumer protocol leaves (or is fenced) and every
//   other member speaks the classic protocol, the group becomes a classic group again: members
//   with their protocols and target partitions, then a rebalance so they rejoin as a classic group.
// Committed offsets belong to the group id and are untouched by either direction.

import { KafkaError } from '../../errors.ts'
import { ErrorCode } from '../../protocol/generated/index.ts'
import { ClassicGroup } from './classic-group.ts'
import {
  decodeClassicAssignment,
  decodeClassicSubscription,
  encodeClassicAssignment,
} from './classic-protocol-codec.ts'
import { consumerProtocolType } from './consumer-classic-members.ts'
import {
  type ConsumerGroup,
  type ConsumerMember,
  currentAssignmentRecord,
  MemberState,
  memberMetadataRecord,
  newMember,
  targetAssignmentRecord,
} from './consumer-group.ts'
import type { ConsumerGroupRecord } from './consumer-group-records.ts'
import type { TopicCatalog } from './consumer-subscriptions.ts'
import type { OperationContext } from './consumer-target-assignment.ts'

/** `group.consumer.migration.policy` (Kafka's ConsumerGroupMigrationPolicy; Kafka 4.0's default is
 * bidirectional). */
export type ConsumerGroupMigrationPolicy = 'bidirectional' | 'upgrade' | 'downgrade' | 'disabled'
export const consumerGroupMigrationPolicies: readonly ConsumerGroupMigrationPolicy[] = [
  'bidirectional',
  'upgrade',
  'downgrade',
  'disabled',
]

export function upgradeEnabled(policy: ConsumerGroupMigrationPolicy): boolean {
  return policy === 'bidirectional' || policy === 'upgrade'
}

export function downgradeEnabled(policy: ConsumerGroupMigrationPolicy): boolean {
  return policy === 'bidirectional' || policy === 'downgrade'
}

/** Kafka's validateOnlineUpgrade: why the classic group cannot be upgraded, or null when it can. */
export function upgradeRefusal(
  policy: ConsumerGroupMigrationPolicy,
  classic: ClassicGroup,
  consumerMaxSize: number,
): string | null {
  if (!upgradeEnabled(policy)) return 'online upgrade is disabled'
  if (classic.protocolType !== consumerProtocolType)
    return 'the group does not use the consumer embedded protocol'
  if (classic.members.size > consumerMaxSize) return 'the group size exceeds the consumer group maximum size'
  return null
}

/** Emits the records of a consumer group made from `classic` (ConsumerGroup.fromClassicGroup and
 * createConsumerGroupRecords). The classic group's tombstone is written by the caller beside them. */
export function emitUpgrade(context: OperationContext, classic: ClassicGroup): void {
  const { group, catalog } = context
  const epoch = classic.generationId
  context.emit({ type: 'GroupEpoch', groupId: group.groupId, value: { epoch } })
  for (const classicMember of classic.members.values()) {
    const metadata = classic.metadataOf(classicMember)
    let subscription: ReturnType<typeof decodeClassicSubscription>
    let assigned: ConsumerMember['assignedPartitions']
    try {
      subscription = decodeClassicSubscription(metadata)
      assigned = assignmentByTopicId(catalog, decodeClassicAssignment(classicMember.assignment))
    } catch {
      throw new KafkaError(
        ErrorCode.GROUP_ID_NOT_FOUND,
        `Cannot upgrade the classic group ${group.groupId} to consumer group because the embedded consumer protocol is malformed.`,
      )
    }
    const member: ConsumerMember = {
      ...newMember(classicMember.memberId),
      instanceId: classicMember.groupInstanceId,
      rackId: subscription.rackId,
      clientId: classicMember.clientId,
      clientHost: classicMember.clientHost,
      subscribedTopicNames: subscription.topics,
      rebalanceTimeoutMs: classicMember.rebalanceTimeoutMs,
      memberEpoch: epoch,
      previousMemberEpoch: epoch,
      state: MemberState.Stable,
      assignedPartitions: assigned,
      classic: {
        sessionTimeoutMs: classicMember.sessionTimeoutMs,
        supportedProtocols: classicMember.protocols,
      },
    }
    context.emit(memberMetadataRecord(group.groupId, member))
    context.emit(targetAssignmentRecord(group.groupId, member.memberId, assigned))
    context.emit(currentAssignmentRecord(group.groupId, member))
  }
  context.emit({ type: 'TargetAssignmentEpoch', groupId: group.groupId, value: { assignmentEpoch: epoch } })
}

function assignmentByTopicId(
  catalog: TopicCatalog,
  partitions: { topic: string; partitions: number[] }[],
): ConsumerMember['assignedPartitions'] {
  const metadata = catalog.metadataOf(partitions.map((entry) => entry.topic))
  const byTopicId = new Map<string, number[]>()
  for (const entry of partitions) {
    const topicId = metadata.get(entry.topic)?.topicId
    // A topic deleted since the classic assignment is dropped, as Kafka does.
    if (topicId !== undefined)
      byTopicId.set(topicId, [...(byTopicId.get(topicId) ?? []), ...entry.partitions])
  }
  return byTopicId
}

/** Kafka's validateOnlineDowngrade: whether the group becomes classic once `leaving` are gone. */
export function shouldDowngrade(
  policy: ConsumerGroupMigrationPolicy,
  group: ConsumerGroup,
  leaving: ReadonlySet<string>,
  classicMaxSize: number,
): boolean {
  if (!downgradeEnabled(policy)) return false
  const remaining = [...group.members.keys()].filter((memberId) => !leaving.has(memberId)).length
  return remaining > 0 && remaining <= classicMaxSize && group.allMembersClassicExcept(leaving)
}

/** The classic group made from what remains of `group` (ClassicGroup.fromConsumerGroup): Stable at
 * the group epoch, each member with its protocols and its target partitions. The caller starts the
 * rebalance that makes the members rejoin. */
export function classicGroupFrom(group: ConsumerGroup, catalog: TopicCatalog, nowMs: number): ClassicGroup {
  const classic = new ClassicGroup(group.groupId, nowMs)
  classic.protocolType = consumerProtocolType
  classic.generationId = group.groupEpoch
  for (const member of group.members.values()) {
    if (member.classic === null) continue
    const partitions = [...group.targetOf(member.memberId)].flatMap(([topicId, list]) => {
      const topic = catalog.topicName(topicId)
      return topic === undefined ? [] : [{ topic, partitions: [...list] }]
    })
    classic.members.set(member.memberId, {
      memberId: member.memberId,
      groupInstanceId: member.instanceId,
      clientId: member.clientId,
      clientHost: member.clientHost,
      sessionTimeoutMs: member.classic.sessionTimeoutMs,
      rebalanceTimeoutMs: member.rebalanceTimeoutMs,
      protocolType: consumerProtocolType,
      protocols: [...member.classic.supportedProtocols],
      assignment: encodeClassicAssignment(partitions),
      awaitingJoin: null,
      awaitingSync: null,
      sessionDeadlineMs: nowMs + member.classic.sessionTimeoutMs,
    })
    if (member.instanceId !== null) classic.staticMembers.set(member.instanceId, member.memberId)
  }
  classic.protocolName = classic.selectProtocol()
  classic.leaderId = classic.members.keys().next().value ?? null
  classic.transition('Stable', nowMs)
  return classic
}

/** Tombstones for every record of the group, members first and the group epoch last (a replay that
 * meets the epoch's tombstone forgets the group; later member tombstones would recreate it). Not
 * applied to the group: it keeps serving its members until the write is done. */
export function groupTombstones(group: ConsumerGroup): ConsumerGroupRecord[] {
  const groupId = group.groupId
  const records: ConsumerGroupRecord[] = []
  for (const memberId of group.members.keys()) {
    records.push({ type: 'CurrentAssignment', groupId, memberId, value: null })
    records.push({ type: 'MemberMetadata', groupId, memberId, value: null })
  }
  for (const memberId of group.targetAssignment.keys())
    records.push({ type: 'TargetAssignmentMember', groupId, memberId, value: null })
  records.push({ type: 'TargetAssignmentEpoch', groupId, value: null })
  records.push({ type: 'PartitionMetadata', groupId, value: null })
  records.push({ type: 'GroupEpoch', groupId, value: null })
  return records
}
