// IncrementalAlterConfigs (key 44), v0-1: changes single configs of a topic: SET (0), DELETE (1,
// back to the default), APPEND (2) and SUBTRACT (3) for list configs (cleanup.policy), starting from
// the current value or the default; validateOnly checks without changing anything. v1: flexible.
// APPEND/SUBTRACT on a non-list config, unknown names, invalid values, a null SET: INVALID_CONFIG;
// an unknown operation, a config named twice or a resource named twice: INVALID_REQUEST; unknown
// topic: UNKNOWN_TOPIC_OR_PARTITION. BROKER resources: dynamic broker configs, checked, stored and
// applied as Kafka does (broker-config/dynamic-alter.ts).
// ACLs, after the duplicate check and before anything else: ALTER_CONFIGS on the topic
// (TOPIC_AUTHORIZATION_FAILED) or, for BROKER, on the cluster (CLUSTER_AUTHORIZATION_FAILED).
// CLIENT_METRICS: client-metrics subscriptions (KIP-714, client-metrics-configs.ts), persisted.
// Known gaps: BROKER_LOGGER and GROUP are INVALID_REQUEST.

import type {
  AlterableConfig,
  AlterConfigsResource,
} from '../../protocol/generated/incremental-alter-configs-request.ts'
import { ApiKey, ErrorCode } from '../../protocol/generated/index.ts'
import { AclOperation } from '../../security/acl/model.ts'
import { topicConfigDefinition, validateTopicConfigOverrides } from '../../storage/topic-config.ts'
import { alterBrokerResource } from '../broker-config/dynamic-alter.ts'
import { defineHandler, type RequestContext } from '../handler.ts'
import { alterClientMetricsResource } from './client-metrics-configs.ts'
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

/** IncrementalAlterConfigsRequest's configOperation values (AlterConfigOp.OpType). */
export const ConfigOperation = { set: 0, delete: 1, append: 2, subtract: 3 } as const

export const incrementalAlterConfigs = defineHandler({
  apiKey: ApiKey.IncrementalAlterConfigs,
  versions: { min: 0, max: 1 },
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
  if (resource.resourceType === ConfigResourceType.clientMetrics) {
    return alterClientMetricsResource(context.services, resource.resourceName, resource.configs, validateOnly)
  }
  if (resource.resourceType !== ConfigResourceType.topic)
    return unsupportedResourceType(resource.resourceType)
  const topic = findTopicResource(context.services.logs, resource.resourceName)
  if (isOutcome(topic)) return topic
  const duplicate = duplicateConfigName(resource.configs)
  if (duplicate !== null) return failure(ErrorCode.INVALID_REQUEST, `Duplicate config key '${duplicate}'.`)
  const overrides: Record<string, string> = { ...topic.configOverrides }
  for (const config of resource.configs) {
    const problem = applyOperation(overrides, config)
    if (problem !== null) return problem
  }
  return attempt(async () => {
    validateTopicConfigOverrides(overrides)
    const stored = topicOverridesToStore(context.services, topic.name, overrides)
    // validate_only refuses what the change would be refused for (turning remote storage off …).
    if (validateOnly) context.services.logs.validateTopicConfig?.(topic.name, stored)
    else await context.services.logs.setTopicConfig(topic.name, stored)
  })
}

/** Applies one operation to `overrides` (Kafka's names and string values); returns an error or null. */
function applyOperation(overrides: Record<string, string>, config: AlterableConfig): Outcome | null {
  const { name, value, configOperation } = config
  const definition = topicConfigDefinition(name)
  if (definition === undefined) return failure(ErrorCode.INVALID_CONFIG, `Unknown topic config name: ${name}`)
  switch (configOperation) {
    case ConfigOperation.set:
      if (value === null)
        return failure(ErrorCode.INVALID_CONFIG, `Null value not supported for topic config: ${name}`)
      overrides[name] = value
      return null
    case ConfigOperation.delete:
      delete overrides[name]
      return null
    case ConfigOperation.append:
    case ConfigOperation.subtract: {
      const verb = configOperation === ConfigOperation.append ? 'append' : 'subtract'
      if (definition.type !== 'list') {
        return failure(
          ErrorCode.INVALID_CONFIG,
          `Config value ${verb} is not allowed for config key: ${name}`,
        )
      }
      const current = listItems(overrides[name] ?? definition.defaultValue)
      const changes = listItems(value ?? '')
      overrides[name] = (
        verb === 'append'
          ? [...current, ...changes.filter((item) => !current.includes(item))]
          : current.filter((item) => !changes.includes(item))
      ).join(',')
      return null
    }
    default:
      return failure(ErrorCode.INVALID_REQUEST, `Unknown alter config operation type ${configOperation}`)
  }
}

function listItems(text: string): string[] {
  return text
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item.length > 0)
}
