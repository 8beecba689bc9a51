// Client-side partition assignors of the classic group protocol: the group leader (any member, an
// in-process one or a network one) computes every member's partitions. The metadata and assignments
// are Kafka's ConsumerProtocolSubscription/Assignment v0, which every Kafka consumer reads, so the
// in-process consumer shares a group with kafkajs (protocol `RoundRobinAssigner`), the Java client
// and librdkafka (`range`, `roundrobin`).

import { decodeSubscription } from '../../coordinator/group/subscriptions.ts'
import {
  decodeConsumerProtocolAssignmentByVersion,
  encodeConsumerProtocolAssignmentV0,
} from '../../protocol/generated/consumer-protocol-assignment.ts'
import { encodeConsumerProtocolSubscriptionV0 } from '../../protocol/generated/consumer-protocol-subscription.ts'
import { Reader } from '../../protocol/reader.ts'
import { Writer } from '../../protocol/writer.ts'
import type { TopicPartition } from './types.ts'

export interface GroupMemberSubscription {
  memberId: string
  topics: string[]
}

/** Partitions per member id. */
export type Assignment = Map<string, TopicPartition[]>

export interface Assignor {
  name: string
  assign(members: GroupMemberSubscription[], partitionCountOf: (topic: string) => number): Assignment
}

/** Kafka's RoundRobinAssignor: every subscribed partition in (topic, partition) order, dealt to members in id order. */
function roundRobin(name: string): Assignor {
  return {
    name,
    assign(members, partitionCountOf) {
      const sorted = [...members].sort((a, b) =>
        a.memberId < b.memberId ? -1 : a.memberId > b.memberId ? 1 : 0,
      )
      const assignment: Assignment = new Map(sorted.map((member) => [member.memberId, []]))
      const topics = [...new Set(sorted.flatMap((member) => member.topics))].sort()
      let next = 0
      for (const topic of topics) {
        for (let partition = 0; partition < partitionCountOf(topic); partition += 1) {
          // The next member (in order) that subscribes to this topic.
          for (let tried = 0; tried < sorted.length; tried += 1) {
            const member = sorted[(next + tried) % sorted.length]
            if (!member.topics.includes(topic)) continue
            assignment.get(member.memberId)?.push({ topic, partition })
            next = (next + tried + 1) % sorted.length
            break
          }
        }
      }
      return assignment
    },
  }
}

/** Kafka's RangeAssignor: per topic, consecutive ranges to its subscribers in id order. */
const range: Assignor = {
  name: 'range',
  assign(members, partitionCountOf) {
    const assignment: Assignment = new Map(members.map((member) => [member.memberId, []]))
    const topics = [...new Set(members.flatMap((member) => member.topics))].sort()
    for (const topic of topics) {
      const subscribers = members
        .filter((member) => member.topics.includes(topic))
        .map((member) => member.memberId)
        .sort()
      const count = partitionCountOf(topic)
      const per = Math.floor(count / subscribers.length)
      const extra = count % subscribers.length
      subscribers.forEach((memberId, index) => {
        const start = index * per + Math.min(index, extra)
        const length = per + (index < extra ? 1 : 0)
        for (let partition = start; partition < start + length; partition += 1) {
          assignment.get(memberId)?.push({ topic, partition })
        }
      })
    }
    return assignment
  },
}

/** In the order offered to the coordinator: kafkajs's name first, so a mixed group picks it. */
export const assignors: readonly Assignor[] = [
  roundRobin('RoundRobinAssigner'),
  roundRobin('roundrobin'),
  range,
]

export function encodeSubscription(topics: string[]): Buffer {
  const writer = new Writer()
  writer.writeInt16(0)
  encodeConsumerProtocolSubscriptionV0(writer, {
    topics,
    userData: null,
    ownedPartitions: [],
    generationId: -1,
    rackId: null,
  })
  return writer.toBuffer()
}

export { decodeSubscription }

export function encodeAssignment(partitions: TopicPartition[]): Buffer {
  const byTopic = new Map<string, number[]>()
  for (const { topic, partition } of partitions)
    byTopic.set(topic, [...(byTopic.get(topic) ?? []), partition])
  const writer = new Writer()
  writer.writeInt16(0)
  encodeConsumerProtocolAssignmentV0(writer, {
    assignedPartitions: [...byTopic].map(([topic, list]) => ({ topic, partitions: list })),
    userData: null,
  })
  return writer.toBuffer()
}

/** A member's partitions from its SyncGroup answer (empty bytes: none). */
export function decodeAssignment(bytes: Buffer): TopicPartition[] {
  if (bytes.length < 2) return []
  const reader = new Reader(bytes)
  const version = reader.readInt16('version')
  const decode =
    decodeConsumerProtocolAssignmentByVersion[
      Math.min(version, decodeConsumerProtocolAssignmentByVersion.length - 1)
    ]
  if (decode === undefined) return []
  return decode(reader).assignedPartitions.flatMap((entry) =>
    entry.partitions.map((partition) => ({ topic: entry.topic, partition })),
  )
}
