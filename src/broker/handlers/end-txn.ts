// EndTxn (key 26), v0-4: commits or aborts the producer's open transaction. The answer comes after
// every partition of the transaction holds its COMMIT/ABORT marker.
// v1: same · v2: PRODUCER_FENCED (KIP-588) · v3: flexible · v4: same. ACLs: WRITE on the
// transactional id (TRANSACTIONAL_ID_AUTHORIZATION_FAILED). Known gaps: none.

import { ApiKey, ErrorCode } from '../../protocol/generated/index.ts'
import { AclOperation, ResourceType } from '../../security/acl/model.ts'
import { allows } from '../../security/acl/request.ts'
import { defineHandler } from '../handler.ts'
import { fencedErrorFor } from './transaction-errors.ts'

export const endTxn = defineHandler({
  apiKey: ApiKey.EndTxn,
  versions: { min: 0, max: 4 },
  async handle(context, request) {
    if (!allows(context, AclOperation.WRITE, ResourceType.TRANSACTIONAL_ID, request.transactionalId)) {
      return {
        throttleTimeMs: 0,
        errorCode: ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED,
        producerId: -1n,
        producerEpoch: -1,
      }
    }
    const producer = { producerId: request.producerId, producerEpoch: request.producerEpoch }
    const errorCode = await context.services.transactions.endTransaction(
      request.transactionalId,
      producer,
      request.committed,
    )
    return {
      throttleTimeMs: 0,
      errorCode: fencedErrorFor(errorCode, context.apiVersion, 2),
      producerId: -1n,
      producerEpoch: -1,
    }
  },
})
