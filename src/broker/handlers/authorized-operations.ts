// Authorized-operation bitfields (KIP-430) for Metadata, DescribeCluster, DescribeGroups,
// DescribeTopicPartitions and ConsumerGroupDescribe: bit n is set when the principal may do the
// operation with AclOperation code n on the resource. As Kafka's AuthHelper.authorizedOperations, only
// the operations that exist for the resource type are asked about (AclEntry.supportedOperations), each
// as one ordinary authorization (so READ also grants DESCRIBE); without an authorizer every supported
// operation is set. Responses carry Kafka's "not requested" value when the client did not ask.

import { AclOperation, clusterResourceName, ResourceType } from '../../security/acl/model.ts'
import { allows } from '../../security/acl/request.ts'
import type { RequestContext } from '../handler.ts'

/** Kafka's "not requested" value (Integer.MIN_VALUE). */
export const authorizedOperationsOmitted = -2147483648

/** AclEntry.supportedOperations, per resource type, in Kafka's order. */
const supportedOperations: Readonly<Record<number, readonly number[]>> = {
  [ResourceType.TOPIC]: [
    AclOperation.READ,
    AclOperation.WRITE,
    AclOperation.CREATE,
    AclOperation.DESCRIBE,
    AclOperation.DELETE,
    AclOperation.ALTER,
    AclOperation.DESCRIBE_CONFIGS,
    AclOperation.ALTER_CONFIGS,
  ],
  [ResourceType.GROUP]: [AclOperation.READ, AclOperation.DESCRIBE, AclOperation.DELETE],
  [ResourceType.CLUSTER]: [
    AclOperation.CREATE,
    AclOperation.CLUSTER_ACTION,
    AclOperation.DESCRIBE_CONFIGS,
    AclOperation.ALTER_CONFIGS,
    AclOperation.IDEMPOTENT_WRITE,
    AclOperation.ALTER,
    AclOperation.DESCRIBE,
    AclOperation.CREATE_TOKENS,
    AclOperation.DESCRIBE_TOKENS,
  ],
  [ResourceType.TRANSACTIONAL_ID]: [AclOperation.DESCRIBE, AclOperation.WRITE],
}

/** The bitfield of the operations the request's principal may do on the resource. */
export function authorizedOperations(
  context: RequestContext,
  resourceType: number,
  resourceName: string,
): number {
  let bits = 0
  for (const operation of supportedOperations[resourceType] ?? []) {
    if (allows(context, operation, resourceType, resourceName)) bits |= 1 << operation
  }
  return bits
}

/** A topic's bitfield when `requested`, else Kafka's "not requested" value. */
export function topicAuthorizedOperations(context: RequestContext, name: string, requested: boolean): number {
  return requested ? authorizedOperations(context, ResourceType.TOPIC, name) : authorizedOperationsOmitted
}

/** A group's bitfield when `requested`, else Kafka's "not requested" value. */
export function groupAuthorizedOperations(
  context: RequestContext,
  groupId: string,
  requested: boolean,
): number {
  return requested ? authorizedOperations(context, ResourceType.GROUP, groupId) : authorizedOperationsOmitted
}

/** Metadata and DescribeCluster: the cluster's bitfield, 0 without DESCRIBE on the cluster (Kafka
 * answers no more to a principal that may not describe it), or "not requested". */
export function clusterAuthorizedOperations(context: RequestContext, requested: boolean): number {
  if (!requested) return authorizedOperationsOmitted
  if (!allows(context, AclOperation.DESCRIBE, ResourceType.CLUSTER, clusterResourceName)) return 0
  return authorizedOperations(context, ResourceType.CLUSTER, clusterResourceName)
}
