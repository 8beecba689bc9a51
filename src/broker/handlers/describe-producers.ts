// DescribeProducers (key 61), v0: per partition, the producers whose idempotence or transaction
// state the partition log keeps (Kafka's ReplicaManager.activeProducerState): id, epoch, last
// sequence, last timestamp and the first offset of the producer's open transaction here (-1 when
// none). An illegal topic name is INVALID_TOPIC_EXCEPTION, an unknown topic or partition
// UNKNOWN_TOPIC_OR_PARTITION, for each partition asked about, as in Kafka. ACLs: READ on the topic
// (TOPIC_AUTHORIZATION_FAILED with Kafka's message, after the name check, before existence).
// Known gaps: coordinatorEpoch is always -1 (one broker: the coordinator epoch never changes, and the
// log does not record it).

import type { TopicRequest } from '../../protocol/generated/describe-producers-request.ts'
import type { PartitionResponse } from '../../protocol/generated/describe-producers-response.ts'
import { ApiKey, ErrorCode, errorInfo } from '../../protocol/generated/index.ts'
import { AclOperation, ResourceType } from '../../security/acl/model.ts'
import { allows } from '../../security/acl/request.ts'
import { validateTopicName } from '../../storage/topic-name.ts'
import type { LogManager } from '../../storage/types.ts'
import { defineHandler, type RequestContext } from '../handler.ts'
import { findTopicResource, isOutcome } from './config-resources.ts'
import { failure, type Outcome, outcomeOf } from './outcome.ts'

export const describeProducers = defineHandler({
  apiKey: ApiKey.DescribeProducers,
  versions: { min: 0, max: 0 },
  async handle(context, request) {
    return {
      throttleTimeMs: 0,
      topics: request.topics.map((topic) => ({
        name: topic.name,
        partitions: describeTopic(context.services.logs, topic, topicRefusal(context, topic.name)),
      })),
    }
  },
})

/** Kafka's order: an illegal name, then READ on the topic; null when the topic may be described. */
function topicRefusal(context: RequestContext, name: string): Outcome | null {
  try {
    validateTopicName(name)
  } catch (error) {
    return outcomeOf(error)
  }
  if (allows(context, AclOperation.READ, ResourceType.TOPIC, name)) return null
  const code = ErrorCode.TOPIC_AUTHORIZATION_FAILED
  return failure(code, errorInfo.get(code)?.message ?? null)
}

function describeTopic(logs: LogManager, topic: TopicRequest, refusal: Outcome | null): PartitionResponse[] {
  const found = refusal ?? findTopicResource(logs, topic.name)
  return topic.partitionIndexes.map((partitionIndex) => {
    if (isOutcome(found)) return { partitionIndex, ...found, activeProducers: [] }
    const log = logs.partition(topic.name, partitionIndex)
    if (log === undefined) {
      return {
        partitionIndex,
        errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
        errorMessage: null,
        activeProducers: [],
      }
    }
    return {
      partitionIndex,
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      activeProducers: log.activeProducers().map((producer) => ({
        producerId: producer.producerId,
        producerEpoch: producer.producerEpoch,
        lastSequence: producer.lastSequence,
        lastTimestamp: BigInt(producer.lastTimestamp),
        coordinatorEpoch: -1,
        currentTxnStartOffset: BigInt(producer.currentTxnStartOffset),
      })),
    }
  })
}
