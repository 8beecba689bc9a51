// AddOffsetsToTxn (key 25), v0-4: the group's __consumer_offsets partition joins the transaction,
// so TxnOffsetCommit may follow. v1: same · v2: PRODUCER_FENCED (KIP-588) · v3: flexible · v4: same.
// ACLs: WRITE on the transactional id (TRANSACTIONAL_ID_AUTHORIZATION_FAILED), then READ on the
// group (GROUP_AUTHORIZATION_FAILED), as Kafka. Known gaps: none.

import { ApiKey, ErrorCode } from '../../protocol/generated/index.ts'
import { AclOperation, ResourceType } from '../../security/acl/model.ts'
import { allows } from '../../security/acl/request.ts'
import { defineHandler } from '../handler.ts'
import { fencedErrorFor } from './transaction-errors.ts'

export const addOffsetsToTxn = defineHandler({
  apiKey: ApiKey.AddOffsetsToTxn,
  versions: { min: 0, max: 4 },
  async handle(context, request) {
    if (!allows(context, AclOperation.WRITE, ResourceType.TRANSACTIONAL_ID, request.transactionalId)) {
      return { throttleTimeMs: 0, errorCode: ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED }
    }
    if (!allows(context, AclOperation.READ, ResourceType.GROUP, request.groupId)) {
      return { throttleTimeMs: 0, errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED }
    }
    const producer = { producerId: request.producerId, producerEpoch: request.producerEpoch }
    const errorCode = await context.services.transactions.addOffsets(
      request.transactionalId,
      producer,
      request.groupId,
    )
    return { throttleTimeMs: 0, errorCode: fencedErrorFor(errorCode, context.apiVersion, 2) }
  },
})
