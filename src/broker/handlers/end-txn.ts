// EndTxn (key 26), v0-4: commits or aborts the producer's open transaction. The answer comes after
// every partition of the transaction holds its COMMIT/ABORT marker.
// v1: same · v2: PRODUCER_FENCED (KIP-588) · v3: flexible · v4: same. Known gaps: none.

import { ApiKey } from '../../protocol/generated/index.ts'
import { defineHandler } from '../handler.ts'
import { fencedErrorFor } from './transaction-errors.ts'

export const endTxn = defineHandler({
  apiKey: ApiKey.EndTxn,
  versions: { min: 0, max: 4 },
  async handle(context, request) {
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
