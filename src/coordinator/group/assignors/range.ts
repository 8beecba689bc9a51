// The `range` assignor (Kafka's server-side RangeAssignor): per topic, the members subscribed to it
// in member id order get consecutive ranges of partitions, the first (P mod N) one partition more.
// Topics with the same partition count and the same subscribers are therefore co-partitioned.
// Sticky within the quotas: a member keeps the partitions of its current assignment that fit its
// quota for the topic; the remaining partitions fill the members still under quota, in order.

import { type Assignment, assignmentOf } from '../consumer-assignment.ts'
import type { AssignmentSpec, PartitionAssignor } from './types.ts'

export const rangeAssignor: PartitionAssignor = {
  name: 'range',
  assign(spec: AssignmentSpec): Map<string, Assignment> {
    const result = new Map<string, [string, number[]][]>(spec.members.map((member) => [member.memberId, []]))
    for (const [topicId, topic] of spec.topics) {
      const subscribers = spec.members.filter((member) => member.subscribedTopicIds.has(topicId))
      if (subscribers.length === 0) continue
      const base = Math.floor(topic.numPartitions / subscribers.length)
      const extra = topic.numPartitions % subscribers.length
      const quota = (index: number) => base + (index < extra ? 1 : 0)
      const owner = new Map<number, number>()
      const counts = subscribers.map(() => 0)
      // Sticky pass: keep current partitions up to the quota.
      subscribers.forEach((member, index) => {
        for (const partition of member.currentAssignment.get(topicId) ?? []) {
          if (partition >= topic.numPartitions || owner.has(partition) || counts[index] >= quota(index))
            continue
          owner.set(partition, index)
          counts[index]++
        }
      })
      // Fill pass: free partitions in order to members under quota, in member order.
      let index = 0
      for (let partition = 0; partition < topic.numPartitions; partition++) {
        if (owner.has(partition)) continue
        while (counts[index] >= quota(index)) index++
        owner.set(partition, index)
        counts[index]++
      }
      const byMember = subscribers.map((): number[] => [])
      for (const [partition, memberIndex] of owner) byMember[memberIndex].push(partition)
      subscribers.forEach((member, memberIndex) => {
        result.get(member.memberId)?.push([topicId, byMember[memberIndex]])
      })
    }
    return new Map([...result].map(([memberId, entries]) => [memberId, assignmentOf(entries)]))
  },
}
