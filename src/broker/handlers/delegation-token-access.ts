// What the four delegation-token APIs (38-41) share: Kafka's allowTokenRequests (no token APIs on
// PLAINTEXT, on one-way SSL, or for a session that logged in with a token) and the mapping from the
// store's refusals to error codes.

import { ErrorCode } from '../../protocol/generated/index.ts'
import {
  type DelegationTokenStore,
  principalOf,
  type TokenOutcome,
  type TokenPrincipal,
  type TokenRefusal,
} from '../../security/delegation-tokens.ts'
import { anonymousPrincipal } from '../../security/principal.ts'
import type { RequestContext } from '../handler.ts'

/** Kafka's KafkaApis.allowTokenRequests. */
export function tokenRequestsAllowed(context: RequestContext): boolean {
  const session = context.session
  if (session === undefined) return false
  if (session.tokenAuthenticated) return false
  if (session.securityProtocol === 'PLAINTEXT') return false
  // One-way SSL: no client certificate, so no principal to own a token.
  if (session.securityProtocol === 'SSL' && context.principal === anonymousPrincipal) return false
  return true
}

/** The store, or undefined when delegation tokens are off (no secret key, or no security services). */
export function enabledTokenStore(context: RequestContext): DelegationTokenStore | undefined {
  const store = context.services.security?.delegationTokens
  return store?.enabled === true ? store : undefined
}

export function errorCodeOfRefusal(refusal: TokenRefusal): number {
  return ErrorCode[refusal]
}

/** Renew and Expire: the session rules, the store's change, and their shared answer (expiry -1 on an error). */
export async function changeTokenExpiry(
  context: RequestContext,
  change: (store: DelegationTokenStore, caller: TokenPrincipal) => Promise<TokenOutcome<number>>,
): Promise<{ errorCode: number; expiryTimestampMs: bigint; throttleTimeMs: number }> {
  const answer = (errorCode: number, expiry = -1n) => ({
    errorCode,
    expiryTimestampMs: expiry,
    throttleTimeMs: 0,
  })
  if (!tokenRequestsAllowed(context)) return answer(ErrorCode.DELEGATION_TOKEN_REQUEST_NOT_ALLOWED)
  const store = enabledTokenStore(context)
  if (store === undefined) return answer(ErrorCode.DELEGATION_TOKEN_AUTH_DISABLED)
  const outcome = await change(store, principalOf(context.principal))
  return outcome.ok
    ? answer(ErrorCode.NONE, BigInt(outcome.value))
    : answer(errorCodeOfRefusal(outcome.error))
}
