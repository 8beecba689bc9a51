// RenewDelegationToken (key 39), v0-2: pushes a token's expiry to min(max time, now + renew_period_ms)
// (a negative period: delegation.token.expiry.time.ms), as Kafka's renewDelegationToken. Only the
// owner, the requester or a renewer may renew (else DELEGATION_TOKEN_OWNER_MISMATCH); an unknown HMAC
// is DELEGATION_TOKEN_NOT_FOUND, an expired token DELEGATION_TOKEN_EXPIRED; the session rules of
// delegation-token-access.ts apply. expiry_timestamp_ms is -1 on an error.

import { ApiKey, ErrorCode } from '../../protocol/generated/index.ts'
import type { RenewDelegationTokenResponse } from '../../protocol/generated/renew-delegation-token-response.ts'
import { principalOf } from '../../security/delegation-tokens.ts'
import { defineHandler } from '../handler.ts'
import { enabledTokenStore, errorCodeOfRefusal, tokenRequestsAllowed } from './delegation-token-access.ts'

export const renewDelegationToken = defineHandler({
  apiKey: ApiKey.RenewDelegationToken,
  versions: { min: 0, max: 2 },
  async handle(context, request): Promise<RenewDelegationTokenResponse> {
    const answer = (errorCode: number, expiry = -1n): RenewDelegationTokenResponse => ({
      errorCode,
      expiryTimestampMs: expiry,
      throttleTimeMs: 0,
    })
    if (!tokenRequestsAllowed(context)) return answer(ErrorCode.DELEGATION_TOKEN_REQUEST_NOT_ALLOWED)
    const store = enabledTokenStore(context)
    if (store === undefined) return answer(ErrorCode.DELEGATION_TOKEN_AUTH_DISABLED)
    const renewed = await store.renew(
      request.hmac,
      principalOf(context.principal),
      Number(request.renewPeriodMs),
    )
    return renewed.ok
      ? answer(ErrorCode.NONE, BigInt(renewed.value))
      : answer(errorCodeOfRefusal(renewed.error))
  },
})
