// ExpireDelegationToken (key 40), v0-2: sets a token's expiry to min(max time, now +
// expiry_time_period_ms); a negative period expires it at once (the token is removed and can no
// longer log in), as Kafka's expireDelegationToken. Same refusals as RenewDelegationToken.

import { ApiKey } from '../../protocol/generated/index.ts'
import { defineHandler } from '../handler.ts'
import { changeTokenExpiry } from './delegation-token-access.ts'

export const expireDelegationToken = defineHandler({
  apiKey: ApiKey.ExpireDelegationToken,
  versions: { min: 0, max: 2 },
  handle: (context, request) =>
    changeTokenExpiry(context, (store, caller) =>
      store.expire(request.hmac, caller, Number(request.expiryTimePeriodMs)),
    ),
})
