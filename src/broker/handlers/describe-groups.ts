// DescribeGroups (key 15), v0-5: members, assignments and state of classic groups.
// v1: throttleTimeMs · v3: authorized operations · v4: groupInstanceId · v5: flexible.
// An unknown group is reported as Dead with no error, as Kafka does. ACLs: DESCRIBE on each group,
// else GROUP_AUTHORIZATION_FAILED with every other field empty (Kafka's DescribeGroupsResponse.groupError);
// authorized operations (v3+, when asked) are the principal's bitfield on the group. Known gaps: none.

import { describeGroup } from '../../coordinator/group/group-admin.ts'
import { ApiKey, ErrorCode } from '../../protocol/generated/index.ts'
import { AclOperation, ResourceType } from '../../security/acl/model.ts'
import { allows } from '../../security/acl/request.ts'
import { defineHandler } from '../handler.ts'
import { groupAuthorizedOperations } from './authorized-operations.ts'

export const describeGroups = defineHandler({
  apiKey: ApiKey.DescribeGroups,
  versions: { min: 0, max: 5 },
  async handle(context, request) {
    const groups = request.groups.map((groupId) => {
      // ACLs: DESCRIBE on the group, else GROUP_AUTHORIZATION_FAILED, nothing else told.
      const description = allows(context, AclOperation.DESCRIBE, ResourceType.GROUP, groupId)
        ? describeGroup(context.services.groups, groupId)
        : {
            errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED,
            groupState: '',
            protocolType: '',
            protocolName: '',
            members: [],
          }
      return {
        errorCode: description.errorCode,
        groupId,
        groupState: description.groupState,
        protocolType: description.protocolType,
        protocolData: description.protocolName,
        members: description.members.map((member) => ({
          memberId: member.memberId,
          groupInstanceId: member.groupInstanceId,
          clientId: member.clientId,
          clientHost: member.clientHost,
          memberMetadata: member.metadata,
          memberAssignment: member.assignment,
        })),
        authorizedOperations: groupAuthorizedOperations(
          context,
          groupId,
          description.errorCode === ErrorCode.NONE && request.includeAuthorizedOperations,
        ),
      }
    })
    return { throttleTimeMs: 0, groups }
  },
})
