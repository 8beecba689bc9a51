// Members leaving a consumer group: a clean leave (epoch -1), a static member's temporary leave
// (epoch -2: it keeps its partitions until it rejoins with the same instance id or its session
// ends), fencing on session or rebalance timeout, and a static member replaced by its new
// incarnation. Kafka's consumerGroupLeave / consumerGroupFenceMember / replaceMember.

import { KafkaError } from '../../errors.ts'
import { ErrorCode } from '../../protocol/generated/index.ts'
import { emptyAssignment } from './consumer-assignment.ts'
import {
  type ConsumerMember,
  currentAssignmentRecord,
  leaveGroupStaticMemberEpoch,
  memberMetadataRecord,
  targetAssignmentRecord,
} from './consumer-group.ts'
import { type OperationContext, refreshSubscriptionMetadata } from './consumer-target-assignment.ts'

export function leaveGroup(
  context: OperationContext,
  input: { memberId: string; memberEpoch: number; instanceId: string | null },
): void {
  const { group } = context
  if (input.instanceId === null) {
    const member = group.members.get(input.memberId)
    if (member === undefined) {
      throw new KafkaError(
        ErrorCode.UNKNOWN_MEMBER_ID,
        `Member ${input.memberId} is not a member of group ${group.groupId}.`,
      )
    }
    fenceMember(context, member)
    return
  }
  const existingId = group.staticMembers.get(input.instanceId)
  const member = existingId === undefined ? undefined : group.members.get(existingId)
  if (member === undefined)
    throw new KafkaError(ErrorCode.UNKNOWN_MEMBER_ID, `Instance id ${input.instanceId} is unknown.`)
  if (member.memberId !== input.memberId) {
    throw new KafkaError(
      ErrorCode.FENCED_INSTANCE_ID,
      `Static member ${input.memberId} with instance id ${input.instanceId} was fenced by member ${member.memberId}.`,
    )
  }
  if (input.memberEpoch === leaveGroupStaticMemberEpoch) {
    // The member keeps its partitions (nobody else gets them) until it rejoins or its session ends.
    context.emit(
      currentAssignmentRecord(group.groupId, {
        ...member,
        memberEpoch: leaveGroupStaticMemberEpoch,
        partitionsPendingRevocation: emptyAssignment,
      }),
    )
    return
  }
  fenceMember(context, member)
}

/** Removes a member and bumps the group epoch, so the others get its partitions. */
export function fenceMember(context: OperationContext, member: ConsumerMember): void {
  removeMemberRecords(context, member.memberId)
  refreshSubscriptionMetadata(context, true)
}

function removeMemberRecords(context: OperationContext, memberId: string): void {
  const groupId = context.group.groupId
  context.emit({ type: 'CurrentAssignment', groupId, memberId, value: null })
  context.emit({ type: 'TargetAssignmentMember', groupId, memberId, value: null })
  context.emit({ type: 'MemberMetadata', groupId, memberId, value: null })
}

/** A static member rejoining (epoch 0) after a temporary leave: a copy of the old member under the
 * new member id, with the old target and current partitions, at epoch 0. No group epoch bump. */
export function replaceStaticMember(
  context: OperationContext,
  previous: ConsumerMember,
  memberId: string,
): ConsumerMember {
  const { group } = context
  const replacement: ConsumerMember = { ...previous, memberId, memberEpoch: 0, previousMemberEpoch: 0 }
  const target = group.targetOf(previous.memberId)
  if (previous.memberId !== memberId) removeMemberRecords(context, previous.memberId)
  context.emit(memberMetadataRecord(group.groupId, replacement))
  context.emit(targetAssignmentRecord(group.groupId, memberId, target))
  context.emit(currentAssignmentRecord(group.groupId, replacement))
  return replacement
}
