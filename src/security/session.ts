// The authentication state of one connection. A connection on a PLAINTEXT or SSL listener is
// authenticated from the start (principal ANONYMOUS, or the TLS certificate's subject). On a SASL
// listener only ApiVersions, SaslHandshake and SaslAuthenticate are served until a SASL exchange
// succeeds; any other request closes the connection (as Kafka's SaslServerAuthenticator does), and
// so does not completing authentication within sasl_handshake_timeout_ms.
//
// SaslHandshake v0 switches the connection to Kafka's legacy exchange: the next frames are raw SASL
// tokens (size-prefixed, no request header) answered with raw tokens, until the exchange ends.
// A failed exchange is answered after `connection.failed.authentication.delay.ms`, then the
// connection closes (SaslAuthenticate marks that answer as the connection's last; a legacy v0 token
// that fails closes the connection without an answer).
//
// KIP-368 re-authentication: a session has a lifetime when `connections.max.reauth.ms` is set or the
// credential expires (an OAUTHBEARER token): the smaller of the two, sent in SaslAuthenticate v1+.
// Such a session may be re-authenticated on the same connection (SaslHandshake v1 then
// SaslAuthenticate, same mechanism and principal, at most once a second); once it has expired, any
// request but a re-authentication closes the connection. Unlike Kafka, requests that arrive while a
// re-authentication is under way are served (under the unchanged principal) rather than closing the
// connection: @platformatic/kafka keeps sending them.

import { setTimeout as delay } from 'node:timers/promises'
import { AuthenticationError } from '../errors.ts'
import type { Logger } from '../log.ts'
import { ApiKey } from '../protocol/generated/index.ts'
import type { CredentialStore } from './credential-store.ts'
import type { DelegationTokenStore } from './delegation-tokens.ts'
import { type SecurityProtocol, usesSasl } from './listeners.ts'
import type { TokenValidator } from './oauth-token-validator.ts'
import { anonymousPrincipal, userPrincipal } from './principal.ts'
import { createSaslExchange, type SaslExchange, type SaslMechanism, type SaslStep } from './sasl.ts'

/** What every connection of the broker shares: credentials, enabled mechanisms, the time bounds. */
export interface SecurityServices {
  credentials: CredentialStore
  /** sasl.enabled.mechanisms */
  mechanisms: readonly SaslMechanism[]
  /** connection.failed.authentication.delay.ms */
  failedAuthenticationDelayMs: number
  /** connections.max.reauth.ms: 0 (Kafka's default) leaves sessions without a lifetime of their own. */
  connectionsMaxReauthMs: number
  /** A SASL connection not authenticated this long after it opened is closed; 0: never. */
  saslHandshakeTimeoutMs: number
  /** The OAUTHBEARER token check; absent unless a JWKS is configured. */
  oauthBearer?: TokenValidator
  /** Delegation tokens (the token APIs and SCRAM's `tokenauth=true`); absent where a test builds
   * services without them: the token APIs answer DELEGATION_TOKEN_AUTH_DISABLED. */
  delegationTokens?: DelegationTokenStore
}

/** Kafka's sasl.server.max.receive.size default: the largest frame a SASL connection may send before
 * it is authenticated (an unauthenticated client cannot make the broker buffer 100 MiB). */
export const saslReceiveBytesMax = 512 * 1024

/** Kafka's KafkaChannel allows one re-authentication per second; a faster one is an ordinary handshake. */
const reauthenticationIntervalMsMin = 1000

/** Requests a SASL listener serves before authentication. */
const allowedBeforeAuthentication: ReadonlySet<number> = new Set([
  ApiKey.ApiVersions,
  ApiKey.SaslHandshake,
  ApiKey.SaslAuthenticate,
])

export type SaslOutcome =
  | { kind: 'challenge'; response: Buffer }
  /** `sessionLifetimeMs`: KIP-368's session_lifetime_ms, 0 when the session never expires. */
  | { kind: 'success'; response: Buffer; sessionLifetimeMs: number }
  | { kind: 'failure'; message: string }

export class ConnectionSession {
  readonly listenerName: string
  readonly securityProtocol: SecurityProtocol
  private readonly security: SecurityServices
  private readonly log: Logger
  /** `User:<name>`: ANONYMOUS until authenticated (or the certificate subject on TLS). */
  principal: string = anonymousPrincipal
  authenticated: boolean
  /** Authenticated with a delegation token (Kafka's KafkaPrincipal.tokenAuthenticated): such a
   * session may not create, renew, expire or describe tokens. */
  tokenAuthenticated = false
  /** The mechanism SaslHandshake chose, and its exchange in progress. */
  mechanism: SaslMechanism | null = null
  private exchange: SaslExchange | null = null
  /** What the client said it is in ApiVersions v3+ (KIP-511); client-metrics subscriptions match on it. */
  clientSoftware: { name: string; version: string } | null = null
  /** After SaslHandshake v0: the next frames are raw SASL tokens. */
  legacyUnframed = false
  /** When the authenticated session ends (Date.now() ms); null: it never does. */
  private sessionExpiresAtMs: number | null = null
  /** An exchange in progress on an authenticated connection (KIP-368). */
  private reauthenticating = false
  private lastReauthenticationStartMs = 0
  private handshakeTimer: NodeJS.Timeout | undefined

  constructor(options: {
    listenerName: string
    securityProtocol: SecurityProtocol
    security: SecurityServices
    log: Logger
  }) {
    this.listenerName = options.listenerName
    this.securityProtocol = options.securityProtocol
    this.security = options.security
    this.log = options.log
    this.authenticated = !usesSasl(options.securityProtocol)
  }

  get enabledMechanisms(): readonly SaslMechanism[] {
    return this.security.mechanisms
  }

  get saslListener(): boolean {
    return usesSasl(this.securityProtocol)
  }

  /** The largest request frame this connection may send now: smaller until it is authenticated. */
  frameBytesMax(requestBytesMax: number): number {
    return this.authenticated ? requestBytesMax : Math.min(requestBytesMax, saslReceiveBytesMax)
  }

  /** Calls `close` unless authentication completes within sasl_handshake_timeout_ms. */
  watchAuthentication(close: (reason: string) => void): void {
    const timeoutMs = this.security.saslHandshakeTimeoutMs
    if (this.authenticated || timeoutMs <= 0) return
    this.handshakeTimer = setTimeout(() => {
      if (!this.authenticated) close(`SASL authentication not completed within ${timeoutMs} ms`)
    }, timeoutMs)
    // An idle broker with one half-open SASL connection must still be able to exit.
    this.handshakeTimer.unref()
  }

  /** The connection closed: stop its timer. */
  dispose(): void {
    clearTimeout(this.handshakeTimer)
  }

  /** Throws (closing the connection) when this request may not be served now. */
  checkRequestAllowed(apiKey: number): void {
    if (!this.authenticated) {
      if (allowedBeforeAuthentication.has(apiKey)) return
      throw new AuthenticationError(
        `request with api key ${apiKey} before SASL authentication on listener ${this.listenerName}`,
      )
    }
    if (!this.sessionExpired()) return
    // Kafka's SocketServer: an expired session serves a re-authentication and nothing else.
    if (apiKey === ApiKey.SaslHandshake) return
    if (apiKey === ApiKey.SaslAuthenticate && this.reauthenticating) return
    throw new AuthenticationError(
      `request with api key ${apiKey} after the SASL session of ${this.principal} expired on listener ${this.listenerName}`,
    )
  }

  private sessionExpired(): boolean {
    return this.sessionExpiresAtMs !== null && Date.now() >= this.sessionExpiresAtMs
  }

  /** SaslHandshake accepted a mechanism: the exchange starts. */
  beginExchange(mechanism: SaslMechanism, legacyUnframed: boolean): void {
    this.mechanism = mechanism
    this.exchange = createSaslExchange(mechanism, this.security)
    this.legacyUnframed = legacyUnframed
  }

  /**
   * Whether a SaslHandshake on this authenticated connection starts a re-authentication: only for a
   * session with a lifetime, at most once a second (Kafka's KafkaChannel); otherwise it is refused.
   */
  get mayReauthenticate(): boolean {
    return (
      this.authenticated &&
      this.sessionExpiresAtMs !== null &&
      this.exchange === null &&
      Date.now() - this.lastReauthenticationStartMs >= reauthenticationIntervalMsMin
    )
  }

  /** SaslHandshake v1 on an authenticated connection: a re-authentication with `mechanism` starts. */
  beginReauthentication(mechanism: SaslMechanism): void {
    this.lastReauthenticationStartMs = Date.now()
    this.reauthenticating = true
    const previous = this.mechanism
    if (previous === mechanism || previous === null) {
      this.beginExchange(mechanism, false)
      return
    }
    // Kafka answers the handshake, then fails the SaslAuthenticate that follows (REAUTH_BAD_MECHANISM).
    const message = `SASL mechanism '${mechanism}' requested by client is not supported for re-authentication of mechanism '${previous}'`
    this.exchange = {
      step: async () => ({ kind: 'failure', reason: 'mechanism changed', clientMessage: message }),
    }
  }

  get exchangeInProgress(): boolean {
    return this.exchange !== null
  }

  /** One client SASL message. A failure waits out the delay and marks the connection to close. */
  async step(message: Buffer): Promise<SaslOutcome> {
    const exchange = this.exchange
    if (exchange === null || this.mechanism === null) {
      return this.fail({ kind: 'failure', reason: 'no SASL exchange in progress' })
    }
    const result = await exchange.step(message)
    if (result.kind === 'challenge') {
      if (result.reason !== undefined) this.log.info(this.logFields(result.reason), 'SASL credential refused')
      return result
    }
    this.exchange = null
    this.legacyUnframed = false
    if (result.kind === 'failure') return this.fail(result)
    const principal = result.principal ?? userPrincipal(result.user)
    if (this.reauthenticating && principal !== this.principal) {
      return this.fail({
        kind: 'failure',
        reason: `re-authentication as ${principal}`,
        clientMessage: `Cannot change principals during re-authentication from ${dotted(this.principal)}: ${dotted(principal)}`,
      })
    }
    const sessionLifetimeMs = this.startSession(result.credentialExpiresAtMs)
    const reauthenticated = this.authenticated
    this.authenticated = true
    this.reauthenticating = false
    this.principal = principal
    this.tokenAuthenticated = result.tokenAuthenticated === true
    clearTimeout(this.handshakeTimer)
    this.log.debug(
      { principal, mechanism: this.mechanism, listener: this.listenerName, sessionLifetimeMs },
      reauthenticated ? 'client re-authenticated' : 'client authenticated',
    )
    return { kind: 'success', response: result.response, sessionLifetimeMs }
  }

  /** Kafka's calcCompletionTimesAndReturnSessionLifetimeMs: the session's lifetime, 0 for none. */
  private startSession(credentialExpiresAtMs: number | undefined): number {
    const nowMs = Date.now()
    const maxReauthMs = this.security.connectionsMaxReauthMs
    if (credentialExpiresAtMs === undefined && maxReauthMs <= 0) {
      this.sessionExpiresAtMs = null
      return 0
    }
    const credentialLifetimeMs =
      credentialExpiresAtMs === undefined ? Number.POSITIVE_INFINITY : credentialExpiresAtMs - nowMs
    // Whole milliseconds (exp may be fractional), and finite however far away exp is.
    const lifetimeMs = Math.floor(
      Math.max(0, Math.min(credentialLifetimeMs, maxReauthMs > 0 ? maxReauthMs : Number.MAX_SAFE_INTEGER)),
    )
    this.sessionExpiresAtMs = nowMs + lifetimeMs
    return lifetimeMs
  }

  private logFields(reason: string): Record<string, unknown> {
    return {
      mechanism: this.mechanism,
      listener: this.listenerName,
      reason,
      ...(this.reauthenticating ? { principal: this.principal, reauthentication: true } : {}),
    }
  }

  private async fail(failure: Extract<SaslStep, { kind: 'failure' }>): Promise<SaslOutcome> {
    this.exchange = null
    this.legacyUnframed = false
    // The reason names no secret; the client only learns that authentication failed.
    this.log.info(this.logFields(failure.reason), 'authentication failed')
    await delay(this.security.failedAuthenticationDelayMs)
    const during = this.reauthenticating ? 're-authentication' : 'authentication'
    return {
      kind: 'failure',
      message:
        failure.clientMessage ??
        `Authentication failed during ${during} due to invalid credentials with SASL mechanism ${this.mechanism ?? 'none'}`,
    }
  }

  /** The legacy (SaslHandshake v0) exchange: a raw token in, a raw token out (size prefix added). */
  async legacyToken(frame: Buffer): Promise<Buffer[]> {
    const outcome = await this.step(frame)
    if (outcome.kind === 'failure') throw new AuthenticationError(outcome.message)
    const prefix = Buffer.alloc(4)
    prefix.writeInt32BE(outcome.response.length)
    return [prefix, outcome.response]
  }
}

/** Kafka writes a principal as `User.alice` in this message (type and name joined by a dot). */
function dotted(principal: string): string {
  const colon = principal.indexOf(':')
  return colon === -1 ? principal : `${principal.slice(0, colon)}.${principal.slice(colon + 1)}`
}
