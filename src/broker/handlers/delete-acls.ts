// DeleteAcls (key 31), v0–3: removes every ACL binding matching each filter and returns them.
// v1: pattern types (MATCH, PREFIXED) · v2: flexible. Needs ALTER on the cluster
// (CLUSTER_AUTHORIZATION_FAILED per filter); SECURITY_DISABLED when `authorizer` is off;
// INVALID_REQUEST for a filter with an UNKNOWN code. Persisted before the answer. Known gaps: none.

import type { DeleteAclsFilterResult } from '../../protocol/generated/delete-acls-response.ts'
import { ApiKey, ErrorCode } from '../../protocol/generated/index.ts'
import {
  type AclBinding,
  type AclBindingFilter,
  AclOperation,
  invalidFilterReason,
} from '../../security/acl/model.ts'
import { allowsOnCluster } from '../../security/acl/request.ts'
import { defineHandler } from '../handler.ts'

export const deleteAcls = defineHandler({
  apiKey: ApiKey.DeleteAcls,
  versions: { min: 0, max: 3 },
  async handle(context, request) {
    const authorizer = context.services.authorizer
    const failAll = (errorCode: number, errorMessage: string) => ({
      throttleTimeMs: 0,
      filterResults: request.filters.map(
        (): DeleteAclsFilterResult => ({ errorCode, errorMessage, matchingAcls: [] }),
      ),
    })
    if (authorizer === undefined) {
      return failAll(ErrorCode.SECURITY_DISABLED, 'No Authorizer is configured on the broker')
    }
    if (!allowsOnCluster(context, AclOperation.ALTER)) {
      return failAll(ErrorCode.CLUSTER_AUTHORIZATION_FAILED, 'Cluster authorization failed.')
    }
    const filters: AclBindingFilter[] = request.filters.map((filter) => ({
      resourceType: filter.resourceTypeFilter,
      resourceName: filter.resourceNameFilter,
      patternType: filter.patternTypeFilter,
      principal: filter.principalFilter,
      host: filter.hostFilter,
      operation: filter.operation,
      permissionType: filter.permissionType,
    }))
    const reasons = filters.map(invalidFilterReason)
    const valid = filters.filter((_, index) => reasons[index] === null)
    let removed: AclBinding[][]
    try {
      removed = await authorizer.acls.remove(valid)
    } catch (error) {
      context.services.log.error({ err: error }, 'storing ACLs failed')
      return failAll(ErrorCode.UNKNOWN_SERVER_ERROR, error instanceof Error ? error.message : String(error))
    }
    let next = 0
    return {
      throttleTimeMs: 0,
      filterResults: reasons.map((reason): DeleteAclsFilterResult => {
        if (reason !== null)
          return { errorCode: ErrorCode.INVALID_REQUEST, errorMessage: reason, matchingAcls: [] }
        const matched = removed[next++] ?? []
        return {
          errorCode: ErrorCode.NONE,
          errorMessage: null,
          matchingAcls: matched.map((binding) => ({
            errorCode: ErrorCode.NONE,
            errorMessage: null,
            resourceType: binding.resourceType,
            resourceName: binding.resourceName,
            patternType: binding.patternType,
            principal: binding.principal,
            host: binding.host,
            operation: binding.operation,
            permissionType: binding.permissionType,
          })),
        }
      }),
    }
  },
})
