// SaslAuthenticate (key 36), v0-2: one message of the SASL exchange SaslHandshake v1 started.
// A failure gets SASL_AUTHENTICATION_FAILED after connection.failed.authentication.delay.ms, and
// the connection closes once the response is written.
// v1: sessionLifetimeMs (KIP-368: the session's lifetime, 0 when it has none; see
// src/security/session.ts) · v2: flexible. A re-authentication (SaslHandshake v1 on an authenticated
// connection) uses the same request. Without a handshake first (or after a v0 handshake):
// ILLEGAL_SASL_STATE.

import { ApiKey, ErrorCode } from '../../protocol/generated/index.ts'
import { defineHandler } from '../handler.ts'

export const saslAuthenticate = defineHandler({
  apiKey: ApiKey.SaslAuthenticate,
  versions: { min: 0, max: 2 },
  async handle(context, request) {
    const session = context.session
    if (session === undefined || !session.exchangeInProgress || session.legacyUnframed) {
      return {
        errorCode: ErrorCode.ILLEGAL_SASL_STATE,
        errorMessage: 'SaslAuthenticate without a SaslHandshake v1 before it',
        authBytes: Buffer.alloc(0),
        sessionLifetimeMs: 0n,
      }
    }
    const outcome = await session.step(request.authBytes)
    if (outcome.kind === 'failure') {
      context.closeAfterResponse = true
      return {
        errorCode: ErrorCode.SASL_AUTHENTICATION_FAILED,
        errorMessage: outcome.message,
        authBytes: Buffer.alloc(0),
        sessionLifetimeMs: 0n,
      }
    }
    return {
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      authBytes: outcome.response,
      // Only the final answer carries the lifetime; a challenge has none yet.
      sessionLifetimeMs: outcome.kind === 'success' ? BigInt(outcome.sessionLifetimeMs) : 0n,
    }
  },
})
