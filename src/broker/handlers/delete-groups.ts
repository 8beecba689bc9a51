// DeleteGroups (key 42), v0-2: deletes empty groups with their committed offsets.
// NON_EMPTY_GROUP while members remain, GROUP_ID_NOT_FOUND for unknown groups.
// v1: same as v0 · v2: flexible. Known gaps: none.

import { deleteGroup } from '../../coordinator/group/group-admin.ts'
import { ApiKey, ErrorCode } from '../../protocol/generated/index.ts'
import { AclOperation, ResourceType } from '../../security/acl/model.ts'
import { allows } from '../../security/acl/request.ts'
import { defineHandler } from '../handler.ts'

export const deleteGroups = defineHandler({
  apiKey: ApiKey.DeleteGroups,
  versions: { min: 0, max: 2 },
  async handle(context, request) {
    const results = []
    for (const groupId of request.groupsNames) {
      // ACLs: DELETE on the group, else GROUP_AUTHORIZATION_FAILED.
      const errorCode = allows(context, AclOperation.DELETE, ResourceType.GROUP, groupId)
        ? await deleteGroup(context.services.groups, groupId)
        : ErrorCode.GROUP_AUTHORIZATION_FAILED
      results.push({ groupId, errorCode })
    }
    return { throttleTimeMs: 0, results }
  },
})
