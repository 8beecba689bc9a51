// DescribeTopicPartitions (key 75), v0 (KIP-966): topics and their partitions, paged. Topics are
// the requested ones (or all when none are named), from the cursor's topic on, sorted by name; at
// most responsePartitionLimit partitions (capped at 2000, at least 1) per answer, with nextCursor
// pointing at the first partition left out (Kafka's KRaftMetadataCache.describeTopicResponse).
// A named topic that does not exist: UNKNOWN_TOPIC_OR_PARTITION (INVALID_TOPIC_EXCEPTION for an
// illegal name). A cursor whose topic is not among the named ones, or a negative cursor partition,
// is INVALID_REQUEST; the answer is then that error for every named topic.
// This broker leads every partition: replicas and ISR [this node], no eligible leader replicas.
// ACLs, as Kafka's DescribeTopicPartitionsRequestHandler: topics without DESCRIBE are left out of
// "all topics" and, when named, listed after the others with TOPIC_AUTHORIZATION_FAILED (zero id,
// not internal, no bitfield; they use none of the page); every other topic carries the principal's
// authorized-operations bitfield. Known gaps: none.

import { isKafkaInternalTopic } from '../../coordinator/state-topics.ts'
import type { DescribeTopicPartitionsRequest } from '../../protocol/generated/describe-topic-partitions-request.ts'
import type {
  DescribeTopicPartitionsResponse,
  DescribeTopicPartitionsResponsePartition,
  DescribeTopicPartitionsResponseTopic,
} from '../../protocol/generated/describe-topic-partitions-response.ts'
import { ApiKey, ErrorCode } from '../../protocol/generated/index.ts'
import { AclOperation, ResourceType } from '../../security/acl/model.ts'
import { allows } from '../../security/acl/request.ts'
import { validateTopicName } from '../../storage/topic-name.ts'
import type { TopicDescription } from '../../storage/types.ts'
import { defineHandler, type RequestContext } from '../handler.ts'
import { authorizedOperations, authorizedOperationsOmitted } from './authorized-operations.ts'
import { currentLeaderEpoch } from './leader-epoch.ts'

/** Kafka's max.request.partition.size.limit default. */
export const describeTopicPartitionsLimitMax = 2000
const zeroUuid = '00000000-0000-0000-0000-000000000000'

export const describeTopicPartitions = defineHandler({
  apiKey: ApiKey.DescribeTopicPartitions,
  versions: { min: 0, max: 0 },
  async handle(context, request) {
    const cursorTopic = request.cursor?.topicName ?? ''
    const fetchAll = request.topics.length === 0
    const requested = fetchAll
      ? context.services.logs.listTopics().map((topic) => topic.name)
      : request.topics.map((t) => t.name)
    const names = [...new Set(requested.filter((name) => name >= cursorTopic))].sort()
    const cursorMissing = request.cursor !== null && !fetchAll && !names.includes(request.cursor.topicName)
    if (cursorMissing || (request.cursor !== null && request.cursor.partitionIndex < 0)) {
      return invalidCursor(request)
    }
    let remaining = Math.max(Math.min(describeTopicPartitionsLimitMax, request.responsePartitionLimit), 1)
    const response: DescribeTopicPartitionsResponse = { throttleTimeMs: 0, topics: [], nextCursor: null }
    const refused: DescribeTopicPartitionsResponseTopic[] = []
    for (const name of names) {
      if (!allows(context, AclOperation.DESCRIBE, ResourceType.TOPIC, name)) {
        if (!fetchAll) refused.push(unauthorizedTopic(name))
        continue
      }
      if (remaining === 0) {
        response.nextCursor = { topicName: name, partitionIndex: 0 }
        break
      }
      const topic = context.services.logs.getTopic(name)
      if (topic === undefined) {
        if (!fetchAll) {
          response.topics.push({
            ...topicError(name, unknownTopicError(name)),
            topicAuthorizedOperations: authorizedOperations(context, ResourceType.TOPIC, name),
          })
        }
        continue
      }
      const start = name === cursorTopic && request.cursor !== null ? request.cursor.partitionIndex : 0
      const end = Math.min(topic.partitionCount, start + remaining)
      response.topics.push(describeTopic(context, topic, start, end))
      if (end < topic.partitionCount) {
        response.nextCursor = { topicName: name, partitionIndex: end }
        break
      }
      remaining -= Math.max(end - start, 0)
    }
    response.topics.push(...refused)
    return response
  },
})

function describeTopic(
  context: RequestContext,
  topic: TopicDescription,
  start: number,
  end: number,
): DescribeTopicPartitionsResponseTopic {
  const nodeId = context.services.identity.nodeId
  const partitions: DescribeTopicPartitionsResponsePartition[] = []
  for (let index = start; index < end; index++) {
    const log = context.services.logs.partition(topic.name, index)
    partitions.push({
      errorCode: ErrorCode.NONE,
      partitionIndex: index,
      leaderId: nodeId,
      leaderEpoch: log === undefined ? 0 : currentLeaderEpoch(log),
      replicaNodes: [nodeId],
      isrNodes: [nodeId],
      eligibleLeaderReplicas: [],
      lastKnownElr: [],
      offlineReplicas: [],
    })
  }
  return {
    errorCode: ErrorCode.NONE,
    name: topic.name,
    topicId: topic.topicId,
    isInternal: isKafkaInternalTopic(topic.name),
    partitions,
    topicAuthorizedOperations: authorizedOperations(context, ResourceType.TOPIC, topic.name),
  }
}

function unauthorizedTopic(name: string): DescribeTopicPartitionsResponseTopic {
  return {
    ...topicError(name, ErrorCode.TOPIC_AUTHORIZATION_FAILED),
    isInternal: false,
    topicAuthorizedOperations: authorizedOperationsOmitted,
  }
}

function unknownTopicError(name: string): number {
  try {
    validateTopicName(name)
    return ErrorCode.UNKNOWN_TOPIC_OR_PARTITION
  } catch {
    return ErrorCode.INVALID_TOPIC_EXCEPTION
  }
}

function topicError(name: string, errorCode: number): DescribeTopicPartitionsResponseTopic {
  return {
    errorCode,
    name,
    topicId: zeroUuid,
    isInternal: isKafkaInternalTopic(name),
    partitions: [],
    topicAuthorizedOperations: authorizedOperationsOmitted,
  }
}

/** Kafka throws InvalidRequestException; the request's error response carries it for every topic. */
function invalidCursor(request: DescribeTopicPartitionsRequest): DescribeTopicPartitionsResponse {
  return {
    throttleTimeMs: 0,
    topics: request.topics.map((topic) => topicError(topic.name, ErrorCode.INVALID_REQUEST)),
    nextCursor: null,
  }
}
