// The `uniform` assignor (Kafka's UniformAssignor, the default): spreads every subscribed partition
// as evenly as possible over the members subscribed to its topic, and keeps partitions where they
// are when that stays balanced (sticky), so a rebalance moves as few partitions as it can.
//
// Method (one algorithm for homogeneous and heterogeneous subscriptions):
// 1. Each member keeps the partitions of its current assignment that still exist and that it still
//    subscribes to, up to its quota when all members share one subscription (⌈P/N⌉ for the first
//    P mod N members by current size, ⌊P/N⌋ for the others).
// 2. Every unassigned partition (topics by name, partitions ascending) goes to the subscribed member
//    with the fewest partitions (ties: member id order).
// 3. While a partition can move from a member with n partitions to a subscribed member with at
//    most n − 2, it does (most loaded member first). This only changes heterogeneous groups.
// Kafka's implementation differs in details (it also balances by topic for racks), so equal inputs
// may give other, equally balanced, results than a Java broker.

import { type Assignment, assignmentOf } from '../consumer-assignment.ts'
import type { AssignmentSpec, PartitionAssignor } from './types.ts'

interface Working {
  memberId: string
  subscribed: ReadonlySet<string>
  owned: Map<string, Set<number>>
  count: number
}

export const uniformAssignor: PartitionAssignor = {
  name: 'uniform',
  assign(spec: AssignmentSpec): Map<string, Assignment> {
    const members = spec.members.map((member) => ({
      memberId: member.memberId,
      subscribed: member.subscribedTopicIds,
      owned: new Map<string, Set<number>>(),
      count: 0,
    }))
    const taken = new Set<string>()
    const quotas = homogeneousQuotas(spec)
    for (const [index, member] of spec.members.entries()) {
      const working = members[index]
      const quota = quotas?.get(member.memberId) ?? Number.POSITIVE_INFINITY
      for (const [topicId, partitions] of member.currentAssignment) {
        const topic = spec.topics.get(topicId)
        if (topic === undefined || !member.subscribedTopicIds.has(topicId)) continue
        for (const partition of partitions) {
          if (working.count >= quota) break
          const key = `${topicId}:${partition}`
          if (partition >= topic.numPartitions || taken.has(key)) continue
          give(working, topicId, partition)
          taken.add(key)
        }
      }
    }
    for (const [topicId, partition] of allPartitions(spec)) {
      if (taken.has(`${topicId}:${partition}`)) continue
      const receiver = leastLoaded(members, topicId)
      if (receiver !== undefined) give(receiver, topicId, partition)
    }
    balance(members)
    return new Map(members.map((member) => [member.memberId, assignmentOf(member.owned)]))
  },
}

/** Quotas when every member subscribes to the same topics; null otherwise. Members with the most
 * partitions now get the larger quota, so step 1 keeps as many as possible. */
function homogeneousQuotas(spec: AssignmentSpec): Map<string, number> | null {
  const [first] = spec.members
  if (first === undefined) return null
  const same = spec.members.every(
    (member) =>
      member.subscribedTopicIds.size === first.subscribedTopicIds.size &&
      [...member.subscribedTopicIds].every((topicId) => first.subscribedTopicIds.has(topicId)),
  )
  if (!same) return null
  let total = 0
  for (const topicId of first.subscribedTopicIds) total += spec.topics.get(topicId)?.numPartitions ?? 0
  const base = Math.floor(total / spec.members.length)
  let extra = total % spec.members.length
  const byCurrentSize = [...spec.members].sort(
    (left, right) => currentSize(right) - currentSize(left) || compare(left.memberId, right.memberId),
  )
  const quotas = new Map<string, number>()
  for (const member of byCurrentSize) {
    quotas.set(member.memberId, base + (extra > 0 ? 1 : 0))
    if (extra > 0) extra--
  }
  return quotas
}

function currentSize(member: AssignmentSpec['members'][number]): number {
  let size = 0
  for (const partitions of member.currentAssignment.values()) size += partitions.length
  return size
}

function* allPartitions(spec: AssignmentSpec): Generator<[string, number]> {
  const topics = [...spec.topics].sort((left, right) => compare(left[1].topicName, right[1].topicName))
  for (const [topicId, topic] of topics) {
    for (let partition = 0; partition < topic.numPartitions; partition++) yield [topicId, partition]
  }
}

function leastLoaded(members: Working[], topicId: string): Working | undefined {
  let best: Working | undefined
  for (const member of members) {
    if (!member.subscribed.has(topicId)) continue
    if (best === undefined || member.count < best.count) best = member
  }
  return best
}

function give(member: Working, topicId: string, partition: number): void {
  const partitions = member.owned.get(topicId) ?? new Set<number>()
  partitions.add(partition)
  member.owned.set(topicId, partitions)
  member.count++
}

function take(member: Working, topicId: string, partition: number): void {
  member.owned.get(topicId)?.delete(partition)
  member.count--
}

/** Moves partitions from overloaded members to subscribed members with at least two fewer. Each move
 * lowers the sum of squared counts, so the loop ends. */
function balance(members: Working[]): void {
  for (;;) {
    let moved = false
    const byLoad = [...members].sort(
      (left, right) => right.count - left.count || compare(left.memberId, right.memberId),
    )
    for (const giver of byLoad) {
      for (const [topicId, partitions] of [...giver.owned].sort((left, right) =>
        compare(left[0], right[0]),
      )) {
        for (const partition of [...partitions].sort((left, right) => right - left)) {
          const receiver = leastLoaded(members, topicId)
          if (receiver === undefined || receiver.count + 2 > giver.count) continue
          take(giver, topicId, partition)
          give(receiver, topicId, partition)
          moved = true
        }
      }
      if (moved) break
    }
    if (!moved) return
  }
}

function compare(left: string, right: string): number {
  return left < right ? -1 : left > right ? 1 : 0
}
