// JoinGroup, SyncGroup, Heartbeat and LeaveGroup from classic consumers to a KIP-848 consumer group
// (a group upgraded while they were in it, or one they join): the request checks and the answers
// with Kafka's error codes, timers (session, and JoinGroup/SyncGroup within the rebalance timeout)
// and the writes. The rules of the member itself are in consumer-classic-members.ts.

import { randomUUID } from 'node:crypto'
import { StreamlineError } from '../../errors.ts'
import { ErrorCode } from '../../protocol/generated/index.ts'
import type { JoinGroupResponse } from '../../protocol/generated/join-group-response.ts'
import type { SyncGroupResponse } from '../../protocol/generated/sync-group-response.ts'
import type { JoinRequest } from './classic-join.ts'
import type { MemberIdentity, SyncRequest } from './classic-sync.ts'
import {
  classicHeartbeat,
  classicJoin,
  classicSync,
  consumerProtocolType,
  supportsClassicProtocols,
} from './consumer-classic-members.ts'
import { type ConsumerGroupCoordinator, noMigration } from './consumer-coordinator.ts'
import type { ConsumerGroup } from './consumer-group.ts'
import { fenceMember } from './consumer-membership.ts'

function joinError(memberId: string, errorCode: number): JoinGroupResponse {
  return {
    throttleTimeMs: 0,
    errorCode,
    generationId: -1,
    protocolType: null,
    protocolName: null,
    leader: '',
    skipAssignment: false,
    memberId,
    members: [],
  }
}

export async function joinConsumerGroup(
  coordinator: ConsumerGroupCoordinator,
  group: ConsumerGroup,
  request: JoinRequest,
): Promise<JoinGroupResponse> {
  const { config } = coordinator.host
  if (
    request.sessionTimeoutMs < config.minSessionTimeoutMs ||
    request.sessionTimeoutMs > config.maxSessionTimeoutMs
  )
    return joinError(request.memberId, ErrorCode.INVALID_SESSION_TIMEOUT)
  const unknownMember = request.memberId === ''
  const memberId = unknownMember ? randomUUID() : request.memberId
  if (!group.members.has(memberId) && group.members.size >= coordinator.config.maxSize)
    return joinError(request.memberId, ErrorCode.GROUP_MAX_SIZE_REACHED)
  if (!supportsClassicProtocols(group, request.protocolType, request.protocols))
    return joinError(request.memberId, ErrorCode.INCONSISTENT_GROUP_PROTOCOL)
  // KIP-394: a new dynamic member first gets its id and comes back with it.
  if (unknownMember && request.groupInstanceId === null && request.requireKnownMemberId)
    return joinError(memberId, ErrorCode.MEMBER_ID_REQUIRED)
  // A static member replacing the group's last consumer-protocol member downgrades the group in the
  // same write, without a rebalance: the classic group is Stable with the partitions the replaced
  // member had, and the joining member syncs to it (Kafka's validateOnlineDowngradeWithReplacedMember).
  const migration = noMigration()
  migration.rebalance = false
  try {
    const member = await coordinator.run(
      group,
      (context) => {
        const replacesStatic =
          request.groupInstanceId !== null && group.staticMembers.has(request.groupInstanceId)
        const joined = classicJoin(context, { ...request, memberId, unknownMember })
        if (replacesStatic) coordinator.maybeDowngrade(context, migration)
        return joined
      },
      migration.records,
      () => coordinator.migrated(group, migration),
      migration.trailing,
    )
    if (migration.classic === null) {
      const nowMs = coordinator.host.now()
      group.sessionDeadlineMs.set(member.memberId, nowMs + request.sessionTimeoutMs)
      group.classicDeadline.set(member.memberId, {
        deadlineMs: nowMs + request.rebalanceTimeoutMs,
        awaiting: 'SyncGroup',
      })
    }
    return {
      throttleTimeMs: 0,
      errorCode: ErrorCode.NONE,
      generationId: member.memberEpoch,
      protocolType: consumerProtocolType,
      protocolName: request.protocols[0].name,
      // No member leads: the coordinator assigns, and every member syncs as a follower.
      leader: '',
      skipAssignment: false,
      memberId: member.memberId,
      members: [],
    }
  } catch (error) {
    return joinError(request.memberId, errorCodeOf(error))
  }
}

export function syncConsumerGroup(
  coordinator: ConsumerGroupCoordinator,
  group: ConsumerGroup,
  request: SyncRequest,
): SyncGroupResponse {
  const answer = classicSync(group, coordinator.catalog, request)
  if (answer.errorCode === ErrorCode.NONE) {
    const member = group.members.get(request.memberId)
    if (member !== undefined) renewSession(coordinator, group, member.memberId)
    if (group.classicDeadline.get(request.memberId)?.awaiting === 'SyncGroup')
      group.classicDeadline.delete(request.memberId)
  }
  return {
    throttleTimeMs: 0,
    errorCode: answer.errorCode,
    protocolType: answer.errorCode === ErrorCode.NONE ? consumerProtocolType : null,
    protocolName: answer.protocolName,
    assignment: answer.assignment,
  }
}

export function heartbeatConsumerGroup(
  coordinator: ConsumerGroupCoordinator,
  group: ConsumerGroup,
  request: MemberIdentity,
): number {
  const { errorCode, member } = classicHeartbeat(group, request)
  if (member === null) return errorCode
  renewSession(coordinator, group, member.memberId)
  if (errorCode === ErrorCode.REBALANCE_IN_PROGRESS && !group.classicDeadline.has(member.memberId)) {
    group.classicDeadline.set(member.memberId, {
      deadlineMs: coordinator.host.now() + member.rebalanceTimeoutMs,
      awaiting: 'JoinGroup',
    })
  }
  return errorCode
}

/** LeaveGroup of one member (by member id, or by instance id alone for a static member). */
export async function leaveConsumerGroup(
  coordinator: ConsumerGroupCoordinator,
  group: ConsumerGroup,
  request: { memberId: string; groupInstanceId: string | null },
): Promise<number> {
  let memberId = request.memberId
  if (request.groupInstanceId !== null) {
    const current = group.staticMembers.get(request.groupInstanceId)
    if (current === undefined) return ErrorCode.UNKNOWN_MEMBER_ID
    if (memberId !== '' && memberId !== current) return ErrorCode.FENCED_INSTANCE_ID
    memberId = current
  }
  if (!group.members.has(memberId)) return ErrorCode.UNKNOWN_MEMBER_ID
  const migration = noMigration()
  try {
    await coordinator.run(
      group,
      (context) => {
        const member = group.members.get(memberId)
        if (member === undefined) return
        fenceMember(context, member)
        coordinator.maybeDowngrade(context, migration)
      },
      migration.records,
      () => coordinator.migrated(group, migration),
      migration.trailing,
    )
    return ErrorCode.NONE
  } catch (error) {
    return errorCodeOf(error)
  }
}

function renewSession(coordinator: ConsumerGroupCoordinator, group: ConsumerGroup, memberId: string): void {
  const member = group.members.get(memberId)
  if (member === undefined) return
  group.sessionDeadlineMs.set(memberId, coordinator.host.now() + coordinator.sessionTimeoutOf(member))
}

function errorCodeOf(error: unknown): number {
  if (error instanceof StreamlineError && error.errorCode !== undefined) return error.errorCode
  throw error
}
