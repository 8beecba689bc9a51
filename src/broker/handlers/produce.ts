// Produce (key 0), v0-11: appends record batches to partition logs.
// acks 0: no response · acks 1: answer once the write reached the OS · acks -1 (all): answer after
// fdatasync (group commit) · other values: INVALID_REQUIRED_ACKS.
// v0-2: magic v0/v1 message sets (stored as v2) · v2: logAppendTimeMs · v3: transactionalId, record
// batch v2 only, one batch per partition · v5: logStartOffset · v7: zstd allowed · v8: per-record
// errors (KIP-467) · v9: flexible · v10-11: currentLeader / nodeEndpoints tags (KIP-951, left default).
// Idempotent and transactional batches are checked by the log (sequences, epochs, open transactions).
// ACLs: a transactional batch needs WRITE on the request's transactional id (every partition
// TRANSACTIONAL_ID_AUTHORIZATION_FAILED, produce/transactional-id-check.ts); WRITE on the topic
// (TOPIC_AUTHORIZATION_FAILED). Idempotent batches need no IDEMPOTENT_WRITE here, as since Kafka 3.0
// (InitProducerId checks it). A topic that does not exist: UNKNOWN_TOPIC_OR_PARTITION; as in Kafka,
// Produce never creates topics (clients auto-create them through Metadata).
// Internal topics (__consumer_offsets, __transaction_state): INVALID_TOPIC_EXCEPTION unless the client
// id is `__admin_client`, as in Kafka.
// Topics with `confluent.key/value.schema.validation` refuse records without a schema id registered
// for their subject: INVALID_RECORD with per-record errors (produce/schema-validation.ts).
// Known gaps: timeoutMs is not enforced (a single broker has no replicas to wait for).

import { adminClientId, isKafkaInternalTopic } from '../../coordinator/state-topics.ts'
import { KafkaError, StorageError } from '../../errors.ts'
import { ApiKey, ErrorCode } from '../../protocol/generated/index.ts'
import type { PartitionProduceData, TopicProduceData } from '../../protocol/generated/produce-request.ts'
import type {
  PartitionProduceResponse,
  TopicProduceResponse,
} from '../../protocol/generated/produce-response.ts'
import { AclOperation, ResourceType } from '../../security/acl/model.ts'
import { allows } from '../../security/acl/request.ts'
import type { TopicDescription } from '../../storage/types.ts'
import { defineHandler, noResponse, type RequestContext } from '../handler.ts'
import { partitionResult } from './produce/partition-result.ts'
import { normalizeProduceRecords } from './produce/produce-records.ts'
import { checkRecordSchemas, validatesSchemas } from './produce/schema-validation.ts'
import { applyTopicRules, InvalidRecordsError } from './produce/topic-rules.ts'
import { refuseUnauthorizedTransactionalProduce } from './produce/transactional-id-check.ts'

const validAcks = new Set([-1, 0, 1])
/** The epoch this broker stamps into batches and reports in Metadata: it has always led every partition. */
const leaderEpoch = 0

export const produce = defineHandler({
  apiKey: ApiKey.Produce,
  versions: { min: 0, max: 11 },
  async handle(context, request) {
    const outcome = { durable: request.acks === -1, acksValid: validAcks.has(request.acks) }
    const refused = refuseUnauthorizedTransactionalProduce(context, request)
    const responses =
      refused ??
      (await Promise.all(request.topicData.map((topic) => produceToTopic(context, topic, outcome))))
    if (request.acks === 0) return noResponse
    return { responses, throttleTimeMs: 0, nodeEndpoints: [] }
  },
})

interface ProduceOptions {
  durable: boolean
  acksValid: boolean
}

async function produceToTopic(
  context: RequestContext,
  topicData: TopicProduceData,
  options: ProduceOptions,
): Promise<TopicProduceResponse> {
  const topic = !options.acksValid
    ? new KafkaError(ErrorCode.INVALID_REQUIRED_ACKS, 'acks must be -1, 0 or 1')
    : !allows(context, AclOperation.WRITE, ResourceType.TOPIC, topicData.name)
      ? new KafkaError(ErrorCode.TOPIC_AUTHORIZATION_FAILED, `not authorized to write to ${topicData.name}`)
      : (internalTopicRefusal(context, topicData.name) ??
        context.services.logs.getTopic(topicData.name) ??
        // Kafka's Produce never creates a topic: clients auto-create through Metadata (topic-auto-create.ts).
        new KafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `topic ${topicData.name} does not exist`))
  const partitionResponses = await Promise.all(
    topicData.partitionData.map((partition) =>
      topic instanceof KafkaError
        ? partitionError(partition.index, topic)
        : produceToPartition(context, topic, partition, options),
    ),
  )
  return { name: topicData.name, partitionResponses }
}

/** Kafka's ReplicaManager: only the admin client id may append to an internal topic; a missing one is
 * UNKNOWN_TOPIC_OR_PARTITION (a produce does not create it). Null when the topic is not internal. */
function internalTopicRefusal(context: RequestContext, name: string): KafkaError | null {
  if (!isKafkaInternalTopic(name)) return null
  const exists = context.services.logs.getTopic(name) !== undefined
  if (context.clientId === adminClientId && exists) return null
  if (!exists) return new KafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `topic ${name} does not exist`)
  return new KafkaError(ErrorCode.INVALID_TOPIC_EXCEPTION, `Cannot append to internal topic ${name}`)
}

async function produceToPartition(
  context: RequestContext,
  topic: TopicDescription,
  partition: PartitionProduceData,
  options: ProduceOptions,
): Promise<PartitionProduceResponse> {
  const log = context.services.logs.partition(topic.name, partition.index)
  if (log === undefined) {
    return partitionError(
      partition.index,
      new KafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `${topic.name}-${partition.index} does not exist`),
    )
  }
  try {
    if (options.durable && topic.config.minInsyncReplicas > 1) {
      // One broker is one in-sync replica: Kafka refuses acks=all writes below min.insync.replicas.
      throw new KafkaError(
        ErrorCode.NOT_ENOUGH_REPLICAS,
        `min.insync.replicas is ${topic.config.minInsyncReplicas}, 1 replica is in sync`,
      )
    }
    if (partition.records !== null && partition.records.length > topic.config.segmentBytes) {
      throw new KafkaError(ErrorCode.RECORD_LIST_TOO_LARGE, 'records exceed segment.bytes')
    }
    const batches = await normalizeProduceRecords(partition.records, context.apiVersion)
    const stored = await applyTopicRules(batches, topic.name, topic.config, Date.now())
    if (validatesSchemas(topic.config))
      await checkRecordSchemas(context, topic.name, partition.index, topic.config, stored)
    const appendStartedMs = performance.now()
    const result = await log.append(stored, { durable: options.durable, leaderEpoch })
    context.services.metrics?.appended(topic.name, {
      bytes: stored.length,
      records: result.lastOffset - result.baseOffset + 1,
      durableSeconds: options.durable ? (performance.now() - appendStartedMs) / 1000 : null,
    })
    return {
      ...partitionResult(partition.index, ErrorCode.NONE),
      baseOffset: BigInt(result.baseOffset),
      logAppendTimeMs: BigInt(result.logAppendTimeMs),
      logStartOffset: BigInt(result.logStartOffset),
    }
  } catch (error) {
    if (error instanceof KafkaError) {
      context.services.log.debug(
        { err: error, topic: topic.name, partition: partition.index },
        'produce refused',
      )
      return partitionError(partition.index, error)
    }
    if (!(error instanceof StorageError)) throw error
    context.services.log.error({ err: error, topic: topic.name, partition: partition.index }, 'append failed')
    return partitionError(partition.index, new KafkaError(ErrorCode.KAFKA_STORAGE_ERROR, error.message))
  }
}

function partitionError(index: number, error: KafkaError): PartitionProduceResponse {
  return {
    ...partitionResult(index, error.errorCode),
    errorMessage: error.message,
    recordErrors: error instanceof InvalidRecordsError ? error.recordErrors : [],
  }
}
