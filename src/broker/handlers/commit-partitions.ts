// The shape OffsetCommit and TxnOffsetCommit share: topics of partitions with a committed offset
// in, a flat list for the coordinator, and the coordinator's codes back in the request's shape.

import type { PartitionCommit } from '../../coordinator/group/offset-operations.ts'
import { ErrorCode } from '../../protocol/generated/index.ts'
import { AclOperation, ResourceType } from '../../security/acl/model.ts'
import { allows } from '../../security/acl/request.ts'
import type { RequestContext } from '../handler.ts'

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

/**
 * Commits the partitions of the topics the principal may READ (`commit` gets those, in request order)
 * and answers TOPIC_AUTHORIZATION_FAILED for the others; with nothing readable the coordinator is not
 * asked, as Kafka. Returns one code per partition, in request order.
 */
export async function commitReadable(
  context: RequestContext,
  partitions: readonly PartitionCommit[],
  commit: (readable: PartitionCommit[]) => Promise<number[]>,
): Promise<number[]> {
  const readable = new Map<string, boolean>()
  for (const { topic } of partitions) {
    if (!readable.has(topic))
      readable.set(topic, allows(context, AclOperation.READ, ResourceType.TOPIC, topic))
  }
  const allowed = partitions.filter((partition) => readable.get(partition.topic))
  const allowedCodes = allowed.length === 0 ? [] : await commit(allowed)
  let allowedIndex = 0
  return partitions.map((partition) =>
    readable.get(partition.topic) ? allowedCodes[allowedIndex++] : ErrorCode.TOPIC_AUTHORIZATION_FAILED,
  )
}
