// OffsetDelete (key 47), v0: removes committed offsets of partitions a group no longer consumes.
// GROUP_ID_NOT_FOUND for an unknown group, NON_EMPTY_GROUP for a non-consumer group with members,
// GROUP_SUBSCRIBED_TO_TOPIC for topics its members still subscribe to. Known gaps: none.

import { deleteOffsets } from '../../coordinator/group/offset-operations.ts'
import { ApiKey } from '../../protocol/generated/index.ts'
import { defineHandler } from '../handler.ts'

export const offsetDelete = defineHandler({
  apiKey: ApiKey.OffsetDelete,
  versions: { min: 0, max: 0 },
  async handle(context, request) {
    const partitions = request.topics.flatMap((topic) =>
      topic.partitions.map((partition) => ({ topic: topic.name, partition: partition.partitionIndex })),
    )
    const result = await deleteOffsets(context.services.groups, request.groupId, partitions)
    let index = 0
    const topics =
      result.errorCode !== 0
        ? []
        : request.topics.map((topic) => ({
            name: topic.name,
            partitions: topic.partitions.map((partition) => ({
              partitionIndex: partition.partitionIndex,
              errorCode: result.partitionErrors[index++],
            })),
          }))
    return { errorCode: result.errorCode, throttleTimeMs: 0, topics }
  },
})
