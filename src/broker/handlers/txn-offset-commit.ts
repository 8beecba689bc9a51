// TxnOffsetCommit (key 28), v0-4: offsets committed inside a transaction; OffsetFetch shows them
// once the transaction commits. v1: same · v2: committedLeaderEpoch · v3: flexible, generation,
// member and instance ids (KIP-447) · v4: same. Known gaps: none.

import { ApiKey } from '../../protocol/generated/index.ts'
import { defineHandler } from '../handler.ts'

export const txnOffsetCommit = defineHandler({
  apiKey: ApiKey.TxnOffsetCommit,
  versions: { min: 0, max: 4 },
  async handle(context, request) {
    const partitions = request.topics.flatMap((topic) =>
      topic.partitions.map((partition) => ({
        topic: topic.name,
        partition: partition.partitionIndex,
        offset: Number(partition.committedOffset),
        leaderEpoch: partition.committedLeaderEpoch,
        metadata: partition.committedMetadata,
      })),
    )
    const codes = await context.services.groups.transactionalOffsets.commit({
      groupId: request.groupId,
      producer: { producerId: request.producerId, producerEpoch: request.producerEpoch },
      generationId: context.apiVersion >= 3 ? request.generationId : -1,
      memberId: request.memberId,
      groupInstanceId: request.groupInstanceId,
      partitions,
    })
    let index = 0
    const topics = request.topics.map((topic) => ({
      name: topic.name,
      partitions: topic.partitions.map((partition) => ({
        partitionIndex: partition.partitionIndex,
        errorCode: codes[index++],
      })),
    }))
    return { throttleTimeMs: 0, topics }
  },
})
