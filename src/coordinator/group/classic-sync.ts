// SyncGroup, Heartbeat and LeaveGroup for the classic protocol (Kafka's doSyncGroup,
// handleHeartbeat and handleLeaveGroup): member and generation checks with Kafka's error codes, and
// the leader's assignment handed to every member.

import { ErrorCode } from '../../protocol/generated/index.ts'
import type { SyncGroupResponse } from '../../protocol/generated/sync-group-response.ts'
import type { ClassicGroup, ClassicMember } from './classic-group.ts'
import {
  completeSync,
  phaseOf,
  prepareRebalance,
  type RebalanceHost,
  removeMember,
} from './classic-rebalance.ts'

export interface MemberIdentity {
  memberId: string
  groupInstanceId: string | null
  generationId: number
}

export interface SyncRequest extends MemberIdentity {
  protocolType: string | null
  protocolName: string | null
  assignments: { memberId: string; assignment: Buffer }[]
}

function syncError(errorCode: number): SyncGroupResponse {
  return { throttleTimeMs: 0, errorCode, protocolType: null, protocolName: null, assignment: Buffer.alloc(0) }
}

/** The member a request speaks for, or the error code that refuses it (static fencing first). */
export function findMember(
  group: ClassicGroup | undefined,
  identity: Omit<MemberIdentity, 'generationId'>,
): ClassicMember | number {
  if (group === undefined || group.state === 'Dead') return ErrorCode.UNKNOWN_MEMBER_ID
  if (identity.groupInstanceId !== null) {
    const current = group.staticMembers.get(identity.groupInstanceId)
    if (current !== undefined && current !== identity.memberId) return ErrorCode.FENCED_INSTANCE_ID
  }
  return group.members.get(identity.memberId) ?? ErrorCode.UNKNOWN_MEMBER_ID
}

export async function syncGroup(
  host: RebalanceHost,
  group: ClassicGroup | undefined,
  request: SyncRequest,
): Promise<SyncGroupResponse> {
  const member = findMember(group, request)
  if (typeof member === 'number' || group === undefined)
    return syncError(typeof member === 'number' ? member : ErrorCode.UNKNOWN_MEMBER_ID)
  if (request.generationId !== group.generationId) return syncError(ErrorCode.ILLEGAL_GENERATION)
  if (
    (request.protocolType !== null && request.protocolType !== group.protocolType) ||
    (request.protocolName !== null && request.protocolName !== group.protocolName)
  ) {
    return syncError(ErrorCode.INCONSISTENT_GROUP_PROTOCOL)
  }
  member.sessionDeadlineMs = host.now() + member.sessionTimeoutMs
  if (group.state === 'PreparingRebalance') return syncError(ErrorCode.REBALANCE_IN_PROGRESS)
  if (group.state === 'Stable') {
    return {
      throttleTimeMs: 0,
      errorCode: ErrorCode.NONE,
      protocolType: group.protocolType,
      protocolName: group.protocolName,
      assignment: member.assignment,
    }
  }
  if (group.state !== 'CompletingRebalance') return syncError(ErrorCode.UNKNOWN_MEMBER_ID)
  const answer = new Promise<SyncGroupResponse>((resolve) => {
    member.awaitingSync = resolve
  })
  phaseOf(group).pendingSync.delete(member.memberId)
  if (member.memberId === group.leaderId) {
    const generationId = group.generationId
    const assignments = new Map(request.assignments.map((entry) => [entry.memberId, entry.assignment]))
    // Assignments become visible only once stored, so a restart never hands out a different one.
    for (const each of group.members.values())
      each.assignment = assignments.get(each.memberId) ?? Buffer.alloc(0)
    const stored = await host.storeGroup(group)
    if (group.state === 'CompletingRebalance' && group.generationId === generationId) {
      if (stored) completeSync(host, group, assignments)
      else prepareRebalance(host, group) // members waiting on sync learn to rejoin
    }
  }
  return answer
}

export function heartbeat(
  host: RebalanceHost,
  group: ClassicGroup | undefined,
  request: MemberIdentity,
): number {
  if (group !== undefined && group.state === 'Dead') return ErrorCode.COORDINATOR_NOT_AVAILABLE
  const member = findMember(group, request)
  if (typeof member === 'number' || group === undefined)
    return typeof member === 'number' ? member : ErrorCode.UNKNOWN_MEMBER_ID
  if (group.state === 'Empty') return ErrorCode.UNKNOWN_MEMBER_ID
  if (request.generationId !== group.generationId) return ErrorCode.ILLEGAL_GENERATION
  member.sessionDeadlineMs = host.now() + member.sessionTimeoutMs
  return group.state === 'PreparingRebalance' ? ErrorCode.REBALANCE_IN_PROGRESS : ErrorCode.NONE
}

/** Removes one leaving member; returns its error code (LeaveGroup v3+ answers per member). */
export function leaveGroup(
  host: RebalanceHost,
  group: ClassicGroup | undefined,
  request: { memberId: string; groupInstanceId: string | null },
): number {
  let memberId = request.memberId
  // A static member may leave by instance id alone (admin removal, KIP-345).
  if (memberId === '' && request.groupInstanceId !== null)
    memberId = group?.staticMembers.get(request.groupInstanceId) ?? ''
  const member = findMember(group, { memberId, groupInstanceId: request.groupInstanceId })
  if (typeof member === 'number' || group === undefined)
    return typeof member === 'number' ? member : ErrorCode.UNKNOWN_MEMBER_ID
  removeMember(host, group, member, ErrorCode.UNKNOWN_MEMBER_ID)
  return ErrorCode.NONE
}
