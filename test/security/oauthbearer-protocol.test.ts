// Goal: the broker's side of OAUTHBEARER on the wire, to the byte: SaslHandshake lists OAUTHBEARER; a
// token signed by the JWKS key authenticates (empty answer, session_lifetime_ms = the time left until
// its exp) and Metadata is then served; an expired token, a wrong issuer, audience or signature get
// Kafka's `{"status":"invalid_token"}` challenge (error code 0), and the client's ^A then gets
// SASL_AUTHENTICATION_FAILED (58) with that JSON and a closed connection; an authzid other than the
// subject fails with Kafka's message; truncated, garbage and 200 KiB initial responses fail with the
// generic message and close that connection only (a 1 MiB frame before authentication is not even
// read: past sasl.server.max.receive.size), while the broker goes on serving others.
// Method: an in-process broker with one SASL_PLAINTEXT listener, OAUTHBEARER enabled with a JWKS file
// made at test time (jose); requests encoded with the generated codecs over a raw socket.
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { type RunningBroker, startBroker } from '../../src/broker/start.ts'
import { ApiKey } from '../../src/protocol/generated/index.ts'
import { makeTempDir, removeTempDir } from '../helpers/broker-process.ts'
import { CodecClient, metadataRequestBody } from '../helpers/kafka-codec-client.ts'
import { initialResponse, makeTokenIssuer, oauthBearerTestOptions, type TokenIssuer } from './oauth-tokens.ts'

const invalidToken = '{"status":"invalid_token"}'
const genericFailure =
  'Authentication failed during authentication due to invalid credentials with SASL mechanism OAUTHBEARER'

describe('OAUTHBEARER on a SASL_PLAINTEXT listener', () => {
  let broker: RunningBroker
  let dir: string
  let issuer: TokenIssuer
  let stranger: TokenIssuer
  before(async () => {
    dir = await makeTempDir('streamline-oauth-')
    issuer = await makeTokenIssuer()
    stranger = await makeTokenIssuer()
    broker = await startBroker({
      inMemory: true,
      httpAddr: null,
      logLevel: 'silent',
      listeners: [{ name: 'SASL_PLAINTEXT', securityProtocol: 'SASL_PLAINTEXT', host: '127.0.0.1', port: 0 }],
      security: {
        saslMechanisms: ['SCRAM-SHA-512', 'OAUTHBEARER'],
        failedAuthenticationDelayMs: 50,
        oauthBearer: await oauthBearerTestOptions(dir, issuer),
      },
    })
  })
  after(async () => {
    await broker?.close()
    await removeTempDir(dir)
  })

  async function handshake(): Promise<CodecClient> {
    const client = await CodecClient.open(broker.host, broker.port)
    const response = await client.request(ApiKey.SaslHandshake, 1, { mechanism: 'OAUTHBEARER' })
    assert.deepEqual(response, { errorCode: 0, mechanisms: ['SCRAM-SHA-512', 'OAUTHBEARER'] })
    return client
  }

  test('a signed token authenticates; session_lifetime_ms is the time left until exp', async () => {
    const client = await handshake()
    const exp = Math.floor(Date.now() / 1000) + 120
    const startedMs = Date.now()
    const response = await client.request(ApiKey.SaslAuthenticate, 2, {
      authBytes: initialResponse(await issuer.sign({ exp, sub: 'alice' })),
    })
    assert.equal(response.errorCode, 0)
    assert.equal(response.errorMessage, null)
    assert.deepEqual(response.authBytes, Buffer.alloc(0))
    const lifetimeMs = Number(response.sessionLifetimeMs)
    assert.ok(lifetimeMs <= exp * 1000 - startedMs, `lifetime ${lifetimeMs}`)
    assert.ok(lifetimeMs > exp * 1000 - Date.now() - 1000, `lifetime ${lifetimeMs}`)
    const metadata = await client.request(ApiKey.Metadata, 1, metadataRequestBody(null, true))
    assert.deepEqual(
      metadata.brokers.map((entry) => entry.port),
      [broker.port],
    )
    client.close()
  })

  for (const [name, claims, signer] of [
    ['an expired token', { exp: Math.floor(Date.now() / 1000) - 3600 }, 'issuer'],
    ['a wrong issuer', { iss: 'https://elsewhere.test' }, 'issuer'],
    ['a wrong audience', { aud: 'another-service' }, 'issuer'],
    ['a signature by another key', {}, 'stranger'],
  ] as const) {
    test(`${name}: the invalid_token challenge, then SASL_AUTHENTICATION_FAILED and a closed connection`, async () => {
      const client = await handshake()
      const token = await (signer === 'issuer' ? issuer : stranger).sign(claims)
      const challenge = await client.request(ApiKey.SaslAuthenticate, 1, {
        authBytes: initialResponse(token),
      })
      assert.deepEqual(challenge, {
        errorCode: 0,
        errorMessage: null,
        authBytes: Buffer.from(invalidToken),
        sessionLifetimeMs: 0n,
      })
      const failure = await client.request(ApiKey.SaslAuthenticate, 1, { authBytes: Buffer.from([1]) })
      assert.deepEqual(failure, {
        errorCode: 58,
        errorMessage: invalidToken,
        authBytes: Buffer.alloc(0),
        sessionLifetimeMs: 0n,
      })
      assert.equal(await client.connection.waitForClose(5_000), true)
    })
  }

  test('an authzid other than the token subject fails with Kafka message', async () => {
    const client = await handshake()
    const response = await client.request(ApiKey.SaslAuthenticate, 2, {
      authBytes: initialResponse(await issuer.sign({ sub: 'alice' }), { authzid: 'admin' }),
    })
    assert.equal(response.errorCode, 58)
    assert.equal(
      response.errorMessage,
      "Authentication failed: Client requested an authorization id (admin) that is different from the token's principal name (alice)",
    )
    assert.equal(await client.connection.waitForClose(5_000), true)
  })

  test('truncated, garbage and oversized initial responses: an error, never a crash', async () => {
    const token = await issuer.sign()
    const whole = initialResponse(token)
    const oversized = (bytes: number) =>
      Buffer.concat([
        Buffer.from('n,,\u0001auth=Bearer '),
        Buffer.alloc(bytes, 0x61),
        Buffer.from('\u0001\u0001'),
      ])
    const messages = [
      whole.subarray(0, whole.length - 1),
      whole.subarray(0, 10),
      Buffer.from('\u0000\u00ff garbage \u0001\u0001'),
      Buffer.alloc(0),
      oversized(200 * 1024),
    ]
    for (const authBytes of messages) {
      const client = await handshake()
      const response = await client.request(ApiKey.SaslAuthenticate, 2, { authBytes })
      assert.equal(response.errorCode, 58, `message of ${authBytes.length} bytes`)
      assert.equal(response.errorMessage, genericFailure)
      assert.equal(await client.connection.waitForClose(5_000), true)
    }
    // Past Kafka's sasl.server.max.receive.size (512 KiB) the frame is not even read: closed at once.
    const huge = await handshake()
    await assert.rejects(
      huge.request(ApiKey.SaslAuthenticate, 2, { authBytes: oversized(1024 * 1024) }),
      /the broker closed the connection/,
    )
    const client = await handshake()
    const response = await client.request(ApiKey.SaslAuthenticate, 0, { authBytes: whole })
    assert.equal(response.errorCode, 0)
    client.close()
  })
})
