// DescribeCluster (key 60), v0-1: this broker (in cluster mode every live broker, with its rack), the
// cluster id and the controller (the first broker, as Metadata says).
// v1: endpointType (1 = brokers, 2 = controllers): a broker only describes brokers, so 2 gets
// MISMATCHED_ENDPOINT_TYPE and an unknown type UNSUPPORTED_ENDPOINT_TYPE (INVALID_REQUEST in v0),
// as Kafka's AuthHelper.computeDescribeClusterResponse. v0 is flexible already.
// ACLs: none needed, as in Kafka; clusterAuthorizedOperations is the principal's bitfield on the
// cluster (0 without DESCRIBE on it). Known gaps: none.

import { ApiKey, ErrorCode } from '../../protocol/generated/index.ts'
import { defineHandler } from '../handler.ts'
import { clusterAuthorizedOperations } from './authorized-operations.ts'

/** DescribeClusterRequest.EndpointType. */
const EndpointType = { brokers: 1, controllers: 2 } as const

export const describeCluster = defineHandler({
  apiKey: ApiKey.DescribeCluster,
  versions: { min: 0, max: 1 },
  async handle(context, request) {
    const { identity, logs, cluster } = context.services
    // In cluster mode every live broker, as Metadata lists them (with their racks).
    const brokers =
      cluster === undefined || cluster.brokers().length === 0
        ? [{ brokerId: identity.nodeId, host: identity.host, port: identity.port, rack: identity.rack }]
        : cluster.brokers().map(({ brokerId, host, port, rack }) => ({ brokerId, host, port, rack }))
    const answer = {
      throttleTimeMs: 0,
      errorCode: ErrorCode.NONE,
      errorMessage: null as string | null,
      endpointType: EndpointType.brokers,
      clusterId: logs.clusterId,
      controllerId: brokers[0].brokerId,
      brokers,
      clusterAuthorizedOperations: clusterAuthorizedOperations(
        context,
        request.includeClusterAuthorizedOperations,
      ),
    }
    const requested = request.endpointType
    if (requested === EndpointType.brokers) return answer
    const known = requested === EndpointType.controllers
    const errorCode =
      context.apiVersion === 0
        ? ErrorCode.INVALID_REQUEST
        : known
          ? ErrorCode.MISMATCHED_ENDPOINT_TYPE
          : ErrorCode.UNSUPPORTED_ENDPOINT_TYPE
    const errorMessage = known
      ? 'The request was sent to an endpoint of type BROKER, but we wanted an endpoint of type CONTROLLER'
      : `Unsupported endpoint type ${requested}`
    return { ...answer, errorCode, errorMessage, controllerId: -1, brokers: [] }
  },
})
