// DescribeGroups (key 15), v0-5: members, assignments and state of classic groups.
// v1: throttleTimeMs · v3: authorized operations · v4: groupInstanceId · v5: flexible.
// An unknown group is reported as Dead with no error, as Kafka does. Known gaps: authorized
// operations report everything allowed until ACLs exist (security issue).

import { describeGroup } from '../../coordinator/group/group-admin.ts'
import { ApiKey, ErrorCode } from '../../protocol/generated/index.ts'
import { AclOperation, ResourceType } from '../../security/acl/model.ts'
import { allows } from '../../security/acl/request.ts'
import { defineHandler } from '../handler.ts'

/** READ, DELETE, DESCRIBE (AclOperation codes): what can be done to a group. */
const groupOperationsAll = [3, 6, 8].reduce((bits, operation) => bits | (1 << operation), 0)
const authorizedOperationsOmitted = -2147483648

export const describeGroups = defineHandler({
  apiKey: ApiKey.DescribeGroups,
  versions: { min: 0, max: 5 },
  async handle(context, request) {
    const groups = request.groups.map((groupId) => {
      // ACLs: DESCRIBE on the group, else GROUP_AUTHORIZATION_FAILED (Dead, nothing else told).
      const description = allows(context, AclOperation.DESCRIBE, ResourceType.GROUP, groupId)
        ? describeGroup(context.services.groups, groupId)
        : {
            errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED,
            groupState: 'Dead',
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
        authorizedOperations: request.includeAuthorizedOperations
          ? groupOperationsAll
          : authorizedOperationsOmitted,
      }
    })
    return { throttleTimeMs: 0, groups }
  },
})
