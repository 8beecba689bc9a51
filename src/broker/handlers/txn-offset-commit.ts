// TxnOffsetCommit (key 28), v0-4: offsets committed inside a transaction; OffsetFetch shows them
// once the transaction commits. v1: same · v2: committedLeaderEpoch · v3: flexible, generation,
// member and instance ids (KIP-447) · v4: same. Known gaps: none.

import { ApiKey } from '../../protocol/generated/index.ts'
import { defineHandler } from '../handler.ts'
import { commitPartitionsOf, commitResultsByTopic } from './commit-partitions.ts'

export const txnOffsetCommit = defineHandler({
  apiKey: ApiKey.TxnOffsetCommit,
  versions: { min: 0, max: 4 },
  async handle(context, request) {
    const partitions = commitPartitionsOf(request.topics)
    const codes = await context.services.groups.transactionalOffsets.commit({
      groupId: request.groupId,
      producer: { producerId: request.producerId, producerEpoch: request.producerEpoch },
      generationId: context.apiVersion >= 3 ? request.generationId : -1,
      memberId: request.memberId,
      groupInstanceId: request.groupInstanceId,
      partitions,
    })
    const topics = commitResultsByTopic(request.topics, codes)
    return { throttleTimeMs: 0, topics }
  },
})
