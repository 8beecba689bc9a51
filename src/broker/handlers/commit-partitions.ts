// The shape OffsetCommit and TxnOffsetCommit share: topics of partitions with a committed offset
// in, a flat list for the coordinator, and the coordinator's codes back in the request's shape.

import type { PartitionCommit } from '../../coordinator/group/offset-operations.ts'

interface CommitTopic {
  name: string
  partitions: {
    partitionIndex: number
    committedOffset: bigint
    committedLeaderEpoch: number
    committedMetadata: string | null
  }[]
}

export function commitPartitionsOf(topics: readonly CommitTopic[]): PartitionCommit[] {
  return topics.flatMap((topic) =>
    topic.partitions.map((partition) => ({
      topic: topic.name,
      partition: partition.partitionIndex,
      offset: Number(partition.committedOffset),
      leaderEpoch: partition.committedLeaderEpoch,
      metadata: partition.committedMetadata,
    })),
  )
}

/** `codes` (one per partition, in request order) regrouped by topic. */
export function commitResultsByTopic(
  topics: readonly CommitTopic[],
  codes: readonly number[],
): { name: string; partitions: { partitionIndex: number; errorCode: number }[] }[] {
  let index = 0
  return topics.map((topic) => ({
    name: topic.name,
    partitions: topic.partitions.map((partition) => ({
      partitionIndex: partition.partitionIndex,
      errorCode: codes[index++],
    })),
  }))
}
