// The leader's assignment of connectors and tasks over the group's workers, as Kafka Connect does it.
// Eager ("default", Kafka's EagerAssignor): every rebalance starts from nothing; connectors, then tasks,
// go round-robin over the members sorted by id. Incremental cooperative ("compatible", Kafka's
// IncrementalCooperativeAssignor, since 2.3): members keep what they run; the leader sends each one only
// what it gains and what it must revoke (revoked work moves in the next round, after its owner stopped
// it); a departed worker's work is "lost" and waits `scheduled.rebalance.max.delay.ms` for the worker
// to come back before it is spread over the others. Connectors and tasks are balanced separately:
// each member ends with floor or ceil of its share.

import type { Allocation } from './connect-protocol.ts'

export interface MemberState {
  memberId: string
  allocation: Allocation
}

/** What connect-configs holds: every connector and every task of each. */
export interface ConfiguredWork {
  connectors: string[]
  tasks: Array<{ connector: string; task: number }>
}

export interface MemberAssignment {
  assigned: Allocation
  revoked: Allocation
  scheduledDelayMs: number
}

const taskKey = (connector: string, task: number): string => `${connector}\u0000${task}`

function taskOfKey(key: string): { connector: string; task: number } {
  const cut = key.lastIndexOf('\u0000')
  return { connector: key.slice(0, cut), task: Number(key.slice(cut + 1)) }
}

function byMemberId(members: MemberState[]): MemberState[] {
  return [...members].sort((a, b) => (a.memberId < b.memberId ? -1 : a.memberId > b.memberId ? 1 : 0))
}

export function eagerAssign(members: MemberState[], work: ConfiguredWork): Map<string, MemberAssignment> {
  const sorted = byMemberId(members)
  const out = new Map<string, MemberAssignment>()
  for (const member of sorted)
    out.set(member.memberId, {
      assigned: { connectors: [], tasks: [] },
      revoked: { connectors: [], tasks: [] },
      scheduledDelayMs: 0,
    })
  if (sorted.length === 0) return out
  let next = 0
  const take = (): MemberAssignment => {
    const assignment = out.get(sorted[next % sorted.length].memberId) as MemberAssignment
    next++
    return assignment
  }
  for (const connector of work.connectors) take().assigned.connectors.push(connector)
  for (const task of work.tasks) take().assigned.tasks.push(task)
  return out
}

interface KindResult {
  assigned: Map<string, string[]>
  revoked: Map<string, string[]>
  /** Everything each member runs once it applied this round. */
  after: Map<string, string[]>
}

/** One kind of work (connector names or task keys): revoke deleted, duplicate and above-quota work, give out the rest. */
function balanceKind(
  memberIds: string[],
  held: Map<string, string[]>,
  configured: Set<string>,
  setAside: Set<string>,
): KindResult {
  const revoked = new Map<string, string[]>(memberIds.map((id) => [id, []]))
  const owned = new Map<string, string[]>()
  const taken = new Set<string>()
  for (const id of memberIds) {
    const keep: string[] = []
    for (const item of held.get(id) ?? []) {
      if (!configured.has(item) || taken.has(item)) revoked.get(id)?.push(item)
      else {
        keep.push(item)
        taken.add(item)
      }
    }
    owned.set(id, keep)
  }
  const unassigned = [...configured].filter((item) => !taken.has(item) && !setAside.has(item)).sort()
  const total = taken.size + unassigned.length
  const base = Math.floor(total / memberIds.length)
  const extra = total % memberIds.length
  const quota = new Map<string, number>()
  const mostLoaded = [...memberIds].sort(
    (a, b) => (owned.get(b)?.length ?? 0) - (owned.get(a)?.length ?? 0) || (a < b ? -1 : 1),
  )
  for (const [index, id] of mostLoaded.entries()) quota.set(id, base + (index < extra ? 1 : 0))
  for (const id of memberIds) {
    const keep = owned.get(id) ?? []
    const limit = quota.get(id) ?? 0
    if (keep.length > limit) {
      revoked.get(id)?.push(...keep.slice(limit))
      owned.set(id, keep.slice(0, limit))
    }
  }
  const assigned = new Map<string, string[]>(memberIds.map((id) => [id, []]))
  for (const item of unassigned) {
    const load = (id: string): number => (owned.get(id)?.length ?? 0) + (assigned.get(id)?.length ?? 0)
    const candidates = memberIds.filter((id) => load(id) < (quota.get(id) ?? 0))
    const pool = candidates.length > 0 ? candidates : memberIds
    const target = pool.reduce((best, id) => (load(id) < load(best) ? id : best), pool[0])
    assigned.get(target)?.push(item)
  }
  const after = new Map<string, string[]>(
    memberIds.map((id) => [id, [...(owned.get(id) ?? []), ...(assigned.get(id) ?? [])]]),
  )
  return { assigned, revoked, after }
}

export class IncrementalCooperativeAssignor {
  /** What each member ran after the last round this leader assigned (Kafka's previousAssignment). */
  private previous = new Map<string, { connectors: string[]; tasks: string[] }>()
  private previousGeneration = -1
  /** Work of departed members still waiting for them (Kafka's candidateWorkersForReassignment). */
  private lost = { connectors: new Set<string>(), tasks: new Set<string>() }
  private deadlineMs = 0

  constructor(private readonly maxDelayMs: number) {}

  assign(
    members: MemberState[],
    work: ConfiguredWork,
    generation: number,
    nowMs: number,
  ): Map<string, MemberAssignment> {
    const sorted = byMemberId(members)
    const memberIds = sorted.map((member) => member.memberId)
    const heldConnectors = new Map(sorted.map((member) => [member.memberId, member.allocation.connectors]))
    const heldTasks = new Map(
      sorted.map((member) => [
        member.memberId,
        member.allocation.tasks.map(({ connector, task }) => taskKey(connector, task)),
      ]),
    )
    const configuredConnectors = new Set(work.connectors)
    const configuredTasks = new Set(work.tasks.map(({ connector, task }) => taskKey(connector, task)))
    // A leader that did not assign the previous generation knows nothing of departed members: their
    // work is simply unassigned (Kafka clears its view on a generation mismatch too).
    if (this.previousGeneration !== generation - 1) {
      this.previous.clear()
      this.lost = { connectors: new Set(), tasks: new Set() }
      this.deadlineMs = 0
    }
    const present = new Set(memberIds)
    const running = {
      connectors: new Set([...heldConnectors.values()].flat()),
      tasks: new Set([...heldTasks.values()].flat()),
    }
    for (const [memberId, allocation] of this.previous) {
      if (present.has(memberId)) continue
      for (const name of allocation.connectors) this.lost.connectors.add(name)
      for (const key of allocation.tasks) this.lost.tasks.add(key)
    }
    for (const name of this.lost.connectors)
      if (running.connectors.has(name) || !configuredConnectors.has(name)) this.lost.connectors.delete(name)
    for (const key of this.lost.tasks)
      if (running.tasks.has(key) || !configuredTasks.has(key)) this.lost.tasks.delete(key)
    let scheduledDelayMs = 0
    let setAside = this.lost
    if (this.lost.connectors.size + this.lost.tasks.size === 0 || this.maxDelayMs === 0) {
      this.deadlineMs = 0
      setAside = { connectors: new Set(), tasks: new Set() }
    } else if (this.deadlineMs === 0) {
      this.deadlineMs = nowMs + this.maxDelayMs
      scheduledDelayMs = this.maxDelayMs
    } else if (nowMs >= this.deadlineMs) {
      this.deadlineMs = 0
      setAside = { connectors: new Set(), tasks: new Set() }
    } else scheduledDelayMs = this.deadlineMs - nowMs
    const connectors = balanceKind(memberIds, heldConnectors, configuredConnectors, setAside.connectors)
    const tasks = balanceKind(memberIds, heldTasks, configuredTasks, setAside.tasks)
    if (setAside.connectors.size + setAside.tasks.size === 0)
      this.lost = { connectors: new Set(), tasks: new Set() }
    this.previous = new Map(
      memberIds.map((id) => [
        id,
        { connectors: connectors.after.get(id) ?? [], tasks: tasks.after.get(id) ?? [] },
      ]),
    )
    this.previousGeneration = generation
    const out = new Map<string, MemberAssignment>()
    for (const id of memberIds)
      out.set(id, {
        assigned: {
          connectors: connectors.assigned.get(id) ?? [],
          tasks: (tasks.assigned.get(id) ?? []).map(taskOfKey),
        },
        revoked: {
          connectors: connectors.revoked.get(id) ?? [],
          tasks: (tasks.revoked.get(id) ?? []).map(taskOfKey),
        },
        scheduledDelayMs,
      })
    return out
  }
}
