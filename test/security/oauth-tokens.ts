// Test fixtures for OAUTHBEARER: an issuer made at test time with jose (an ES256 key pair, its public
// JWKS written to a temp file or served by a local HTTP server) that signs JWTs with chosen claims.
// No key is committed; every test run makes its own.
import { writeFile } from 'node:fs/promises'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { type CryptoKey, exportJWK, generateKeyPair, type JWK, type JWTPayload, SignJWT } from 'jose'
import type { OAuthBearerOptions } from '../../src/security/oauth-token-validator.ts'

export const testIssuer = 'https://issuer.streamline.test'
export const testAudience = 'streamline'

export interface TokenIssuer {
  /** The public JWKS ({ keys: [...] }) of this issuer. */
  jwks: { keys: JWK[] }
  /** A signed JWT; default claims: iss, aud, sub, iat now, exp in an hour. `undefined` drops a claim. */
  sign(claims?: Record<string, unknown>, options?: { alg?: string }): Promise<string>
}

export async function makeTokenIssuer(kid = 'test-key-1'): Promise<TokenIssuer> {
  const { publicKey, privateKey } = await generateKeyPair('ES256', { extractable: true })
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' }
  return {
    jwks: { keys: [publicJwk] },
    sign: (claims = {}, options = {}) => signWith(privateKey, kid, claims, options.alg ?? 'ES256'),
  }
}

async function signWith(
  privateKey: CryptoKey,
  kid: string,
  claims: Record<string, unknown>,
  alg: string,
): Promise<string> {
  const nowSeconds = Math.floor(Date.now() / 1000)
  const payload: Record<string, unknown> = {
    iss: testIssuer,
    aud: testAudience,
    sub: 'alice',
    iat: nowSeconds,
    exp: nowSeconds + 3600,
    ...claims,
  }
  for (const [name, value] of Object.entries(payload)) if (value === undefined) delete payload[name]
  return new SignJWT(payload as JWTPayload).setProtectedHeader({ alg, kid, typ: 'JWT' }).sign(privateKey)
}

/** The broker's OAUTHBEARER settings for tokens of `issuer` (ES256, the test issuer and audience),
 * with the JWKS written to `dir`; `overrides` changes any of them. */
export async function oauthBearerTestOptions(
  dir: string,
  issuer: TokenIssuer,
  overrides: Partial<OAuthBearerOptions> = {},
): Promise<OAuthBearerOptions> {
  return {
    jwksEndpointUrl: await writeJwksFile(dir, issuer.jwks),
    jwksEndpointRefreshMs: 3_600_000,
    expectedIssuer: testIssuer,
    expectedAudiences: [testAudience],
    subClaimName: 'sub',
    clockSkewSeconds: 30,
    allowedAlgorithms: ['ES256'],
    ...overrides,
  }
}

export async function writeJwksFile(dir: string, jwks: { keys: JWK[] }, name = 'jwks.json'): Promise<string> {
  const path = join(dir, name)
  await writeFile(path, JSON.stringify(jwks))
  return path
}

export interface JwksServer {
  url: string
  /** How many times the JWKS was fetched. */
  readonly requests: number
  /** How many tokens the token endpoint handed out. */
  readonly tokenRequests: number
  close(): Promise<void>
}

/**
 * Serves `jwks` at http://127.0.0.1:<port>/jwks.json (the only address reachable in CI) and, given an
 * issuer, plays its token endpoint: GET /token?lifetime_s=N&sub=U answers { token, exp } (exp in s).
 */
export async function serveJwks(jwks: { keys: JWK[] }, issuer?: TokenIssuer): Promise<JwksServer> {
  let requests = 0
  let tokenRequests = 0
  const server: Server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1')
    if (url.pathname === '/token' && issuer !== undefined) {
      tokenRequests += 1
      const exp = Math.floor(Date.now() / 1000) + Number(url.searchParams.get('lifetime_s') ?? '3600')
      const claims = { exp, sub: url.searchParams.get('sub') ?? 'alice' }
      issuer.sign(claims).then(
        (token) =>
          response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ token, exp })),
        () => response.writeHead(500).end(),
      )
      return
    }
    if (url.pathname !== '/jwks.json') {
      response.writeHead(404).end()
      return
    }
    requests += 1
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(jwks))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}/jwks.json`,
    get requests() {
      return requests
    },
    get tokenRequests() {
      return tokenRequests
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

/** The OAUTHBEARER client initial response (RFC 7628) for a token. */
export function initialResponse(
  token: string,
  options: { authzid?: string; extensions?: string[] } = {},
): Buffer {
  const extensions = (options.extensions ?? []).map((pair) => `${pair}\u0001`).join('')
  return Buffer.from(
    `n,${options.authzid === undefined ? '' : `a=${options.authzid}`},\u0001auth=Bearer ${token}\u0001${extensions}\u0001`,
  )
}
