// CreateTopics (key 19), v0-7: creates topics with a partition count (or num.partitions for -1),
// replication factor 1 (or -1; anything above 1 is INVALID_REPLICATION_FACTOR on one broker),
// optional manual assignments (only this broker, one replica each) and config overrides.
// v1: validateOnly, errorMessage · v2: throttleTimeMs · v3: same · v4: numPartitions and
// replicationFactor may be -1 (broker defaults) · v5: flexible; the answer carries numPartitions,
// replicationFactor and every config with its source · v6: same (quota errors) · v7: topic ids.
// Errors, with Kafka's messages: INVALID_TOPIC_EXCEPTION (name rules, '.'/'_' collisions),
// TOPIC_ALREADY_EXISTS, INVALID_PARTITIONS, INVALID_REPLICATION_FACTOR, INVALID_REPLICA_ASSIGNMENT,
// INVALID_CONFIG (unknown name, bad value, null value), INVALID_REQUEST (a topic named twice),
// TOPIC_AUTHORIZATION_FAILED without CREATE on the cluster or the topic (ACLs); __cluster_metadata:
// INVALID_REQUEST (Kafka's ControllerApis). State topics (__consumer_offsets, _schemas, …,
// coordinator/state-topics.ts): numPartitions -1 gives the state topic's own count and configs left
// out get its own values; a cleanup.policy other than compact is INVALID_CONFIG.
// Known gaps: validateOnly answers with a zero topic id; timeoutMs is not needed (creation is
// synchronous) and ignored; no create-topic policy.

import { defaultStateTopicRegistry } from '../../coordinator/state-topics.ts'
import type { CreatableTopic } from '../../protocol/generated/create-topics-request.ts'
import type { CreatableTopicResult } from '../../protocol/generated/create-topics-response.ts'
import { ApiKey, ErrorCode } from '../../protocol/generated/index.ts'
import { throttlingQuotaExceeded } from '../../quotas/request-quota.ts'
import { AclOperation, ResourceType } from '../../security/acl/model.ts'
import { allows, allowsOnCluster } from '../../security/acl/request.ts'
import {
  defaultTopicConfig,
  resolveTopicConfig,
  type TopicConfigOverrides,
} from '../../storage/topic-config.ts'
import type { TopicDescription } from '../../storage/types.ts'
import type { ConfigLayers } from '../broker-config/synonyms.ts'
import { defineHandler, type RequestContext } from '../handler.ts'
import { brokerConfigLayers } from './broker-configs.ts'
import { describeTopicConfigs } from './config-describe.ts'
import { planTopic, type TopicPlan } from './create-topics-plan.ts'
import { failure, type Outcome, outcomeOf } from './outcome.ts'

const zeroUuid = '00000000-0000-0000-0000-000000000000'
/** KRaft's metadata log: Kafka refuses to create a topic of that name. */
const clusterMetadataTopicName = '__cluster_metadata'

export const createTopics = defineHandler({
  apiKey: ApiKey.CreateTopics,
  versions: { min: 0, max: 7 },
  async handle(context, request) {
    const names = request.topics.map((topic) => topic.name)
    const duplicates = new Set(names.filter((name, index) => names.indexOf(name) !== index))
    const topics: CreatableTopicResult[] = []
    for (const topic of request.topics) {
      if (duplicates.has(topic.name)) {
        topics.push(topicError(topic.name, failure(ErrorCode.INVALID_REQUEST, 'Duplicate topic name.')))
      } else {
        topics.push(await createTopic(context, topic, request.validateOnly))
      }
    }
    return { throttleTimeMs: 0, topics }
  },
})

async function createTopic(
  context: RequestContext,
  topic: CreatableTopic,
  validateOnly: boolean,
): Promise<CreatableTopicResult> {
  const { logs, settings, identity, log } = context.services
  if (topic.name === clusterMetadataTopicName) {
    return topicError(
      topic.name,
      failure(
        ErrorCode.INVALID_REQUEST,
        `Creation of internal topic ${clusterMetadataTopicName} is prohibited.`,
      ),
    )
  }
  const mayCreate =
    allowsOnCluster(context, AclOperation.CREATE) ||
    allows(context, AclOperation.CREATE, ResourceType.TOPIC, topic.name)
  if (!mayCreate)
    return topicError(topic.name, failure(ErrorCode.TOPIC_AUTHORIZATION_FAILED, 'Authorization failed.'))
  const stateTopic = (context.services.stateTopics ?? defaultStateTopicRegistry).get(topic.name)
  const plan = planTopic(topic, {
    logs,
    nodeId: identity.nodeId,
    defaultPartitions: stateTopic?.partitionCount ?? settings.numPartitions,
    ...(stateTopic === undefined ? {} : { stateTopic }),
  })
  if (!('partitionCount' in plan)) return topicError(topic.name, plan)
  const topicDefaults =
    context.services.dynamicConfigs?.topicDefaults() ?? context.services.topicDefaults ?? {}
  const layers = brokerConfigLayers(context.services)
  if (validateOnly) return topicCreated(planned(plan, topicDefaults), layers)
  // controller_mutation_rate (KIP-599): each partition created counts.
  if (context.quota?.mayMutate(plan.partitionCount) === false) {
    return topicError(topic.name, throttlingQuotaExceeded)
  }
  try {
    const created = await logs.createTopic(plan.name, {
      partitionCount: plan.partitionCount,
      configOverrides: plan.configOverrides,
    })
    log.info({ topic: plan.name, partitions: plan.partitionCount }, 'created topic')
    return topicCreated(created, layers)
  } catch (error) {
    return topicError(topic.name, outcomeOf(error))
  }
}

/** What the topic would look like (validateOnly). */
function planned(plan: TopicPlan, topicDefaults: TopicConfigOverrides): TopicDescription {
  return {
    name: plan.name,
    topicId: zeroUuid,
    partitionCount: plan.partitionCount,
    configOverrides: plan.configOverrides,
    config: resolveTopicConfig(resolveTopicConfig(defaultTopicConfig(), topicDefaults), plan.configOverrides),
  }
}

function topicCreated(topic: TopicDescription, layers: ConfigLayers): CreatableTopicResult {
  const options = { apiVersion: 1, includeSynonyms: false, includeDocumentation: false }
  return {
    name: topic.name,
    topicId: topic.topicId,
    errorCode: ErrorCode.NONE,
    errorMessage: null,
    topicConfigErrorCode: ErrorCode.NONE,
    numPartitions: topic.partitionCount,
    replicationFactor: 1,
    configs: describeTopicConfigs(topic, null, layers, options).map((entry) => ({
      name: entry.name,
      value: entry.value,
      readOnly: entry.readOnly,
      configSource: entry.configSource,
      isSensitive: entry.isSensitive,
    })),
  }
}

function topicError(name: string, outcome: Outcome): CreatableTopicResult {
  return {
    name,
    topicId: zeroUuid,
    ...outcome,
    topicConfigErrorCode: ErrorCode.NONE,
    numPartitions: -1,
    replicationFactor: -1,
    configs: [],
  }
}
