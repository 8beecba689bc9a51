// InitProducerId (key 22), v0-5: a producer id and epoch for an idempotent or transactional producer.
// v1: same · v2: flexible · v3: producerId/producerEpoch to resume (KIP-360) · v4: PRODUCER_FENCED
// (KIP-588) · v5: same. Without a transactional id a producer always gets a fresh id (as in Kafka);
// with one, the transaction coordinator fences the previous incarnation (epoch bump) and aborts its
// open transaction. Known gaps: none.

import { ApiKey, ErrorCode } from '../../protocol/generated/index.ts'
import { defineHandler } from '../handler.ts'
import { fencedErrorFor } from './transaction-errors.ts'

export const initProducerId = defineHandler({
  apiKey: ApiKey.InitProducerId,
  versions: { min: 0, max: 5 },
  async handle(context, request) {
    if (request.transactionalId === null) {
      const producerId = await context.services.producerIds.generate()
      return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, producerId, producerEpoch: 0 }
    }
    const result = await context.services.transactions.initProducerId(
      request.transactionalId,
      request.transactionTimeoutMs,
      context.apiVersion >= 3
        ? { producerId: request.producerId, producerEpoch: request.producerEpoch }
        : { producerId: -1n, producerEpoch: -1 },
    )
    return {
      throttleTimeMs: 0,
      errorCode: fencedErrorFor(result.errorCode, context.apiVersion, 4),
      producerId: result.producerId,
      producerEpoch: result.producerEpoch,
    }
  },
})
