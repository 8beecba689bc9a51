// SyncGroup (key 14), v0-5: the leader hands out assignments; every member receives its own.
// v1: throttleTimeMs · v3: groupInstanceId (KIP-345) · v4: flexible · v5: protocolType/protocolName
// checked against the group (INCONSISTENT_GROUP_PROTOCOL). Known gaps: none.

import { ApiKey } from '../../protocol/generated/index.ts'
import { defineHandler } from '../handler.ts'

export const syncGroup = defineHandler({
  apiKey: ApiKey.SyncGroup,
  versions: { min: 0, max: 5 },
  async handle(context, request) {
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
