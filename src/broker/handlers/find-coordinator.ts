// FindCoordinator (key 10), v0-5: this broker coordinates every group and every transactional id.
// v1: keyType (0 group, 1 transaction), error message · v3: flexible · v4: batched keys (KIP-699) ·
// v5: same as v4 (KIP-890). Known gaps: none.

import { ApiKey, ErrorCode } from '../../protocol/generated/index.ts'
import { defineHandler } from '../handler.ts'

const keyTypeGroup = 0
const keyTypeTransaction = 1
/** FindCoordinator v4 batches keys in coordinatorKeys (KIP-699). */
const batchedVersionMin = 4

export const findCoordinator = defineHandler({
  apiKey: ApiKey.FindCoordinator,
  versions: { min: 0, max: 5 },
  async handle(context, request) {
    const { nodeId, host, port } = context.services.identity
    const keyTypeValid = request.keyType === keyTypeGroup || request.keyType === keyTypeTransaction
    const errorCode = keyTypeValid ? ErrorCode.NONE : ErrorCode.INVALID_REQUEST
    const errorMessage = keyTypeValid ? null : `unknown key type ${request.keyType}`
    const found = (key: string) =>
      keyTypeValid && context.services.groups.loading && request.keyType === keyTypeGroup
        ? {
            key,
            nodeId: -1,
            host: '',
            port: -1,
            errorCode: ErrorCode.COORDINATOR_LOAD_IN_PROGRESS,
            errorMessage: null,
          }
        : { key, nodeId: errorCode === ErrorCode.NONE ? nodeId : -1, host, port, errorCode, errorMessage }
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
