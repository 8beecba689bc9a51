// SyncGroup (key 14), v0-5: the leader hands out assignments; every member receives its own.
// v1: throttleTimeMs · v3: groupInstanceId (KIP-345) · v4: flexible · v5: protocolType/protocolName
// checked against the group (INCONSISTENT_GROUP_PROTOCOL). ACLs: READ on the group
// (GROUP_AUTHORIZATION_FAILED). Known gaps: none.

import { ApiKey, ErrorCode } from '../../protocol/generated/index.ts'
import { createDefaultSyncGroupResponse } from '../../protocol/generated/sync-group-response.ts'
import { AclOperation, ResourceType } from '../../security/acl/model.ts'
import { allows } from '../../security/acl/request.ts'
import { defineHandler } from '../handler.ts'

export const syncGroup = defineHandler({
  apiKey: ApiKey.SyncGroup,
  versions: { min: 0, max: 5 },
  async handle(context, request) {
    if (!allows(context, AclOperation.READ, ResourceType.GROUP, request.groupId)) {
      return { ...createDefaultSyncGroupResponse(), errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED }
    }
    return context.services.groups.syncGroup(request.groupId, {
      memberId: request.memberId,
      groupInstanceId: request.groupInstanceId,
      generationId: request.generationId,
      protocolType: request.protocolType,
      protocolName: request.protocolName,
      // Copies: the assignment outlives the request frame it arrived in.
      assignments: request.assignments.map((entry) => ({
        memberId: entry.memberId,
        assignment: Buffer.from(entry.assignment),
      })),
    })
  },
})
