// Kafka's CooperativeStickyAssignor (KIP-429), run by whichever member leads a classic group: members
// keep the partitions they own as far as balance allows, and a partition that moves from one member
// to another is withheld for one round. Its owner sees it missing from its new assignment, gives it
// up (commits, stops fetching) and joins again; in the next round nobody owns it and it goes to its
// new member. Members never give up the partitions they keep, so they read on through a rebalance.
// Balance is exact (sizes differ by at most one) for members with the same subscription; with
// different subscriptions every partition still goes to one of its subscribers, the least loaded.

import type { Assignment, Assignor, GroupMemberSubscription } from './assignors.ts'
import type { TopicPartition } from './types.ts'

const idOf = (topic: string, partition: number): string => `${partition}:${topic}`

interface Claim {
  memberId: string
  generationId: number
  /** Two members claim the partition from the same generation: neither keeps it (Kafka's rule). */
  disputed: boolean
}

/** Who owns each partition now, from the members' subscriptions (the newest generation wins). */
function currentOwners(
  members: GroupMemberSubscription[],
  partitionCountOf: (topic: string) => number,
): Map<string, Claim> {
  const claims = new Map<string, Claim>()
  for (const member of members) {
    for (const { topic, partition } of member.owned) {
      if (!member.topics.includes(topic) || partition >= partitionCountOf(topic)) continue
      const id = idOf(topic, partition)
      const previous = claims.get(id)
      if (previous === undefined || member.generationId > previous.generationId) {
        claims.set(id, { memberId: member.memberId, generationId: member.generationId, disputed: false })
      } else if (member.generationId === previous.generationId) {
        previous.disputed = true
      }
    }
  }
  return claims
}

function byMemberId(left: GroupMemberSubscription, right: GroupMemberSubscription): number {
  return left.memberId < right.memberId ? -1 : left.memberId > right.memberId ? 1 : 0
}

export const cooperativeSticky: Assignor = {
  name: 'cooperative-sticky',
  protocol: 'cooperative',
  assign(members, partitionCountOf) {
    const sorted = [...members].sort(byMemberId)
    const topics = [...new Set(sorted.flatMap((member) => member.topics))].sort()
    const all: TopicPartition[] = topics.flatMap((topic) =>
      Array.from({ length: partitionCountOf(topic) }, (_, partition) => ({ topic, partition })),
    )
    const claims = currentOwners(sorted, partitionCountOf)
    const assignment: Assignment = new Map(sorted.map((member) => [member.memberId, []]))
    if (sorted.length === 0) return assignment

    // 1. Sticky: each member keeps what it owns, up to its share (the members owning most first, so
    //    the shares of one more partition go to members that already hold them).
    const minQuota = Math.floor(all.length / sorted.length)
    let largerShares = all.length % sorted.length
    const kept = new Set<string>()
    const owned = (member: GroupMemberSubscription) =>
      member.owned.filter(({ topic, partition }) => {
        const claim = claims.get(idOf(topic, partition))
        return claim !== undefined && !claim.disputed && claim.memberId === member.memberId
      })
    const byOwnedCount = sorted
      .map((member) => ({ member, owns: owned(member) }))
      .sort((left, right) => right.owns.length - left.owns.length || byMemberId(left.member, right.member))
    for (const { member, owns } of byOwnedCount) {
      let share = minQuota
      if (owns.length > minQuota && largerShares > 0) {
        share += 1
        largerShares -= 1
      }
      const keep = owns.slice(0, share)
      assignment.get(member.memberId)?.push(...keep)
      for (const { topic, partition } of keep) kept.add(idOf(topic, partition))
    }

    // 2. The rest, in (topic, partition) order, each to its least loaded subscriber (ties: member id).
    for (const entry of all) {
      if (kept.has(idOf(entry.topic, entry.partition))) continue
      let target: string | null = null
      let targetSize = Number.POSITIVE_INFINITY
      for (const member of sorted) {
        if (!member.topics.includes(entry.topic)) continue
        const size = assignment.get(member.memberId)?.length ?? 0
        if (size < targetSize) {
          target = member.memberId
          targetSize = size
        }
      }
      if (target !== null) assignment.get(target)?.push(entry)
    }

    // 3. Cooperative: a partition another member still owns is withheld until that member gave it up.
    for (const [memberId, partitions] of assignment) {
      assignment.set(
        memberId,
        partitions.filter(({ topic, partition }) => {
          const claim = claims.get(idOf(topic, partition))
          return claim === undefined || claim.disputed || claim.memberId === memberId
        }),
      )
    }
    return assignment
  },
}
