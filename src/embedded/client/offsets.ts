// Offsets through the handlers a network client uses: ListOffsets (earliest, latest, by time),
// OffsetFetch and OffsetCommit (the group coordinator's __consumer_offsets), shared by the consumer
// and the admin client.

import { KafkaError } from '../../errors.ts'
import { ApiKey } from '../../protocol/generated/index.ts'
import type { BrokerCalls } from './broker-calls.ts'
import type { TopicPartition, TopicPartitionOffset } from './types.ts'

/** Kafka's special ListOffsets timestamps. */
export const earliestTimestamp = -2
export const latestTimestamp = -1

export type IsolationLevelName = 'read_uncommitted' | 'read_committed'

export function groupByTopic<T extends TopicPartition>(partitions: T[]): Map<string, T[]> {
  const byTopic = new Map<string, T[]>()
  for (const entry of partitions) byTopic.set(entry.topic, [...(byTopic.get(entry.topic) ?? []), entry])
  return byTopic
}

/** The offset for `timestamp` (-2 earliest, -1 latest, else the first record at or after it) per partition. */
export async function listOffsets(
  calls: BrokerCalls,
  partitions: TopicPartition[],
  timestamp: number,
  isolation: IsolationLevelName = 'read_uncommitted',
): Promise<TopicPartitionOffset[]> {
  if (partitions.length === 0) return []
  const response = await calls.call(ApiKey.ListOffsets, {
    replicaId: -1,
    isolationLevel: isolation === 'read_committed' ? 1 : 0,
    timeoutMs: 30_000,
    topics: [...groupByTopic(partitions)].map(([name, list]) => ({
      name,
      partitions: list.map(({ partition }) => ({
        partitionIndex: partition,
        currentLeaderEpoch: -1,
        timestamp: BigInt(timestamp),
        maxNumOffsets: 1,
      })),
    })),
  })
  return response.topics.flatMap((topic) =>
    topic.partitions.map((answer) => {
      if (answer.errorCode !== 0)
        throw new KafkaError(answer.errorCode, `ListOffsets ${topic.name}-${answer.partitionIndex}`)
      return { topic: topic.name, partition: answer.partitionIndex, offset: Number(answer.offset) }
    }),
  )
}

/** Committed offsets of a group (-1 where none is committed); null partitions: every committed one. */
export async function fetchCommitted(
  calls: BrokerCalls,
  groupId: string,
  partitions: TopicPartition[] | null,
): Promise<TopicPartitionOffset[]> {
  const response = await calls.call(ApiKey.OffsetFetch, {
    groupId,
    topics:
      partitions === null
        ? null
        : [...groupByTopic(partitions)].map(([name, list]) => ({
            name,
            partitionIndexes: list.map(({ partition }) => partition),
          })),
    groups: [],
    requireStable: true,
  })
  if (response.errorCode !== 0) throw new KafkaError(response.errorCode, `OffsetFetch ${groupId}`)
  return response.topics.flatMap((topic) =>
    topic.partitions.map((answer) => {
      if (answer.errorCode !== 0)
        throw new KafkaError(
          answer.errorCode,
          `OffsetFetch ${groupId} ${topic.name}-${answer.partitionIndex}`,
        )
      return { topic: topic.name, partition: answer.partitionIndex, offset: Number(answer.committedOffset) }
    }),
  )
}

/** Who commits for a group (Kafka's ConsumerGroupMetadata): the coordinator fences stale members. */
export interface CommitIdentity {
  groupId: string
  /** The member's generation; -1 for a commit from outside the group (a standalone consumer). */
  generationId: number
  /** The member id; '' from outside the group. */
  memberId: string
  /** A static member's instance id (KIP-345); absent or null for a dynamic one. */
  groupInstanceId?: string | null
}

/** What `producer.sendOffsets` reads from a consumer (InProcessConsumer implements it). */
export interface OffsetsSource {
  groupMetadata(): CommitIdentity
  consumedOffsets(): TopicPartitionOffset[]
}

export async function commitOffsets(
  calls: BrokerCalls,
  identity: CommitIdentity,
  offsets: TopicPartitionOffset[],
): Promise<void> {
  if (offsets.length === 0) return
  const response = await calls.call(ApiKey.OffsetCommit, {
    groupId: identity.groupId,
    generationIdOrMemberEpoch: identity.generationId,
    memberId: identity.memberId,
    groupInstanceId: identity.groupInstanceId ?? null,
    retentionTimeMs: -1n,
    topics: [...groupByTopic(offsets)].map(([name, list]) => ({
      name,
      partitions: list.map(({ partition, offset }) => ({
        partitionIndex: partition,
        committedOffset: BigInt(offset),
        committedLeaderEpoch: -1,
        commitTimestamp: -1n,
        committedMetadata: null,
      })),
    })),
  })
  for (const topic of response.topics) {
    for (const answer of topic.partitions) {
      if (answer.errorCode !== 0)
        throw new KafkaError(
          answer.errorCode,
          `OffsetCommit ${identity.groupId} ${topic.name}-${answer.partitionIndex}`,
        )
    }
  }
}
