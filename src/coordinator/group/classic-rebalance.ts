// The rebalance rules of the classic protocol (Kafka's GroupCoordinator): how a group enters a join
// phase, when the phase completes, how a generation is chosen and answered, and what expires.
// Every change of members goes through here so the state machine stays in one place:
//   Empty → PreparingRebalance → CompletingRebalance → Stable → PreparingRebalance …
//   and back to Empty when the last member leaves.

import { ErrorCode } from '../../protocol/generated/index.ts'
import type {
  JoinGroupResponse,
  JoinGroupResponseMember,
} from '../../protocol/generated/join-group-response.ts'
import type { ClassicGroup, ClassicMember } from './classic-group.ts'
import type { GroupConfig } from './group-config.ts'

export interface RebalanceHost {
  now(): number
  readonly config: GroupConfig
  /** Writes the group's metadata record (after a sync completes, when it becomes empty); resolves
   * false when the write failed (already logged), never rejects. */
  storeGroup(group: ClassicGroup): Promise<boolean>
}

/** Per-group phase state the rules keep beside the group. */
export interface PhaseState {
  /** True while an empty group waits `group.initial.rebalance.delay.ms` for more members. */
  initialDelayActive: boolean
  /** Start of the current join phase, to cap the initial delay at the rebalance timeout. */
  joinPhaseStartMs: number
  /** Members that must send SyncGroup before the sync phase times out. */
  pendingSync: Set<string>
}

const phases = new WeakMap<ClassicGroup, PhaseState>()

export function phaseOf(group: ClassicGroup): PhaseState {
  let phase = phases.get(group)
  if (phase === undefined) {
    phase = { initialDelayActive: false, joinPhaseStartMs: 0, pendingSync: new Set() }
    phases.set(group, phase)
  }
  return phase
}

export function joinResponse(
  group: ClassicGroup,
  memberId: string,
  errorCode: number,
  members: JoinGroupResponseMember[] = [],
): JoinGroupResponse {
  return {
    throttleTimeMs: 0,
    errorCode,
    generationId: errorCode === ErrorCode.NONE ? group.generationId : -1,
    protocolType: group.protocolType,
    protocolName: errorCode === ErrorCode.NONE ? group.protocolName : null,
    leader: errorCode === ErrorCode.NONE ? (group.leaderId ?? '') : '',
    skipAssignment: false,
    memberId,
    members,
  }
}

export function leaderMembers(group: ClassicGroup): JoinGroupResponseMember[] {
  return [...group.members.values()].map((member) => ({
    memberId: member.memberId,
    groupInstanceId: member.groupInstanceId,
    metadata: group.metadataOf(member),
  }))
}

/** Starts a join phase; members waiting on SyncGroup learn that a rebalance is in progress. */
export function prepareRebalance(host: RebalanceHost, group: ClassicGroup): void {
  const nowMs = host.now()
  const phase = phaseOf(group)
  if (group.state === 'CompletingRebalance') answerPendingSyncs(group, ErrorCode.REBALANCE_IN_PROGRESS)
  const rebalanceTimeoutMs = group.rebalanceTimeoutMs()
  phase.initialDelayActive = group.state === 'Empty' && host.config.initialRebalanceDelayMs > 0
  phase.joinPhaseStartMs = nowMs
  group.phaseDeadlineMs = phase.initialDelayActive
    ? nowMs + Math.min(host.config.initialRebalanceDelayMs, rebalanceTimeoutMs)
    : nowMs + rebalanceTimeoutMs
  group.transition('PreparingRebalance', nowMs)
}

/** During the initial delay each new member pushes the end of the phase out, up to the rebalance timeout. */
export function extendInitialDelay(host: RebalanceHost, group: ClassicGroup): void {
  const phase = phaseOf(group)
  if (!phase.initialDelayActive) return
  const cap = phase.joinPhaseStartMs + group.rebalanceTimeoutMs()
  group.phaseDeadlineMs = Math.min(host.now() + host.config.initialRebalanceDelayMs, cap)
}

export function maybeCompleteJoin(host: RebalanceHost, group: ClassicGroup): void {
  if (
    group.state === 'PreparingRebalance' &&
    !phaseOf(group).initialDelayActive &&
    group.allMembersJoined()
  ) {
    completeJoin(host, group)
  }
}

/** Ends the join phase: drops dynamic members that did not rejoin, starts a new generation. */
export function completeJoin(host: RebalanceHost, group: ClassicGroup): void {
  const nowMs = host.now()
  const phase = phaseOf(group)
  phase.initialDelayActive = false
  for (const member of [...group.members.values()]) {
    if (member.awaitingJoin === null && member.groupInstanceId === null) removeMemberQuietly(group, member)
  }
  group.generationId++
  if (group.isEmpty) {
    group.protocolName = null
    group.leaderId = null
    group.transition('Empty', nowMs)
    void host.storeGroup(group)
    return
  }
  group.protocolName = group.selectProtocol()
  if (group.leaderId === null || !group.members.has(group.leaderId))
    group.leaderId = group.members.keys().next().value ?? null
  group.transition('CompletingRebalance', nowMs)
  group.phaseDeadlineMs = nowMs + group.rebalanceTimeoutMs()
  phase.pendingSync = new Set(group.members.keys())
  for (const member of group.members.values()) {
    const answer = member.awaitingJoin
    if (answer === null) continue
    member.awaitingJoin = null
    member.sessionDeadlineMs = nowMs + member.sessionTimeoutMs
    const members = member.memberId === group.leaderId ? leaderMembers(group) : []
    answer(joinResponse(group, member.memberId, ErrorCode.NONE, members))
  }
}

function answerPendingSyncs(group: ClassicGroup, errorCode: number): void {
  for (const member of group.members.values()) {
    const answer = member.awaitingSync
    if (answer === null) continue
    member.awaitingSync = null
    answer({
      throttleTimeMs: 0,
      errorCode,
      protocolType: null,
      protocolName: null,
      assignment: Buffer.alloc(0),
    })
  }
}

function removeMemberQuietly(group: ClassicGroup, member: ClassicMember): void {
  group.members.delete(member.memberId)
  if (
    member.groupInstanceId !== null &&
    group.staticMembers.get(member.groupInstanceId) === member.memberId
  ) {
    group.staticMembers.delete(member.groupInstanceId)
  }
  if (group.leaderId === member.memberId) group.leaderId = null
}

/** Removes a member (left, expired or fenced) and rebalances what remains. */
export function removeMember(
  host: RebalanceHost,
  group: ClassicGroup,
  member: ClassicMember,
  errorCode: number,
): void {
  member.awaitingJoin?.(joinResponse(group, member.memberId, errorCode))
  member.awaitingJoin = null
  member.awaitingSync?.({
    throttleTimeMs: 0,
    errorCode,
    protocolType: null,
    protocolName: null,
    assignment: Buffer.alloc(0),
  })
  member.awaitingSync = null
  removeMemberQuietly(group, member)
  if (group.state === 'Stable' || group.state === 'CompletingRebalance') prepareRebalance(host, group)
  // As in Kafka, the join phase ends at once when everyone left has rejoined (or no one is left:
  // the group is Empty before the LeaveGroup is answered).
  if (group.state === 'PreparingRebalance') maybeCompleteJoin(host, group)
}

/** Applies the leader's assignment and answers every member waiting on SyncGroup. */
export function completeSync(
  host: RebalanceHost,
  group: ClassicGroup,
  assignments: Map<string, Buffer>,
): void {
  for (const member of group.members.values())
    member.assignment = assignments.get(member.memberId) ?? Buffer.alloc(0)
  group.transition('Stable', host.now())
  phaseOf(group).pendingSync.clear()
  for (const member of group.members.values()) {
    const answer = member.awaitingSync
    if (answer === null) continue
    member.awaitingSync = null
    answer({
      throttleTimeMs: 0,
      errorCode: ErrorCode.NONE,
      protocolType: group.protocolType,
      protocolName: group.protocolName,
      assignment: member.assignment,
    })
  }
}

/** Expires sessions, pending members and phases whose deadline passed. */
export function expireDeadlines(host: RebalanceHost, group: ClassicGroup): void {
  const nowMs = host.now()
  for (const [memberId, deadlineMs] of group.pendingMembers) {
    if (nowMs >= deadlineMs) group.pendingMembers.delete(memberId)
  }
  for (const member of [...group.members.values()]) {
    const keptAlive = member.awaitingJoin !== null || member.awaitingSync !== null
    if (!keptAlive && nowMs >= member.sessionDeadlineMs && group.members.has(member.memberId)) {
      removeMember(host, group, member, ErrorCode.UNKNOWN_MEMBER_ID)
    }
  }
  if (group.state === 'PreparingRebalance' && nowMs >= group.phaseDeadlineMs) completeJoin(host, group)
  if (group.state === 'PreparingRebalance') maybeCompleteJoin(host, group)
  if (group.state === 'CompletingRebalance' && nowMs >= group.phaseDeadlineMs) {
    // The leader (or some member) never synced: drop those who did not and rebalance again.
    for (const memberId of phaseOf(group).pendingSync) {
      const member = group.members.get(memberId)
      if (member !== undefined) removeMemberQuietly(group, member)
    }
    prepareRebalance(host, group)
    maybeCompleteJoin(host, group)
  }
}
