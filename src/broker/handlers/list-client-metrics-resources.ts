// ListClientMetricsResources (key 74), v0: the names of the client-metrics subscriptions
// (CLIENT_METRICS config resources, KIP-714), as `kafka-client-metrics.sh --list` shows them.
// ACLs: DESCRIBE_CONFIGS on the cluster, else CLUSTER_AUTHORIZATION_FAILED and no names (Kafka).

import { ApiKey, ErrorCode } from '../../protocol/generated/index.ts'
import { AclOperation } from '../../security/acl/model.ts'
import { allowsOnCluster } from '../../security/acl/request.ts'
import { defineHandler } from '../handler.ts'

export const listClientMetricsResources = defineHandler({
  apiKey: ApiKey.ListClientMetricsResources,
  versions: { min: 0, max: 0 },
  async handle(context) {
    if (!allowsOnCluster(context, AclOperation.DESCRIBE_CONFIGS)) {
      return {
        throttleTimeMs: 0,
        errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED,
        clientMetricsResources: [],
      }
    }
    const names = context.services.clientMetrics?.names() ?? []
    return {
      throttleTimeMs: 0,
      errorCode: ErrorCode.NONE,
      clientMetricsResources: names.map((name) => ({ name })),
    }
  },
})
