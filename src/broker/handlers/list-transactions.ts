// ListTransactions (key 66), v0-1: the transactional ids the coordinator knows, with producer id and
// state (Kafka's TransactionStateManager.listTransactionStates). Filters: state names (exact,
// case-sensitive, as Kafka's TransactionState.fromName; unknown names are echoed in
// unknownStateFilters and do not filter), producer ids, and from v1 a duration: only transactions
// started more than durationFilter ms ago (< 0: no filter). Dead ids are never listed.
// While the coordinator loads `__transaction_state`: COORDINATOR_LOAD_IN_PROGRESS.
// ACLs, as Kafka: only transactional ids the principal may DESCRIBE are listed. Known gaps: none.

import type { TransactionMetadata } from '../../coordinator/txn/transaction-metadata.ts'
import { TransactionState, transactionStateNames } from '../../coordinator/txn/transaction-metadata.ts'
import { ApiKey, ErrorCode } from '../../protocol/generated/index.ts'
import { AclOperation, ResourceType } from '../../security/acl/model.ts'
import { allows } from '../../security/acl/request.ts'
import { defineHandler } from '../handler.ts'

const stateByName = new Map(
  Object.entries(transactionStateNames).map(([state, name]) => [name, Number(state) as TransactionState]),
)

export const listTransactions = defineHandler({
  apiKey: ApiKey.ListTransactions,
  versions: { min: 0, max: 1 },
  async handle(context, request) {
    const coordinator = context.services.transactions
    if (coordinator.loading) {
      return {
        throttleTimeMs: 0,
        errorCode: ErrorCode.COORDINATOR_LOAD_IN_PROGRESS,
        unknownStateFilters: [],
        transactionStates: [],
      }
    }
    const states = new Set<TransactionState>()
    const unknownStateFilters: string[] = []
    for (const name of request.stateFilters) {
      const state = stateByName.get(name)
      if (state === undefined) unknownStateFilters.push(name)
      else states.add(state)
    }
    const producerIds = new Set(request.producerIdFilters)
    const durationMs = context.apiVersion >= 1 ? Number(request.durationFilter) : -1
    const nowMs = Date.now()
    const included = (metadata: TransactionMetadata): boolean =>
      metadata.state !== TransactionState.Dead &&
      (producerIds.size === 0 || producerIds.has(metadata.producerId)) &&
      (states.size === 0 || states.has(metadata.state)) &&
      (durationMs < 0 || nowMs - metadata.startMs > durationMs) &&
      allows(context, AclOperation.DESCRIBE, ResourceType.TRANSACTIONAL_ID, metadata.transactionalId)
    const transactionStates = [...coordinator.transactions.values()].filter(included).map((metadata) => ({
      transactionalId: metadata.transactionalId,
      producerId: metadata.producerId,
      transactionState: transactionStateNames[metadata.state],
    }))
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, unknownStateFilters, transactionStates }
  },
})
