// DeleteRecords (key 21), v0-2: advances partitions' log start offset ("delete records before");
// offset -1 means the high watermark. Answers with the new low watermark (the log start offset).
// v1: same as v0 · v2: flexible.
// Errors per partition: UNKNOWN_TOPIC_OR_PARTITION; OFFSET_OUT_OF_RANGE for an offset above the
// high watermark or below -1; POLICY_VIOLATION on a topic whose cleanup.policy lacks delete (Kafka's
// Partition.deleteRecordsOnLeader). An offset below the current start changes nothing.
// Known gaps: timeoutMs ignored (the deletion is synchronous and persisted before the answer).

import type { DeleteRecordsPartitionResult } from '../../protocol/generated/delete-records-response.ts'
import { ApiKey, ErrorCode } from '../../protocol/generated/index.ts'
import { AclOperation, ResourceType } from '../../security/acl/model.ts'
import { allows } from '../../security/acl/request.ts'
import { isDeleteRetained } from '../../storage/topic-config.ts'
import type { LogManager } from '../../storage/types.ts'
import { defineHandler } from '../handler.ts'
import { outcomeOf } from './outcome.ts'

/** DeleteRecordsRequest.HIGH_WATERMARK. */
const highWatermarkOffset = -1

export const deleteRecords = defineHandler({
  apiKey: ApiKey.DeleteRecords,
  versions: { min: 0, max: 2 },
  async handle(context, request) {
    const { logs } = context.services
    const topics = []
    for (const topic of request.topics) {
      const partitions: DeleteRecordsPartitionResult[] = []
      for (const partition of topic.partitions) {
        const index = partition.partitionIndex
        const { errorCode, lowWatermark } = allows(
          context,
          AclOperation.DELETE,
          ResourceType.TOPIC,
          topic.name,
        )
          ? await deleteBefore(logs, topic.name, index, Number(partition.offset))
          : { errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED, lowWatermark: -1 }
        partitions.push({ partitionIndex: index, errorCode, lowWatermark: BigInt(lowWatermark) })
      }
      topics.push({ name: topic.name, partitions })
    }
    return { throttleTimeMs: 0, topics }
  },
})

async function deleteBefore(
  logs: LogManager,
  topicName: string,
  partition: number,
  requestedOffset: number,
): Promise<{ errorCode: number; lowWatermark: number }> {
  const log = logs.partition(topicName, partition)
  const topic = logs.getTopic(topicName)
  if (log === undefined || topic === undefined) {
    return { errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, lowWatermark: -1 }
  }
  if (!isDeleteRetained(topic.config)) return { errorCode: ErrorCode.POLICY_VIOLATION, lowWatermark: -1 }
  const offset = requestedOffset === highWatermarkOffset ? log.highWatermark : requestedOffset
  if (offset < 0 || offset > log.highWatermark) {
    return { errorCode: ErrorCode.OFFSET_OUT_OF_RANGE, lowWatermark: -1 }
  }
  try {
    return { errorCode: ErrorCode.NONE, lowWatermark: await log.deleteRecordsBefore(offset) }
  } catch (error) {
    return { errorCode: outcomeOf(error).errorCode, lowWatermark: -1 }
  }
}
