// DescribeAcls (key 29), v0–3: the ACL bindings matching one filter, grouped by resource pattern.
// v1: pattern types (MATCH, PREFIXED) · v2: flexible. Needs DESCRIBE on the cluster
// (CLUSTER_AUTHORIZATION_FAILED); SECURITY_DISABLED when `authorizer` is off; INVALID_REQUEST for a
// filter with an UNKNOWN code. Known gaps: none.

import type { DescribeAclsResource } from '../../protocol/generated/describe-acls-response.ts'
import { ApiKey, ErrorCode } from '../../protocol/generated/index.ts'
import { AclOperation, invalidFilterReason } from '../../security/acl/model.ts'
import { allowsOnCluster } from '../../security/acl/request.ts'
import { defineHandler } from '../handler.ts'

export const describeAcls = defineHandler({
  apiKey: ApiKey.DescribeAcls,
  versions: { min: 0, max: 3 },
  async handle(context, request) {
    const authorizer = context.services.authorizer
    const fail = (errorCode: number, errorMessage: string) => ({
      throttleTimeMs: 0,
      errorCode,
      errorMessage,
      resources: [],
    })
    if (authorizer === undefined) {
      return fail(ErrorCode.SECURITY_DISABLED, 'No Authorizer is configured on the broker')
    }
    if (!allowsOnCluster(context, AclOperation.DESCRIBE)) {
      return fail(ErrorCode.CLUSTER_AUTHORIZATION_FAILED, 'Cluster authorization failed.')
    }
    const filter = {
      resourceType: request.resourceTypeFilter,
      resourceName: request.resourceNameFilter,
      patternType: request.patternTypeFilter,
      principal: request.principalFilter,
      host: request.hostFilter,
      operation: request.operation,
      permissionType: request.permissionType,
    }
    const reason = invalidFilterReason(filter)
    if (reason !== null) return fail(ErrorCode.INVALID_REQUEST, reason)
    const resources = new Map<string, DescribeAclsResource>()
    for (const binding of authorizer.acls.matching(filter)) {
      const key = JSON.stringify([binding.resourceType, binding.patternType, binding.resourceName])
      let resource = resources.get(key)
      if (resource === undefined) {
        resource = {
          resourceType: binding.resourceType,
          resourceName: binding.resourceName,
          patternType: binding.patternType,
          acls: [],
        }
        resources.set(key, resource)
      }
      resource.acls.push({
        principal: binding.principal,
        host: binding.host,
        operation: binding.operation,
        permissionType: binding.permissionType,
      })
    }
    return {
      throttleTimeMs: 0,
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      resources: [...resources.values()],
    }
  },
})
