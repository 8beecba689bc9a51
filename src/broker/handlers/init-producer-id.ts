// InitProducerId (key 22), v0-5: a producer id and epoch for an idempotent or transactional producer.
// v1: same · v2: flexible · v3: producerId/producerEpoch to resume (KIP-360) · v4: PRODUCER_FENCED
// (KIP-588) · v5: same. Without a transactional id a producer always gets a fresh id (as in Kafka);
// with one, the transaction coordinator fences the previous incarnation (epoch bump) and aborts its
// open transaction. ACLs, as Kafka 3.x+: WRITE on the transactional id
// (TRANSACTIONAL_ID_AUTHORIZATION_FAILED); without one, IDEMPOTENT_WRITE on the cluster or WRITE on
// at least one topic (CLUSTER_AUTHORIZATION_FAILED). Refusals carry producer id and epoch -1.
// Known gaps: none.

import { ApiKey, ErrorCode } from '../../protocol/generated/index.ts'
import { AclOperation, ResourceType } from '../../security/acl/model.ts'
import { allows, allowsOnAnyOfType, allowsOnCluster } from '../../security/acl/request.ts'
import { defineHandler, type RequestContext } from '../handler.ts'
import { fencedErrorFor } from './transaction-errors.ts'

/** The authorization error for this producer, or NONE. */
function refusalFor(context: RequestContext, transactionalId: string | null): number {
  if (transactionalId !== null) {
    return allows(context, AclOperation.WRITE, ResourceType.TRANSACTIONAL_ID, transactionalId)
      ? ErrorCode.NONE
      : ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED
  }
  return allowsOnCluster(context, AclOperation.IDEMPOTENT_WRITE) ||
    allowsOnAnyOfType(context, AclOperation.WRITE, ResourceType.TOPIC)
    ? ErrorCode.NONE
    : ErrorCode.CLUSTER_AUTHORIZATION_FAILED
}

export const initProducerId = defineHandler({
  apiKey: ApiKey.InitProducerId,
  versions: { min: 0, max: 5 },
  async handle(context, request) {
    const refusal = refusalFor(context, request.transactionalId)
    if (refusal !== ErrorCode.NONE) {
      return { throttleTimeMs: 0, errorCode: refusal, producerId: -1n, producerEpoch: -1 }
    }
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
