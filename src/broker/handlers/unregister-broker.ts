// UnregisterBroker (key 64), v0 (flexible): removes a broker's registration from the cluster
// (`kafka-cluster.sh unregister --id N`, Admin.unregisterBroker). Kafka's controller answers
// BROKER_ID_NOT_REGISTERED ("Broker ID N is not currently registered") for an id it has no
// registration for, and NONE otherwise; a broker that is still running registers again at once.
// Single node: the only registered broker is this one (`node_id`): its own id is NONE and changes
// nothing (it is running, so it stays registered, as a live Kafka broker re-registers), any other id
// BROKER_ID_NOT_REGISTERED.
// Cluster mode: registrations are leases in PostgreSQL. A broker that stops deregisters itself and one
// that dies expires after the lease timeout, so only live brokers are registered: a live broker's id
// is NONE (it keeps its registration, as above), any other BROKER_ID_NOT_REGISTERED.
// ACLs: ALTER on the cluster (ControllerApis.handleUnregisterBroker), else CLUSTER_AUTHORIZATION_FAILED.

import { ApiKey, ErrorCode, errorInfo } from '../../protocol/generated/index.ts'
import { AclOperation } from '../../security/acl/model.ts'
import { allowsOnCluster } from '../../security/acl/request.ts'
import { defineHandler } from '../handler.ts'

export const unregisterBroker = defineHandler({
  apiKey: ApiKey.UnregisterBroker,
  versions: { min: 0, max: 0 },
  async handle(context, request) {
    if (!allowsOnCluster(context, AclOperation.ALTER)) {
      const errorCode = ErrorCode.CLUSTER_AUTHORIZATION_FAILED
      return { throttleTimeMs: 0, errorCode, errorMessage: errorInfo.get(errorCode)?.message ?? null }
    }
    const { cluster, identity } = context.services
    const registered =
      cluster === undefined ? [identity.nodeId] : cluster.brokers().map((broker) => broker.brokerId)
    if (!registered.includes(request.brokerId)) {
      return {
        throttleTimeMs: 0,
        errorCode: ErrorCode.BROKER_ID_NOT_REGISTERED,
        errorMessage: `Broker ID ${request.brokerId} is not currently registered`,
      }
    }
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, errorMessage: null }
  },
})
