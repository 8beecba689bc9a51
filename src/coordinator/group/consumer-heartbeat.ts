// ConsumerGroupHeartbeat on one group (Kafka's GroupMetadataManager.consumerGroupHeartbeat):
// 1. find or create the member (static members by instance id; epochs checked);
// 2. update its metadata; a changed subscription, new topics or partitions bump the group epoch;
// 3. when the group epoch is ahead of the assignment epoch, compute a new target assignment;
// 4. reconcile the member towards its target (consumer-reconciliation.ts).
// A failure of the whole request is thrown as KafkaError (Kafka's ApiException). Leaving (epoch -1,
// or -2 for a static member that will come back) is in consumer-membership.ts.

import { KafkaError } from '../../errors.ts'
import { ErrorCode } from '../../protocol/generated/index.ts'
import { assignmentsEqual, ownedIsSubset } from './consumer-assignment.ts'
import {
  type ConsumerMember,
  currentAssignmentRecord,
  leaveGroupMemberEpoch,
  leaveGroupStaticMemberEpoch,
  memberMetadataRecord,
  newMember,
} from './consumer-group.ts'
import { leaveGroup, replaceStaticMember } from './consumer-membership.ts'
import { isReconciledTo, reconcile } from './consumer-reconciliation.ts'
import { compileTopicRegex } from './consumer-subscriptions.ts'
import {
  type OperationContext,
  refreshSubscriptionMetadata,
  updateTargetAssignment,
} from './consumer-target-assignment.ts'

export type OwnedPartitions = readonly { topicId: string; partitions: readonly number[] }[]

export interface HeartbeatInput {
  memberId: string
  memberEpoch: number
  instanceId: string | null
  rackId: string | null
  rebalanceTimeoutMs: number
  subscribedTopicNames: readonly string[] | null
  subscribedTopicRegex: string | null
  serverAssignor: string | null
  topicPartitions: OwnedPartitions | null
  clientId: string
  clientHost: string
}

export interface HeartbeatResult {
  memberId: string
  memberEpoch: number
  /** The member's assigned partitions, when the response carries them. */
  assignment: ConsumerMember['assignedPartitions'] | null
}

/** ConsumerGroupHeartbeat v1 requires members to bring their own member id (KIP-1082). */
const clientGeneratedMemberIdVersionMin = 1

/** Kafka's throwIfConsumerGroupHeartbeatRequestIsInvalid, in its order. */
export function validateHeartbeat(
  input: HeartbeatInput & { groupId: string },
  apiVersion: number,
  assignors: readonly string[],
): void {
  const invalid = (message: string) => new KafkaError(ErrorCode.INVALID_REQUEST, message)
  const blank = (value: string | null) => value !== null && value.trim() === ''
  if (
    (apiVersion >= clientGeneratedMemberIdVersionMin ||
      input.memberEpoch > 0 ||
      input.memberEpoch === leaveGroupMemberEpoch) &&
    blank(input.memberId)
  ) {
    throw invalid("MemberId can't be empty.")
  }
  if (blank(input.groupId)) throw invalid("GroupId can't be empty.")
  if (blank(input.instanceId)) throw invalid("InstanceId can't be empty.")
  if (blank(input.rackId)) throw invalid("RackId can't be empty.")
  if (input.memberEpoch === 0) {
    if (input.rebalanceTimeoutMs === -1)
      throw invalid('RebalanceTimeoutMs must be provided in first request.')
    if (input.topicPartitions === null || input.topicPartitions.length > 0)
      throw invalid('TopicPartitions must be empty when (re-)joining.')
    if (input.subscribedTopicNames === null && input.subscribedTopicRegex === null)
      throw invalid('Either SubscribedTopicNames or SubscribedTopicRegex must be non-null when (re-)joining.')
  } else if (input.memberEpoch === leaveGroupStaticMemberEpoch) {
    if (input.instanceId === null) throw invalid("InstanceId can't be null.")
  } else if (input.memberEpoch < leaveGroupStaticMemberEpoch) {
    throw invalid('MemberEpoch is invalid.')
  }
  if (input.serverAssignor !== null && !assignors.includes(input.serverAssignor)) {
    throw new KafkaError(
      ErrorCode.UNSUPPORTED_ASSIGNOR,
      `ServerAssignor ${input.serverAssignor} is not supported. Supported assignors: ${assignors.join(', ')}.`,
    )
  }
}

/** One heartbeat of a valid request; `newMemberId` supplies ids for v0 members that bring none. */
export function heartbeat(
  context: OperationContext,
  input: HeartbeatInput,
  newMemberId: () => string,
): HeartbeatResult {
  if (input.memberEpoch === leaveGroupMemberEpoch || input.memberEpoch === leaveGroupStaticMemberEpoch) {
    leaveGroup(context, input)
    return { memberId: input.memberId, memberEpoch: input.memberEpoch, assignment: null }
  }
  const { group } = context
  if (
    group.members.size >= context.config.maxSize &&
    (input.memberId === '' || !group.members.has(input.memberId))
  ) {
    throw new KafkaError(
      ErrorCode.GROUP_MAX_SIZE_REACHED,
      `The consumer group has reached its maximum capacity of ${context.config.maxSize} members.`,
    )
  }
  const memberId = input.memberId === '' ? newMemberId() : input.memberId
  const member = findMember(context, { ...input, memberId })
  const updated: ConsumerMember = {
    ...member,
    instanceId: input.instanceId ?? member.instanceId,
    rackId: input.rackId ?? member.rackId,
    rebalanceTimeoutMs:
      input.rebalanceTimeoutMs === -1 ? member.rebalanceTimeoutMs : input.rebalanceTimeoutMs,
    serverAssignor: input.serverAssignor ?? member.serverAssignor,
    subscribedTopicNames: input.subscribedTopicNames ?? member.subscribedTopicNames,
    subscribedTopicRegex: input.subscribedTopicRegex ?? member.subscribedTopicRegex,
    clientId: input.clientId,
    clientHost: input.clientHost,
    // A member that heartbeats with this API speaks the consumer protocol from now on.
    classic: null,
  }
  let bumpGroupEpoch = group.groupEpoch === 0
  const joins = !group.members.has(memberId)
  if (joins || !metadataEqual(member, updated)) {
    if (
      updated.subscribedTopicRegex !== member.subscribedTopicRegex &&
      updated.subscribedTopicRegex !== null
    ) {
      const compiled = compileTopicRegex(updated.subscribedTopicRegex)
      if (typeof compiled === 'string') {
        throw new KafkaError(
          ErrorCode.INVALID_REGULAR_EXPRESSION,
          `SubscribedTopicRegex \`${updated.subscribedTopicRegex}\` is not a valid regular expression: ${compiled}.`,
        )
      }
    }
    context.emit(memberMetadataRecord(group.groupId, updated))
    if (!subscriptionEqual(member, updated)) bumpGroupEpoch = true
  }
  refreshSubscriptionMetadata(context, bumpGroupEpoch)
  if (group.groupEpoch > group.assignmentEpoch) updateTargetAssignment(context)
  const current = group.members.get(memberId) ?? updated
  let reconciled = current
  if (!isReconciledTo(current, group.assignmentEpoch)) {
    reconciled = reconcile(current, {
      targetEpoch: group.assignmentEpoch,
      target: group.targetOf(memberId),
      currentPartitionEpoch: (topicId, partition) => group.currentPartitionEpoch(topicId, partition),
      owned: input.topicPartitions,
    })
    if (!reconciledEqual(current, reconciled))
      context.emit(currentAssignmentRecord(group.groupId, reconciled))
  }
  // Kafka sends the assignment on a full request (joining, or all of rebalanceTimeoutMs,
  // subscribedTopicNames and topicPartitions set) and whenever it changed.
  const fullRequest =
    input.memberEpoch === 0 ||
    (input.rebalanceTimeoutMs !== -1 && input.subscribedTopicNames !== null && input.topicPartitions !== null)
  const changed = !assignmentsEqual(member.assignedPartitions, reconciled.assignedPartitions)
  return {
    memberId,
    memberEpoch: reconciled.memberEpoch,
    assignment: fullRequest || changed ? reconciled.assignedPartitions : null,
  }
}

function findMember(context: OperationContext, input: HeartbeatInput): ConsumerMember {
  const { group } = context
  if (input.instanceId !== null) return findStaticMember(context, { ...input, instanceId: input.instanceId })
  const existing = group.members.get(input.memberId)
  if (input.memberEpoch === 0) {
    // A member that rejoins with its own id (KIP-1082) and epoch 0 gave up its partitions: it is
    // taken back as it is, and the full response hands it its assignment again.
    return existing ?? newMember(input.memberId)
  }
  if (existing === undefined) {
    throw new KafkaError(
      ErrorCode.UNKNOWN_MEMBER_ID,
      `Member ${input.memberId} is not a member of group ${group.groupId}.`,
    )
  }
  checkMemberEpoch(existing, input.memberEpoch, input.topicPartitions)
  return existing
}

function findStaticMember(
  context: OperationContext,
  input: HeartbeatInput & { instanceId: string },
): ConsumerMember {
  const { group } = context
  const existingId = group.staticMembers.get(input.instanceId)
  const existing = existingId === undefined ? undefined : group.members.get(existingId)
  if (input.memberEpoch === 0) {
    if (existing === undefined) return group.members.get(input.memberId) ?? newMember(input.memberId)
    if (existing.memberEpoch !== leaveGroupStaticMemberEpoch) {
      throw new KafkaError(
        ErrorCode.UNRELEASED_INSTANCE_ID,
        `Static member ${input.memberId} with instance id ${input.instanceId} cannot join the group because the instance id is owned by ${existing.memberId} member.`,
      )
    }
    return replaceStaticMember(context, existing, input.memberId)
  }
  if (existing === undefined)
    throw new KafkaError(ErrorCode.UNKNOWN_MEMBER_ID, `Instance id ${input.instanceId} is unknown.`)
  if (existing.memberId !== input.memberId) {
    throw new KafkaError(
      ErrorCode.FENCED_INSTANCE_ID,
      `Static member ${input.memberId} with instance id ${input.instanceId} was fenced by member ${existing.memberId}.`,
    )
  }
  checkMemberEpoch(existing, input.memberEpoch, input.topicPartitions)
  return existing
}

/** Kafka's throwIfConsumerGroupMemberEpochIsInvalid: an older epoch is accepted only when it is the
 * previous one and the member owns no more than its assignment (the bumped answer got lost). */
function checkMemberEpoch(member: ConsumerMember, memberEpoch: number, owned: OwnedPartitions | null): void {
  if (memberEpoch > member.memberEpoch) {
    throw new KafkaError(
      ErrorCode.FENCED_MEMBER_EPOCH,
      `The consumer group member has a greater member epoch (${memberEpoch}) than the one known by the group coordinator (${member.memberEpoch}). The member must abandon all its partitions and rejoin.`,
    )
  }
  if (
    memberEpoch < member.memberEpoch &&
    (memberEpoch !== member.previousMemberEpoch || !ownedIsSubset(owned, member.assignedPartitions))
  ) {
    throw new KafkaError(
      ErrorCode.FENCED_MEMBER_EPOCH,
      `The consumer group member has a smaller member epoch (${memberEpoch}) than the one known by the group coordinator (${member.memberEpoch}). The member must abandon all its partitions and rejoin.`,
    )
  }
}

export function subscriptionEqual(left: ConsumerMember, right: ConsumerMember): boolean {
  const names = new Set(left.subscribedTopicNames)
  return (
    left.subscribedTopicRegex === right.subscribedTopicRegex &&
    names.size === new Set(right.subscribedTopicNames).size &&
    right.subscribedTopicNames.every((name) => names.has(name))
  )
}

export function metadataEqual(left: ConsumerMember, right: ConsumerMember): boolean {
  return (
    subscriptionEqual(left, right) &&
    left.subscribedTopicNames.length === right.subscribedTopicNames.length &&
    left.instanceId === right.instanceId &&
    left.rackId === right.rackId &&
    left.clientId === right.clientId &&
    left.clientHost === right.clientHost &&
    left.rebalanceTimeoutMs === right.rebalanceTimeoutMs &&
    left.serverAssignor === right.serverAssignor &&
    classicEqual(left.classic, right.classic)
  )
}

function classicEqual(left: ConsumerMember['classic'], right: ConsumerMember['classic']): boolean {
  if (left === null || right === null) return left === right
  return (
    left.sessionTimeoutMs === right.sessionTimeoutMs &&
    left.supportedProtocols.length === right.supportedProtocols.length &&
    left.supportedProtocols.every(
      (protocol, index) =>
        protocol.name === right.supportedProtocols[index].name &&
        protocol.metadata.equals(right.supportedProtocols[index].metadata),
    )
  )
}

export function reconciledEqual(left: ConsumerMember, right: ConsumerMember): boolean {
  return (
    left.memberEpoch === right.memberEpoch &&
    left.previousMemberEpoch === right.previousMemberEpoch &&
    left.state === right.state &&
    assignmentsEqual(left.assignedPartitions, right.assignedPartitions) &&
    assignmentsEqual(left.partitionsPendingRevocation, right.partitionsPendingRevocation)
  )
}
