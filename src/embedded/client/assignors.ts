// Client-side partition assignors of the classic group protocol: the group leader (any member, an
// in-process one or a network one) computes every member's partitions. The metadata and assignments
// are Kafka's ConsumerProtocolSubscription/Assignment v0, which every Kafka consumer reads, so the
// in-process consumer shares a group with kafkajs (protocol `RoundRobinAssigner`), the Java client
// and librdkafka (`range`, `roundrobin`).

import { KafkaError } from '../../errors.ts'
import {
  decodeConsumerProtocolAssignmentByVersion,
  encodeConsumerProtocolAssignmentV0,
} from '../../protocol/generated/consumer-protocol-assignment.ts'
import {
  decodeConsumerProtocolSubscriptionByVersion,
  encodeConsumerProtocolSubscriptionV0,
  encodeConsumerProtocolSubscriptionV2,
} from '../../protocol/generated/consumer-protocol-subscription.ts'
import { ErrorCode } from '../../protocol/generated/index.ts'
import { Reader } from '../../protocol/reader.ts'
import { Writer } from '../../protocol/writer.ts'
import { cooperativeSticky } from './cooperative-sticky.ts'
import type { TopicPartition } from './types.ts'

export interface GroupMemberSubscription {
  memberId: string
  topics: string[]
  /** The partitions the member owns now (ConsumerProtocolSubscription v1+; cooperative members send them). */
  owned: TopicPartition[]
  /** The generation `owned` is from (v2+; -1 unknown): of two members claiming one partition, the newer wins. */
  generationId: number
}

/** Partitions per member id. */
export type Assignment = Map<string, TopicPartition[]>

export interface Assignor {
  name: string
  /** Kafka's RebalanceProtocol: eager members give up every partition before joining; cooperative
   * members keep theirs and give up only the ones the leader moves (KIP-429). */
  protocol: 'eager' | 'cooperative'
  assign(members: GroupMemberSubscription[], partitionCountOf: (topic: string) => number): Assignment
}

/** Kafka's RoundRobinAssignor: every subscribed partition in (topic, partition) order, dealt to members in id order. */
function roundRobin(name: string): Assignor {
  return {
    name,
    protocol: 'eager',
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
  protocol: 'eager',
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

/** The assignor names a consumer may offer (`partitionAssigners`), Kafka's and kafkajs's names. */
export type AssignorName = 'RoundRobinAssigner' | 'roundrobin' | 'range' | 'cooperative-sticky'

const byName: Record<AssignorName, Assignor> = {
  RoundRobinAssigner: roundRobin('RoundRobinAssigner'),
  roundrobin: roundRobin('roundrobin'),
  range,
  'cooperative-sticky': cooperativeSticky,
}

/** The default, in the order offered to the coordinator: kafkajs's name first, so a mixed group picks it. */
export const defaultAssignorNames: readonly AssignorName[] = ['RoundRobinAssigner', 'roundrobin', 'range']

export function assignorsNamed(names: readonly string[]): Assignor[] {
  if (names.length === 0)
    throw new KafkaError(ErrorCode.INVALID_CONFIG, 'partitionAssigners must name at least one assignor')
  return names.map((name) => {
    const assignor = byName[name as AssignorName]
    if (assignor === undefined)
      throw new KafkaError(
        ErrorCode.INVALID_CONFIG,
        `unknown partition assignor ${name} (known: ${Object.keys(byName).join(', ')})`,
      )
    return assignor
  })
}

/** Kafka's rule: a consumer is cooperative only when every assignor it offers is. */
export function rebalanceProtocolOf(offered: readonly Assignor[]): 'eager' | 'cooperative' {
  return offered.every((assignor) => assignor.protocol === 'cooperative') ? 'cooperative' : 'eager'
}

/** ConsumerProtocolSubscription: v0 (topics) for eager members, as before; v2 with the owned
 * partitions and their generation for cooperative ones (what the leader's sticky assignor reads). */
export function encodeSubscription(
  topics: string[],
  cooperative?: { owned: TopicPartition[]; generationId: number },
): Buffer {
  const writer = new Writer()
  const value = {
    topics,
    userData: null,
    ownedPartitions: [...groupPartitions(cooperative?.owned ?? [])].map(([topic, partitions]) => ({
      topic,
      partitions,
    })),
    generationId: cooperative?.generationId ?? -1,
    rackId: null,
  }
  if (cooperative === undefined) {
    writer.writeInt16(0)
    encodeConsumerProtocolSubscriptionV0(writer, value)
  } else {
    writer.writeInt16(2)
    encodeConsumerProtocolSubscriptionV2(writer, value)
  }
  return writer.toBuffer()
}

/** A member's subscription as the leader reads it; any version (newer ones only append fields). */
export function decodeMemberSubscription(memberId: string, metadata: Buffer): GroupMemberSubscription {
  const empty = { memberId, topics: [], owned: [], generationId: -1 }
  if (metadata.length < 2) return empty
  try {
    const reader = new Reader(metadata)
    const version = reader.readInt16('version')
    const decode =
      decodeConsumerProtocolSubscriptionByVersion[
        Math.min(version, decodeConsumerProtocolSubscriptionByVersion.length - 1)
      ]
    if (decode === undefined) return empty
    const decoded = decode(reader)
    return {
      memberId,
      topics: decoded.topics,
      owned: decoded.ownedPartitions.flatMap((entry) =>
        entry.partitions.map((partition) => ({ topic: entry.topic, partition })),
      ),
      generationId: version >= 2 ? decoded.generationId : -1,
    }
  } catch {
    return empty
  }
}

function groupPartitions(partitions: TopicPartition[]): Map<string, number[]> {
  const byTopic = new Map<string, number[]>()
  for (const { topic, partition } of partitions)
    byTopic.set(topic, [...(byTopic.get(topic) ?? []), partition])
  return byTopic
}

export function encodeAssignment(partitions: TopicPartition[]): Buffer {
  const byTopic = groupPartitions(partitions)
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
