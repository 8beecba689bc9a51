// ConsumerGroupHeartbeat (key 68), v0-1: the KIP-848 consumer protocol. A member joins (epoch 0),
// heartbeats with its member epoch, acknowledges revocations by no longer listing partitions, and
// leaves (epoch -1, or -2 for a static member that will come back); the coordinator answers with
// its epoch and, when it changed, its assignment (topic ids).
// v1: subscribedTopicRegex, and members bring their own member id (KIP-1082); v0 members that send
// none get one. ACLs: READ on the group (GROUP_AUTHORIZATION_FAILED), then DESCRIBE on every
// subscribed topic name (TOPIC_AUTHORIZATION_FAILED), as Kafka's KafkaApis.
// Known gaps: topics a regex subscription matches are not filtered by DESCRIBE ACLs (Kafka 4 does);
// the regex is a JavaScript RegExp, not RE2/J (consumer-subscriptions.ts); no online migration
// between classic and consumer groups; no rack-aware assignment.
// With the feature group.version finalized at 0 (UpdateFeatures), the consumer protocol is off: the
// answer is UNSUPPORTED_VERSION and nothing else, as Kafka's.

import { toTopicPartitions } from '../../coordinator/group/consumer-assignment.ts'
import {
  type ConsumerGroupHeartbeatResponse,
  createDefaultConsumerGroupHeartbeatResponse,
} from '../../protocol/generated/consumer-group-heartbeat-response.ts'
import { ApiKey, ErrorCode } from '../../protocol/generated/index.ts'
import { AclOperation, ResourceType } from '../../security/acl/model.ts'
import { allows } from '../../security/acl/request.ts'
import { defineHandler } from '../handler.ts'

/** Kafka's error response: the code, every other field default. */
function refused(errorCode: number): ConsumerGroupHeartbeatResponse {
  return { ...createDefaultConsumerGroupHeartbeatResponse(), errorCode }
}

export const consumerGroupHeartbeat = defineHandler({
  apiKey: ApiKey.ConsumerGroupHeartbeat,
  versions: { min: 0, max: 1 },
  async handle(context, request) {
    if (context.services.features !== undefined && context.services.features.level('group.version') < 1) {
      return refused(ErrorCode.UNSUPPORTED_VERSION)
    }
    if (!allows(context, AclOperation.READ, ResourceType.GROUP, request.groupId)) {
      return refused(ErrorCode.GROUP_AUTHORIZATION_FAILED)
    }
    const topics = request.subscribedTopicNames ?? []
    if (!topics.every((topic) => allows(context, AclOperation.DESCRIBE, ResourceType.TOPIC, topic))) {
      return refused(ErrorCode.TOPIC_AUTHORIZATION_FAILED)
    }
    const outcome = await context.services.groups.consumerGroups.heartbeat(
      {
        groupId: request.groupId,
        memberId: request.memberId,
        memberEpoch: request.memberEpoch,
        instanceId: request.instanceId,
        rackId: request.rackId,
        rebalanceTimeoutMs: request.rebalanceTimeoutMs,
        subscribedTopicNames: request.subscribedTopicNames,
        subscribedTopicRegex: request.subscribedTopicRegex,
        serverAssignor: request.serverAssignor,
        topicPartitions: request.topicPartitions,
        clientId: context.clientId ?? '',
        clientHost: `/${context.clientAddress.replace(/:\d+$/, '')}`,
      },
      context.apiVersion,
    )
    return {
      throttleTimeMs: 0,
      errorCode: outcome.errorCode,
      errorMessage: outcome.errorMessage,
      memberId: outcome.memberId,
      memberEpoch: outcome.memberEpoch,
      heartbeatIntervalMs: outcome.heartbeatIntervalMs,
      assignment:
        outcome.assignment === null ? null : { topicPartitions: toTopicPartitions(outcome.assignment) },
    }
  },
})
