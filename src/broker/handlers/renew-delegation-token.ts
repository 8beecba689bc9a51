// RenewDelegationToken (key 39), v0-2: pushes a token's expiry to min(max time, now + renew_period_ms)
// (a negative period: delegation.token.expiry.time.ms), as Kafka's renewDelegationToken. Only the
// owner, the requester or a renewer may renew (else DELEGATION_TOKEN_OWNER_MISMATCH); an unknown HMAC
// is DELEGATION_TOKEN_NOT_FOUND, an expired token DELEGATION_TOKEN_EXPIRED; the session rules of
// delegation-token-access.ts apply. expiry_timestamp_ms is -1 on an error.

import { ApiKey } from '../../protocol/generated/index.ts'
import { defineHandler } from '../handler.ts'
import { changeTokenExpiry } from './delegation-token-access.ts'

export const renewDelegationToken = defineHandler({
  apiKey: ApiKey.RenewDelegationToken,
  versions: { min: 0, max: 2 },
  handle: (context, request) =>
    changeTokenExpiry(context, (store, caller) =>
      store.renew(request.hmac, caller, Number(request.renewPeriodMs)),
    ),
})
