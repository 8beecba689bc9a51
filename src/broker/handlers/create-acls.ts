// CreateAcls (key 30), v0–3: adds ACL bindings (src/security/acl), persisted before the answer.
// v1: pattern types (PREFIXED) · v2: flexible. Needs ALTER on the cluster
// (CLUSTER_AUTHORIZATION_FAILED per creation); SECURITY_DISABLED when `authorizer` is off, as Kafka
// answers without an authorizer; INVALID_REQUEST for a binding Kafka would not accept. Creating an
// ACL that exists succeeds. Known gaps: none.

import type { AclCreationResult } from '../../protocol/generated/create-acls-response.ts'
import { ApiKey, ErrorCode } from '../../protocol/generated/index.ts'
import { type AclBinding, AclOperation, invalidBindingReason } from '../../security/acl/model.ts'
import { allowsOnCluster } from '../../security/acl/request.ts'
import { defineHandler } from '../handler.ts'

export const createAcls = defineHandler({
  apiKey: ApiKey.CreateAcls,
  versions: { min: 0, max: 3 },
  async handle(context, request) {
    const authorizer = context.services.authorizer
    const failAll = (errorCode: number, errorMessage: string) => ({
      throttleTimeMs: 0,
      results: request.creations.map((): AclCreationResult => ({ errorCode, errorMessage })),
    })
    if (authorizer === undefined) {
      return failAll(ErrorCode.SECURITY_DISABLED, 'No Authorizer is configured on the broker')
    }
    if (!allowsOnCluster(context, AclOperation.ALTER)) {
      return failAll(ErrorCode.CLUSTER_AUTHORIZATION_FAILED, 'Cluster authorization failed.')
    }
    const results: AclCreationResult[] = []
    const valid: AclBinding[] = []
    for (const creation of request.creations) {
      const binding: AclBinding = {
        resourceType: creation.resourceType,
        resourceName: creation.resourceName,
        patternType: creation.resourcePatternType,
        principal: creation.principal,
        host: creation.host,
        operation: creation.operation,
        permissionType: creation.permissionType,
      }
      const reason = invalidBindingReason(binding)
      if (reason === null) valid.push(binding)
      results.push(
        reason === null
          ? { errorCode: ErrorCode.NONE, errorMessage: null }
          : { errorCode: ErrorCode.INVALID_REQUEST, errorMessage: reason },
      )
    }
    try {
      await authorizer.acls.add(valid)
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error)
      context.services.log.error({ err: error }, 'storing ACLs failed')
      return {
        throttleTimeMs: 0,
        results: results.map((result) =>
          result.errorCode === ErrorCode.NONE
            ? { errorCode: ErrorCode.UNKNOWN_SERVER_ERROR, errorMessage: message }
            : result,
        ),
      }
    }
    return { throttleTimeMs: 0, results }
  },
})
