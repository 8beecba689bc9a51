// The broker's check of an OAUTHBEARER token, as Kafka's KIP-768 validator does it: a JWT (JWS
// compact form) signed by a key of the configured JWKS, with `exp` and `iat` present, `exp` and
// `nbf` within the clock skew, `iss` and `aud` as configured, and a non-empty subject claim that
// becomes the principal. The JWKS comes from a file (read once at start) or an HTTP(S) endpoint
// (fetched when a token names a key not cached yet, refreshed after sasl.oauthbearer.jwks.endpoint.
// refresh.ms), both through `jose`. The signature algorithm must be one of an allow-list (never
// `none`, never HMAC unless asked for: a JWKS of public keys cannot verify an HMAC anyway).
//
// Reasons for a rejection are for the broker's log only: the client learns `invalid_token`.

import { readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import {
  createLocalJWKSet,
  createRemoteJWKSet,
  errors,
  type JSONWebKeySet,
  type JWTPayload,
  type JWTVerifyGetKey,
  jwtVerify,
} from 'jose'
import { ConfigError } from '../errors.ts'

/** The `sasl.oauthbearer.*` settings of the broker (docs/security.md). */
export interface OAuthBearerOptions {
  /** sasl.oauthbearer.jwks.endpoint.url: `https://…`, `http://…`, `file:///…` or a file path. */
  jwksEndpointUrl: string
  /** sasl.oauthbearer.jwks.endpoint.refresh.ms: how long a fetched JWKS is used before a refetch. */
  jwksEndpointRefreshMs: number
  /** sasl.oauthbearer.expected.issuer; absent: any issuer. */
  expectedIssuer?: string
  /** sasl.oauthbearer.expected.audience; empty: any audience. One of them must be in `aud`. */
  expectedAudiences: string[]
  /** sasl.oauthbearer.sub.claim.name: the claim that names the principal. */
  subClaimName: string
  /** sasl.oauthbearer.clock.skew.seconds: tolerance on exp, nbf and iat. */
  clockSkewSeconds: number
  /** JWS algorithms accepted (no Kafka equivalent: jose4j there only refuses `none`). */
  allowedAlgorithms: string[]
}

export const defaultAllowedAlgorithms = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
] as const

export type TokenCheck =
  | { kind: 'valid'; principalName: string; expiresAtMs: number }
  | { kind: 'invalid'; reason: string }

export interface TokenValidator {
  validate(token: string): Promise<TokenCheck>
}

/** How long one JWKS fetch may take; a slower endpoint fails the token being checked. */
const jwksFetchTimeoutMs = 5_000
/** After a fetch, a token naming an unknown key waits this long before the JWKS is fetched again. */
const jwksCooldownMs = 30_000

/** http(s) URLs are fetched; `file:` URLs and plain paths are read from disk. */
function remoteUrlOf(jwksEndpointUrl: string): URL | null {
  if (!/^https?:\/\//i.test(jwksEndpointUrl)) return null
  try {
    return new URL(jwksEndpointUrl)
  } catch {
    throw new ConfigError('security.sasl_oauthbearer_jwks_endpoint_url', `${jwksEndpointUrl} is not a URL`)
  }
}

async function readJwksFile(jwksEndpointUrl: string): Promise<JSONWebKeySet> {
  const key = 'security.sasl_oauthbearer_jwks_endpoint_url'
  const path = jwksEndpointUrl.startsWith('file:') ? fileURLToPath(jwksEndpointUrl) : jwksEndpointUrl
  let parsed: unknown
  try {
    parsed = JSON.parse(await readFile(path, 'utf8'))
  } catch (error) {
    throw new ConfigError(key, `cannot read a JWKS from ${path}: ${(error as Error).message}`)
  }
  const keys = (parsed as { keys?: unknown } | null)?.keys
  if (!Array.isArray(keys) || keys.length === 0) {
    throw new ConfigError(key, `${path} is not a JWKS (a JSON object with a non-empty "keys" array)`)
  }
  return parsed as JSONWebKeySet
}

/** The key resolver and claim checks for the configured JWKS; a JWKS file is read now. */
export async function openTokenValidator(options: OAuthBearerOptions): Promise<TokenValidator> {
  const url = remoteUrlOf(options.jwksEndpointUrl)
  const keys: JWTVerifyGetKey =
    url === null
      ? createLocalJWKSet(await readJwksFile(options.jwksEndpointUrl))
      : createRemoteJWKSet(url, {
          cacheMaxAge: options.jwksEndpointRefreshMs,
          cooldownDuration: jwksCooldownMs,
          timeoutDuration: jwksFetchTimeoutMs,
        })
  return { validate: (token) => validateToken(token, keys, options) }
}

async function validateToken(
  token: string,
  keys: JWTVerifyGetKey,
  options: OAuthBearerOptions,
): Promise<TokenCheck> {
  let payload: JWTPayload
  try {
    const verified = await jwtVerify(token, keys, {
      algorithms: options.allowedAlgorithms,
      clockTolerance: options.clockSkewSeconds,
      requiredClaims: ['exp', 'iat'],
      ...(options.expectedIssuer === undefined ? {} : { issuer: options.expectedIssuer }),
      ...(options.expectedAudiences.length === 0 ? {} : { audience: options.expectedAudiences }),
    })
    payload = verified.payload
  } catch (error) {
    if (error instanceof errors.JOSEError)
      return { kind: 'invalid', reason: `${error.code}: ${error.message}` }
    // Not the token's fault (the JWKS endpoint is down, say); the token still cannot be accepted.
    return { kind: 'invalid', reason: `JWKS unavailable: ${(error as Error).message}` }
  }
  const subject = payload[options.subClaimName]
  if (typeof subject !== 'string' || subject.trim() === '') {
    return {
      kind: 'invalid',
      reason: `the ${options.subClaimName} claim is missing or not a non-empty string`,
    }
  }
  return {
    kind: 'valid',
    principalName: subject.trim(),
    // jwtVerify checked that exp is a number.
    expiresAtMs: (payload.exp as number) * 1000,
  }
}
