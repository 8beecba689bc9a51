// ConsumerGroupDescribe (key 69), v0-1: KIP-848 consumer groups with their epochs, assignor, members,
// current and target assignments (topic ids and names). A classic group or an unknown id gets
// GROUP_ID_NOT_FOUND. ACLs, as Kafka's KafkaApis: DESCRIBE on each group (GROUP_AUTHORIZATION_FAILED);
// a group whose members' assignments name a topic the principal may not DESCRIBE is answered
// TOPIC_AUTHORIZATION_FAILED with no members; authorized operations (when asked) are the
// principal's bitfield on the group. Answers stay in request order (Kafka lists refused groups first).
// v1 (Kafka 4.0, KIP-1099) adds each member's MemberType: 0 classic (a member of a migrated group
// still on JoinGroup/SyncGroup), 1 consumer.

import { describeConsumerGroups } from '../../coordinator/group/consumer-admin.ts'
import type { DescribedGroup } from '../../protocol/generated/consumer-group-describe-response.ts'
import { ApiKey, ErrorCode } from '../../protocol/generated/index.ts'
import { AclOperation, ResourceType } from '../../security/acl/model.ts'
import { allows } from '../../security/acl/request.ts'
import { defineHandler, type RequestContext } from '../handler.ts'
import { authorizedOperationsOmitted, groupAuthorizedOperations } from './authorized-operations.ts'

export const consumerGroupDescribe = defineHandler({
  apiKey: ApiKey.ConsumerGroupDescribe,
  versions: { min: 0, max: 1 },
  async handle(context, request) {
    const coordinator = context.services.groups
    const groups = request.groupIds.map((groupId) => {
      if (!allows(context, AclOperation.DESCRIBE, ResourceType.GROUP, groupId)) {
        return refused(groupId, ErrorCode.GROUP_AUTHORIZATION_FAILED, null)
      }
      const [group] = describeConsumerGroups(
        coordinator.consumerGroups,
        coordinator,
        [groupId],
        authorizedOperationsOmitted,
      )
      if (group.errorCode !== ErrorCode.NONE) return group
      if (!mayDescribeTopicsOf(context, group)) {
        return refused(
          groupId,
          ErrorCode.TOPIC_AUTHORIZATION_FAILED,
          'The group has described topic(s) that the client is not authorized to describe.',
        )
      }
      return {
        ...group,
        authorizedOperations: groupAuthorizedOperations(
          context,
          groupId,
          request.includeAuthorizedOperations,
        ),
      }
    })
    return { throttleTimeMs: 0, groups }
  },
})

/** Clients may not learn of topics they cannot describe through a group's assignments. */
function mayDescribeTopicsOf(context: RequestContext, group: DescribedGroup): boolean {
  const topics = new Set(
    group.members.flatMap((member) =>
      [member.assignment, member.targetAssignment].flatMap((assignment) =>
        assignment.topicPartitions.map((topicPartition) => topicPartition.topicName),
      ),
    ),
  )
  return [...topics].every((topic) => allows(context, AclOperation.DESCRIBE, ResourceType.TOPIC, topic))
}

function refused(groupId: string, errorCode: number, errorMessage: string | null): DescribedGroup {
  return {
    errorCode,
    errorMessage,
    groupId,
    groupState: '',
    groupEpoch: 0,
    assignmentEpoch: 0,
    assignorName: '',
    members: [],
    authorizedOperations: authorizedOperationsOmitted,
  }
}
