// SCRAM-SHA-256 and SCRAM-SHA-512 (RFC 5802, RFC 7677), server side, with node:crypto.
//
// Only salted keys are kept (StoredKey = H(HMAC(SaltedPassword, "Client Key")), ServerKey =
// HMAC(SaltedPassword, "Server Key")); the password and SaltedPassword are never stored. The server
// checks that the client's final nonce ends with the nonce of its first answer (as Kafka does),
// that the channel binding is the GS2 header (no channel binding: "n,," or "y,,"), verifies the
// client proof in constant time and answers with the server signature.
//
// An unknown user gets a challenge with a salt derived from the name (HMAC with a per-process key)
// and fails at the final step like a wrong password, so the exchange does not reveal which users exist.
//
// Delegation tokens (KIP-48): a client-first message with the extension `tokenauth=true` (Kafka's
// ScramExtensions, after the nonce) names a token id as the user; its credential is the token's, and
// the session's principal is the token's owner, until the token expires.

import { createHash, createHmac, pbkdf2, randomBytes, timingSafeEqual } from 'node:crypto'
import { promisify } from 'node:util'
import type { SaslExchange, SaslStep } from './sasl.ts'

const pbkdf2Async = promisify(pbkdf2)

export type ScramMechanism = 'SCRAM-SHA-256' | 'SCRAM-SHA-512'
export const scramMechanisms: readonly ScramMechanism[] = ['SCRAM-SHA-256', 'SCRAM-SHA-512']

/** Kafka's bounds on the iteration count (ScramMechanism.minIterations / maxIterations). */
export const scramIterationsMin = 4096
export const scramIterationsMax = 16384
/** Longest client message accepted during the exchange (a SCRAM message is a few hundred bytes). */
const scramMessageBytesMax = 4096

interface Digest {
  name: 'sha256' | 'sha512'
  bytes: number
}

const digests: Record<ScramMechanism, Digest> = {
  'SCRAM-SHA-256': { name: 'sha256', bytes: 32 },
  'SCRAM-SHA-512': { name: 'sha512', bytes: 64 },
}

/** Kafka's wire number of a SCRAM mechanism (AlterUserScramCredentials, DescribeUserScramCredentials). */
export const scramMechanismNumbers: Record<ScramMechanism, number> = {
  'SCRAM-SHA-256': 1,
  'SCRAM-SHA-512': 2,
}

export function scramMechanismOfNumber(value: number): ScramMechanism | undefined {
  return scramMechanisms.find((mechanism) => scramMechanismNumbers[mechanism] === value)
}

/** What the broker keeps per user and mechanism. */
export interface ScramCredential {
  mechanism: ScramMechanism
  salt: Buffer
  iterations: number
  storedKey: Buffer
  serverKey: Buffer
}

function hmac(digest: Digest, key: Buffer, text: string | Buffer): Buffer {
  return createHmac(digest.name, key).update(text).digest()
}

/** The credential for a SaltedPassword (what AlterUserScramCredentials sends). */
export function credentialFromSaltedPassword(
  mechanism: ScramMechanism,
  salt: Buffer,
  iterations: number,
  saltedPassword: Buffer,
): ScramCredential {
  const digest = digests[mechanism]
  const clientKey = hmac(digest, saltedPassword, 'Client Key')
  return {
    mechanism,
    salt,
    iterations,
    storedKey: createHash(digest.name).update(clientKey).digest(),
    serverKey: hmac(digest, saltedPassword, 'Server Key'),
  }
}

/** Hi(password, salt, i) of RFC 5802: PBKDF2 with the mechanism's HMAC. Off the event loop. */
export function saltedPasswordOf(
  mechanism: ScramMechanism,
  password: string,
  salt: Buffer,
  iterations: number,
): Promise<Buffer> {
  const digest = digests[mechanism]
  return pbkdf2Async(Buffer.from(password, 'utf8'), salt, iterations, digest.bytes, digest.name)
}

/** A new credential from a password: random 32-byte salt. */
export async function credentialFromPassword(
  mechanism: ScramMechanism,
  password: string,
  iterations: number = scramIterationsMin,
): Promise<ScramCredential> {
  const salt = randomBytes(32)
  const saltedPassword = await saltedPasswordOf(mechanism, password, salt, iterations)
  return credentialFromSaltedPassword(mechanism, salt, iterations, saltedPassword)
}

/** True when `password` derives the credential's StoredKey (PLAIN checks passwords this way). */
export async function passwordMatches(credential: ScramCredential, password: string): Promise<boolean> {
  const salted = await saltedPasswordOf(
    credential.mechanism,
    password,
    credential.salt,
    credential.iterations,
  )
  const derived = credentialFromSaltedPassword(
    credential.mechanism,
    credential.salt,
    credential.iterations,
    salted,
  )
  return timingSafeEqual(derived.storedKey, credential.storedKey)
}

/** `saslname` of RFC 5802: "=2C" is ",", "=3D" is "="; any other "=" is invalid. */
export function decodeSaslName(text: string): string | null {
  if (/=(?!2C|3D)/.test(text)) return null
  return text.replaceAll('=2C', ',').replaceAll('=3D', '=')
}

/** Parses `k=v,k=v` attributes (one letter, or a word for Kafka's extensions such as
 * `tokenauth=true`); null when one is malformed. */
function attributesOf(text: string): Map<string, string> | null {
  const attributes = new Map<string, string>()
  for (const part of text.split(',')) {
    const match = /^([A-Za-z]\w*)=(.*)$/s.exec(part)
    if (match === null) return null
    attributes.set(match[1], match[2])
  }
  return attributes
}

const printableNonce = /^[\x21-\x2b\x2d-\x7e]+$/

/** What a delegation token lends a SCRAM exchange (delegation-tokens.ts). */
export interface TokenCredential {
  credential: ScramCredential
  /** The token owner, `User:alice`: the session's principal. */
  ownerPrincipal: string
  expiresAtMs: number
}

export interface ScramServerOptions {
  mechanism: ScramMechanism
  /** The stored credential of a user, or undefined when there is none. */
  lookup(user: string): ScramCredential | undefined
  /** The credential of a live delegation token; absent or undefined: token logins fail. */
  tokenLookup?(tokenId: string): TokenCredential | undefined
  /** Tests pass RFC 7677's nonce; default 24 random bytes, base64. */
  serverNonce?: string
}

type ScramState =
  | { phase: 'first' }
  | {
      phase: 'final'
      user: string
      credential: ScramCredential | undefined
      /** Set for a `tokenauth=true` exchange that named a live token. */
      token: TokenCredential | undefined
      fakeSalt: Buffer
      gs2Header: string
      nonce: string
      clientFirstBare: string
      serverFirst: string
    }
  | { phase: 'done' }

/** A per-process key for unknown users' salts (not a secret anyone else can learn). */
const unknownUserSaltKey = randomBytes(32)

/** One SCRAM exchange: client-first → server-first, client-final → server-final. */
export class ScramServer implements SaslExchange {
  private readonly options: ScramServerOptions
  private readonly digest: Digest
  private state: ScramState = { phase: 'first' }

  constructor(options: ScramServerOptions) {
    this.options = options
    this.digest = digests[options.mechanism]
  }

  async step(message: Buffer): Promise<SaslStep> {
    if (message.length > scramMessageBytesMax) return failure('SCRAM message too long')
    const text = message.toString('utf8')
    const state = this.state
    this.state = { phase: 'done' }
    if (state.phase === 'first') return this.clientFirst(text)
    if (state.phase === 'final') return this.clientFinal(text, state)
    return failure('SCRAM exchange already finished')
  }

  private clientFirst(text: string): SaslStep {
    // gs2-header: "n," or "y," (no channel binding), optional "a=authzid", then ","
    const match = /^([ny]),(?:a=([^,]*))?,(.*)$/s.exec(text)
    if (match === null)
      return failure('invalid SCRAM client-first message (channel binding is not supported)')
    const clientFirstBare = match[3]
    const attributes = attributesOf(clientFirstBare)
    const encodedUser = attributes?.get('n')
    const clientNonce = attributes?.get('r')
    if (attributes === null || encodedUser === undefined || clientNonce === undefined) {
      return failure('invalid SCRAM client-first message')
    }
    if (attributes.has('m')) return failure('mandatory SCRAM extensions are not supported')
    const tokenAuthentication = attributes.get('tokenauth')?.toLowerCase() === 'true'
    const user = decodeSaslName(encodedUser)
    if (user === null || user === '') return failure('invalid SCRAM user name')
    if (match[2] !== undefined && match[2] !== '' && decodeSaslName(match[2]) !== user) {
      return failure('authorization id differs from the user name')
    }
    if (!printableNonce.test(clientNonce)) return failure('invalid SCRAM client nonce')
    const token = tokenAuthentication ? this.options.tokenLookup?.(user) : undefined
    const credential = tokenAuthentication ? token?.credential : this.options.lookup(user)
    const fakeSalt = createHmac('sha256', unknownUserSaltKey).update(user).digest()
    const salt = credential?.salt ?? fakeSalt
    const iterations = credential?.iterations ?? scramIterationsMin
    const nonce = clientNonce + (this.options.serverNonce ?? randomBytes(24).toString('base64'))
    const serverFirst = `r=${nonce},s=${salt.toString('base64')},i=${iterations}`
    this.state = {
      phase: 'final',
      user,
      credential,
      token,
      fakeSalt,
      gs2Header: text.slice(0, text.length - clientFirstBare.length),
      nonce,
      clientFirstBare,
      serverFirst,
    }
    return { kind: 'challenge', response: Buffer.from(serverFirst, 'utf8') }
  }

  private clientFinal(text: string, state: Extract<ScramState, { phase: 'final' }>): SaslStep {
    const proofAt = text.lastIndexOf(',p=')
    if (proofAt === -1) return failure('invalid SCRAM client-final message')
    const withoutProof = text.slice(0, proofAt)
    const attributes = attributesOf(withoutProof)
    const proof = Buffer.from(text.slice(proofAt + 3), 'base64')
    if (attributes === null) return failure('invalid SCRAM client-final message')
    if (attributes.get('c') !== Buffer.from(state.gs2Header, 'utf8').toString('base64')) {
      return failure('SCRAM channel binding does not match')
    }
    // Kafka's ScramSaslServer checks that the final nonce ends with the server-first nonce (librdkafka
    // 2.0 sends its own nonce before it again); the whole server nonce is still required.
    if (!(attributes.get('r') ?? '').endsWith(state.nonce)) return failure('SCRAM nonce does not match')
    const credential = state.credential
    if (credential === undefined || proof.length !== this.digest.bytes) return failure(invalidCredentials)
    const authMessage = `${state.clientFirstBare},${state.serverFirst},${withoutProof}`
    const clientSignature = hmac(this.digest, credential.storedKey, authMessage)
    const clientKey = Buffer.alloc(proof.length)
    for (let index = 0; index < proof.length; index += 1)
      clientKey[index] = proof[index] ^ clientSignature[index]
    const storedKey = createHash(this.digest.name).update(clientKey).digest()
    if (!timingSafeEqual(storedKey, credential.storedKey)) return failure(invalidCredentials)
    const serverSignature = hmac(this.digest, credential.serverKey, authMessage)
    const response = Buffer.from(`v=${serverSignature.toString('base64')}`, 'utf8')
    if (state.token !== undefined) {
      return {
        kind: 'success',
        response,
        user: state.user,
        principal: state.token.ownerPrincipal,
        tokenAuthenticated: true,
        credentialExpiresAtMs: state.token.expiresAtMs,
      }
    }
    return { kind: 'success', response, user: state.user }
  }
}

const invalidCredentials = 'invalid credentials'

function failure(reason: string): SaslStep {
  return { kind: 'failure', reason }
}
