// DescribeTransactions (key 65), v0: the state of each named transactional id, from the transaction
// coordinator (Kafka's TransactionCoordinator.handleDescribeTransactions): state name, timeout, start
// time, producer id and epoch, and the partitions of the open transaction. An empty id is
// INVALID_REQUEST; an id the coordinator does not know, TRANSACTIONAL_ID_NOT_FOUND; while the
// coordinator loads `__transaction_state`, COORDINATOR_LOAD_IN_PROGRESS.
// ACLs, as Kafka: DESCRIBE on each transactional id (TRANSACTIONAL_ID_AUTHORIZATION_FAILED, checked
// first), and only partitions of topics the principal may DESCRIBE are listed. Known gaps: none.

import {
  type TransactionMetadata,
  TransactionState,
  transactionStateNames,
} from '../../coordinator/txn/transaction-metadata.ts'
import type { TransactionState as DescribedTransaction } from '../../protocol/generated/describe-transactions-response.ts'
import { ApiKey, ErrorCode } from '../../protocol/generated/index.ts'
import { AclOperation, ResourceType } from '../../security/acl/model.ts'
import { allows } from '../../security/acl/request.ts'
import { defineHandler } from '../handler.ts'

export const describeTransactions = defineHandler({
  apiKey: ApiKey.DescribeTransactions,
  versions: { min: 0, max: 0 },
  async handle(context, request) {
    const coordinator = context.services.transactions
    return {
      throttleTimeMs: 0,
      transactionStates: request.transactionalIds.map((transactionalId) => {
        if (!allows(context, AclOperation.DESCRIBE, ResourceType.TRANSACTIONAL_ID, transactionalId)) {
          return failed(transactionalId, ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED)
        }
        if (coordinator.loading) return failed(transactionalId, ErrorCode.COORDINATOR_LOAD_IN_PROGRESS)
        if (transactionalId === '') return failed(transactionalId, ErrorCode.INVALID_REQUEST)
        const metadata = coordinator.transactions.get(transactionalId)
        if (metadata === undefined || metadata.state === TransactionState.Dead)
          return failed(transactionalId, ErrorCode.TRANSACTIONAL_ID_NOT_FOUND)
        const state = described(metadata)
        return {
          ...state,
          topics: state.topics.filter(({ topic }) =>
            allows(context, AclOperation.DESCRIBE, ResourceType.TOPIC, topic),
          ),
        }
      }),
    }
  },
})

function described(metadata: TransactionMetadata): DescribedTransaction {
  return {
    errorCode: ErrorCode.NONE,
    transactionalId: metadata.transactionalId,
    transactionState: transactionStateNames[metadata.state],
    transactionTimeoutMs: metadata.timeoutMs,
    transactionStartTimeMs: BigInt(metadata.startMs),
    producerId: metadata.producerId,
    producerEpoch: metadata.producerEpoch,
    topics: [...metadata.partitions]
      .map(([topic, partitions]) => ({ topic, partitions: [...partitions].sort((a, b) => a - b) }))
      .sort((a, b) => (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : 0)),
  }
}

/** Kafka's answer for an id it cannot describe: the error, the id, and every other field default. */
function failed(transactionalId: string, errorCode: number): DescribedTransaction {
  return {
    errorCode,
    transactionalId,
    transactionState: '',
    transactionTimeoutMs: 0,
    transactionStartTimeMs: -1n,
    producerId: -1n,
    producerEpoch: -1,
    topics: [],
  }
}
