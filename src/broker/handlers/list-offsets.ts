// ListOffsets (key 2), v0-10: offsets of partitions by time: earliest (-2), latest (-1), the first
// offset whose timestamp is at or after T, the record with the largest timestamp (-3).
// v0: up to maxNumOffsets offsets (oldStyleOffsets) · v1: one offset and its timestamp ·
// v2: isolationLevel (read_committed stops at the last stable offset), throttleTimeMs · v3: same ·
// v4: currentLeaderEpoch fencing (FENCED_LEADER_EPOCH / UNKNOWN_LEADER_EPOCH), leaderEpoch in the
// answer · v5: OFFSET_NOT_AVAILABLE possible (never here: the high watermark never lags) ·
// v6: flexible · v7: -3 max timestamp · v8: -4 earliest local (first local offset; with tiered storage past the copied segments) ·
// v9: -5 latest tiered (last copied offset, -1 without tiering) · v10: timeoutMs (for remote storage; ignored).
// A partition named twice in one request gets INVALID_REQUEST for each (v1+), as in Kafka.
// Lookups by timestamp name the first record with timestamp >= T; -3 names the record holding the
// largest timestamp. Known gaps: v0 treats the log as one segment: latest gives [end, start], a
// timestamp gives the v1 answer (Kafka uses segment mtimes).

import { ApiKey, ErrorCode } from '../../protocol/generated/index.ts'
import type { ListOffsetsRequest } from '../../protocol/generated/list-offsets-request.ts'
import type { ListOffsetsTopicResponse } from '../../protocol/generated/list-offsets-response.ts'
import { AclOperation, ResourceType } from '../../security/acl/model.ts'
import { allows } from '../../security/acl/request.ts'
import { defineHandler } from '../handler.ts'
import { listPartitionOffsets, type OffsetVisibility, partitionError } from './list-offsets-partition.ts'
import { outcomeOf } from './outcome.ts'

/** ReplicaId of an ordinary consumer; others are brokers (-2: debugging tools). */
const consumerReplicaId = -1
const readCommitted = 1

export const listOffsets = defineHandler({
  apiKey: ApiKey.ListOffsets,
  versions: { min: 0, max: 10 },
  async handle(context, request) {
    const { logs } = context.services
    const duplicates = context.apiVersion >= 1 ? duplicatePartitions(request) : new Set<string>()
    const visibility = visibilityOf(request)
    const topics: ListOffsetsTopicResponse[] = []
    for (const topic of request.topics) {
      const partitions = []
      for (const partition of topic.partitions) {
        const index = partition.partitionIndex
        const log = logs.partition(topic.name, index)
        if (duplicates.has(`${topic.name}:${index}`)) {
          partitions.push(partitionError(index, ErrorCode.INVALID_REQUEST))
        } else if (!allows(context, AclOperation.DESCRIBE, ResourceType.TOPIC, topic.name)) {
          partitions.push(partitionError(index, ErrorCode.TOPIC_AUTHORIZATION_FAILED))
        } else if (log === undefined) {
          partitions.push(partitionError(index, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION))
        } else {
          const answer = listPartitionOffsets(log, partition, { apiVersion: context.apiVersion, visibility })
          partitions.push(
            await answer.catch((error: unknown) => partitionError(index, outcomeOf(error).errorCode)),
          )
        }
      }
      topics.push({ name: topic.name, partitions })
    }
    return { throttleTimeMs: 0, topics }
  },
})

function visibilityOf(request: ListOffsetsRequest): OffsetVisibility {
  if (request.replicaId !== consumerReplicaId) return 'replica'
  return request.isolationLevel === readCommitted ? 'read_committed' : 'read_uncommitted'
}

function duplicatePartitions(request: ListOffsetsRequest): Set<string> {
  const seen = new Set<string>()
  const duplicates = new Set<string>()
  for (const topic of request.topics) {
    for (const partition of topic.partitions) {
      const key = `${topic.name}:${partition.partitionIndex}`
      if (seen.has(key)) duplicates.add(key)
      seen.add(key)
    }
  }
  return duplicates
}
