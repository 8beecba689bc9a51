// Heartbeat (key 12), v0-4: keeps a classic group member alive and tells it when to rejoin.
// v1: throttleTimeMs · v3: groupInstanceId (KIP-345) · v4: flexible. ACLs: READ on the group
// (GROUP_AUTHORIZATION_FAILED). Known gaps: none.

import { ApiKey, ErrorCode } from '../../protocol/generated/index.ts'
import { AclOperation, ResourceType } from '../../security/acl/model.ts'
import { allows } from '../../security/acl/request.ts'
import { defineHandler } from '../handler.ts'

export const heartbeat = defineHandler({
  apiKey: ApiKey.Heartbeat,
  versions: { min: 0, max: 4 },
  async handle(context, request) {
    if (!allows(context, AclOperation.READ, ResourceType.GROUP, request.groupId)) {
      return { throttleTimeMs: 0, errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED }
    }
    const errorCode = context.services.groups.heartbeat(request.groupId, {
      memberId: request.memberId,
      groupInstanceId: request.groupInstanceId,
      generationId: request.generationId,
    })
    return { throttleTimeMs: 0, errorCode }
  },
})
