// DescribeProducers (key 61), v0: per partition, the producers whose idempotence or transaction
// state the partition log keeps (Kafka's ReplicaManager.activeProducerState): id, epoch, last
// sequence, last timestamp and the first offset of the producer's open transaction here (-1 when
// none). An illegal topic name is INVALID_TOPIC_EXCEPTION, an unknown topic or partition
// UNKNOWN_TOPIC_OR_PARTITION, for each partition asked about, as in Kafka.
// Known gaps: coordinatorEpoch is always -1 (one broker: the coordinator epoch never changes, and the
// log does not record it); no TOPIC_AUTHORIZATION_FAILED until ACLs exist (security issue).

import type { TopicRequest } from '../../protocol/generated/describe-producers-request.ts'
import type { PartitionResponse } from '../../protocol/generated/describe-producers-response.ts'
import { ApiKey, ErrorCode } from '../../protocol/generated/index.ts'
import type { LogManager } from '../../storage/types.ts'
import { defineHandler } from '../handler.ts'
import { findTopicResource, isOutcome } from './config-resources.ts'

export const describeProducers = defineHandler({
  apiKey: ApiKey.DescribeProducers,
  versions: { min: 0, max: 0 },
  async handle(context, request) {
    return {
      throttleTimeMs: 0,
      topics: request.topics.map((topic) => ({
        name: topic.name,
        partitions: describeTopic(context.services.logs, topic),
      })),
    }
  },
})

function describeTopic(logs: LogManager, topic: TopicRequest): PartitionResponse[] {
  const found = findTopicResource(logs, topic.name)
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
