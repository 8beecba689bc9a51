// What DescribeConfigs, AlterConfigs and IncrementalAlterConfigs share: resource types, the
// BROKER resource name rule, finding a TOPIC resource, and duplicate resources in one request.

import { defaultStateTopicRegistry, stateTopicOverrides } from '../../coordinator/state-topics.ts'
import { ErrorCode } from '../../protocol/generated/index.ts'
import type { TopicConfigOverrides } from '../../storage/topic-config.ts'
import { validateTopicName } from '../../storage/topic-name.ts'
import type { LogManager, TopicDescription } from '../../storage/types.ts'
import type { BrokerServices } from '../handler.ts'
import { failure, type Outcome, outcomeOf, success } from './outcome.ts'

/** ConfigResource.Type. */
export const ConfigResourceType = {
  unknown: 0,
  topic: 2,
  broker: 4,
  brokerLogger: 8,
  clientMetrics: 16,
  group: 32,
} as const

interface ConfigResource {
  resourceType: number
  resourceName: string
}

/** Kafka's rule (ConfigHelper): "" is the cluster-wide default resource, otherwise it must be our id. */
export function checkBrokerResourceName(name: string, nodeId: number): Outcome {
  if (name === '') return success
  if (!/^-?\d+$/.test(name))
    return failure(ErrorCode.INVALID_REQUEST, `Broker id must be an integer, but it is: ${name}`)
  if (Number(name) !== nodeId) {
    return failure(
      ErrorCode.INVALID_REQUEST,
      `Unexpected broker id, expected ${nodeId} or empty string, but received ${name}`,
    )
  }
  return success
}

/** The topic a TOPIC resource names, or INVALID_TOPIC_EXCEPTION / UNKNOWN_TOPIC_OR_PARTITION. */
export function findTopicResource(logs: LogManager, name: string): TopicDescription | Outcome {
  try {
    validateTopicName(name)
  } catch (error) {
    return outcomeOf(error)
  }
  const topic = logs.getTopic(name)
  if (topic === undefined) {
    return failure(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `The topic '${name}' does not exist.`)
  }
  return topic
}

export function isOutcome(value: TopicDescription | Outcome): value is Outcome {
  return 'errorCode' in value
}

export function unsupportedResourceType(resourceType: number): Outcome {
  return failure(ErrorCode.INVALID_REQUEST, `Unsupported resource type: ${resourceType}`)
}

/** Resources named more than once in one alter request (each copy gets INVALID_REQUEST). */
export function duplicateResources(resources: readonly ConfigResource[]): Set<string> {
  const seen = new Set<string>()
  const duplicates = new Set<string>()
  for (const resource of resources) {
    const key = resourceKey(resource)
    if (seen.has(key)) duplicates.add(key)
    seen.add(key)
  }
  return duplicates
}

export function resourceKey(resource: ConfigResource): string {
  return `${resource.resourceType}:${resource.resourceName}`
}

/** AlterConfigs and IncrementalAlterConfigs: each resource altered in turn; a resource named twice
 * in one request gets INVALID_REQUEST, as in Kafka. */
export async function alterEachResource<R extends ConfigResource>(
  resources: readonly R[],
  alter: (resource: R) => Promise<Outcome>,
): Promise<(Outcome & ConfigResource)[]> {
  const duplicates = duplicateResources(resources)
  const responses: (Outcome & ConfigResource)[] = []
  for (const resource of resources) {
    const outcome = duplicates.has(resourceKey(resource))
      ? failure(ErrorCode.INVALID_REQUEST, 'Duplicate resource.')
      : await alter(resource)
    responses.push({ ...outcome, resourceType: resource.resourceType, resourceName: resource.resourceName })
  }
  return responses
}

/** The first config name that appears twice, or null. */
export function duplicateConfigName(configs: readonly { name: string }[]): string | null {
  const seen = new Set<string>()
  for (const config of configs) {
    if (seen.has(config.name)) return config.name
    seen.add(config.name)
  }
  return null
}

/** The overrides a topic keeps after an alter: as requested, except that a state topic gets its own
 * configs for what the request leaves out and stays compacted (INVALID_CONFIG otherwise). */
export function topicOverridesToStore(
  services: BrokerServices,
  topicName: string,
  requested: TopicConfigOverrides,
): TopicConfigOverrides {
  const spec = (services.stateTopics ?? defaultStateTopicRegistry).get(topicName)
  return spec === undefined ? requested : stateTopicOverrides(spec, requested)
}
