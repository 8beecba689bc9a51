// DeleteTopics (key 20), v0-6: deletes topics by name, or (v6) by name or topic id.
// v1: throttleTimeMs · v2-v3: same · v4: flexible · v5: errorMessage · v6: topics by id (null name).
// Unknown name: UNKNOWN_TOPIC_OR_PARTITION; unknown id: UNKNOWN_TOPIC_ID; both or neither given,
// or the same topic twice: INVALID_REQUEST (Kafka's ControllerApis.deleteTopics).
// Known gaps: timeoutMs is ignored (deletion is synchronous); no delete.topic.enable switch.

import type { DeletableTopicResult } from '../../protocol/generated/delete-topics-response.ts'
import { ApiKey, ErrorCode } from '../../protocol/generated/index.ts'
import { throttlingQuotaExceeded } from '../../quotas/request-quota.ts'
import { AclOperation, ResourceType } from '../../security/acl/model.ts'
import { allows } from '../../security/acl/request.ts'
import { defineHandler, type RequestContext } from '../handler.ts'
import { attempt, failure, type Outcome } from './outcome.ts'

const zeroUuid = '00000000-0000-0000-0000-000000000000'

interface TopicToDelete {
  name: string | null
  topicId: string
}

export const deleteTopics = defineHandler({
  apiKey: ApiKey.DeleteTopics,
  versions: { min: 0, max: 6 },
  async handle(context, request) {
    const requested: TopicToDelete[] =
      context.apiVersion >= 6
        ? request.topics
        : request.topicNames.map((name) => ({ name, topicId: zeroUuid }))
    const keys = requested.map((topic) =>
      topic.name === null ? `id:${topic.topicId}` : `name:${topic.name}`,
    )
    const responses: DeletableTopicResult[] = []
    for (const [index, topic] of requested.entries()) {
      const duplicate = keys.indexOf(keys[index]) !== index || keys.lastIndexOf(keys[index]) !== index
      responses.push(
        duplicate
          ? result(topic.name, topic.topicId, failure(ErrorCode.INVALID_REQUEST, duplicateMessage(topic)))
          : await deleteTopic(context, topic),
      )
    }
    return { throttleTimeMs: 0, responses }
  },
})

function duplicateMessage(topic: TopicToDelete): string {
  return topic.name === null ? 'Duplicate topic id.' : 'Duplicate topic name.'
}

async function deleteTopic(context: RequestContext, topic: TopicToDelete): Promise<DeletableTopicResult> {
  const { logs, log } = context.services
  const hasId = topic.topicId !== zeroUuid
  if (topic.name !== null && hasId) {
    const message = 'You may not specify both topic name and topic id.'
    return result(topic.name, topic.topicId, failure(ErrorCode.INVALID_REQUEST, message))
  }
  if (topic.name === null && !hasId) {
    return result(
      null,
      zeroUuid,
      failure(ErrorCode.INVALID_REQUEST, 'Neither topic name nor id were specified.'),
    )
  }
  // ACLs: DELETE on the topic, checked before existence for names so nothing leaks (as Kafka does).
  const mayDelete = (name: string) => allows(context, AclOperation.DELETE, ResourceType.TOPIC, name)
  if (topic.name !== null && !mayDelete(topic.name)) {
    return result(topic.name, zeroUuid, failure(ErrorCode.TOPIC_AUTHORIZATION_FAILED))
  }
  const found = topic.name !== null ? logs.getTopic(topic.name) : logs.getTopicById(topic.topicId)
  if (found !== undefined && !mayDelete(found.name)) {
    return result(null, topic.topicId, failure(ErrorCode.TOPIC_AUTHORIZATION_FAILED))
  }
  if (found === undefined) {
    return topic.name !== null
      ? result(topic.name, zeroUuid, failure(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION))
      : result(null, topic.topicId, failure(ErrorCode.UNKNOWN_TOPIC_ID))
  }
  // controller_mutation_rate (KIP-599): each partition deleted counts.
  if (context.quota?.mayMutate(found.partitionCount) === false) {
    return result(found.name, found.topicId, throttlingQuotaExceeded)
  }
  const outcome = await attempt(() => logs.deleteTopic(found.name))
  if (outcome.errorCode === ErrorCode.NONE)
    log.info({ topic: found.name, topicId: found.topicId }, 'deleted topic')
  return result(found.name, found.topicId, outcome)
}

function result(name: string | null, topicId: string, outcome: Outcome): DeletableTopicResult {
  return { name, topicId, ...outcome }
}
