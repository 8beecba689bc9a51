// The state of one classic-protocol group (Kafka's GroupMetadata): members, generation, the chosen
// protocol and leader, and the pending join/sync answers. Pure data and small queries; the rules
// that move a group between states live in classic-rebalance.ts.

import type { JoinGroupResponse } from '../../protocol/generated/join-group-response.ts'
import type { SyncGroupResponse } from '../../protocol/generated/sync-group-response.ts'

export type GroupState = 'Empty' | 'PreparingRebalance' | 'CompletingRebalance' | 'Stable' | 'Dead'

export interface MemberProtocol {
  name: string
  metadata: Buffer
}

export interface ClassicMember {
  memberId: string
  groupInstanceId: string | null
  clientId: string
  clientHost: string
  sessionTimeoutMs: number
  rebalanceTimeoutMs: number
  protocolType: string
  protocols: MemberProtocol[]
  assignment: Buffer
  /** Set while the member waits for the JoinGroup answer. */
  awaitingJoin: ((response: JoinGroupResponse) => void) | null
  /** Set while the member waits for the SyncGroup answer. */
  awaitingSync: ((response: SyncGroupResponse) => void) | null
  /** When the member's session ends unless it heartbeats (ms since epoch). */
  sessionDeadlineMs: number
}

export class ClassicGroup {
  readonly groupId: string
  state: GroupState = 'Empty'
  protocolType: string | null = null
  protocolName: string | null = null
  generationId = 0
  leaderId: string | null = null
  readonly members = new Map<string, ClassicMember>()
  /** KIP-394: member ids handed out with MEMBER_ID_REQUIRED, not yet joined; value = deadline. */
  readonly pendingMembers = new Map<string, number>()
  /** KIP-345: group.instance.id → current member id. */
  readonly staticMembers = new Map<string, string>()
  /** When the current state began (GroupMetadataValue.currentStateTimestamp, offset expiry). */
  stateSinceMs: number
  /** Deadline of the current join phase (PreparingRebalance) or sync phase (CompletingRebalance). */
  phaseDeadlineMs = 0
  constructor(groupId: string, nowMs: number) {
    this.groupId = groupId
    this.stateSinceMs = nowMs
  }

  transition(state: GroupState, nowMs: number): void {
    this.state = state
    this.stateSinceMs = nowMs
  }

  has(memberId: string): boolean {
    return this.members.has(memberId)
  }

  get isEmpty(): boolean {
    return this.members.size === 0
  }

  /** The largest rebalance timeout of the members: how long a join phase waits for them. */
  rebalanceTimeoutMs(): number {
    let timeout = 0
    for (const member of this.members.values()) timeout = Math.max(timeout, member.rebalanceTimeoutMs)
    return timeout
  }

  allMembersJoined(): boolean {
    for (const member of this.members.values()) if (member.awaitingJoin === null) return false
    return this.pendingMembers.size === 0
  }

  /** The protocol every member supports that most members prefer (Kafka's selectProtocol). */
  selectProtocol(): string | null {
    const members = [...this.members.values()]
    if (members.length === 0) return null
    const common = members[0].protocols
      .map((protocol) => protocol.name)
      .filter((name) =>
        members.every((member) => member.protocols.some((protocol) => protocol.name === name)),
      )
    if (common.length === 0) return null
    const votes = new Map<string, number>(common.map((name) => [name, 0]))
    for (const member of members) {
      const preferred = member.protocols.find((protocol) => votes.has(protocol.name))
      if (preferred !== undefined) votes.set(preferred.name, (votes.get(preferred.name) ?? 0) + 1)
    }
    let best = common[0]
    for (const name of common) if ((votes.get(name) ?? 0) > (votes.get(best) ?? 0)) best = name
    return best
  }

  /** Whether a new member with these protocols can join (same type, one protocol in common). */
  supportsProtocols(protocolType: string, protocols: MemberProtocol[]): boolean {
    if (this.isEmpty) return protocolType !== '' && protocols.length > 0
    if (this.protocolType !== protocolType) return false
    return protocols.some((candidate) =>
      [...this.members.values()].every((member) =>
        member.protocols.some((protocol) => protocol.name === candidate.name),
      ),
    )
  }

  metadataOf(member: ClassicMember): Buffer {
    return (
      member.protocols.find((protocol) => protocol.name === this.protocolName)?.metadata ?? Buffer.alloc(0)
    )
  }
}
