// Goal: the OAUTHBEARER mechanism and its token check, without a broker: the client initial response
// is parsed exactly as Kafka's OAuthBearerClientInitialResponse pattern allows (kafkajs's,
// @platformatic/kafka's and librdkafka's forms pass; truncated, garbage, oversized, non-ASCII ones
// do not); a JWT passes only with a JWKS key's signature, an allowed algorithm, the expected issuer
// and audience, exp/iat present and exp/nbf within the clock skew, and a subject claim; a refused
// token gets Kafka's `{"status":"invalid_token"}` challenge and the exchange then fails.
// Method: a key pair made with jose at test time; the validator reads its JWKS from a temp file or
// fetches it from a local HTTP server; assertions on the exact parse result and outcome.
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { ConfigError } from '../../src/errors.ts'
import {
  type OAuthBearerOptions,
  openTokenValidator,
  type TokenValidator,
} from '../../src/security/oauth-token-validator.ts'
import { OAuthBearerServer, parseInitialResponse } from '../../src/security/oauthbearer.ts'
import { makeTempDir, removeTempDir } from '../../test/helpers/broker-process.ts'
import {
  initialResponse,
  makeTokenIssuer,
  oauthBearerTestOptions,
  serveJwks,
  type TokenIssuer,
  testAudience,
  writeJwksFile,
} from './oauth-tokens.ts'

const nowSeconds = () => Math.floor(Date.now() / 1000)

describe('OAUTHBEARER client initial response', () => {
  test('the forms real clients send parse to the token, authzid and extensions', () => {
    assert.deepEqual(parseInitialResponse(Buffer.from('n,,\u0001auth=Bearer a.b.c\u0001\u0001')), {
      authorizationId: '',
      token: 'a.b.c',
      extensions: new Map(),
    })
    const full = Buffer.from(
      'n,a=al=2Cice,\u0001auth=bearer  x-y_z.1\u0001traceId=abc 1\u0001region=eu\u0001\u0001',
    )
    assert.deepEqual(parseInitialResponse(full), {
      authorizationId: 'al,ice',
      token: 'x-y_z.1',
      extensions: new Map([
        ['traceId', 'abc 1'],
        ['region', 'eu'],
      ]),
    })
  })

  test('truncated, garbage, oversized or non-ASCII messages do not parse', () => {
    const valid = 'n,,\u0001auth=Bearer a.b.c\u0001\u0001'
    for (let end = 0; end < valid.length; end += 1) {
      assert.equal(parseInitialResponse(Buffer.from(valid.slice(0, end))), null, `prefix of ${end} chars`)
    }
    const rejected = [
      'n,,\u0001auth=Basic a.b.c\u0001\u0001',
      'n,,\u0001auth=Bearer\u0001\u0001',
      'n,,\u0001auth=Bearer a b\u0001\u0001',
      'n,,\u0001other=x\u0001\u0001',
      'y,,\u0001auth=Bearer a.b.c\u0001\u0001',
      'n,,\u0001auth=Bearer a.b.c\u0001\u0001\u0001',
      'n,a=,\u0001auth=Bearer a.b.c\u0001\u0001',
      'n,,\u0001auth=Bearer a.b.c\u00011x=y\u0001\u0001',
      '\u0001',
      '',
    ]
    for (const text of rejected)
      assert.equal(parseInitialResponse(Buffer.from(text)), null, JSON.stringify(text))
    assert.equal(parseInitialResponse(Buffer.from('n,,\u0001auth=Bearer é\u0001\u0001')), null)
    assert.equal(parseInitialResponse(Buffer.from([0xff, 0xfe, 0x00, 0x01])), null)
    const huge = Buffer.from(`n,,\u0001auth=Bearer ${'a'.repeat(70_000)}\u0001\u0001`)
    assert.equal(parseInitialResponse(huge), null)
  })
})

describe('OAUTHBEARER token check', () => {
  let issuer: TokenIssuer
  let otherIssuer: TokenIssuer
  let dir: string
  let options: OAuthBearerOptions
  let validator: TokenValidator
  before(async () => {
    issuer = await makeTokenIssuer()
    otherIssuer = await makeTokenIssuer('test-key-1')
    dir = await makeTempDir('streamline-oauth-')
    options = await oauthBearerTestOptions(dir, issuer, { expectedAudiences: ['other', testAudience] })
    validator = await openTokenValidator(options)
  })
  after(() => removeTempDir(dir))

  test('a token signed by the JWKS key is valid: principal from sub, expiry from exp', async () => {
    const exp = nowSeconds() + 600
    assert.deepEqual(await validator.validate(await issuer.sign({ exp })), {
      kind: 'valid',
      principalName: 'alice',
      expiresAtMs: exp * 1000,
    })
    // Within the clock skew, an exp just past and an nbf just ahead are tolerated.
    const skewed = await issuer.sign({ exp: nowSeconds() - 10, nbf: nowSeconds() + 10 })
    assert.equal((await validator.validate(skewed)).kind, 'valid')
  })

  test('expired, not yet valid, wrong issuer, audience, signature, algorithm or claims: invalid', async () => {
    const cases: Array<[string, Promise<string>]> = [
      ['expired', issuer.sign({ exp: nowSeconds() - 120 })],
      ['not yet valid', issuer.sign({ nbf: nowSeconds() + 120 })],
      ['wrong issuer', issuer.sign({ iss: 'https://elsewhere.test' })],
      ['wrong audience', issuer.sign({ aud: 'someone-else' })],
      ['no exp', issuer.sign({ exp: undefined })],
      ['no iat', issuer.sign({ iat: undefined })],
      ['no sub', issuer.sign({ sub: undefined })],
      ['blank sub', issuer.sign({ sub: '  ' })],
      ['another key with the same kid', otherIssuer.sign()],
    ]
    for (const [name, token] of cases) {
      const check = await validator.validate(await token)
      assert.equal(check.kind, 'invalid', name)
    }
    const tampered = (await issuer.sign()).split('.')
    const payload = JSON.parse(Buffer.from(tampered[1], 'base64url').toString()) as Record<string, unknown>
    tampered[1] = Buffer.from(JSON.stringify({ ...payload, sub: 'admin' })).toString('base64url')
    assert.equal((await validator.validate(tampered.join('.'))).kind, 'invalid', 'tampered payload')
    const unsigned = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${tampered[1]}.`
    assert.equal((await validator.validate(unsigned)).kind, 'invalid', 'alg none')
    assert.equal((await validator.validate('garbage')).kind, 'invalid', 'not a JWT')
    const es256Only = await openTokenValidator({ ...options, allowedAlgorithms: ['RS256'] })
    assert.equal((await es256Only.validate(await issuer.sign())).kind, 'invalid', 'algorithm not allowed')
  })

  test('the principal claim is configurable (sasl.oauthbearer.sub.claim.name)', async () => {
    const byEmail = await openTokenValidator({ ...options, subClaimName: 'email' })
    const check = await byEmail.validate(await issuer.sign({ email: 'bob@example.com' }))
    assert.equal(check.kind === 'valid' && check.principalName, 'bob@example.com')
  })

  test('a JWKS fetched from a URL verifies tokens; it is fetched once and cached', async () => {
    const server = await serveJwks(issuer.jwks)
    try {
      const remote = await openTokenValidator({ ...options, jwksEndpointUrl: server.url })
      assert.equal((await remote.validate(await issuer.sign())).kind, 'valid')
      assert.equal((await remote.validate(await issuer.sign({ sub: 'bob' }))).kind, 'valid')
      assert.equal(server.requests, 1)
    } finally {
      await server.close()
    }
    const unreachable = await openTokenValidator({ ...options, jwksEndpointUrl: server.url })
    const check = await unreachable.validate(await issuer.sign())
    assert.equal(check.kind, 'invalid')
  })

  test('a missing or malformed JWKS file stops start-up with a ConfigError', async () => {
    await assert.rejects(
      openTokenValidator({ ...options, jwksEndpointUrl: `${dir}/missing.json` }),
      (error) => error instanceof ConfigError && /cannot read a JWKS/.test(error.message),
    )
    const notJwks = await writeJwksFile(dir, { keys: [] }, 'empty-jwks.json')
    await assert.rejects(
      openTokenValidator({ ...options, jwksEndpointUrl: `file://${notJwks}` }),
      /is not a JWKS/,
    )
  })

  test('the exchange: success with the expiry; a refused token gets the error challenge, then fails', async () => {
    const exp = nowSeconds() + 300
    const good = await new OAuthBearerServer(validator).step(initialResponse(await issuer.sign({ exp })))
    assert.deepEqual(good, {
      kind: 'success',
      response: Buffer.alloc(0),
      user: 'alice',
      credentialExpiresAtMs: exp * 1000,
    })
    const server = new OAuthBearerServer(validator)
    const challenge = await server.step(initialResponse(await issuer.sign({ exp: nowSeconds() - 3600 })))
    assert.equal(challenge.kind, 'challenge')
    assert.equal(
      challenge.kind === 'challenge' && challenge.response.toString(),
      '{"status":"invalid_token"}',
    )
    assert.deepEqual(await server.step(Buffer.from([1])), {
      kind: 'failure',
      reason: 'invalid token',
      clientMessage: '{"status":"invalid_token"}',
    })
    const mismatch = await new OAuthBearerServer(validator).step(
      initialResponse(await issuer.sign(), { authzid: 'bob' }),
    )
    assert.deepEqual(mismatch, {
      kind: 'failure',
      reason: 'authorization id differs from the token subject',
      clientMessage:
        "Authentication failed: Client requested an authorization id (bob) that is different from the token's principal name (alice)",
    })
    const garbage = await new OAuthBearerServer(validator).step(Buffer.from('hello'))
    assert.equal(garbage.kind, 'failure')
  })
})
