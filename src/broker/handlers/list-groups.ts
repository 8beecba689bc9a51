// ListGroups (key 16), v0-5: every group this coordinator knows.
// v1: throttleTimeMs · v3: flexible · v4: state filter and groupState (KIP-518) · v5: type filter
// and groupType (KIP-848). Known gaps: none.

import { listGroups as listAllGroups } from '../../coordinator/group/group-admin.ts'
import { ApiKey, ErrorCode } from '../../protocol/generated/index.ts'
import { AclOperation, ResourceType } from '../../security/acl/model.ts'
import { allows, allowsOnCluster } from '../../security/acl/request.ts'
import { defineHandler } from '../handler.ts'

export const listGroups = defineHandler({
  apiKey: ApiKey.ListGroups,
  versions: { min: 0, max: 5 },
  async handle(context, request) {
    const coordinator = context.services.groups
    if (coordinator.loading)
      return { throttleTimeMs: 0, errorCode: ErrorCode.COORDINATOR_LOAD_IN_PROGRESS, groups: [] }
    // Filters compare case-insensitively, as Kafka does.
    const states = new Set(request.statesFilter.map((state) => state.toLowerCase()))
    const types = new Set(request.typesFilter.map((type) => type.toLowerCase()))
    const groups = listAllGroups(coordinator)
      .filter((group) => states.size === 0 || states.has(group.groupState.toLowerCase()))
      .filter((group) => types.size === 0 || types.has(group.groupType))
      // ACLs: DESCRIBE on the cluster lists every group; otherwise only groups the principal may describe.
      .filter(
        (group) =>
          allowsOnCluster(context, AclOperation.DESCRIBE) ||
          allows(context, AclOperation.DESCRIBE, ResourceType.GROUP, group.groupId),
      )
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, groups }
  },
})
