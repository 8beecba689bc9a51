// Incremental reconciliation of one member towards its target assignment (Kafka's
// CurrentAssignmentBuilder). Revoke before assign: a member first gives up the partitions it no
// longer targets and stays at its epoch (UNREVOKED_PARTITIONS) until a heartbeat no longer lists
// them; only then does it move to the target epoch. A partition still owned by another member
// (assigned or pending revocation there) is withheld (UNRELEASED_PARTITIONS) until released.

import { type Assignment, assignmentOf, ownsAnyOf } from './consumer-assignment.ts'
import { type ConsumerMember, MemberState } from './consumer-group.ts'

export interface ReconcileInput {
  targetEpoch: number
  target: Assignment
  /** Epoch of the member owning a partition, -1 when free (ConsumerGroup.currentPartitionEpoch). */
  currentPartitionEpoch: (topicId: string, partition: number) => number
  /** The partitions the member says it owns in this heartbeat; null when it did not say. */
  owned: readonly { topicId: string; partitions: readonly number[] }[] | null
}

/** Whether the member has nothing left to do for this target epoch. */
export function isReconciledTo(member: ConsumerMember, targetEpoch: number): boolean {
  return member.state === MemberState.Stable && member.memberEpoch === targetEpoch
}

/** The member's next state; the same object when nothing changes. */
export function reconcile(member: ConsumerMember, input: ReconcileInput): ConsumerMember {
  switch (member.state) {
    case MemberState.Stable:
      return member.memberEpoch === input.targetEpoch
        ? member
        : nextAssignment(member, member.memberEpoch, input)
    case MemberState.UnrevokedPartitions:
      // Wait until the member no longer reports any partition pending revocation.
      if (ownsAnyOf(input.owned, member.partitionsPendingRevocation)) return member
      return nextAssignment(member, member.memberEpoch, input)
    case MemberState.UnreleasedPartitions:
      return nextAssignment(member, member.memberEpoch, input)
    default:
      throw new Error(`member ${member.memberId} is in unknown state ${member.state}`)
  }
}

function nextAssignment(member: ConsumerMember, memberEpoch: number, input: ReconcileInput): ConsumerMember {
  const assigned: [string, number[]][] = []
  const pendingRevocation: [string, number[]][] = []
  const pendingAssignment: [string, number[]][] = []
  let hasUnreleasedPartitions = false
  const topicIds = new Set([...input.target.keys(), ...member.assignedPartitions.keys()])
  for (const topicId of topicIds) {
    const target = new Set(input.target.get(topicId) ?? [])
    const current = member.assignedPartitions.get(topicId) ?? []
    const kept = current.filter((partition) => target.has(partition))
    const keptSet = new Set(kept)
    assigned.push([topicId, kept])
    pendingRevocation.push([topicId, current.filter((partition) => !keptSet.has(partition))])
    const toAssign: number[] = []
    for (const partition of target) {
      if (keptSet.has(partition)) continue
      if (input.currentPartitionEpoch(topicId, partition) !== -1) hasUnreleasedPartitions = true
      else toAssign.push(partition)
    }
    pendingAssignment.push([topicId, toAssign])
  }
  const revoking = assignmentOf(pendingRevocation)
  if (revoking.size > 0) {
    return withEpoch(member, memberEpoch, {
      state: MemberState.UnrevokedPartitions,
      assignedPartitions: assignmentOf(assigned),
      partitionsPendingRevocation: revoking,
    })
  }
  const state = hasUnreleasedPartitions ? MemberState.UnreleasedPartitions : MemberState.Stable
  return withEpoch(member, input.targetEpoch, {
    state,
    assignedPartitions: assignmentOf([...assigned, ...pendingAssignment]),
    partitionsPendingRevocation: assignmentOf([]),
  })
}

/** Kafka's Builder.updateMemberEpoch: the previous epoch is the one the member had before. */
function withEpoch(
  member: ConsumerMember,
  memberEpoch: number,
  changes: Pick<ConsumerMember, 'state' | 'assignedPartitions' | 'partitionsPendingRevocation'>,
): ConsumerMember {
  return { ...member, ...changes, memberEpoch, previousMemberEpoch: member.memberEpoch }
}
