// ConsumerGroupDescribe and the consumer groups' part of ListGroups.

import type { DescribedGroup } from '../../protocol/generated/consumer-group-describe-response.ts'
import { ErrorCode } from '../../protocol/generated/index.ts'
import type { Assignment } from './consumer-assignment.ts'
import type { ConsumerGroupCoordinator, ConsumerGroupHost } from './consumer-coordinator.ts'
import type { ConsumerGroupState } from './consumer-group.ts'
import { preferredAssignor } from './consumer-target-assignment.ts'

/** ConsumerGroupDescribe v1's MemberType (KIP-1099): which protocol a member of a consumer group speaks. */
export const MemberType = { UNKNOWN: -1, CLASSIC: 0, CONSUMER: 1 } as const

export interface ConsumerGroupListing {
  groupId: string
  protocolType: 'consumer'
  groupState: ConsumerGroupState
  groupType: 'consumer'
}

export function listConsumerGroups(coordinator: ConsumerGroupCoordinator): ConsumerGroupListing[] {
  return [...coordinator.groups.values()].map((group) => ({
    groupId: group.groupId,
    protocolType: 'consumer',
    groupState: group.state(),
    groupType: 'consumer',
  }))
}

/** One DescribedGroup per id, in request order. `authorizedOperations` is passed through. */
export function describeConsumerGroups(
  coordinator: ConsumerGroupCoordinator,
  host: Pick<ConsumerGroupHost, 'refuse' | 'groups'>,
  groupIds: readonly string[],
  authorizedOperations: number,
): DescribedGroup[] {
  return groupIds.map((groupId) => {
    const failed = (errorCode: number, errorMessage: string | null): DescribedGroup => ({
      errorCode,
      errorMessage,
      groupId,
      groupState: '',
      groupEpoch: 0,
      assignmentEpoch: 0,
      assignorName: '',
      members: [],
      authorizedOperations,
    })
    const refusal = host.refuse(groupId)
    if (refusal !== ErrorCode.NONE) return failed(refusal, null)
    const group = coordinator.groups.get(groupId)
    if (group === undefined) {
      const message = host.groups.has(groupId)
        ? `Group ${groupId} is not a consumer group.`
        : `Group ${groupId} not found.`
      return failed(ErrorCode.GROUP_ID_NOT_FOUND, message)
    }
    const toWire = (assignment: Assignment) => ({
      topicPartitions: [...assignment].flatMap(([topicId, partitions]) => {
        const topicName = coordinator.catalog.topicName(topicId)
        return topicName === undefined ? [] : [{ topicId, topicName, partitions: [...partitions] }]
      }),
    })
    return {
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      groupId,
      groupState: group.state(),
      groupEpoch: group.groupEpoch,
      assignmentEpoch: group.assignmentEpoch,
      assignorName: preferredAssignor(group, coordinator.config),
      members: [...group.members.values()].map((member) => ({
        memberId: member.memberId,
        instanceId: member.instanceId,
        rackId: member.rackId,
        memberEpoch: member.memberEpoch,
        clientId: member.clientId,
        clientHost: member.clientHost,
        subscribedTopicNames: [...member.subscribedTopicNames],
        subscribedTopicRegex: member.subscribedTopicRegex,
        assignment: toWire(member.assignedPartitions),
        targetAssignment: toWire(group.targetOf(member.memberId)),
        // v1 (KIP-1099); the v0 encoder leaves it out.
        memberType: member.classic === null ? MemberType.CONSUMER : MemberType.CLASSIC,
      })),
      authorizedOperations,
    }
  })
}
