// InitProducerId (key 22), v0-5: gives an idempotent producer a new producer id (epoch 0).
// v1: same · v2: flexible · v3: producerId/producerEpoch for epoch bumps (KIP-360) · v4: same ·
// v5: PRODUCER_FENCED for transactional fencing (KIP-588).
// As in Kafka, a producer without a transactional id always gets a fresh id, ignoring the one it sends.
// Known gaps: transactional ids get INVALID_REQUEST until the transaction coordinator exists
// (issue 7); the broker does not advertise the transaction APIs meanwhile.

import { ApiKey, ErrorCode } from '../../protocol/generated/index.ts'
import { defineHandler } from '../handler.ts'

export const initProducerId = defineHandler({
  apiKey: ApiKey.InitProducerId,
  versions: { min: 0, max: 5 },
  async handle(context, request) {
    if (request.transactionalId !== null) {
      return { throttleTimeMs: 0, errorCode: ErrorCode.INVALID_REQUEST, producerId: -1n, producerEpoch: -1 }
    }
    const producerId = await context.services.producerIds.generate()
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, producerId, producerEpoch: 0 }
  },
})
