// ConsumerGroupHeartbeat (key 68), v0-1: the KIP-848 consumer protocol. A member joins (epoch 0),
// heartbeats with its member epoch, acknowledges revocations by no longer listing partitions, and
// leaves (epoch -1, or -2 for a static member that will come back); the coordinator answers with
// its epoch and, when it changed, its assignment (topic ids).
// v1: subscribedTopicRegex, and members bring their own member id (KIP-1082); v0 members that send
// none get one. Known gaps: the regex is a JavaScript RegExp, not RE2/J (consumer-subscriptions.ts);
// no online migration between classic and consumer groups; no rack-aware assignment.

import { toTopicPartitions } from '../../coordinator/group/consumer-assignment.ts'
import { ApiKey } from '../../protocol/generated/index.ts'
import { defineHandler } from '../handler.ts'

export const consumerGroupHeartbeat = defineHandler({
  apiKey: ApiKey.ConsumerGroupHeartbeat,
  versions: { min: 0, max: 1 },
  async handle(context, request) {
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
