// DescribeConfigs (key 32), v0-4: the configs of topics (TOPIC = 2) and of this broker (BROKER = 4):
// every config or the listed keys, with Kafka's value formatting, sources and read-only flags.
// v1: synonyms (includeSynonyms) and configSource replace isDefault · v2: same as v1 ·
// v3: includeDocumentation, configType · v4: flexible.
// Topic configs: TOPIC_CONFIG when overridden, else the source of the broker default's first synonym
// (Kafka's rules, broker-config/synonyms.ts). BROKER "0" lists this broker's settings and every dynamic
// broker config with its source (broker-configs.ts); BROKER "" the cluster-wide dynamic defaults set;
// another id is INVALID_REQUEST, as in Kafka.
// CLIENT_METRICS (16): a client-metrics subscription's configs (client-metrics-configs.ts).
// Known gaps: only the topic configs storage implements are listed (Kafka lists ~40); BROKER_LOGGER
// (8) and GROUP (32) resources get INVALID_REQUEST.
// ACLs, before anything else about a resource: DESCRIBE_CONFIGS on the topic (TOPIC_AUTHORIZATION_FAILED)
// or, for BROKER, on the cluster (CLUSTER_AUTHORIZATION_FAILED) (config-authorization.ts). Refused
// resources keep their place in the answer (Kafka lists them after the others).

import type { DescribeConfigsResource } from '../../protocol/generated/describe-configs-request.ts'
import type { DescribeConfigsResult } from '../../protocol/generated/describe-configs-response.ts'
import { ApiKey, ErrorCode } from '../../protocol/generated/index.ts'
import { AclOperation } from '../../security/acl/model.ts'
import { defineHandler, type RequestContext } from '../handler.ts'
import { brokerConfigLayers, describeBrokerConfigs } from './broker-configs.ts'
import { describeClientMetricsResource } from './client-metrics-configs.ts'
import { configRefusal } from './config-authorization.ts'
import { type DescribeOptions, describeTopicConfigs } from './config-describe.ts'
import {
  ConfigResourceType,
  checkBrokerResourceName,
  findTopicResource,
  isOutcome,
  unsupportedResourceType,
} from './config-resources.ts'
import { type Outcome, success } from './outcome.ts'

export const describeConfigs = defineHandler({
  apiKey: ApiKey.DescribeConfigs,
  versions: { min: 0, max: 4 },
  async handle(context, request) {
    const options: DescribeOptions = {
      apiVersion: context.apiVersion,
      includeSynonyms: context.apiVersion >= 1 && request.includeSynonyms,
      includeDocumentation: context.apiVersion >= 3 && request.includeDocumentation,
    }
    return {
      throttleTimeMs: 0,
      results: request.resources.map((resource) => describeResource(context, resource, options)),
    }
  },
})

function describeResource(
  context: RequestContext,
  resource: DescribeConfigsResource,
  options: DescribeOptions,
): DescribeConfigsResult {
  const { resourceType, resourceName, configurationKeys } = resource
  const result = (outcome: Outcome, configs: DescribeConfigsResult['configs'] = []) => ({
    ...outcome,
    resourceType,
    resourceName,
    configs,
  })
  const refusal = configRefusal(context, AclOperation.DESCRIBE_CONFIGS, resource, { withMessage: true })
  if (refusal !== null) return result(refusal)
  if (resourceType === ConfigResourceType.topic) {
    const topic = findTopicResource(context.services.logs, resourceName)
    if (isOutcome(topic)) return result(topic)
    return result(
      success,
      describeTopicConfigs(topic, configurationKeys, brokerConfigLayers(context.services), options),
    )
  }
  if (resourceType === ConfigResourceType.broker) {
    const nameCheck = checkBrokerResourceName(resourceName, context.services.identity.nodeId)
    if (nameCheck.errorCode !== ErrorCode.NONE) return result(nameCheck)
    return result(success, describeBrokerConfigs(context.services, resourceName, configurationKeys, options))
  }
  if (resourceType === ConfigResourceType.clientMetrics && context.services.clientMetrics !== undefined) {
    const described = describeClientMetricsResource(
      context.services,
      resourceName,
      configurationKeys,
      options,
    )
    return result(described, described.configs)
  }
  return result(unsupportedResourceType(resourceType))
}
