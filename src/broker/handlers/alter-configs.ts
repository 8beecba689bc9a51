// AlterConfigs (key 33), v0-2: replaces all config overrides of a topic with the given set
// (configs left out return to their defaults); validateOnly checks without changing anything.
// v1: same as v0 · v2: flexible.
// Unknown config names and invalid values: INVALID_CONFIG; a null value: INVALID_CONFIG; a config
// named twice or a resource named twice: INVALID_REQUEST; unknown topic: UNKNOWN_TOPIC_OR_PARTITION.
// BROKER resources ("" = cluster default, or our id): the dynamic broker configs of that level are
// replaced by the given set, checked as Kafka checks them (broker-config/dynamic-alter.ts); a static
// config is INVALID_REQUEST ("Cannot update these configs dynamically").
// ACLs, after the duplicate check and before anything else: ALTER_CONFIGS on the topic
// (TOPIC_AUTHORIZATION_FAILED) or, for BROKER, on the cluster (CLUSTER_AUTHORIZATION_FAILED).
// Known gaps: BROKER_LOGGER is INVALID_REQUEST.

import type { AlterConfigsResource } from '../../protocol/generated/alter-configs-request.ts'
import { ApiKey, ErrorCode } from '../../protocol/generated/index.ts'
import { AclOperation } from '../../security/acl/model.ts'
import { validateTopicConfigOverrides } from '../../storage/topic-config.ts'
import { alterBrokerResource } from '../broker-config/dynamic-alter.ts'
import { defineHandler, type RequestContext } from '../handler.ts'
import { configRefusal } from './config-authorization.ts'
import {
  alterEachResource,
  ConfigResourceType,
  duplicateConfigName,
  findTopicResource,
  isOutcome,
  topicOverridesToStore,
  unsupportedResourceType,
} from './config-resources.ts'
import { attempt, failure, type Outcome } from './outcome.ts'

export const alterConfigs = defineHandler({
  apiKey: ApiKey.AlterConfigs,
  versions: { min: 0, max: 2 },
  async handle(context, request) {
    const responses = await alterEachResource(request.resources, (resource) =>
      alterResource(context, resource, request.validateOnly),
    )
    return { throttleTimeMs: 0, responses }
  },
})

async function alterResource(
  context: RequestContext,
  resource: AlterConfigsResource,
  validateOnly: boolean,
): Promise<Outcome> {
  const refusal = configRefusal(context, AclOperation.ALTER_CONFIGS, resource, { withMessage: false })
  if (refusal !== null) return refusal
  if (resource.resourceType === ConfigResourceType.broker) {
    return alterBrokerResource(context.services, resource.resourceName, resource.configs, validateOnly)
  }
  if (resource.resourceType !== ConfigResourceType.topic)
    return unsupportedResourceType(resource.resourceType)
  const topic = findTopicResource(context.services.logs, resource.resourceName)
  if (isOutcome(topic)) return topic
  const duplicate = duplicateConfigName(resource.configs)
  if (duplicate !== null) return failure(ErrorCode.INVALID_REQUEST, `Duplicate config key '${duplicate}'.`)
  const entries: [string, string][] = []
  for (const { name, value } of resource.configs) {
    if (value === null)
      return failure(ErrorCode.INVALID_CONFIG, `Null value not supported for topic configs: ${name}`)
    entries.push([name, value])
  }
  const requested = Object.fromEntries(entries)
  return attempt(async () => {
    validateTopicConfigOverrides(requested)
    const overrides = topicOverridesToStore(context.services, topic.name, requested)
    // validate_only refuses what the change would be refused for (turning remote storage off …).
    if (validateOnly) context.services.logs.validateTopicConfig?.(topic.name, overrides)
    else await context.services.logs.setTopicConfig(topic.name, overrides)
  })
}
