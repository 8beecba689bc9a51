// SaslHandshake (key 17), v0-1: the client names a SASL mechanism; the answer lists those enabled.
// v0: the exchange that follows is Kafka's legacy one (raw SASL tokens without request headers,
// handled by the connection's session) · v1: the exchange uses SaslAuthenticate requests.
// On an authenticated connection, v1 starts a KIP-368 re-authentication when the session has a
// lifetime (connections.max.reauth.ms, or an OAUTHBEARER token's expiry) and none started in the last
// second; otherwise, and on a listener without SASL: ILLEGAL_SASL_STATE. A mechanism that is not
// enabled gets UNSUPPORTED_SASL_MECHANISM with the enabled list, and the connection closes after it.
// Known gaps: GSSAPI.

import { ApiKey, ErrorCode } from '../../protocol/generated/index.ts'
import { isSaslMechanism } from '../../security/sasl.ts'
import { defineHandler } from '../handler.ts'

export const saslHandshake = defineHandler({
  apiKey: ApiKey.SaslHandshake,
  versions: { min: 0, max: 1 },
  async handle(context, request) {
    const session = context.session
    const mechanisms = session?.saslListener === true ? [...session.enabledMechanisms] : []
    if (session === undefined || !session.saslListener || session.exchangeInProgress) {
      return { errorCode: ErrorCode.ILLEGAL_SASL_STATE, mechanisms }
    }
    const reauthentication = session.authenticated
    if (reauthentication && (context.apiVersion === 0 || !session.mayReauthenticate)) {
      return { errorCode: ErrorCode.ILLEGAL_SASL_STATE, mechanisms }
    }
    const mechanism = request.mechanism
    if (!isSaslMechanism(mechanism) || !session.enabledMechanisms.includes(mechanism)) {
      // Kafka answers, then closes (SaslServerAuthenticator throws UnsupportedSaslMechanismException).
      context.closeAfterResponse = true
      return { errorCode: ErrorCode.UNSUPPORTED_SASL_MECHANISM, mechanisms }
    }
    if (reauthentication) session.beginReauthentication(mechanism)
    else session.beginExchange(mechanism, context.apiVersion === 0)
    return { errorCode: ErrorCode.NONE, mechanisms }
  },
})
