// Metadata (key 3), v0-12: this broker, the cluster id and the requested topics with their
// partitions (this broker leads every partition; replicas and ISR are [this broker]).
// v0: an empty topic list means all topics · v1: null means all, controllerId, isInternal, rack ·
// v2: clusterId · v3: throttleTimeMs · v4: allowAutoTopicCreation (before v4 auto-creation is implied) ·
// v5: offlineReplicas · v7: leaderEpoch · v8: authorized operations · v9: flexible ·
// v10: topic ids · v11: no cluster authorized operations · v12: topics by id (null name).
// ACLs: topics without DESCRIBE are left out of "all topics" and answer TOPIC_AUTHORIZATION_FAILED
// when named. Auto-creation (topic-auto-create.ts), as KRaft-mode Kafka 3.x: the request that creates
// a topic gets UNKNOWN_TOPIC_OR_PARTITION and no partitions for it (clients ask again); without
// CREATE (cluster or topic) TOPIC_AUTHORIZATION_FAILED. Authorized operations (v8+, when asked)
// are the principal's bitfields: per topic described (not for refused ones), and for the cluster
// (v8-10; 0 without DESCRIBE on the cluster). Cluster mode (src/cluster): every live broker, each
// partition's leader and leader epoch from its lease (LEADER_NOT_AVAILABLE while it has none), the
// lowest live broker id as controller. Known gaps: none.

import type { PartitionLeader } from '../../cluster/view.ts'
import { isKafkaInternalTopic } from '../../coordinator/state-topics.ts'
import { KafkaError } from '../../errors.ts'
import { ApiKey, ErrorCode } from '../../protocol/generated/index.ts'
import type { MetadataRequest } from '../../protocol/generated/metadata-request.ts'
import type {
  MetadataResponsePartition,
  MetadataResponseTopic,
} from '../../protocol/generated/metadata-response.ts'
import { AclOperation, ResourceType } from '../../security/acl/model.ts'
import { allows } from '../../security/acl/request.ts'
import type { TopicDescription } from '../../storage/types.ts'
import { defineHandler, type RequestContext } from '../handler.ts'
import { findOrAutoCreateTopic } from '../topic-auto-create.ts'
import {
  authorizedOperationsOmitted,
  clusterAuthorizedOperations,
  topicAuthorizedOperations,
} from './authorized-operations.ts'

const zeroUuid = '00000000-0000-0000-0000-000000000000'

export const metadata = defineHandler({
  apiKey: ApiKey.Metadata,
  versions: { min: 0, max: 12 },
  async handle(context, request) {
    const { identity, logs, cluster } = context.services
    const topics = await describeRequestedTopics(context, request)
    const brokers =
      cluster === undefined || cluster.brokers().length === 0
        ? [{ nodeId: identity.nodeId, host: identity.host, port: identity.port, rack: identity.rack }]
        : cluster.brokers().map((broker) => ({
            nodeId: broker.brokerId,
            host: broker.host,
            port: broker.port,
            rack: broker.rack,
          }))
    return {
      throttleTimeMs: 0,
      brokers,
      clusterId: logs.clusterId,
      controllerId: brokers[0].nodeId,
      topics,
      clusterAuthorizedOperations: clusterAuthorizedOperations(
        context,
        request.includeClusterAuthorizedOperations && context.apiVersion >= 8 && context.apiVersion <= 10,
      ),
    }
  },
})

async function describeRequestedTopics(
  context: RequestContext,
  request: MetadataRequest,
): Promise<MetadataResponseTopic[]> {
  const { logs } = context.services
  const wantsAll = request.topics === null || (context.apiVersion === 0 && request.topics.length === 0)
  const describe = (topic: TopicDescription) => describeTopic(context, request, topic)
  const describable = (name: string) => allows(context, AclOperation.DESCRIBE, ResourceType.TOPIC, name)
  if (wantsAll)
    return logs
      .listTopics()
      .filter((topic) => describable(topic.name))
      .map(describe)
  const results: MetadataResponseTopic[] = []
  for (const requested of request.topics ?? []) {
    if (requested.name === null) {
      const topic = logs.getTopicById(requested.topicId)
      results.push(
        topic && describable(topic.name)
          ? describe(topic)
          : topicError(
              topic ? ErrorCode.TOPIC_AUTHORIZATION_FAILED : ErrorCode.UNKNOWN_TOPIC_ID,
              null,
              requested.topicId,
            ),
      )
      continue
    }
    if (!describable(requested.name)) {
      results.push(topicError(ErrorCode.TOPIC_AUTHORIZATION_FAILED, requested.name, zeroUuid))
      continue
    }
    const requestAllows = context.apiVersion < 4 || request.allowAutoTopicCreation
    const topic = await findOrAutoCreateTopic(context, requested.name, { requestAllows })
    // A topic the principal may describe but that does not exist still gets its bitfield, as in Kafka.
    results.push(
      topic instanceof KafkaError
        ? {
            ...topicError(topic.errorCode, requested.name, zeroUuid),
            topicAuthorizedOperations: topicAuthorizedOperations(
              context,
              requested.name,
              operationsRequested(context, request),
            ),
          }
        : describe(topic),
    )
  }
  return results
}

function describeTopic(
  context: RequestContext,
  request: MetadataRequest,
  topic: TopicDescription,
): MetadataResponseTopic {
  const nodeId = context.services.identity.nodeId
  const cluster = context.services.cluster
  const partitions: MetadataResponsePartition[] = []
  for (let index = 0; index < topic.partitionCount; index++) {
    if (cluster !== undefined) {
      partitions.push(clusterPartition(cluster.leaderOf(topic.name, index), index))
      continue
    }
    const log = context.services.logs.partition(topic.name, index)
    partitions.push({
      errorCode: ErrorCode.NONE,
      partitionIndex: index,
      leaderId: nodeId,
      leaderEpoch: Math.max(log?.latestEpoch ?? 0, 0),
      replicaNodes: [nodeId],
      isrNodes: [nodeId],
      offlineReplicas: [],
    })
  }
  return {
    errorCode: ErrorCode.NONE,
    name: topic.name,
    topicId: topic.topicId,
    // Kafka's fixed list (Topic.isInternal), not every `__` name.
    isInternal: isKafkaInternalTopic(topic.name),
    partitions,
    topicAuthorizedOperations: topicAuthorizedOperations(
      context,
      topic.name,
      operationsRequested(context, request),
    ),
  }
}

/** A partition in cluster mode: its lease holder leads it; without one, LEADER_NOT_AVAILABLE. */
function clusterPartition(leader: PartitionLeader | null, index: number): MetadataResponsePartition {
  if (leader === null)
    return {
      errorCode: ErrorCode.LEADER_NOT_AVAILABLE,
      partitionIndex: index,
      leaderId: -1,
      leaderEpoch: -1,
      replicaNodes: [],
      isrNodes: [],
      offlineReplicas: [],
    }
  return {
    errorCode: ErrorCode.NONE,
    partitionIndex: index,
    leaderId: leader.leaderId,
    leaderEpoch: leader.leaderEpoch,
    replicaNodes: [leader.leaderId],
    isrNodes: [leader.leaderId],
    offlineReplicas: [],
  }
}

function operationsRequested(context: RequestContext, request: MetadataRequest): boolean {
  return request.includeTopicAuthorizedOperations && context.apiVersion >= 8
}

function topicError(errorCode: number, name: string | null, topicId: string): MetadataResponseTopic {
  return {
    errorCode,
    name,
    topicId,
    isInternal: false,
    partitions: [],
    topicAuthorizedOperations: authorizedOperationsOmitted,
  }
}
