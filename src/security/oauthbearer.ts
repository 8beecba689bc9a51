// OAUTHBEARER (RFC 7628) as Kafka's broker serves it (KIP-255, KIP-768).
//
// The client's one message is `n,[a=<authzid>],^Aauth=Bearer <token>^A[key=value^A]...^A` (^A is
// 0x01; the key=value pairs are SASL extensions, KIP-342). A valid token ends the exchange with an
// empty answer; the principal is the token's subject claim and the session may not outlive the
// token (its `exp` becomes the credential's expiry, see session.ts). An invalid token gets Kafka's
// error challenge `{"status":"invalid_token"}`; the client answers with a lone ^A and the exchange
// fails with that JSON as the error message, as Kafka's OAuthBearerSaslServer does. A message that
// does not parse fails at once with the generic message (its details could echo secrets).

import type { TokenValidator } from './oauth-token-validator.ts'
import type { SaslExchange, SaslStep } from './sasl.ts'

/** Longest client message accepted (Kafka bounds every pre-authentication frame at 512 KiB). */
export const oauthBearerMessageBytesMax = 64 * 1024

const separator = '\u0001'
/** RFC 5801 saslname: any ASCII but NUL, ',' and '=' (which appear escaped as =2C and =3D). */
const saslName = '(?:[\\x01-\\x2B\\x2D-\\x3C\\x3E-\\x7F]|=2C|=3D)+'
const extensionKey = '[A-Za-z]+'
const extensionValue = '[\\x21-\\x7E \\t\\r\\n]+'
/** Kafka's OAuthBearerClientInitialResponse pattern, anchored at both ends. */
const initialResponsePattern = new RegExp(
  `^n,(?:a=(${saslName}))?,${separator}((?:${extensionKey}=${extensionValue}${separator})*)${separator}$`,
)
/** `auth=<scheme> <token>`; the token uses the characters of RFC 6750's b64token that JWTs use. */
const authPattern = /^(\w+) +([-_.a-zA-Z0-9]+)$/

export interface OAuthBearerInitialResponse {
  /** Empty when the client asks for the token's own identity. */
  authorizationId: string
  token: string
  /** SASL extensions other than `auth` (accepted and ignored, as by Kafka's default validator). */
  extensions: Map<string, string>
}

/** Parses the client's message; null when it is not a well-formed OAUTHBEARER initial response. */
export function parseInitialResponse(message: Buffer): OAuthBearerInitialResponse | null {
  if (message.length > oauthBearerMessageBytesMax) return null
  // latin1 keeps one character per byte; the pattern admits ASCII only, so nothing else matches.
  const match = initialResponsePattern.exec(message.toString('latin1'))
  if (match === null) return null
  const pairs = new Map<string, string>()
  for (const pair of match[2].split(separator)) {
    if (pair === '') continue
    const equals = pair.indexOf('=')
    pairs.set(pair.slice(0, equals), pair.slice(equals + 1))
  }
  const auth = pairs.get('auth')
  if (auth === undefined) return null
  pairs.delete('auth')
  const authMatch = authPattern.exec(auth)
  if (authMatch === null || authMatch[1].toLowerCase() !== 'bearer') return null
  return {
    authorizationId: (match[1] ?? '').replaceAll('=2C', ',').replaceAll('=3D', '='),
    token: authMatch[2],
    extensions: pairs,
  }
}

/** Kafka's answer to a token it refuses (RFC 7628 section 3.2.2). */
export const invalidTokenChallenge = '{"status":"invalid_token"}'

export class OAuthBearerServer implements SaslExchange {
  private readonly validator: TokenValidator
  private state: 'initial' | 'error-sent' | 'finished' = 'initial'

  constructor(validator: TokenValidator) {
    this.validator = validator
  }

  async step(message: Buffer): Promise<SaslStep> {
    const state = this.state
    this.state = 'finished'
    if (state === 'finished') return { kind: 'failure', reason: 'OAUTHBEARER exchange already finished' }
    if (state === 'error-sent') {
      // RFC 7628: after the error challenge the client sends a lone ^A and the exchange fails.
      const reason = message.equals(Buffer.from(separator))
        ? 'invalid token'
        : 'unexpected message after the error'
      return { kind: 'failure', reason, clientMessage: invalidTokenChallenge }
    }
    const initial = parseInitialResponse(message)
    if (initial === null) return { kind: 'failure', reason: 'invalid OAUTHBEARER client first message' }
    const check = await this.validator.validate(initial.token)
    if (check.kind === 'invalid') {
      this.state = 'error-sent'
      return { kind: 'challenge', response: Buffer.from(invalidTokenChallenge), reason: check.reason }
    }
    if (initial.authorizationId !== '' && initial.authorizationId !== check.principalName) {
      return {
        kind: 'failure',
        reason: 'authorization id differs from the token subject',
        clientMessage: `Authentication failed: Client requested an authorization id (${initial.authorizationId}) that is different from the token's principal name (${check.principalName})`,
      }
    }
    return {
      kind: 'success',
      response: Buffer.alloc(0),
      user: check.principalName,
      credentialExpiresAtMs: check.expiresAtMs,
    }
  }
}
