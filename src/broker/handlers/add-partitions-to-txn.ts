// AddPartitionsToTxn (key 24), v0-5: partitions join a producer's open transaction.
// v1: same · v2: PRODUCER_FENCED (KIP-588) · v3: flexible · v4: several transactions per request,
// verifyOnly (KIP-890, broker-to-broker) · v5: same. Partitions that do not exist get
// UNKNOWN_TOPIC_OR_PARTITION and the others OPERATION_NOT_ATTEMPTED, as in Kafka.
// ACLs, as Kafka's KafkaApis: v0-3 (clients) need WRITE on the transactional id (every partition
// TRANSACTIONAL_ID_AUTHORIZATION_FAILED) and WRITE on each topic (TOPIC_AUTHORIZATION_FAILED; an
// internal topic always gets it, the others OPERATION_NOT_ATTEMPTED); v4+ (brokers) need
// CLUSTER_ACTION on the cluster (top-level CLUSTER_AUTHORIZATION_FAILED). Known gaps: none.

import { isKafkaInternalTopic } from '../../coordinator/state-topics.ts'
import { TransactionState } from '../../coordinator/txn/transaction-metadata.ts'
import type { AddPartitionsToTxnTopic } from '../../protocol/generated/add-partitions-to-txn-request.ts'
import type { AddPartitionsToTxnTopicResult } from '../../protocol/generated/add-partitions-to-txn-response.ts'
import { ApiKey, ErrorCode } from '../../protocol/generated/index.ts'
import { AclOperation, ResourceType } from '../../security/acl/model.ts'
import { allows, allowsOnCluster } from '../../security/acl/request.ts'
import { defineHandler, type RequestContext } from '../handler.ts'
import { fencedErrorFor } from './transaction-errors.ts'

const batchedVersionMin = 4
/** Kafka's Topic.isInternal: never added to a transaction by a client. */

export const addPartitionsToTxn = defineHandler({
  apiKey: ApiKey.AddPartitionsToTxn,
  versions: { min: 0, max: 5 },
  async handle(context, request) {
    if (context.apiVersion < batchedVersionMin) {
      const resultsByTopicV3AndBelow = await addForTransaction(context, {
        transactionalId: request.v3AndBelowTransactionalId,
        producerId: request.v3AndBelowProducerId,
        producerEpoch: request.v3AndBelowProducerEpoch,
        verifyOnly: false,
        topics: request.v3AndBelowTopics,
      })
      return {
        throttleTimeMs: 0,
        errorCode: ErrorCode.NONE,
        resultsByTransaction: [],
        resultsByTopicV3AndBelow,
      }
    }
    if (!allowsOnCluster(context, AclOperation.CLUSTER_ACTION)) {
      return {
        throttleTimeMs: 0,
        errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED,
        resultsByTransaction: [],
        resultsByTopicV3AndBelow: [],
      }
    }
    const resultsByTransaction = []
    for (const transaction of request.transactions) {
      const topicResults = await addForTransaction(context, transaction)
      resultsByTransaction.push({ transactionalId: transaction.transactionalId, topicResults })
    }
    return {
      throttleTimeMs: 0,
      errorCode: ErrorCode.NONE,
      resultsByTransaction,
      resultsByTopicV3AndBelow: [],
    }
  },
})

async function addForTransaction(
  context: RequestContext,
  transaction: {
    transactionalId: string
    producerId: bigint
    producerEpoch: number
    verifyOnly: boolean
    topics: AddPartitionsToTxnTopic[]
  },
): Promise<AddPartitionsToTxnTopicResult[]> {
  const coordinator = context.services.transactions
  const producer = { producerId: transaction.producerId, producerEpoch: transaction.producerEpoch }
  const partitions = transaction.topics.flatMap((topic) =>
    topic.partitions.map((partition) => ({ topic: topic.name, partition })),
  )
  const refusals = context.apiVersion < batchedVersionMin ? clientRefusals(context, transaction) : null
  let codes: Map<string, number>
  if (refusals !== null) {
    codes = refusals
  } else if (transaction.verifyOnly) {
    // KIP-890: report whether each partition is already in the open transaction; add nothing.
    const metadata = coordinator.transactions.get(transaction.transactionalId)
    const refusal = coordinator.check(metadata, producer)
    codes = new Map(
      partitions.map((entry) => {
        const inTransaction =
          metadata?.state === TransactionState.Ongoing &&
          metadata.partitions.get(entry.topic)?.has(entry.partition)
        const code =
          refusal !== ErrorCode.NONE ? refusal : inTransaction ? ErrorCode.NONE : ErrorCode.INVALID_TXN_STATE
        return [`${entry.topic}\u0000${entry.partition}`, code]
      }),
    )
  } else {
    codes = await coordinator.addPartitions(transaction.transactionalId, producer, partitions)
  }
  return transaction.topics.map((topic) => ({
    name: topic.name,
    resultsByPartition: topic.partitions.map((partitionIndex) => ({
      partitionIndex,
      partitionErrorCode: fencedErrorFor(
        codes.get(`${topic.name}\u0000${partitionIndex}`) ?? ErrorCode.NONE,
        context.apiVersion,
        2,
      ),
    })),
  }))
}

/** v0-3 come from clients: the per-partition codes when WRITE on the transactional id or on a topic is
 * missing (or a partition does not exist), else null (the coordinator decides). */
function clientRefusals(
  context: RequestContext,
  transaction: { transactionalId: string; topics: AddPartitionsToTxnTopic[] },
): Map<string, number> | null {
  const key = (topic: string, partition: number) => `${topic}\u0000${partition}`
  const every = (code: (topic: string, partition: number) => number) =>
    new Map(
      transaction.topics.flatMap((topic) =>
        topic.partitions.map(
          (partition) => [key(topic.name, partition), code(topic.name, partition)] as const,
        ),
      ),
    )
  if (!allows(context, AclOperation.WRITE, ResourceType.TRANSACTIONAL_ID, transaction.transactionalId)) {
    return every(() => ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED)
  }
  const writable = (topic: string) =>
    !isKafkaInternalTopic(topic) && allows(context, AclOperation.WRITE, ResourceType.TOPIC, topic)
  const codes = every((topic, partition) =>
    !writable(topic)
      ? ErrorCode.TOPIC_AUTHORIZATION_FAILED
      : context.services.logs.partition(topic, partition) === undefined
        ? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION
        : ErrorCode.NONE,
  )
  // Unknown partitions alone are the coordinator's to report (it answers the same way).
  if (![...codes.values()].includes(ErrorCode.TOPIC_AUTHORIZATION_FAILED)) return null
  for (const [entry, code] of codes) {
    if (code === ErrorCode.NONE) codes.set(entry, ErrorCode.OPERATION_NOT_ATTEMPTED)
  }
  return codes
}
