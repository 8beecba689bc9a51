// AddOffsetsToTxn (key 25), v0-4: the group's __consumer_offsets partition joins the transaction,
// so TxnOffsetCommit may follow. v1: same · v2: PRODUCER_FENCED (KIP-588) · v3: flexible · v4: same.
// Known gaps: none.

import { ApiKey } from '../../protocol/generated/index.ts'
import { defineHandler } from '../handler.ts'
import { fencedErrorFor } from './transaction-errors.ts'

export const addOffsetsToTxn = defineHandler({
  apiKey: ApiKey.AddOffsetsToTxn,
  versions: { min: 0, max: 4 },
  async handle(context, request) {
    const producer = { producerId: request.producerId, producerEpoch: request.producerEpoch }
    const errorCode = await context.services.transactions.addOffsets(
      request.transactionalId,
      producer,
      request.groupId,
    )
    return { throttleTimeMs: 0, errorCode: fencedErrorFor(errorCode, context.apiVersion, 2) }
  },
})
