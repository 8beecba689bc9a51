// OffsetDelete (key 47), v0: removes committed offsets of partitions a group no longer consumes.
// GROUP_ID_NOT_FOUND for an unknown group, NON_EMPTY_GROUP for a non-consumer group with members,
// GROUP_SUBSCRIBED_TO_TOPIC for topics its members still subscribe to.
// ACLs, as Kafka's KafkaApis: DELETE on the group (GROUP_AUTHORIZATION_FAILED for the whole request),
// then READ on each topic (TOPIC_AUTHORIZATION_FAILED for its partitions); partitions that do not
// exist get UNKNOWN_TOPIC_OR_PARTITION. Neither reaches the coordinator. Known gaps: none.

import { deleteOffsets } from '../../coordinator/group/offset-operations.ts'
import { ApiKey, ErrorCode } from '../../protocol/generated/index.ts'
import { AclOperation, ResourceType } from '../../security/acl/model.ts'
import { allows } from '../../security/acl/request.ts'
import { defineHandler } from '../handler.ts'

export const offsetDelete = defineHandler({
  apiKey: ApiKey.OffsetDelete,
  versions: { min: 0, max: 0 },
  async handle(context, request) {
    if (!allows(context, AclOperation.DELETE, ResourceType.GROUP, request.groupId)) {
      return { errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED, throttleTimeMs: 0, topics: [] }
    }
    const { logs } = context.services
    const readable = new Map(
      request.topics.map((topic) => [
        topic.name,
        allows(context, AclOperation.READ, ResourceType.TOPIC, topic.name),
      ]),
    )
    const partitions = request.topics.flatMap((topic) =>
      topic.partitions.map((partition) => {
        const entry = { topic: topic.name, partition: partition.partitionIndex }
        const refusal = !readable.get(topic.name)
          ? ErrorCode.TOPIC_AUTHORIZATION_FAILED
          : logs.partition(entry.topic, entry.partition) === undefined
            ? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION
            : ErrorCode.NONE
        return { ...entry, refusal }
      }),
    )
    const allowed = partitions.filter((entry) => entry.refusal === ErrorCode.NONE)
    const result = await deleteOffsets(context.services.groups, request.groupId, allowed)
    if (result.errorCode !== ErrorCode.NONE) {
      return { errorCode: result.errorCode, throttleTimeMs: 0, topics: [] }
    }
    let allowedIndex = 0
    const codes = partitions.map((entry) =>
      entry.refusal !== ErrorCode.NONE ? entry.refusal : result.partitionErrors[allowedIndex++],
    )
    let index = 0
    const topics = request.topics.map((topic) => ({
      name: topic.name,
      partitions: topic.partitions.map((partition) => ({
        partitionIndex: partition.partitionIndex,
        errorCode: codes[index++],
      })),
    }))
    return { errorCode: ErrorCode.NONE, throttleTimeMs: 0, topics }
  },
})
