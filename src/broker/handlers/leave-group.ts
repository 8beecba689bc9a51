// LeaveGroup (key 13), v0-5: members leave a classic group, which then rebalances.
// v1: throttleTimeMs · v3: several members at once with per-member errors, by instance id (KIP-345)
// · v4: flexible · v5: reason. ACLs: READ on the group (GROUP_AUTHORIZATION_FAILED, no members).
// Known gaps: none.

import { ApiKey, ErrorCode } from '../../protocol/generated/index.ts'
import { AclOperation, ResourceType } from '../../security/acl/model.ts'
import { allows } from '../../security/acl/request.ts'
import { defineHandler } from '../handler.ts'

/** LeaveGroup v3 batches members (KIP-345). */
const batchedVersionMin = 3

export const leaveGroup = defineHandler({
  apiKey: ApiKey.LeaveGroup,
  versions: { min: 0, max: 5 },
  async handle(context, request) {
    if (!allows(context, AclOperation.READ, ResourceType.GROUP, request.groupId)) {
      return { throttleTimeMs: 0, errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED, members: [] }
    }
    const groups = context.services.groups
    if (context.apiVersion < batchedVersionMin) {
      const errorCode = await groups.leaveGroup(request.groupId, {
        memberId: request.memberId,
        groupInstanceId: null,
      })
      return { throttleTimeMs: 0, errorCode, members: [] }
    }
    const refusal = groups.refuse(request.groupId)
    if (refusal !== ErrorCode.NONE) return { throttleTimeMs: 0, errorCode: refusal, members: [] }
    const members = []
    for (const member of request.members) {
      members.push({
        memberId: member.memberId,
        groupInstanceId: member.groupInstanceId,
        errorCode: await groups.leaveGroup(request.groupId, member),
      })
    }
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, members }
  },
})
