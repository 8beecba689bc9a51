// SaslHandshake (key 17), v0-1: the client names a SASL mechanism; the answer lists those enabled.
// v0: the exchange that follows is Kafka's legacy one (raw SASL tokens without request headers,
// handled by the connection's session) · v1: the exchange uses SaslAuthenticate requests.
// On a listener without SASL, or once authenticated (no KIP-368 re-authentication yet): ILLEGAL_SASL_STATE.
// Known gaps: GSSAPI, OAUTHBEARER.

import { ApiKey, ErrorCode } from '../../protocol/generated/index.ts'
import { isSaslMechanism } from '../../security/sasl.ts'
import { defineHandler } from '../handler.ts'

export const saslHandshake = defineHandler({
  apiKey: ApiKey.SaslHandshake,
  versions: { min: 0, max: 1 },
  async handle(context, request) {
    const session = context.session
    const mechanisms = session?.saslListener === true ? [...session.enabledMechanisms] : []
    if (
      session === undefined ||
      !session.saslListener ||
      session.authenticated ||
      session.exchangeInProgress
    ) {
      return { errorCode: ErrorCode.ILLEGAL_SASL_STATE, mechanisms }
    }
    const mechanism = request.mechanism
    if (!isSaslMechanism(mechanism) || !session.enabledMechanisms.includes(mechanism)) {
      return { errorCode: ErrorCode.UNSUPPORTED_SASL_MECHANISM, mechanisms }
    }
    session.beginExchange(mechanism, context.apiVersion === 0)
    return { errorCode: ErrorCode.NONE, mechanisms }
  },
})
