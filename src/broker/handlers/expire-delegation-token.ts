// ExpireDelegationToken (key 40), v0-2: sets a token's expiry to min(max time, now +
// expiry_time_period_ms); a negative period expires it at once (the token is removed and can no
// longer log in), as Kafka's expireDelegationToken. Same refusals as RenewDelegationToken.

import type { ExpireDelegationTokenResponse } from '../../protocol/generated/expire-delegation-token-response.ts'
import { ApiKey, ErrorCode } from '../../protocol/generated/index.ts'
import { principalOf } from '../../security/delegation-tokens.ts'
import { defineHandler } from '../handler.ts'
import { enabledTokenStore, errorCodeOfRefusal, tokenRequestsAllowed } from './delegation-token-access.ts'

export const expireDelegationToken = defineHandler({
  apiKey: ApiKey.ExpireDelegationToken,
  versions: { min: 0, max: 2 },
  async handle(context, request): Promise<ExpireDelegationTokenResponse> {
    const answer = (errorCode: number, expiry = -1n): ExpireDelegationTokenResponse => ({
      errorCode,
      expiryTimestampMs: expiry,
      throttleTimeMs: 0,
    })
    if (!tokenRequestsAllowed(context)) return answer(ErrorCode.DELEGATION_TOKEN_REQUEST_NOT_ALLOWED)
    const store = enabledTokenStore(context)
    if (store === undefined) return answer(ErrorCode.DELEGATION_TOKEN_AUTH_DISABLED)
    const expired = await store.expire(
      request.hmac,
      principalOf(context.principal),
      Number(request.expiryTimePeriodMs),
    )
    return expired.ok
      ? answer(ErrorCode.NONE, BigInt(expired.value))
      : answer(errorCodeOfRefusal(expired.error))
  },
})
