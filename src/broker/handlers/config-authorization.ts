// The ACL check DescribeConfigs, AlterConfigs and IncrementalAlterConfigs make per resource, before
// anything else about it (Kafka's KafkaApis / ControllerApis.authorizeAlterResource): TOPIC needs
// the operation on the topic, GROUP on the group, BROKER, BROKER_LOGGER and CLIENT_METRICS on the
// cluster; a refusal is that resource's result (TOPIC_, GROUP_ or CLUSTER_AUTHORIZATION_FAILED).

import { ErrorCode, errorInfo } from '../../protocol/generated/index.ts'
import { clusterResourceName, ResourceType } from '../../security/acl/model.ts'
import { allows } from '../../security/acl/request.ts'
import type { RequestContext } from '../handler.ts'
import { ConfigResourceType } from './config-resources.ts'
import { failure, type Outcome } from './outcome.ts'

/** The ACL resource a config resource is authorized on, with the error for a refusal. */
function aclResourceOf(
  resourceType: number,
  resourceName: string,
): { type: number; name: string; refusal: number } | null {
  switch (resourceType) {
    case ConfigResourceType.topic:
      return { type: ResourceType.TOPIC, name: resourceName, refusal: ErrorCode.TOPIC_AUTHORIZATION_FAILED }
    case ConfigResourceType.group:
      return { type: ResourceType.GROUP, name: resourceName, refusal: ErrorCode.GROUP_AUTHORIZATION_FAILED }
    case ConfigResourceType.broker:
    case ConfigResourceType.brokerLogger:
    case ConfigResourceType.clientMetrics:
      return {
        type: ResourceType.CLUSTER,
        name: clusterResourceName,
        refusal: ErrorCode.CLUSTER_AUTHORIZATION_FAILED,
      }
    default:
      return null
  }
}

/**
 * The refusal for `operation` (DESCRIBE_CONFIGS or ALTER_CONFIGS) on a config resource, or null when
 * allowed or when the type is unknown (the handlers answer that INVALID_REQUEST themselves).
 * DescribeConfigs carries Kafka's message; the alter APIs, as Kafka's controller, none.
 */
export function configRefusal(
  context: RequestContext,
  operation: number,
  resource: { resourceType: number; resourceName: string },
  options: { withMessage: boolean },
): Outcome | null {
  const acl = aclResourceOf(resource.resourceType, resource.resourceName)
  if (acl === null || allows(context, operation, acl.type, acl.name)) return null
  return failure(acl.refusal, options.withMessage ? (errorInfo.get(acl.refusal)?.message ?? null) : null)
}
