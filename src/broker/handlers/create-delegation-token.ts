// CreateDelegationToken (key 38), v0-3: a token owned by the requester, or (v3) by another principal
// the requester holds CREATE_TOKENS on (USER resource `User:<owner>`), as Kafka's
// handleCreateTokenRequest and DelegationTokenControlManager.createDelegationToken:
// - DELEGATION_TOKEN_REQUEST_NOT_ALLOWED on PLAINTEXT, one-way SSL and token-authenticated sessions;
// - DELEGATION_TOKEN_AUTHORIZATION_FAILED for another owner without CREATE_TOKENS on it;
// - INVALID_PRINCIPAL_TYPE when a renewer is not a `User`;
// - DELEGATION_TOKEN_AUTH_DISABLED without delegation.token.secret.key.
// max_lifetime_ms ≤ 0 takes the broker's delegation.token.max.lifetime.ms, a larger one is capped by it.
// The answer names the owner (and the requester, v3) even on an error, as Kafka's prepareResponse.

import type { CreateDelegationTokenResponse } from '../../protocol/generated/create-delegation-token-response.ts'
import { ApiKey, ErrorCode } from '../../protocol/generated/index.ts'
import { AclOperation, ResourceType } from '../../security/acl/model.ts'
import { allows } from '../../security/acl/request.ts'
import { principalOf, principalText, type TokenPrincipal } from '../../security/delegation-tokens.ts'
import { defineHandler } from '../handler.ts'
import { enabledTokenStore, errorCodeOfRefusal, tokenRequestsAllowed } from './delegation-token-access.ts'

export const createDelegationToken = defineHandler({
  apiKey: ApiKey.CreateDelegationToken,
  versions: { min: 0, max: 3 },
  async handle(context, request): Promise<CreateDelegationTokenResponse> {
    const requester = principalOf(context.principal)
    const owner: TokenPrincipal =
      request.ownerPrincipalName === null || request.ownerPrincipalName === ''
        ? requester
        : { type: request.ownerPrincipalType ?? 'User', name: request.ownerPrincipalName }
    const answer = (errorCode: number): CreateDelegationTokenResponse => ({
      errorCode,
      principalType: owner.type,
      principalName: owner.name,
      // v3+ fields: an older version cannot carry a non-default value (as Kafka's response builder).
      tokenRequesterPrincipalType: context.apiVersion >= 3 ? requester.type : '',
      tokenRequesterPrincipalName: context.apiVersion >= 3 ? requester.name : '',
      issueTimestampMs: -1n,
      expiryTimestampMs: -1n,
      maxTimestampMs: -1n,
      tokenId: '',
      hmac: Buffer.alloc(0),
      throttleTimeMs: 0,
    })
    if (!tokenRequestsAllowed(context)) return answer(ErrorCode.DELEGATION_TOKEN_REQUEST_NOT_ALLOWED)
    const otherOwner = owner.type !== requester.type || owner.name !== requester.name
    if (otherOwner && !allows(context, AclOperation.CREATE_TOKENS, ResourceType.USER, principalText(owner))) {
      return answer(ErrorCode.DELEGATION_TOKEN_AUTHORIZATION_FAILED)
    }
    if (request.renewers.some((renewer) => renewer.principalType !== 'User')) {
      return answer(ErrorCode.INVALID_PRINCIPAL_TYPE)
    }
    const store = enabledTokenStore(context)
    if (store === undefined) return answer(ErrorCode.DELEGATION_TOKEN_AUTH_DISABLED)
    const created = await store.create({
      owner,
      requester,
      renewers: request.renewers.map((renewer) => ({
        type: renewer.principalType,
        name: renewer.principalName,
      })),
      maxLifetimeMs: Number(request.maxLifetimeMs),
    })
    if (!created.ok) return answer(errorCodeOfRefusal(created.error))
    const token = created.value
    return {
      ...answer(ErrorCode.NONE),
      issueTimestampMs: BigInt(token.issueTimestampMs),
      expiryTimestampMs: BigInt(token.expiryTimestampMs),
      maxTimestampMs: BigInt(token.maxTimestampMs),
      tokenId: token.tokenId,
      hmac: token.hmac,
    }
  },
})
