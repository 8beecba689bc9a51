// JoinGroup for the classic protocol: the member-id handshake (KIP-394), static membership and
// fencing (KIP-345), and when a join starts or joins a rebalance (Kafka's doJoinGroup).

import { randomUUID } from 'node:crypto'
import { ErrorCode } from '../../protocol/generated/index.ts'
import type { JoinGroupResponse } from '../../protocol/generated/join-group-response.ts'
import type { ClassicGroup, ClassicMember, MemberProtocol } from './classic-group.ts'
import {
  extendInitialDelay,
  joinResponse,
  leaderMembers,
  maybeCompleteJoin,
  prepareRebalance,
  type RebalanceHost,
} from './classic-rebalance.ts'

export interface JoinRequest {
  groupId: string
  memberId: string
  groupInstanceId: string | null
  sessionTimeoutMs: number
  rebalanceTimeoutMs: number
  protocolType: string
  protocols: MemberProtocol[]
  clientId: string
  clientHost: string
  /** JoinGroup v4+: a new dynamic member first gets its id with MEMBER_ID_REQUIRED (KIP-394). */
  requireKnownMemberId: boolean
  /** JoinGroup v9+: a rejoining static leader may be told to skip the assignment (KIP-814). */
  skipAssignmentSupported: boolean
}

export function joinGroup(
  host: RebalanceHost,
  group: ClassicGroup,
  request: JoinRequest,
): Promise<JoinGroupResponse> {
  const { config } = host
  if (
    request.sessionTimeoutMs < config.minSessionTimeoutMs ||
    request.sessionTimeoutMs > config.maxSessionTimeoutMs
  ) {
    return Promise.resolve(joinResponse(group, request.memberId, ErrorCode.INVALID_SESSION_TIMEOUT))
  }
  if (group.state === 'Dead')
    return Promise.resolve(joinResponse(group, request.memberId, ErrorCode.COORDINATOR_NOT_AVAILABLE))
  if (!group.supportsProtocols(request.protocolType, request.protocols)) {
    return Promise.resolve(joinResponse(group, request.memberId, ErrorCode.INCONSISTENT_GROUP_PROTOCOL))
  }
  return request.memberId === ''
    ? joinUnknownMember(host, group, request)
    : joinKnownMember(host, group, request)
}

function joinUnknownMember(
  host: RebalanceHost,
  group: ClassicGroup,
  request: JoinRequest,
): Promise<JoinGroupResponse> {
  const existingId =
    request.groupInstanceId === null ? undefined : group.staticMembers.get(request.groupInstanceId)
  if (
    existingId === undefined &&
    group.members.size + group.pendingMembers.size >= host.config.groupMaxSize
  ) {
    return Promise.resolve(joinResponse(group, '', ErrorCode.GROUP_MAX_SIZE_REACHED))
  }
  const memberId = `${request.clientId}-${randomUUID()}`
  if (existingId !== undefined) return rejoinStaticMember(host, group, existingId, memberId, request)
  if (request.groupInstanceId === null && request.requireKnownMemberId) {
    group.pendingMembers.set(memberId, host.now() + request.sessionTimeoutMs)
    return Promise.resolve(joinResponse(group, memberId, ErrorCode.MEMBER_ID_REQUIRED))
  }
  return addMemberAndRebalance(host, group, memberId, request)
}

function joinKnownMember(
  host: RebalanceHost,
  group: ClassicGroup,
  request: JoinRequest,
): Promise<JoinGroupResponse> {
  if (group.pendingMembers.has(request.memberId)) {
    group.pendingMembers.delete(request.memberId)
    return addMemberAndRebalance(host, group, request.memberId, request)
  }
  const member = group.members.get(request.memberId)
  if (
    request.groupInstanceId !== null &&
    group.staticMembers.get(request.groupInstanceId) !== request.memberId
  ) {
    const fenced = group.staticMembers.has(request.groupInstanceId)
    return Promise.resolve(
      joinResponse(
        group,
        request.memberId,
        fenced ? ErrorCode.FENCED_INSTANCE_ID : ErrorCode.UNKNOWN_MEMBER_ID,
      ),
    )
  }
  if (member === undefined || group.state === 'Empty') {
    return Promise.resolve(joinResponse(group, request.memberId, ErrorCode.UNKNOWN_MEMBER_ID))
  }
  member.sessionDeadlineMs = host.now() + request.sessionTimeoutMs
  const unchanged = sameProtocols(member.protocols, request.protocols)
  const isLeader = group.leaderId === member.memberId
  if (
    (group.state === 'CompletingRebalance' && unchanged) ||
    (group.state === 'Stable' && unchanged && !isLeader)
  ) {
    // A repeated join with nothing new: answer with the current generation, no rebalance.
    return Promise.resolve(
      joinResponse(group, member.memberId, ErrorCode.NONE, isLeader ? leaderMembers(group) : []),
    )
  }
  updateMember(member, request)
  const answer = awaitJoin(member, group)
  if (group.state === 'PreparingRebalance') maybeCompleteJoin(host, group)
  else prepareRebalance(host, group)
  return answer
}

/** KIP-345: a known static member rejoining with a new process takes over its old member id. */
function rejoinStaticMember(
  host: RebalanceHost,
  group: ClassicGroup,
  oldMemberId: string,
  newMemberId: string,
  request: JoinRequest,
): Promise<JoinGroupResponse> {
  const old = group.members.get(oldMemberId)
  if (old === undefined) return addMemberAndRebalance(host, group, newMemberId, request)
  old.awaitingJoin?.(joinResponse(group, oldMemberId, ErrorCode.FENCED_INSTANCE_ID))
  old.awaitingSync?.({
    throttleTimeMs: 0,
    errorCode: ErrorCode.FENCED_INSTANCE_ID,
    protocolType: null,
    protocolName: null,
    assignment: Buffer.alloc(0),
  })
  old.awaitingJoin = null
  old.awaitingSync = null
  const unchanged = sameProtocols(old.protocols, request.protocols)
  group.members.delete(oldMemberId)
  const member: ClassicMember = { ...old, memberId: newMemberId }
  updateMember(member, request)
  member.sessionDeadlineMs = host.now() + request.sessionTimeoutMs
  group.members.set(newMemberId, member)
  group.staticMembers.set(request.groupInstanceId as string, newMemberId)
  const wasLeader = group.leaderId === oldMemberId
  if (wasLeader) group.leaderId = newMemberId
  if (group.state === 'Stable' && unchanged) {
    // Same process identity, same subscription: no rebalance for the others; keep its assignment.
    // v9+: the leader gets the members with skipAssignment (KIP-814); before v9 it is answered as a
    // follower (no members) and keeps its assignment through SyncGroup, as Kafka does.
    void host.storeGroup(group)
    const asLeader = wasLeader && request.skipAssignmentSupported
    const response = joinResponse(group, newMemberId, ErrorCode.NONE, asLeader ? leaderMembers(group) : [])
    // Below v9 the old leader id is named, so the client (whose id is new) acts as a follower.
    const leader = wasLeader && !asLeader ? oldMemberId : response.leader
    return Promise.resolve({ ...response, leader, skipAssignment: asLeader })
  }
  const answer = awaitJoin(member, group)
  if (group.state === 'PreparingRebalance') maybeCompleteJoin(host, group)
  else prepareRebalance(host, group)
  return answer
}

function addMemberAndRebalance(
  host: RebalanceHost,
  group: ClassicGroup,
  memberId: string,
  request: JoinRequest,
): Promise<JoinGroupResponse> {
  if (group.isEmpty) group.protocolType = request.protocolType
  const member: ClassicMember = {
    memberId,
    groupInstanceId: request.groupInstanceId,
    clientId: request.clientId,
    clientHost: request.clientHost,
    sessionTimeoutMs: request.sessionTimeoutMs,
    rebalanceTimeoutMs: request.rebalanceTimeoutMs,
    protocolType: request.protocolType,
    protocols: request.protocols,
    assignment: Buffer.alloc(0),
    awaitingJoin: null,
    awaitingSync: null,
    sessionDeadlineMs: host.now() + request.sessionTimeoutMs,
  }
  group.members.set(memberId, member)
  if (request.groupInstanceId !== null) group.staticMembers.set(request.groupInstanceId, memberId)
  if (group.leaderId === null) group.leaderId = memberId
  const answer = awaitJoin(member, group)
  if (group.state === 'PreparingRebalance') {
    extendInitialDelay(host, group)
    maybeCompleteJoin(host, group)
  } else {
    prepareRebalance(host, group)
  }
  return answer
}

function awaitJoin(member: ClassicMember, group: ClassicGroup): Promise<JoinGroupResponse> {
  // A second JoinGroup from the same member replaces the first; the first learns it was superseded.
  member.awaitingJoin?.(joinResponse(group, member.memberId, ErrorCode.REBALANCE_IN_PROGRESS))
  return new Promise((resolve) => {
    member.awaitingJoin = resolve
  })
}

function updateMember(member: ClassicMember, request: JoinRequest): void {
  member.protocols = request.protocols
  member.sessionTimeoutMs = request.sessionTimeoutMs
  member.rebalanceTimeoutMs = request.rebalanceTimeoutMs
  member.clientId = request.clientId
  member.clientHost = request.clientHost
}

function sameProtocols(current: MemberProtocol[], next: MemberProtocol[]): boolean {
  return (
    current.length === next.length &&
    current.every(
      (protocol, index) =>
        protocol.name === next[index].name && protocol.metadata.equals(next[index].metadata),
    )
  )
}
