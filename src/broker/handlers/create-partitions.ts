// CreatePartitions (key 37), v0-3: grows topics to a larger partition count; validateOnly checks
// without changing anything. v1: same as v0 · v2: flexible · v3: same as v2.
// Errors, with Kafka's messages (ReplicationControlManager.createPartitions): UNKNOWN_TOPIC_OR_PARTITION;
// INVALID_PARTITIONS when the count is not larger; INVALID_REPLICA_ASSIGNMENT when assignments do
// not name exactly [this broker] for each new partition; INVALID_REQUEST for a topic named twice.
// Known gaps: timeoutMs ignored (synchronous).

import type { CreatePartitionsTopic } from '../../protocol/generated/create-partitions-request.ts'
import type { CreatePartitionsTopicResult } from '../../protocol/generated/create-partitions-response.ts'
import { ApiKey, ErrorCode } from '../../protocol/generated/index.ts'
import { throttlingQuotaExceeded } from '../../quotas/request-quota.ts'
import { AclOperation, ResourceType } from '../../security/acl/model.ts'
import { allows } from '../../security/acl/request.ts'
import { topicPartitionsMax } from '../../storage/limits.ts'
import { validatePartitionCount } from '../../storage/topic-name.ts'
import { defineHandler, type RequestContext } from '../handler.ts'
import { attempt, failure, type Outcome } from './outcome.ts'

export const createPartitions = defineHandler({
  apiKey: ApiKey.CreatePartitions,
  versions: { min: 0, max: 3 },
  async handle(context, request) {
    const names = request.topics.map((topic) => topic.name)
    const results: CreatePartitionsTopicResult[] = []
    for (const topic of request.topics) {
      const outcome =
        names.indexOf(topic.name) !== names.lastIndexOf(topic.name)
          ? failure(ErrorCode.INVALID_REQUEST, 'Duplicate topic name.')
          : !allows(context, AclOperation.ALTER, ResourceType.TOPIC, topic.name)
            ? failure(ErrorCode.TOPIC_AUTHORIZATION_FAILED)
            : await growTopic(context, topic, request.validateOnly)
      results.push({ name: topic.name, ...outcome })
    }
    return { throttleTimeMs: 0, results }
  },
})

async function growTopic(
  context: RequestContext,
  request: CreatePartitionsTopic,
  validateOnly: boolean,
): Promise<Outcome> {
  const { logs, identity, log } = context.services
  const topic = logs.getTopic(request.name)
  if (topic === undefined) return failure(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)
  const current = topic.partitionCount
  if (request.count === current) {
    return failure(ErrorCode.INVALID_PARTITIONS, `Topic already has ${current} partition(s).`)
  }
  if (request.count < current) {
    return failure(
      ErrorCode.INVALID_PARTITIONS,
      `The topic ${request.name} currently has ${current} partition(s); ${request.count} would not be an increase.`,
    )
  }
  const assignmentProblem = checkAssignments(request, request.count - current, identity.nodeId)
  if (assignmentProblem !== null) return assignmentProblem
  if (validateOnly) return attempt(async () => validatePartitionCount(request.count, topicPartitionsMax))
  // controller_mutation_rate (KIP-599): the partitions added count.
  if (context.quota?.mayMutate(request.count - current) === false) return throttlingQuotaExceeded
  const outcome = await attempt(() => logs.addPartitions(request.name, request.count))
  if (outcome.errorCode === ErrorCode.NONE) {
    log.info({ topic: request.name, partitions: request.count }, 'added partitions')
  }
  return outcome
}

function checkAssignments(request: CreatePartitionsTopic, added: number, nodeId: number): Outcome | null {
  if (request.assignments === null) return null
  const invalid = (message: string) => failure(ErrorCode.INVALID_REPLICA_ASSIGNMENT, message)
  if (request.assignments.length !== added) {
    return invalid(
      `Attempted to add ${added} additional partition(s), but only ${request.assignments.length} assignment(s) were specified.`,
    )
  }
  for (const { brokerIds } of request.assignments) {
    if (brokerIds.length === 0)
      return invalid('The manual partition assignment includes an empty replica list.')
    const unknown = brokerIds.find((id) => id !== nodeId)
    if (unknown !== undefined) {
      return invalid(
        `The manual partition assignment includes broker ${unknown}, but no such broker is registered.`,
      )
    }
    if (brokerIds.length > 1) {
      return invalid(`The manual partition assignment includes the broker ${nodeId} more than once.`)
    }
  }
  return null
}
