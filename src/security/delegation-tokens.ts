// Delegation tokens (KIP-48), as Kafka's DelegationTokenManager keeps them: a token has an id (a
// random UUID), an owner, the principal that requested it, renewers, an issue time, an expiry time
// (pushed forward by renewals, never past the max time) and a max time. Its HMAC is
// HMAC-SHA512(delegation.token.secret.key, tokenId): never stored, recomputed from the secret, so a
// token file without the secret is useless and changing the secret invalidates every token (as Kafka).
//
// A client logs in with SCRAM as the user `<tokenId>` with the password base64(HMAC) and the
// extension `tokenauth=true`; like Kafka, the broker keeps SCRAM credentials (salted keys) derived
// from that password per mechanism, and the session's principal is the token's owner.
//
// Persisted in `<data dir>/delegation-tokens.json` (atomic rewrite per change, before the answer), or
// in cluster mode as a document in PostgreSQL shared by every broker (cluster/shared-state.ts): a token
// created through one broker authenticates on all of them (each recomputes its HMAC from the secret,
// which every broker must share, as in Kafka). Each change is applied to the latest stored state.
// Expired tokens are treated as absent at once and removed from the file by a sweep that runs at most
// every delegation.token.expiry.check.interval.ms, on the next use (no timer keeps the process busy).

import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto'
import { type StateDocument, type StateDocuments, stateDocument } from '../storage/state-file.ts'
import {
  credentialFromPassword,
  type ScramCredential,
  type ScramMechanism,
  scramIterationsMin,
  scramMechanisms,
} from './scram.ts'

export const delegationTokensFileName = 'delegation-tokens.json'
/** Tokens kept at once: a bound on what CreateDelegationToken can grow (Kafka has none). */
export const delegationTokensMax = 100_000

export interface DelegationTokenOptions {
  /** delegation.token.secret.key; absent: delegation tokens are disabled (DELEGATION_TOKEN_AUTH_DISABLED). */
  secretKey?: string
  /** delegation.token.max.lifetime.ms (Kafka: 7 days). */
  maxLifetimeMs: number
  /** delegation.token.expiry.time.ms: how long a new or renewed token lives (Kafka: 24 h). */
  expiryTimeMs: number
  /** delegation.token.expiry.check.interval.ms (Kafka: 1 h). */
  expiryCheckIntervalMs: number
}

export const defaultDelegationTokenOptions: DelegationTokenOptions = {
  maxLifetimeMs: 7 * 24 * 3_600_000,
  expiryTimeMs: 24 * 3_600_000,
  expiryCheckIntervalMs: 3_600_000,
}

/** A principal as Kafka's wire format splits it: `User` and `alice`. */
export interface TokenPrincipal {
  type: string
  name: string
}

export interface DelegationToken {
  tokenId: string
  owner: TokenPrincipal
  requester: TokenPrincipal
  renewers: TokenPrincipal[]
  issueTimestampMs: number
  expiryTimestampMs: number
  maxTimestampMs: number
  hmac: Buffer
}

/** A token as stored: everything but the HMAC (recomputed from the secret), with its SCRAM keys. */
type StoredToken = Omit<DelegationToken, 'hmac'> & {
  credentials: Partial<
    Record<ScramMechanism, { salt: string; iterations: number; storedKey: string; serverKey: string }>
  >
}

interface StoredFile {
  version: 1
  tokens: StoredToken[]
}

interface TokenEntry {
  token: DelegationToken
  credentials: Map<ScramMechanism, ScramCredential>
}

/** Why a token operation was refused, in Kafka's error names (the handler maps them to codes). */
export type TokenRefusal =
  | 'DELEGATION_TOKEN_AUTH_DISABLED'
  | 'DELEGATION_TOKEN_NOT_FOUND'
  | 'DELEGATION_TOKEN_OWNER_MISMATCH'
  | 'DELEGATION_TOKEN_EXPIRED'
  | 'POLICY_VIOLATION'

export type TokenOutcome<T> = { ok: true; value: T } | { ok: false; error: TokenRefusal }

export function principalText(principal: TokenPrincipal): string {
  return `${principal.type}:${principal.name}`
}

export function principalOf(text: string): TokenPrincipal {
  const colon = text.indexOf(':')
  return colon === -1
    ? { type: 'User', name: text }
    : { type: text.slice(0, colon), name: text.slice(colon + 1) }
}

function samePrincipal(a: TokenPrincipal, b: TokenPrincipal): boolean {
  return a.type === b.type && a.name === b.name
}

/** Kafka's TokenInformation.ownerOrRenewer: the owner, the requester or a renewer. */
export function ownerOrRenewer(token: DelegationToken, principal: TokenPrincipal): boolean {
  return (
    samePrincipal(token.owner, principal) ||
    samePrincipal(token.requester, principal) ||
    token.renewers.some((renewer) => samePrincipal(renewer, principal))
  )
}

export class DelegationTokenStore {
  private readonly options: DelegationTokenOptions
  private readonly secret: Buffer | null
  private readonly stateFile: StateDocument<StoredFile>
  private readonly tokens = new Map<string, TokenEntry>()
  private lastSweepMs = 0
  private readonly now: () => number

  constructor(options: {
    dataDir?: string
    documents?: StateDocuments
    tokens: DelegationTokenOptions
    now?: () => number
  }) {
    this.options = options.tokens
    this.secret =
      options.tokens.secretKey === undefined ? null : Buffer.from(options.tokens.secretKey, 'utf8')
    this.stateFile = stateDocument(options, delegationTokensFileName, 1)
    this.stateFile.subscribe((stored) => this.adopt(stored))
    this.now = options.now ?? Date.now
  }

  get enabled(): boolean {
    return this.secret !== null
  }

  /** Reads the tokens an earlier run created (their HMACs recomputed from the secret). */
  async load(): Promise<void> {
    if (this.secret === null) return
    const stored = await this.stateFile.read()
    if (stored === null) return
    this.adopt(stored)
    await this.sweep(true)
  }

  /** Takes the stored tokens as this store's (at load, and when another broker changed them). */
  private adopt(stored: StoredFile): void {
    if (this.secret === null) return
    this.tokens.clear()
    for (const token of stored.tokens) {
      const credentials = new Map<ScramMechanism, ScramCredential>()
      for (const mechanism of scramMechanisms) {
        const entry = token.credentials[mechanism]
        if (entry === undefined) continue
        credentials.set(mechanism, {
          mechanism,
          salt: Buffer.from(entry.salt, 'base64'),
          iterations: entry.iterations,
          storedKey: Buffer.from(entry.storedKey, 'base64'),
          serverKey: Buffer.from(entry.serverKey, 'base64'),
        })
      }
      const { credentials: _stored, ...fields } = token
      this.tokens.set(token.tokenId, {
        token: { ...fields, hmac: this.hmacOf(token.tokenId) },
        credentials,
      })
    }
  }

  /** Kafka's createToken: expiry = min(now + expiry time, max); max = now + min(asked, max lifetime). */
  async create(request: {
    owner: TokenPrincipal
    requester: TokenPrincipal
    renewers: TokenPrincipal[]
    maxLifetimeMs: number
  }): Promise<TokenOutcome<DelegationToken>> {
    if (this.secret === null) return { ok: false, error: 'DELEGATION_TOKEN_AUTH_DISABLED' }
    await this.sweep(false)
    const nowMs = this.now()
    const maxLifetimeMs =
      request.maxLifetimeMs > 0
        ? Math.min(request.maxLifetimeMs, this.options.maxLifetimeMs)
        : this.options.maxLifetimeMs
    const maxTimestampMs = nowMs + maxLifetimeMs
    const tokenId = randomUUID()
    const hmac = this.hmacOf(tokenId)
    const token: DelegationToken = {
      tokenId,
      owner: request.owner,
      requester: request.requester,
      renewers: request.renewers,
      issueTimestampMs: nowMs,
      expiryTimestampMs: Math.min(maxTimestampMs, nowMs + this.options.expiryTimeMs),
      maxTimestampMs,
      hmac,
    }
    const password = hmac.toString('base64')
    const credentials = new Map<ScramMechanism, ScramCredential>()
    for (const mechanism of scramMechanisms) {
      credentials.set(mechanism, await credentialFromPassword(mechanism, password, scramIterationsMin))
    }
    await this.change(() => {
      if (this.tokens.size >= delegationTokensMax) throw new TokenRefused('POLICY_VIOLATION')
      this.tokens.set(tokenId, { token, credentials })
    })
    return { ok: true, value: token }
  }

  /** Kafka's renewToken: the new expiry is min(max, now + period); a negative period is the default. */
  async renew(hmac: Buffer, renewer: TokenPrincipal, renewPeriodMs: number): Promise<TokenOutcome<number>> {
    if (this.secret === null) return { ok: false, error: 'DELEGATION_TOKEN_AUTH_DISABLED' }
    await this.sweep(false)
    const period = renewPeriodMs < 0 ? this.options.expiryTimeMs : renewPeriodMs
    return this.change(() => {
      const token = this.findForChange(hmac, renewer)
      token.expiryTimestampMs = Math.min(token.maxTimestampMs, this.now() + period)
      return token.expiryTimestampMs
    })
  }

  /** Kafka's expireToken: a negative period expires the token now (it is removed). */
  async expire(
    hmac: Buffer,
    requester: TokenPrincipal,
    expiryPeriodMs: number,
  ): Promise<TokenOutcome<number>> {
    if (this.secret === null) return { ok: false, error: 'DELEGATION_TOKEN_AUTH_DISABLED' }
    await this.sweep(false)
    return this.change(() => {
      const token = this.findForChange(hmac, requester)
      const nowMs = this.now()
      const expiryTimestampMs = Math.min(token.maxTimestampMs, nowMs + expiryPeriodMs)
      if (expiryTimestampMs < nowMs) this.tokens.delete(token.tokenId)
      else token.expiryTimestampMs = expiryTimestampMs
      return expiryTimestampMs
    })
  }

  /** Every live token `include` accepts, oldest first. */
  async list(include: (token: DelegationToken) => boolean): Promise<DelegationToken[]> {
    await this.sweep(false)
    const nowMs = this.now()
    return [...this.tokens.values()]
      .map((entry) => entry.token)
      .filter((token) => !expired(token, nowMs) && include(token))
      .sort((a, b) => a.issueTimestampMs - b.issueTimestampMs || a.tokenId.localeCompare(b.tokenId))
  }

  /** What SCRAM's `tokenauth=true` checks against: the token's derived credential and its owner. */
  tokenCredential(
    tokenId: string,
    mechanism: ScramMechanism,
  ): { credential: ScramCredential; owner: TokenPrincipal; expiresAtMs: number } | undefined {
    const entry = this.tokens.get(tokenId)
    if (entry === undefined || this.secret === null || expired(entry.token, this.now())) return undefined
    const credential = entry.credentials.get(mechanism)
    if (credential === undefined) return undefined
    return { credential, owner: entry.token.owner, expiresAtMs: entry.token.expiryTimestampMs }
  }

  /** The token a renewal or expiry changes, among the latest tokens; TokenRefused otherwise. */
  private findForChange(hmac: Buffer, principal: TokenPrincipal): DelegationToken {
    const token = this.byHmac(hmac)
    if (token === undefined) throw new TokenRefused('DELEGATION_TOKEN_NOT_FOUND')
    if (!ownerOrRenewer(token, principal)) throw new TokenRefused('DELEGATION_TOKEN_OWNER_MISMATCH')
    if (expired(token, this.now())) throw new TokenRefused('DELEGATION_TOKEN_EXPIRED')
    return token
  }

  /**
   * Applies `apply` to the latest stored tokens (another broker may have changed them since this one
   * last looked) and stores the result before answering; a TokenRefused from `apply` stores nothing and
   * is the answer.
   */
  private async change<T>(apply: () => T): Promise<TokenOutcome<T>> {
    let value: T | undefined
    try {
      await this.stateFile.update((latest) => {
        if (latest !== null) this.adopt(latest)
        value = apply()
        return this.stored()
      })
    } catch (error) {
      if (error instanceof TokenRefused) return { ok: false, error: error.refusal }
      throw error
    }
    return { ok: true, value: value as T }
  }

  private byHmac(hmac: Buffer): DelegationToken | undefined {
    for (const { token } of this.tokens.values()) {
      if (token.hmac.length === hmac.length && timingSafeEqual(token.hmac, hmac)) return token
    }
    return undefined
  }

  private hmacOf(tokenId: string): Buffer {
    if (this.secret === null) throw new Error('delegation tokens are disabled')
    return createHmac('sha512', this.secret).update(tokenId, 'utf8').digest()
  }

  /** Removes expired tokens when the check interval has passed (or `force`), persisting the change. */
  private async sweep(force: boolean): Promise<void> {
    const nowMs = this.now()
    if (!force && nowMs - this.lastSweepMs < this.options.expiryCheckIntervalMs) return
    this.lastSweepMs = nowMs
    const anyExpired = [...this.tokens.values()].some((entry) => expired(entry.token, nowMs))
    if (!anyExpired) return
    await this.change(() => {
      for (const [tokenId, entry] of this.tokens) if (expired(entry.token, nowMs)) this.tokens.delete(tokenId)
    })
  }

  private stored(): StoredFile {
    return {
      version: 1,
      tokens: [...this.tokens.values()].map(({ token, credentials }) => ({
        tokenId: token.tokenId,
        owner: token.owner,
        requester: token.requester,
        renewers: token.renewers,
        issueTimestampMs: token.issueTimestampMs,
        expiryTimestampMs: token.expiryTimestampMs,
        maxTimestampMs: token.maxTimestampMs,
        credentials: Object.fromEntries(
          [...credentials].map(([mechanism, credential]) => [
            mechanism,
            {
              salt: credential.salt.toString('base64'),
              iterations: credential.iterations,
              storedKey: credential.storedKey.toString('base64'),
              serverKey: credential.serverKey.toString('base64'),
            },
          ]),
        ),
      })),
    }
  }
}

/** A refused renewal or expiry, thrown inside a change so that nothing is stored. */
class TokenRefused extends Error {
  constructor(readonly refusal: TokenRefusal) {
    super(refusal)
  }
}

/** Kafka's check: past its expiry or its max time. */
function expired(token: DelegationToken, nowMs: number): boolean {
  return token.expiryTimestampMs < nowMs || token.maxTimestampMs < nowMs
}
