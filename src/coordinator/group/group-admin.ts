// ListGroups, DescribeGroups and DeleteGroups over the coordinator's state.

import { ErrorCode } from '../../protocol/generated/index.ts'
import type { GroupState } from './classic-group.ts'
import { type ConsumerGroupListing, listConsumerGroups } from './consumer-admin.ts'
import type { GroupCoordinator } from './group-coordinator.ts'
import { encodeGroupMetadataRecord, encodeOffsetCommitRecord } from './offsets-topic-records.ts'

export interface GroupListing {
  groupId: string
  protocolType: string
  groupState: GroupState
  groupType: 'classic'
}

/** Every group, including groups that only have committed offsets (Kafka lists those as Empty). */
export function listGroups(coordinator: GroupCoordinator): (GroupListing | ConsumerGroupListing)[] {
  const listings = new Map<string, GroupListing | ConsumerGroupListing>()
  for (const listing of listConsumerGroups(coordinator.consumerGroups)) listings.set(listing.groupId, listing)
  for (const group of coordinator.groups.values()) {
    listings.set(group.groupId, {
      groupId: group.groupId,
      protocolType: group.protocolType ?? '',
      groupState: group.state,
      groupType: 'classic',
    })
  }
  for (const groupId of coordinator.offsets.groupIds()) {
    if (!listings.has(groupId))
      listings.set(groupId, { groupId, protocolType: '', groupState: 'Empty', groupType: 'classic' })
  }
  return [...listings.values()]
}

export interface GroupDescription {
  errorCode: number
  groupState: GroupState
  protocolType: string
  protocolName: string
  members: {
    memberId: string
    groupInstanceId: string | null
    clientId: string
    clientHost: string
    metadata: Buffer
    assignment: Buffer
  }[]
}

export function describeGroup(coordinator: GroupCoordinator, groupId: string): GroupDescription {
  const refusal = coordinator.refuse(groupId)
  const group = coordinator.groups.get(groupId)
  if (refusal !== ErrorCode.NONE || group === undefined) {
    // A KIP-848 group is no classic group: Kafka's DescribeGroups below v6 reports it Dead.
    const known = coordinator.offsets.hasOffsets(groupId) && !coordinator.consumerGroups.has(groupId)
    return {
      errorCode: refusal,
      groupState: known ? 'Empty' : 'Dead',
      protocolType: '',
      protocolName: '',
      members: [],
    }
  }
  const stable = group.state === 'Stable'
  return {
    errorCode: ErrorCode.NONE,
    groupState: group.state,
    protocolType: group.protocolType ?? '',
    // Kafka reports the protocol and assignments only once they are settled.
    protocolName: stable ? (group.protocolName ?? '') : '',
    members: [...group.members.values()].map((member) => ({
      memberId: member.memberId,
      groupInstanceId: member.groupInstanceId,
      clientId: member.clientId,
      clientHost: member.clientHost,
      metadata: stable ? group.metadataOf(member) : Buffer.alloc(0),
      assignment: stable ? member.assignment : Buffer.alloc(0),
    })),
  }
}

/** Deletes an empty group and its offsets (tombstones). NON_EMPTY_GROUP while it has members. */
export async function deleteGroup(coordinator: GroupCoordinator, groupId: string): Promise<number> {
  const refusal = coordinator.refuse(groupId)
  if (refusal !== ErrorCode.NONE) return refusal
  if (coordinator.consumerGroups.has(groupId)) return coordinator.consumerGroups.deleteGroup(groupId)
  const group = coordinator.groups.get(groupId)
  if (group === undefined && !coordinator.offsets.hasOffsets(groupId)) return ErrorCode.GROUP_ID_NOT_FOUND
  if (group !== undefined && !group.isEmpty) return ErrorCode.NON_EMPTY_GROUP
  const offsets = coordinator.offsets.all(groupId)
  const records = [
    ...offsets.map((entry) =>
      encodeOffsetCommitRecord({ group: groupId, topic: entry.topic, partition: entry.partition }, null),
    ),
    encodeGroupMetadataRecord(groupId, null),
  ]
  try {
    await coordinator.stateLog.append(groupId, records, coordinator.now())
  } catch (error) {
    coordinator.log.error({ err: error, group: groupId }, 'group deletion write failed')
    return ErrorCode.COORDINATOR_NOT_AVAILABLE
  }
  for (const entry of offsets) coordinator.offsets.delete(groupId, entry.topic, entry.partition)
  if (group !== undefined) group.state = 'Dead'
  coordinator.groups.delete(groupId)
  return ErrorCode.NONE
}
