// DescribeDelegationToken (key 41), v0-3: live tokens, as Kafka's handleDescribeTokensRequest and
// DelegationTokenManager.filterToken: `owners` null describes every token, an empty list none; a
// token is listed when one of `owners` is its owner, requester or renewer, and the caller is its
// owner/requester/renewer or holds DESCRIBE on DELEGATION_TOKEN `<tokenId>` or DESCRIBE_TOKENS on
// USER `<owner>`. Session rules as the other token APIs (delegation-token-access.ts).

import type {
  DescribeDelegationTokenResponse,
  DescribedDelegationToken,
} from '../../protocol/generated/describe-delegation-token-response.ts'
import { ApiKey, ErrorCode } from '../../protocol/generated/index.ts'
import { AclOperation, ResourceType } from '../../security/acl/model.ts'
import { allows } from '../../security/acl/request.ts'
import {
  type DelegationToken,
  ownerOrRenewer,
  principalOf,
  principalText,
} from '../../security/delegation-tokens.ts'
import { defineHandler } from '../handler.ts'
import { enabledTokenStore, tokenRequestsAllowed } from './delegation-token-access.ts'

export const describeDelegationToken = defineHandler({
  apiKey: ApiKey.DescribeDelegationToken,
  versions: { min: 0, max: 3 },
  async handle(context, request): Promise<DescribeDelegationTokenResponse> {
    const answer = (errorCode: number, tokens: DescribedDelegationToken[] = []) => ({
      errorCode,
      tokens,
      throttleTimeMs: 0,
    })
    if (!tokenRequestsAllowed(context)) return answer(ErrorCode.DELEGATION_TOKEN_REQUEST_NOT_ALLOWED)
    const store = enabledTokenStore(context)
    if (store === undefined) return answer(ErrorCode.DELEGATION_TOKEN_AUTH_DISABLED)
    if (request.owners !== null && request.owners.length === 0) return answer(ErrorCode.NONE)
    const owners = request.owners?.map((owner) => ({ type: owner.principalType, name: owner.principalName }))
    const caller = principalOf(context.principal)
    const visible = (token: DelegationToken): boolean => {
      if (owners !== undefined && !owners.some((owner) => ownerOrRenewer(token, owner))) return false
      if (ownerOrRenewer(token, caller)) return true
      return (
        allows(context, AclOperation.DESCRIBE, ResourceType.DELEGATION_TOKEN, token.tokenId) ||
        allows(context, AclOperation.DESCRIBE_TOKENS, ResourceType.USER, principalText(token.owner))
      )
    }
    const tokens = await store.list(visible)
    return answer(
      ErrorCode.NONE,
      tokens.map((token) => ({
        principalType: token.owner.type,
        principalName: token.owner.name,
        // v3+ fields: an older version cannot carry a non-default value (as Kafka's response builder).
        tokenRequesterPrincipalType: context.apiVersion >= 3 ? token.requester.type : '',
        tokenRequesterPrincipalName: context.apiVersion >= 3 ? token.requester.name : '',
        issueTimestamp: BigInt(token.issueTimestampMs),
        expiryTimestamp: BigInt(token.expiryTimestampMs),
        maxTimestamp: BigInt(token.maxTimestampMs),
        tokenId: token.tokenId,
        hmac: token.hmac,
        renewers: token.renewers.map((renewer) => ({
          principalType: renewer.type,
          principalName: renewer.name,
        })),
      })),
    )
  },
})
