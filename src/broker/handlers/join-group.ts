// JoinGroup (key 11), v0-9: a member joins a classic group and waits for the rebalance to complete.
// v1: rebalanceTimeoutMs (v0 uses the session timeout) · v2: throttleTimeMs · v4: member id
// handshake, MEMBER_ID_REQUIRED (KIP-394) · v5: groupInstanceId (KIP-345) · v6: flexible ·
// v7: protocolType in the response, nullable protocolName · v8: reason · v9: skipAssignment.
// ACLs: READ on the group (GROUP_AUTHORIZATION_FAILED). Known gaps: none (KIP-848 groups use ConsumerGroupHeartbeat instead).

import { ApiKey, ErrorCode } from '../../protocol/generated/index.ts'
import { createDefaultJoinGroupResponse } from '../../protocol/generated/join-group-response.ts'
import { AclOperation, ResourceType } from '../../security/acl/model.ts'
import { allows } from '../../security/acl/request.ts'
import { defineHandler } from '../handler.ts'

/** JoinGroup v4 is the first that asks new members to rejoin with an assigned id (KIP-394). */
const knownMemberIdVersionMin = 4
/** JoinGroup v9 can tell a rejoining static leader to skip the assignment (KIP-814). */
const skipAssignmentVersionMin = 9
/** Before v7 the response's protocolName was not nullable. */
const nullableProtocolNameVersionMin = 7

export const joinGroup = defineHandler({
  apiKey: ApiKey.JoinGroup,
  versions: { min: 0, max: 9 },
  async handle(context, request) {
    if (!allows(context, AclOperation.READ, ResourceType.GROUP, request.groupId)) {
      return { ...createDefaultJoinGroupResponse(), errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED }
    }
    const response = await context.services.groups.joinGroup({
      groupId: request.groupId,
      memberId: request.memberId,
      groupInstanceId: request.groupInstanceId,
      sessionTimeoutMs: request.sessionTimeoutMs,
      rebalanceTimeoutMs: context.apiVersion >= 1 ? request.rebalanceTimeoutMs : request.sessionTimeoutMs,
      protocolType: request.protocolType,
      protocols: request.protocols.map((protocol) => ({
        name: protocol.name,
        metadata: Buffer.from(protocol.metadata),
      })),
      clientId: context.clientId ?? '',
      clientHost: `/${context.clientAddress.replace(/:\d+$/, '')}`,
      requireKnownMemberId: context.apiVersion >= knownMemberIdVersionMin,
      skipAssignmentSupported: context.apiVersion >= skipAssignmentVersionMin,
    })
    if (context.apiVersion < nullableProtocolNameVersionMin && response.protocolName === null) {
      return { ...response, protocolName: '' }
    }
    return response
  },
})
