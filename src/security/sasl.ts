// SASL mechanisms the broker serves and the PLAIN mechanism (RFC 4616). SCRAM is in scram.ts,
// OAUTHBEARER in oauthbearer.ts.
//
// A mechanism is an exchange of opaque messages: each client message gets a challenge, a success
// (with the user name) or a failure. Failure reasons name no secret; they are logged at debug and
// never sent to the client beyond Kafka's generic "authentication failed" message.
//
// PLAIN checks the password against the user's SCRAM credential (PBKDF2 with the stored salt and
// iteration count, compared with the StoredKey): no password is kept anywhere, in memory or on disk.

import { type DelegationTokenStore, principalText } from './delegation-tokens.ts'
import type { TokenValidator } from './oauth-token-validator.ts'
import { OAuthBearerServer } from './oauthbearer.ts'
import { type ScramCredential, ScramServer, scramMechanisms } from './scram.ts'

export type SaslMechanism = 'PLAIN' | 'SCRAM-SHA-256' | 'SCRAM-SHA-512' | 'OAUTHBEARER'
export const saslMechanisms: readonly SaslMechanism[] = ['PLAIN', ...scramMechanisms, 'OAUTHBEARER']

export function isSaslMechanism(name: string): name is SaslMechanism {
  return (saslMechanisms as readonly string[]).includes(name)
}

export type SaslStep =
  /** `reason`: why the mechanism is about to fail (OAUTHBEARER's error challenge), for the log. */
  | { kind: 'challenge'; response: Buffer; reason?: string }
  /** `credentialExpiresAtMs`: when the credential itself expires (an OAUTHBEARER token's exp, a
   * delegation token's expiry). `principal`: the session's principal when it is not `User:<user>`
   * (a delegation token's owner), with `tokenAuthenticated`. */
  | {
      kind: 'success'
      response: Buffer
      user: string
      credentialExpiresAtMs?: number
      principal?: string
      tokenAuthenticated?: boolean
    }
  /** `clientMessage`: Kafka's error message for this failure, when it is not the generic one. */
  | { kind: 'failure'; reason: string; clientMessage?: string }

export interface SaslExchange {
  step(message: Buffer): Promise<SaslStep>
}

/** What the mechanisms need from the credential store. */
export interface CredentialLookup {
  scramCredential(user: string, mechanism: ScramCredential['mechanism']): ScramCredential | undefined
  /** True when the user exists and the password matches one of the user's SCRAM credentials. */
  verifyPassword(user: string, password: string): Promise<boolean>
}

/** Longest PLAIN message: three UTF-8 strings separated by NUL (Kafka does not bound it; we do). */
const plainMessageBytesMax = 4096

/** PLAIN: one message `authzid NUL authcid NUL passwd`; the authzid is empty or the user itself. */
export class PlainServer implements SaslExchange {
  private readonly credentials: CredentialLookup
  private finished = false

  constructor(credentials: CredentialLookup) {
    this.credentials = credentials
  }

  async step(message: Buffer): Promise<SaslStep> {
    if (this.finished) return { kind: 'failure', reason: 'PLAIN exchange already finished' }
    this.finished = true
    if (message.length > plainMessageBytesMax) return { kind: 'failure', reason: 'PLAIN message too long' }
    const parts = message.toString('utf8').split('\0')
    if (parts.length !== 3) return { kind: 'failure', reason: 'invalid PLAIN message' }
    const [authorizationId, user, password] = parts
    if (user === '' || password === '') return { kind: 'failure', reason: 'empty PLAIN user or password' }
    if (authorizationId !== '' && authorizationId !== user) {
      return { kind: 'failure', reason: 'authorization id differs from the user name' }
    }
    if (!(await this.credentials.verifyPassword(user, password))) {
      return { kind: 'failure', reason: 'invalid credentials' }
    }
    return { kind: 'success', response: Buffer.alloc(0), user }
  }
}

/** What the mechanisms check against: SCRAM credentials, and the token validator of OAUTHBEARER. */
export interface MechanismServices {
  credentials: CredentialLookup
  /** Present when OAUTHBEARER is configured (a JWKS is set). */
  oauthBearer?: TokenValidator
  /** Delegation tokens for SCRAM's `tokenauth=true`; absent: token logins fail. */
  delegationTokens?: DelegationTokenStore
}

export function createSaslExchange(mechanism: SaslMechanism, services: MechanismServices): SaslExchange {
  const credentials = services.credentials
  if (mechanism === 'PLAIN') return new PlainServer(credentials)
  if (mechanism === 'OAUTHBEARER') {
    const validator = services.oauthBearer
    // Start-up refuses OAUTHBEARER without a JWKS (openSecurityServices); this is a safe default.
    if (validator === undefined)
      return { step: async () => ({ kind: 'failure', reason: 'OAUTHBEARER is not configured' }) }
    return new OAuthBearerServer(validator)
  }
  const tokens = services.delegationTokens
  return new ScramServer({
    mechanism,
    lookup: (user) => credentials.scramCredential(user, mechanism),
    tokenLookup: (tokenId) => {
      const token = tokens?.tokenCredential(tokenId, mechanism)
      return token === undefined
        ? undefined
        : {
            credential: token.credential,
            ownerPrincipal: principalText(token.owner),
            expiresAtMs: token.expiresAtMs,
          }
    },
  })
}
