// DescribeClientQuotas (key 48), v0-1: the quotas set on the entities a filter matches
// (src/quotas/describe-filter.ts: exact name, default entity or any name per entity type; strict
// or not). v1: flexible. Errors, with Kafka's messages, at the top level with null entries:
// INVALID_REQUEST (bad filter), UNSUPPORTED_VERSION (unknown entity type), CLUSTER_AUTHORIZATION_FAILED
// without DESCRIBE_CONFIGS on the cluster (ACLs).
// Known gaps: IP entities are never stored here, so an `ip` filter matches nothing.

import type { DescribeClientQuotasResponse } from '../../protocol/generated/describe-client-quotas-response.ts'
import { ApiKey, ErrorCode } from '../../protocol/generated/index.ts'
import { checkFilter, filterMatches } from '../../quotas/describe-filter.ts'
import { partsOfEntity } from '../../quotas/quota-entity.ts'
import { AclOperation } from '../../security/acl/model.ts'
import { allowsOnCluster } from '../../security/acl/request.ts'
import { defineHandler } from '../handler.ts'

export const describeClientQuotas = defineHandler({
  apiKey: ApiKey.DescribeClientQuotas,
  versions: { min: 0, max: 1 },
  async handle(context, request): Promise<DescribeClientQuotasResponse> {
    if (!allowsOnCluster(context, AclOperation.DESCRIBE_CONFIGS)) {
      return failed(ErrorCode.CLUSTER_AUTHORIZATION_FAILED, 'Cluster authorization failed.')
    }
    const filter = checkFilter(request.components, request.strict)
    if ('errorCode' in filter) return failed(filter.errorCode, filter.errorMessage)
    const store = context.services.quotas?.store
    const entries: DescribeClientQuotasResponse['entries'] = []
    for (const { entity, values } of store?.all() ?? []) {
      if (!filterMatches(filter, entity)) continue
      entries.push({
        entity: partsOfEntity(entity),
        values: Object.entries(values).map(([key, value]) => ({ key, value })),
      })
    }
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, errorMessage: null, entries }
  },
})

function failed(errorCode: number, errorMessage: string): DescribeClientQuotasResponse {
  return { throttleTimeMs: 0, errorCode, errorMessage, entries: null }
}
