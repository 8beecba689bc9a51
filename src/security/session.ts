// The authentication state of one connection. A connection on a PLAINTEXT or SSL listener is
// authenticated from the start (principal ANONYMOUS, or the TLS certificate's subject). On a SASL
// listener only ApiVersions, SaslHandshake and SaslAuthenticate are served until a SASL exchange
// succeeds; any other request closes the connection (as Kafka's SaslServerAuthenticator does).
//
// SaslHandshake v0 switches the connection to Kafka's legacy exchange: the next frames are raw SASL
// tokens (size-prefixed, no request header) answered with raw tokens, until the exchange ends.
// A failed exchange is answered after `connection.failed.authentication.delay.ms`, then the
// connection closes.

import { setTimeout as delay } from 'node:timers/promises'
import { AuthenticationError } from '../errors.ts'
import type { Logger } from '../log.ts'
import { ApiKey } from '../protocol/generated/index.ts'
import type { CredentialStore } from './credential-store.ts'
import { type SecurityProtocol, usesSasl } from './listeners.ts'
import { anonymousPrincipal, userPrincipal } from './principal.ts'
import { createSaslExchange, type SaslExchange, type SaslMechanism } from './sasl.ts'

/** What every connection of the broker shares: credentials, enabled mechanisms, the failure delay. */
export interface SecurityServices {
  credentials: CredentialStore
  /** sasl.enabled.mechanisms */
  mechanisms: readonly SaslMechanism[]
  /** connection.failed.authentication.delay.ms */
  failedAuthenticationDelayMs: number
}

/** Requests a SASL listener serves before authentication. */
const allowedBeforeAuthentication: ReadonlySet<number> = new Set([
  ApiKey.ApiVersions,
  ApiKey.SaslHandshake,
  ApiKey.SaslAuthenticate,
])

export type SaslOutcome =
  | { kind: 'challenge'; response: Buffer }
  | { kind: 'success'; response: Buffer }
  | { kind: 'failure'; message: string }

export class ConnectionSession {
  readonly listenerName: string
  readonly securityProtocol: SecurityProtocol
  private readonly security: SecurityServices
  private readonly log: Logger
  /** `User:<name>`: ANONYMOUS until authenticated (or the certificate subject on TLS). */
  principal: string = anonymousPrincipal
  authenticated: boolean
  /** The mechanism SaslHandshake chose, and its exchange in progress. */
  mechanism: SaslMechanism | null = null
  private exchange: SaslExchange | null = null
  /** After SaslHandshake v0: the next frames are raw SASL tokens. */
  legacyUnframed = false
  /** Set when the response being written is the last: the connection closes after it. */
  closeAfterResponse = false

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

  /** Throws (closing the connection) when this request may not be served yet. */
  checkRequestAllowed(apiKey: number): void {
    if (this.authenticated || allowedBeforeAuthentication.has(apiKey)) return
    throw new AuthenticationError(
      `request with api key ${apiKey} before SASL authentication on listener ${this.listenerName}`,
    )
  }

  /** SaslHandshake accepted a mechanism: the exchange starts. */
  beginExchange(mechanism: SaslMechanism, legacyUnframed: boolean): void {
    this.mechanism = mechanism
    this.exchange = createSaslExchange(mechanism, this.security.credentials)
    this.legacyUnframed = legacyUnframed
  }

  get exchangeInProgress(): boolean {
    return this.exchange !== null
  }

  /** One client SASL message. A failure waits out the delay and marks the connection to close. */
  async step(message: Buffer): Promise<SaslOutcome> {
    const exchange = this.exchange
    if (exchange === null || this.mechanism === null) {
      return this.fail('no SASL exchange in progress')
    }
    const result = await exchange.step(message)
    if (result.kind === 'challenge') return result
    this.exchange = null
    this.legacyUnframed = false
    if (result.kind === 'failure') return this.fail(result.reason)
    this.authenticated = true
    this.principal = userPrincipal(result.user)
    this.log.debug(
      { principal: this.principal, mechanism: this.mechanism, listener: this.listenerName },
      'client authenticated',
    )
    return { kind: 'success', response: result.response }
  }

  private async fail(reason: string): Promise<SaslOutcome> {
    this.exchange = null
    this.legacyUnframed = false
    // The reason names no secret; the client only learns that authentication failed.
    this.log.info({ mechanism: this.mechanism, listener: this.listenerName, reason }, 'authentication failed')
    await delay(this.security.failedAuthenticationDelayMs)
    this.closeAfterResponse = true
    return {
      kind: 'failure',
      message: `Authentication failed during authentication due to invalid credentials with SASL mechanism ${this.mechanism ?? 'none'}`,
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
