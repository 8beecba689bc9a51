// OffsetCommit, OffsetFetch and OffsetDelete (Kafka's handleCommitOffsets / handleFetchOffsets /
// handleDeleteOffsets): who may commit for a group, what is stored (the metadata string verbatim),
// and what a fetch answers for partitions without a commit (-1, "").

import { ErrorCode } from '../../protocol/generated/index.ts'
import type { GroupCoordinator } from './group-coordinator.ts'
import { encodeOffsetCommitRecord } from './offsets-topic-records.ts'
import { subscribedTopics } from './subscriptions.ts'

export interface PartitionCommit {
  topic: string
  partition: number
  offset: number
  leaderEpoch: number
  metadata: string | null
}

export interface CommitRequest {
  groupId: string
  generationId: number
  memberId: string
  groupInstanceId: string | null
  partitions: PartitionCommit[]
  /** The OffsetCommit version (KIP-848 members must commit with v9+); absent for the REST API. */
  apiVersion?: number
}

/** Error code per partition, in request order. */
export async function commitOffsets(
  coordinator: GroupCoordinator,
  request: CommitRequest,
): Promise<number[]> {
  const groupError = commitPermission(coordinator, request)
  if (groupError !== ErrorCode.NONE) return request.partitions.map(() => groupError)
  const codes = request.partitions.map((entry) => partitionCommitError(coordinator, entry))
  const accepted = request.partitions.filter((_, index) => codes[index] === ErrorCode.NONE)
  const nowMs = coordinator.now()
  const records = accepted.map((entry) =>
    encodeOffsetCommitRecord(
      { group: request.groupId, topic: entry.topic, partition: entry.partition },
      {
        offset: BigInt(entry.offset),
        leaderEpoch: entry.leaderEpoch,
        metadata: entry.metadata ?? '',
        commitTimestamp: BigInt(nowMs),
        expireTimestamp: -1n,
      },
    ),
  )
  try {
    await coordinator.stateLog.append(request.groupId, records, nowMs)
  } catch (error) {
    coordinator.log.error({ err: error, group: request.groupId }, 'offset commit write failed')
    return codes.map((code) => (code === ErrorCode.NONE ? ErrorCode.COORDINATOR_NOT_AVAILABLE : code))
  }
  for (const entry of accepted) {
    coordinator.offsets.set(request.groupId, entry.topic, entry.partition, {
      offset: entry.offset,
      leaderEpoch: entry.leaderEpoch,
      metadata: entry.metadata ?? '',
      commitTimestampMs: nowMs,
    })
  }
  return codes
}

function commitPermission(coordinator: GroupCoordinator, request: CommitRequest): number {
  const refusal = coordinator.refuse(request.groupId)
  if (refusal !== ErrorCode.NONE) return refusal
  // KIP-848 members commit with their member epoch in the generation field (OffsetCommit v9).
  if (coordinator.consumerGroups.has(request.groupId)) {
    const { groupId, memberId, generationId, apiVersion } = request
    return coordinator.consumerGroups.validateOffsetCommit(groupId, memberId, generationId, apiVersion)
  }
  const group = coordinator.group(request.groupId, { create: request.generationId < 0 })
  if (group === undefined)
    return request.generationId < 0 ? ErrorCode.COORDINATOR_NOT_AVAILABLE : ErrorCode.ILLEGAL_GENERATION
  if (group.state === 'Dead') return ErrorCode.COORDINATOR_NOT_AVAILABLE
  // Standalone consumers and admin tools commit with generation -1 to a group without members.
  if (request.generationId < 0 && group.state === 'Empty') return ErrorCode.NONE
  if (request.groupInstanceId !== null) {
    const current = group.staticMembers.get(request.groupInstanceId)
    if (current !== undefined && current !== request.memberId) return ErrorCode.FENCED_INSTANCE_ID
  }
  if (group.state === 'CompletingRebalance') return ErrorCode.REBALANCE_IN_PROGRESS
  if (!group.members.has(request.memberId)) return ErrorCode.UNKNOWN_MEMBER_ID
  if (request.generationId !== group.generationId) return ErrorCode.ILLEGAL_GENERATION
  const member = group.members.get(request.memberId)
  if (member !== undefined) member.sessionDeadlineMs = coordinator.now() + member.sessionTimeoutMs
  return ErrorCode.NONE
}

function partitionCommitError(coordinator: GroupCoordinator, entry: PartitionCommit): number {
  if (coordinator.logs.partition(entry.topic, entry.partition) === undefined)
    return ErrorCode.UNKNOWN_TOPIC_OR_PARTITION
  if (
    entry.metadata !== null &&
    Buffer.byteLength(entry.metadata) > coordinator.config.offsetMetadataMaxBytes
  ) {
    return ErrorCode.OFFSET_METADATA_TOO_LARGE
  }
  return ErrorCode.NONE
}

export interface FetchedOffset {
  topic: string
  partition: number
  offset: number
  leaderEpoch: number
  metadata: string
  errorCode: number
}

/** Committed offsets of the requested partitions (all of the group's when `topics` is null). */
export function fetchOffsets(
  coordinator: GroupCoordinator,
  groupId: string,
  topics: { topic: string; partitions: number[] }[] | null,
  /** OffsetFetch v9: the KIP-848 member asking, checked against a consumer group. */
  member: { memberId: string | null; memberEpoch: number } | null = null,
  /** OffsetFetch v7+: partitions with offsets in an open transaction answer UNSTABLE_OFFSET_COMMIT. */
  options: { requireStable: boolean } = { requireStable: false },
): { errorCode: number; partitions: FetchedOffset[] } {
  const refusal = coordinator.refuse(groupId)
  if (refusal !== ErrorCode.NONE) return { errorCode: refusal, partitions: [] }
  if (member !== null) {
    const { memberId, memberEpoch } = member
    const memberError = coordinator.consumerGroups.validateOffsetFetch(groupId, memberId, memberEpoch)
    if (memberError !== ErrorCode.NONE) return { errorCode: memberError, partitions: [] }
  }
  const requested = topics ?? groupByTopic(coordinator.offsets.all(groupId))
  const partitions = requested.flatMap(({ topic, partitions: indexes }) =>
    indexes.map((partition) => {
      const committed = coordinator.offsets.get(groupId, topic, partition)
      // KIP-447: with require_stable, an offset an open transaction may still change is not final.
      if (options.requireStable && coordinator.transactionalOffsets.isPending(groupId, topic, partition)) {
        return {
          topic,
          partition,
          offset: -1,
          leaderEpoch: -1,
          metadata: '',
          errorCode: ErrorCode.UNSTABLE_OFFSET_COMMIT,
        }
      }
      return {
        topic,
        partition,
        offset: committed?.offset ?? -1,
        leaderEpoch: committed?.leaderEpoch ?? -1,
        metadata: committed?.metadata ?? '',
        errorCode: ErrorCode.NONE,
      }
    }),
  )
  return { errorCode: ErrorCode.NONE, partitions }
}

function groupByTopic(
  offsets: { topic: string; partition: number }[],
): { topic: string; partitions: number[] }[] {
  const byTopic = new Map<string, number[]>()
  for (const { topic, partition } of offsets) byTopic.set(topic, [...(byTopic.get(topic) ?? []), partition])
  return [...byTopic].map(([topic, partitions]) => ({ topic, partitions }))
}

/** OffsetDelete: removes committed offsets a group no longer needs. */
export async function deleteOffsets(
  coordinator: GroupCoordinator,
  groupId: string,
  partitions: { topic: string; partition: number }[],
): Promise<{ errorCode: number; partitionErrors: number[] }> {
  const refusal = coordinator.refuse(groupId)
  if (refusal !== ErrorCode.NONE) return { errorCode: refusal, partitionErrors: [] }
  const group = coordinator.groups.get(groupId)
  if (group === undefined && !coordinator.offsets.hasOffsets(groupId)) {
    return { errorCode: ErrorCode.GROUP_ID_NOT_FOUND, partitionErrors: [] }
  }
  if (group !== undefined && !group.isEmpty && group.protocolType !== 'consumer') {
    return { errorCode: ErrorCode.NON_EMPTY_GROUP, partitionErrors: [] }
  }
  const subscribed = coordinator.consumerGroups.has(groupId)
    ? coordinator.consumerGroups.subscribedTopics(groupId)
    : group === undefined || group.isEmpty
      ? new Set<string>()
      : subscribedTopics(group)
  const partitionErrors = partitions.map((entry) =>
    subscribed.has(entry.topic) ? ErrorCode.GROUP_SUBSCRIBED_TO_TOPIC : ErrorCode.NONE,
  )
  const deletable = partitions.filter(
    (entry, index) =>
      partitionErrors[index] === ErrorCode.NONE &&
      coordinator.offsets.get(groupId, entry.topic, entry.partition),
  )
  if (deletable.length > 0) await coordinator.deleteOffsetRecords(groupId, deletable)
  return { errorCode: ErrorCode.NONE, partitionErrors }
}
