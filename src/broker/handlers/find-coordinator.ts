// FindCoordinator (key 10), v0-5: this broker coordinates every group and every transactional id;
// in cluster mode a group's or transactional id's coordinator is the broker holding its coordinator
// lease (src/cluster).
// v1: keyType (0 group, 1 transaction), error message · v3: flexible · v4: batched keys (KIP-699) ·
// v5: same as v4 (KIP-890). ACLs, per key as Kafka's getCoordinator: DESCRIBE on the group
// (GROUP_AUTHORIZATION_FAILED) or on the transactional id (TRANSACTIONAL_ID_AUTHORIZATION_FAILED),
// answered with no node (-1, "", -1) and Kafka's message. Known gaps: none.

import { ApiKey, ErrorCode, errorInfo } from '../../protocol/generated/index.ts'
import { AclOperation, ResourceType } from '../../security/acl/model.ts'
import { allows } from '../../security/acl/request.ts'
import { defineHandler, type RequestContext } from '../handler.ts'

const keyTypeGroup = 0
const keyTypeTransaction = 1
/** FindCoordinator v4 batches keys in coordinatorKeys (KIP-699). */
const batchedVersionMin = 4

/** The authorization error for `key`, or NONE. */
function refusalFor(context: RequestContext, keyType: number, key: string): number {
  if (keyType === keyTypeGroup && !allows(context, AclOperation.DESCRIBE, ResourceType.GROUP, key)) {
    return ErrorCode.GROUP_AUTHORIZATION_FAILED
  }
  if (
    keyType === keyTypeTransaction &&
    !allows(context, AclOperation.DESCRIBE, ResourceType.TRANSACTIONAL_ID, key)
  ) {
    return ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED
  }
  return ErrorCode.NONE
}

export const findCoordinator = defineHandler({
  apiKey: ApiKey.FindCoordinator,
  versions: { min: 0, max: 5 },
  async handle(context, request) {
    const { nodeId, host, port } = context.services.identity
    const keyTypeValid = request.keyType === keyTypeGroup || request.keyType === keyTypeTransaction
    const errorCode = keyTypeValid ? ErrorCode.NONE : ErrorCode.INVALID_REQUEST
    const errorMessage = keyTypeValid ? null : `unknown key type ${request.keyType}`
    const noNode = (key: string, code: number, message: string | null) => ({
      key,
      nodeId: -1,
      host: '',
      port: -1,
      errorCode: code,
      errorMessage: message,
    })
    const found = (key: string) => {
      const refusal = keyTypeValid ? refusalFor(context, request.keyType, key) : ErrorCode.NONE
      if (refusal !== ErrorCode.NONE) return noNode(key, refusal, errorInfo.get(refusal)?.message ?? null)
      const cluster = context.services.cluster
      if (cluster !== undefined && keyTypeValid) {
        const coordinator =
          request.keyType === keyTypeGroup
            ? cluster.groupCoordinatorOf(key)
            : cluster.transactionCoordinatorOf(key)
        if (coordinator === null) return noNode(key, ErrorCode.COORDINATOR_NOT_AVAILABLE, null)
        const { brokerId, host: coordinatorHost, port: coordinatorPort } = coordinator
        return {
          key,
          nodeId: brokerId,
          host: coordinatorHost,
          port: coordinatorPort,
          errorCode,
          errorMessage,
        }
      }
      return keyTypeValid && context.services.groups.loading && request.keyType === keyTypeGroup
        ? noNode(key, ErrorCode.COORDINATOR_LOAD_IN_PROGRESS, null)
        : { key, nodeId: errorCode === ErrorCode.NONE ? nodeId : -1, host, port, errorCode, errorMessage }
    }
    if (context.apiVersion >= batchedVersionMin) {
      return {
        throttleTimeMs: 0,
        errorCode: 0,
        errorMessage: null,
        nodeId: 0,
        host: '',
        port: 0,
        coordinators: request.coordinatorKeys.map(found),
      }
    }
    const single = found(request.key)
    return {
      throttleTimeMs: 0,
      errorCode: single.errorCode,
      errorMessage: single.errorMessage,
      nodeId: single.nodeId,
      host: single.host,
      port: single.port,
      coordinators: [],
    }
  },
})
