// ConsumerGroupDescribe (key 69), v0: KIP-848 consumer groups with their epochs, assignor, members,
// current and target assignments (topic ids and names). A classic group or an unknown id gets
// GROUP_ID_NOT_FOUND. Known gaps: v1 (KIP-1099 memberType) is not in this broker's kafka-spec;
// authorized operations report everything allowed until ACLs exist (security issue).

import { describeConsumerGroups } from '../../coordinator/group/consumer-admin.ts'
import { ApiKey } from '../../protocol/generated/index.ts'
import { defineHandler } from '../handler.ts'
import { authorizedOperationsOmitted } from './authorized-operations.ts'

/** READ, DELETE, DESCRIBE (AclOperation codes): what can be done to a group. */
const groupOperationsAll = [3, 6, 8].reduce((bits, operation) => bits | (1 << operation), 0)

export const consumerGroupDescribe = defineHandler({
  apiKey: ApiKey.ConsumerGroupDescribe,
  versions: { min: 0, max: 0 },
  async handle(context, request) {
    const coordinator = context.services.groups
    const groups = describeConsumerGroups(
      coordinator.consumerGroups,
      coordinator,
      request.groupIds,
      request.includeAuthorizedOperations ? groupOperationsAll : authorizedOperationsOmitted,
    )
    return { throttleTimeMs: 0, groups }
  },
})
