// OffsetCommit (key 8), v0-9: stores consumer positions in __consumer_offsets (durably) and answers
// per partition. v1: generation/member, per-partition commitTimestamp · v2-4: retentionTimeMs ·
// v3: throttleTimeMs · v6: committedLeaderEpoch · v7: groupInstanceId · v8: flexible · v9: KIP-848.
// ACLs: READ on the group (GROUP_AUTHORIZATION_FAILED for every partition), then READ on each topic
// (TOPIC_AUTHORIZATION_FAILED for its partitions, which are not committed). Known gaps: per-commit retention (v1 commitTimestamp, v2-4 retentionTimeMs) is ignored, as Kafka 3
// does: offsets expire by `offsets.retention.minutes` once the group is empty.

import { commitOffsets } from '../../coordinator/group/offset-operations.ts'
import { ApiKey, ErrorCode } from '../../protocol/generated/index.ts'
import { AclOperation, ResourceType } from '../../security/acl/model.ts'
import { allows } from '../../security/acl/request.ts'
import { defineHandler } from '../handler.ts'
import { commitPartitionsOf, commitReadable, commitResultsByTopic } from './commit-partitions.ts'

export const offsetCommit = defineHandler({
  apiKey: ApiKey.OffsetCommit,
  versions: { min: 0, max: 9 },
  async handle(context, request) {
    const partitions = commitPartitionsOf(request.topics)
    if (!allows(context, AclOperation.READ, ResourceType.GROUP, request.groupId)) {
      const denied = partitions.map(() => ErrorCode.GROUP_AUTHORIZATION_FAILED)
      return { throttleTimeMs: 0, topics: commitResultsByTopic(request.topics, denied) }
    }
    const codes = await commitReadable(context, partitions, (allowed) =>
      commitOffsets(context.services.groups, {
        groupId: request.groupId,
        // v0 has no generation: a v0 commit is a standalone commit.
        generationId: context.apiVersion >= 1 ? request.generationIdOrMemberEpoch : -1,
        memberId: request.memberId,
        groupInstanceId: request.groupInstanceId,
        partitions: allowed,
        apiVersion: context.apiVersion,
      }),
    )
    const topics = commitResultsByTopic(request.topics, codes)
    return { throttleTimeMs: 0, topics }
  },
})
