// TxnOffsetCommit (key 28), v0-4: offsets committed inside a transaction; OffsetFetch shows them
// once the transaction commits. v1: same · v2: committedLeaderEpoch · v3: flexible, generation,
// member and instance ids (KIP-447) · v4: same.
// ACLs, as Kafka's KafkaApis: WRITE on the transactional id, then READ on the group (every partition
// TRANSACTIONAL_ID_AUTHORIZATION_FAILED or GROUP_AUTHORIZATION_FAILED), then READ on each topic
// (its partitions TOPIC_AUTHORIZATION_FAILED, the others committed). Known gaps: none.

import { ApiKey, ErrorCode } from '../../protocol/generated/index.ts'
import { AclOperation, ResourceType } from '../../security/acl/model.ts'
import { allows } from '../../security/acl/request.ts'
import { defineHandler, type RequestContext } from '../handler.ts'
import { commitPartitionsOf, commitReadable, commitResultsByTopic } from './commit-partitions.ts'

/** The error every partition gets, or NONE when the transactional id and group are authorized. */
function refusalFor(context: RequestContext, transactionalId: string, groupId: string): number {
  if (!allows(context, AclOperation.WRITE, ResourceType.TRANSACTIONAL_ID, transactionalId)) {
    return ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED
  }
  if (!allows(context, AclOperation.READ, ResourceType.GROUP, groupId)) {
    return ErrorCode.GROUP_AUTHORIZATION_FAILED
  }
  return ErrorCode.NONE
}

export const txnOffsetCommit = defineHandler({
  apiKey: ApiKey.TxnOffsetCommit,
  versions: { min: 0, max: 4 },
  async handle(context, request) {
    const partitions = commitPartitionsOf(request.topics)
    const refusal = refusalFor(context, request.transactionalId, request.groupId)
    if (refusal !== ErrorCode.NONE) {
      return {
        throttleTimeMs: 0,
        topics: commitResultsByTopic(
          request.topics,
          partitions.map(() => refusal),
        ),
      }
    }
    const codes = await commitReadable(context, partitions, (allowed) =>
      context.services.groups.transactionalOffsets.commit({
        groupId: request.groupId,
        producer: { producerId: request.producerId, producerEpoch: request.producerEpoch },
        generationId: context.apiVersion >= 3 ? request.generationId : -1,
        memberId: request.memberId,
        groupInstanceId: request.groupInstanceId,
        partitions: allowed,
      }),
    )
    return { throttleTimeMs: 0, topics: commitResultsByTopic(request.topics, codes) }
  },
})
