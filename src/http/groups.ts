// Consumer groups for the admin API, over the group coordinator: descriptions with members, their
// assignments (consumer protocol decoded), committed offsets and lag; offset resets.

import { describeGroup, listGroups } from '../coordinator/group/group-admin.ts'
import type { GroupCoordinator } from '../coordinator/group/group-coordinator.ts'
import { commitOffsets } from '../coordinator/group/offset-operations.ts'
import { decodeConsumerProtocolAssignmentByVersion } from '../protocol/generated/consumer-protocol-assignment.ts'
import { ErrorCode, errorName } from '../protocol/generated/error-codes.ts'
import { Reader } from '../protocol/reader.ts'
import type { LogManager } from '../storage/types.ts'
import type { BrokerView } from './context.ts'
import { ApiError, invalidRequest } from './errors.ts'
import { offsetForTimestamp } from './messages.ts'

export interface PartitionLag {
  topic: string
  partition: number
  committedOffset: number
  logEndOffset: number
  lag: number
  metadata: string
}

/** Lag of every committed offset of a group: high watermark minus committed offset (never negative). */
export function lagOf(groups: GroupCoordinator, logs: LogManager, groupId: string): PartitionLag[] {
  return groups.offsets
    .all(groupId)
    .map((committed) => {
      const end = logs.partition(committed.topic, committed.partition)?.highWatermark ?? committed.offset
      return {
        topic: committed.topic,
        partition: committed.partition,
        committedOffset: committed.offset,
        logEndOffset: end,
        lag: Math.max(0, end - committed.offset),
        metadata: committed.metadata,
      }
    })
    .sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition)
}

function assignmentOf(bytes: Buffer): Array<{ topic: string; partitions: number[] }> {
  if (bytes.length < 2) return []
  try {
    const reader = new Reader(bytes)
    const version = reader.readInt16('version')
    const decode =
      decodeConsumerProtocolAssignmentByVersion[
        Math.min(version, decodeConsumerProtocolAssignmentByVersion.length - 1)
      ]
    return decode === undefined
      ? []
      : decode(reader).assignedPartitions.map(({ topic, partitions }) => ({ topic, partitions }))
  } catch {
    return [] // not the consumer protocol: nothing to show
  }
}

export function groupList(groups: GroupCoordinator) {
  return listGroups(groups)
    .map((group) => ({ groupId: group.groupId, state: group.groupState, protocolType: group.protocolType }))
    .sort((a, b) => a.groupId.localeCompare(b.groupId))
}

/** Every group: in cluster mode those coordinated by other brokers too (from PostgreSQL); the groups
 * this broker coordinates are listed from its coordinator (exact state). */
export async function clusterGroupList(broker: BrokerView) {
  const local = groupList(broker.groups)
  if (broker.cluster === null) return local
  const listed = new Set(local.map((group) => group.groupId))
  const others = (await broker.cluster.groupListings())
    .filter((group) => !listed.has(group.groupId))
    .map(({ groupId, state, protocolType }) => ({ groupId, state, protocolType }))
  return [...local, ...others].sort((a, b) => a.groupId.localeCompare(b.groupId))
}

function failOnCode(errorCode: number, groupId: string): void {
  if (errorCode === ErrorCode.NONE) return
  const status =
    errorCode === ErrorCode.GROUP_ID_NOT_FOUND ? 404 : errorCode === ErrorCode.NON_EMPTY_GROUP ? 409 : 503
  throw new ApiError(status, errorName(errorCode), `group ${groupId}: ${errorName(errorCode)}`)
}

export function groupDetail(groups: GroupCoordinator, logs: LogManager, groupId: string) {
  const description = describeGroup(groups, groupId)
  failOnCode(description.errorCode, groupId)
  if (description.groupState === 'Dead') failOnCode(ErrorCode.GROUP_ID_NOT_FOUND, groupId)
  const consumer = description.protocolType === 'consumer'
  return {
    groupId,
    state: description.groupState,
    protocolType: description.protocolType,
    protocol: description.protocolName,
    members: description.members.map((member) => ({
      memberId: member.memberId,
      groupInstanceId: member.groupInstanceId,
      clientId: member.clientId,
      clientHost: member.clientHost,
      assignment: consumer ? assignmentOf(member.assignment) : [],
    })),
    offsets: lagOf(groups, logs, groupId),
  }
}

export type ResetTarget =
  | { to: 'earliest' }
  | { to: 'latest' }
  | { to: 'offset'; offset: number }
  | { to: 'timestamp'; timestamp: number }
  /** Kafka's --shift-by: the committed offset plus `shift` (negative moves back), within the log. */
  | { to: 'shift'; shift: number }

export interface ResetRequest {
  topic: string
  /** Default: every partition of the topic. */
  partitions?: number[]
  target: ResetTarget
  dryRun: boolean
}

async function targetOffset(
  logs: LogManager,
  topic: string,
  partition: number,
  target: ResetTarget,
  committed: number | undefined,
): Promise<number> {
  const log = logs.partition(topic, partition)
  if (log === undefined)
    throw new ApiError(404, 'UNKNOWN_TOPIC_OR_PARTITION', `partition ${topic}-${partition} does not exist`)
  switch (target.to) {
    case 'earliest':
      return log.logStartOffset
    case 'latest':
      return log.highWatermark
    case 'offset':
      return Math.min(Math.max(target.offset, log.logStartOffset), log.highWatermark)
    case 'timestamp':
      return offsetForTimestamp(log, target.timestamp)
    case 'shift':
      // A partition without a committed offset shifts from the log start (a new consumer's earliest).
      return Math.min(
        Math.max((committed ?? log.logStartOffset) + target.shift, log.logStartOffset),
        log.highWatermark,
      )
  }
}

/** Resets a group's committed offsets of one topic (the group must have no active members). */
export async function resetOffsets(
  groups: GroupCoordinator,
  logs: LogManager,
  groupId: string,
  request: ResetRequest,
) {
  const topic = logs.getTopic(request.topic)
  if (topic === undefined)
    throw new ApiError(404, 'UNKNOWN_TOPIC_OR_PARTITION', `topic ${request.topic} does not exist`)
  if (groups.loading) throw new ApiError(503, 'COORDINATOR_LOAD_IN_PROGRESS', 'group state is loading')
  const state = groups.stateOf(groupId)
  if (state !== 'Empty' && state !== 'Dead') {
    throw new ApiError(
      409,
      'NON_EMPTY_GROUP',
      `group ${groupId} is ${state}; stop its consumers before resetting offsets`,
    )
  }
  const partitions = request.partitions ?? [...Array(topic.partitionCount).keys()]
  const changes = []
  for (const partition of partitions) {
    const previous = groups.offsets.get(groupId, request.topic, partition)
    const offset = await targetOffset(logs, request.topic, partition, request.target, previous?.offset)
    changes.push({
      topic: request.topic,
      partition,
      previousOffset: previous?.offset ?? null,
      newOffset: offset,
    })
  }
  if (!request.dryRun) {
    const codes = await commitOffsets(groups, {
      groupId,
      generationId: -1,
      memberId: '',
      groupInstanceId: null,
      partitions: changes.map((change) => ({
        ...change,
        offset: change.newOffset,
        leaderEpoch: -1,
        metadata: null,
      })),
    })
    const failed = codes.find((code) => code !== ErrorCode.NONE)
    if (failed !== undefined) failOnCode(failed, groupId)
  }
  return { groupId, dryRun: request.dryRun, partitions: changes }
}

export function resetTargetOf(body: {
  to: string
  offset?: number
  timestamp?: number
  shift?: number
}): ResetTarget {
  if (body.to === 'earliest' || body.to === 'latest') return { to: body.to }
  if (body.to === 'shift') {
    if (body.shift === undefined) throw invalidRequest('to=shift needs shift')
    return { to: 'shift', shift: body.shift }
  }
  if (body.to === 'offset' && body.offset !== undefined) return { to: 'offset', offset: body.offset }
  if (body.to === 'timestamp' && body.timestamp !== undefined)
    return { to: 'timestamp', timestamp: body.timestamp }
  throw invalidRequest(`to=${body.to} needs ${body.to === 'offset' ? 'offset' : 'timestamp'}`)
}
