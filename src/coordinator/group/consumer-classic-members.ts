// Classic-protocol members inside a KIP-848 consumer group (Kafka's classicGroupJoinToConsumerGroup,
// classicGroupSyncToConsumerGroup, classicGroupHeartbeatToConsumerGroup): a consumer that only
// speaks JoinGroup/SyncGroup/Heartbeat stays in the group after it was upgraded (or joins it). The
// coordinator computes its assignment like any member's; JoinGroup reconciles it (the partitions
// its subscription says it owns count as still owned, everything else as revoked: an eager
// consumer revoked all before rejoining), SyncGroup hands it its assigned partitions, and Heartbeat
// answers REBALANCE_IN_PROGRESS while the group has moved on, it must revoke, or partitions it waits
// for were released, so it rejoins. It is never the leader: the JoinGroup answer names no leader.

import { KafkaError } from '../../errors.ts'
import { ErrorCode } from '../../protocol/generated/index.ts'
import type { MemberProtocol } from './classic-group.ts'
import { decodeClassicSubscription, encodeClassicAssignment } from './classic-protocol-codec.ts'
import { hasPartition } from './consumer-assignment.ts'
import {
  type ConsumerGroup,
  type ConsumerMember,
  currentAssignmentRecord,
  MemberState,
  memberMetadataRecord,
  newMember,
} from './consumer-group.ts'
import { metadataEqual, reconciledEqual, subscriptionEqual } from './consumer-heartbeat.ts'
import { replaceStaticMember } from './consumer-membership.ts'
import { isReconciledTo, reconcile } from './consumer-reconciliation.ts'
import type { TopicCatalog } from './consumer-subscriptions.ts'
import {
  type OperationContext,
  refreshSubscriptionMetadata,
  updateTargetAssignment,
} from './consumer-target-assignment.ts'

/** The only protocol type a classic member of a consumer group may use (ConsumerProtocol.PROTOCOL_TYPE). */
export const consumerProtocolType = 'consumer'

export interface ClassicJoinInput {
  /** The member id to use: the request's, or a new one for a static member joining without one. */
  memberId: string
  /** True when the request came without a member id (a new incarnation of a static member). */
  unknownMember: boolean
  groupInstanceId: string | null
  sessionTimeoutMs: number
  rebalanceTimeoutMs: number
  protocols: MemberProtocol[]
  clientId: string
  clientHost: string
}

/** Kafka's ConsumerGroup.supportsClassicProtocols: the consumer protocol type and a protocol every
 * classic member already in the group supports. */
export function supportsClassicProtocols(
  group: ConsumerGroup,
  protocolType: string,
  protocols: readonly MemberProtocol[],
): boolean {
  if (protocolType !== consumerProtocolType || protocols.length === 0) return false
  return protocols.some((candidate) =>
    [...group.members.values()].every(
      (member) =>
        member.classic === null ||
        member.classic.supportedProtocols.some((protocol) => protocol.name === candidate.name),
    ),
  )
}

/** JoinGroup of a classic member: create or update it, re-assign if its subscription changed, and
 * reconcile it. Returns the member as it now is; its epoch is the generation of the answer. */
export function classicJoin(context: OperationContext, input: ClassicJoinInput): ConsumerMember {
  const { group } = context
  const member = findJoiningMember(context, input)
  const subscription = decodeClassicSubscription(input.protocols[0].metadata)
  const updated: ConsumerMember = {
    ...member,
    instanceId: input.groupInstanceId ?? member.instanceId,
    rackId: subscription.rackId ?? member.rackId,
    rebalanceTimeoutMs: input.rebalanceTimeoutMs,
    subscribedTopicNames: subscription.topics,
    // Regex subscriptions are not part of the classic protocol.
    subscribedTopicRegex: null,
    clientId: input.clientId,
    clientHost: input.clientHost,
    classic: { sessionTimeoutMs: input.sessionTimeoutMs, supportedProtocols: input.protocols },
  }
  let bumpGroupEpoch = false
  if (!group.members.has(member.memberId) || !metadataEqual(member, updated)) {
    context.emit(memberMetadataRecord(group.groupId, updated))
    bumpGroupEpoch = !subscriptionEqual(member, updated)
  }
  refreshSubscriptionMetadata(context, bumpGroupEpoch)
  if (group.groupEpoch > group.assignmentEpoch) updateTargetAssignment(context)
  const current = group.members.get(member.memberId) ?? updated
  if (isReconciledTo(current, group.assignmentEpoch)) return current
  const reconcileInput = {
    targetEpoch: group.assignmentEpoch,
    target: group.targetOf(member.memberId),
    currentPartitionEpoch: (topicId: string, partition: number) =>
      group.currentPartitionEpoch(topicId, partition),
    owned: ownedTopicPartitions(context.catalog, subscription.ownedPartitions),
  }
  let reconciled = reconcile(current, reconcileInput)
  // The JoinGroup itself says what the member still owns: what it had to revoke is revoked already.
  if (reconciled !== current && reconciled.state === MemberState.UnrevokedPartitions)
    reconciled = reconcile(reconciled, reconcileInput)
  if (!reconciledEqual(current, reconciled)) context.emit(currentAssignmentRecord(group.groupId, reconciled))
  return reconciled
}

function findJoiningMember(context: OperationContext, input: ClassicJoinInput): ConsumerMember {
  const { group } = context
  if (input.groupInstanceId === null) return group.members.get(input.memberId) ?? newMember(input.memberId)
  const existingId = group.staticMembers.get(input.groupInstanceId)
  const existing = existingId === undefined ? undefined : group.members.get(existingId)
  if (existing === undefined) return group.members.get(input.memberId) ?? newMember(input.memberId)
  if (existing.memberId === input.memberId) return existing
  if (!input.unknownMember) {
    throw new KafkaError(
      ErrorCode.FENCED_INSTANCE_ID,
      `Static member ${input.memberId} with instance id ${input.groupInstanceId} was fenced by member ${existing.memberId}.`,
    )
  }
  return replaceStaticMember(context, existing, input.memberId)
}

function ownedTopicPartitions(
  catalog: TopicCatalog,
  owned: readonly { topic: string; partitions: number[] }[],
): { topicId: string; partitions: number[] }[] {
  const metadata = catalog.metadataOf(owned.map((entry) => entry.topic))
  return owned.flatMap((entry) => {
    const topic = metadata.get(entry.topic)
    return topic === undefined ? [] : [{ topicId: topic.topicId, partitions: entry.partitions }]
  })
}

/** The classic member a SyncGroup, Heartbeat or OffsetCommit speaks for (Kafka's
 * validateConsumerGroupMember + throwIfMemberDoesNotUseClassicProtocol), or the error code. */
export function findClassicMember(
  group: ConsumerGroup,
  identity: { memberId: string; groupInstanceId: string | null },
): ConsumerMember | number {
  if (identity.groupInstanceId !== null) {
    const current = group.staticMembers.get(identity.groupInstanceId)
    if (current === undefined) return ErrorCode.UNKNOWN_MEMBER_ID
    if (current !== identity.memberId) return ErrorCode.FENCED_INSTANCE_ID
  }
  const member = group.members.get(identity.memberId)
  if (member === undefined || member.classic === null) return ErrorCode.UNKNOWN_MEMBER_ID
  return member
}

/** SyncGroup of a classic member: its assigned partitions, or the error code. */
export function classicSync(
  group: ConsumerGroup,
  catalog: TopicCatalog,
  request: {
    memberId: string
    groupInstanceId: string | null
    generationId: number
    protocolType: string | null
    protocolName: string | null
  },
): { errorCode: number; protocolName: string | null; assignment: Buffer } {
  const failed = (errorCode: number) => ({ errorCode, protocolName: null, assignment: Buffer.alloc(0) })
  const member = findClassicMember(group, request)
  if (typeof member === 'number') return failed(member)
  if (request.generationId !== member.memberEpoch) return failed(ErrorCode.ILLEGAL_GENERATION)
  const protocolName = member.classic?.supportedProtocols[0]?.name ?? null
  if (
    (request.protocolType !== null && request.protocolType !== consumerProtocolType) ||
    (request.protocolName !== null && request.protocolName !== protocolName)
  ) {
    return failed(ErrorCode.INCONSISTENT_GROUP_PROTOCOL)
  }
  const partitions = [...member.assignedPartitions].flatMap(([topicId, list]) => {
    const topic = catalog.topicName(topicId)
    return topic === undefined ? [] : [{ topic, partitions: [...list] }]
  })
  return { errorCode: ErrorCode.NONE, protocolName, assignment: encodeClassicAssignment(partitions) }
}

/** Heartbeat of a classic member: NONE, REBALANCE_IN_PROGRESS when it must rejoin, or the error. */
export function classicHeartbeat(
  group: ConsumerGroup,
  request: { memberId: string; groupInstanceId: string | null; generationId: number },
): { errorCode: number; member: ConsumerMember | null } {
  const member = findClassicMember(group, request)
  if (typeof member === 'number') return { errorCode: member, member: null }
  if (request.generationId !== member.memberEpoch)
    return { errorCode: ErrorCode.ILLEGAL_GENERATION, member: null }
  const mustRejoin =
    member.memberEpoch < group.groupEpoch ||
    member.state === MemberState.UnrevokedPartitions ||
    (member.state === MemberState.UnreleasedPartitions && !waitingOnUnreleasedPartition(group, member))
  return { errorCode: mustRejoin ? ErrorCode.REBALANCE_IN_PROGRESS : ErrorCode.NONE, member }
}

/** Whether a partition of the member's target is still owned by another member. */
function waitingOnUnreleasedPartition(group: ConsumerGroup, member: ConsumerMember): boolean {
  for (const [topicId, partitions] of group.targetOf(member.memberId)) {
    for (const partition of partitions) {
      if (
        !hasPartition(member.assignedPartitions, topicId, partition) &&
        group.currentPartitionEpoch(topicId, partition) !== -1
      )
        return true
    }
  }
  return false
}
