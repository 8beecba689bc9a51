// AddPartitionsToTxn (key 24), v0-5: partitions join a producer's open transaction.
// v1: same · v2: PRODUCER_FENCED (KIP-588) · v3: flexible · v4: several transactions per request,
// verifyOnly (KIP-890, broker-to-broker) · v5: same. Partitions that do not exist get
// UNKNOWN_TOPIC_OR_PARTITION and the others OPERATION_NOT_ATTEMPTED, as in Kafka. Known gaps: none.

import { TransactionState } from '../../coordinator/txn/transaction-metadata.ts'
import type { AddPartitionsToTxnTopic } from '../../protocol/generated/add-partitions-to-txn-request.ts'
import type { AddPartitionsToTxnTopicResult } from '../../protocol/generated/add-partitions-to-txn-response.ts'
import { ApiKey, ErrorCode } from '../../protocol/generated/index.ts'
import { defineHandler, type RequestContext } from '../handler.ts'
import { fencedErrorFor } from './transaction-errors.ts'

const batchedVersionMin = 4

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
  let codes: Map<string, number>
  if (transaction.verifyOnly) {
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
