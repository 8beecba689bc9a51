// OffsetFetch (key 9), v0-9: committed offsets of a group (all of them when topics is null, v2+).
// v2: top-level errorCode · v3: throttleTimeMs · v5: committedLeaderEpoch · v6: flexible ·
// v7: requireStable · v8: several groups (KIP-709) · v9: member id/epoch (KIP-848).
// requireStable: partitions with offsets pending in an open transaction get UNSTABLE_OFFSET_COMMIT
// (the client retries). ACLs: READ on the group (GROUP_AUTHORIZATION_FAILED); topics the principal
// may not DESCRIBE are left out of "all offsets" and, when named, answered TOPIC_AUTHORIZATION_FAILED
// (offset -1), as Kafka. Known gaps: none.

import { type FetchedOffset, fetchOffsets } from '../../coordinator/group/offset-operations.ts'
import { ApiKey, ErrorCode } from '../../protocol/generated/index.ts'
import type { OffsetFetchResponsePartition } from '../../protocol/generated/offset-fetch-response.ts'
import { AclOperation, ResourceType } from '../../security/acl/model.ts'
import { allows } from '../../security/acl/request.ts'
import { defineHandler } from '../handler.ts'

/** OffsetFetch v8 asks for several groups at once. */
const multiGroupVersionMin = 8
/** Before v2 there is no top-level error: it goes into every partition. */
const topLevelErrorVersionMin = 2

type TopicRequest = { name: string; partitionIndexes: number[] }

export const offsetFetch = defineHandler({
  apiKey: ApiKey.OffsetFetch,
  versions: { min: 0, max: 9 },
  async handle(context, request) {
    const coordinator = context.services.groups
    const describable = (topic: string) => allows(context, AclOperation.DESCRIBE, ResourceType.TOPIC, topic)
    const readOffsets = (
      groupId: string,
      topics: TopicRequest[] | null,
      member: { memberId: string | null; memberEpoch: number } | null,
    ) =>
      !allows(context, AclOperation.READ, ResourceType.GROUP, groupId)
        ? { errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED, partitions: [] }
        : fetchOffsets(
            coordinator,
            groupId,
            topics === null
              ? null
              : topics.map((topic) => ({ topic: topic.name, partitions: topic.partitionIndexes })),
            member,
            { requireStable: request.requireStable },
          )
    const lookup = (
      groupId: string,
      topics: TopicRequest[] | null,
      member: { memberId: string | null; memberEpoch: number } | null = null,
    ) => hideUndescribable(topics === null, describable, readOffsets(groupId, topics, member))
    if (context.apiVersion >= multiGroupVersionMin) {
      const groups = request.groups.map((group) => {
        // v9: a KIP-848 member names itself; its epoch is checked (STALE_MEMBER_EPOCH).
        const result = lookup(group.groupId, group.topics, group)
        return { groupId: group.groupId, topics: byTopic(result.partitions), errorCode: result.errorCode }
      })
      return { throttleTimeMs: 0, topics: [], errorCode: 0, groups }
    }
    const result = lookup(request.groupId, request.topics)
    if (context.apiVersion < topLevelErrorVersionMin && result.errorCode !== 0) {
      const failed = (request.topics ?? []).flatMap((topic) =>
        topic.partitionIndexes.map((partition) => ({
          topic: topic.name,
          partition,
          offset: -1,
          leaderEpoch: -1,
          metadata: '',
          errorCode: result.errorCode,
        })),
      )
      return { throttleTimeMs: 0, topics: byTopic(failed), errorCode: 0, groups: [] }
    }
    return { throttleTimeMs: 0, topics: byTopic(result.partitions), errorCode: result.errorCode, groups: [] }
  },
})

/** Kafka's rule for topics without DESCRIBE: absent from "all offsets", refused when named. */
function hideUndescribable(
  allTopics: boolean,
  describable: (topic: string) => boolean,
  result: { errorCode: number; partitions: FetchedOffset[] },
): { errorCode: number; partitions: FetchedOffset[] } {
  const partitions = allTopics
    ? result.partitions.filter((entry) => describable(entry.topic))
    : result.partitions.map((entry) =>
        describable(entry.topic)
          ? entry
          : {
              ...entry,
              offset: -1,
              leaderEpoch: -1,
              metadata: '',
              errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED,
            },
      )
  return { errorCode: result.errorCode, partitions }
}

function byTopic(offsets: FetchedOffset[]): { name: string; partitions: OffsetFetchResponsePartition[] }[] {
  const topics = new Map<string, OffsetFetchResponsePartition[]>()
  for (const entry of offsets) {
    const partitions = topics.get(entry.topic) ?? []
    partitions.push({
      partitionIndex: entry.partition,
      committedOffset: BigInt(entry.offset),
      committedLeaderEpoch: entry.leaderEpoch,
      metadata: entry.metadata,
      errorCode: entry.errorCode,
    })
    topics.set(entry.topic, partitions)
  }
  return [...topics].map(([name, partitions]) => ({ name, partitions }))
}
