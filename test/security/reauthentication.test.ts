// Goal: KIP-368 re-authentication and the SASL handshake timeout, as a Kafka broker does them:
// SaslAuthenticate v1+ returns session_lifetime_ms = min(connections.max.reauth.ms, the credential's
// remaining lifetime); a client re-authenticates on the same connection with SaslHandshake v1 +
// SaslAuthenticate (at most once a second, same mechanism, same principal: Kafka's exact error
// messages otherwise); after the session expires any request but a re-authentication closes the
// connection, and a re-authentication after expiry restores service. A SASL connection that does
// not authenticate within sasl_handshake_timeout_ms is closed; an authenticated one is not.
// Method: an in-process broker (connections.max.reauth.ms = 1500, handshake timeout 1000 ms) with one
// SASL_PLAINTEXT listener, PLAIN/SCRAM users from a YAML file and OAUTHBEARER with a JWKS file made
// at test time; raw requests with the generated codecs. Waits are bounded and only ever "at least".
import assert from 'node:assert/strict'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { type RunningBroker, startBroker } from '../../src/broker/start.ts'
import { ApiKey } from '../../src/protocol/generated/index.ts'
import { makeTempDir, removeTempDir } from '../helpers/broker-process.ts'
import { CodecClient, metadataRequestBody } from '../helpers/kafka-codec-client.ts'
import { initialResponse, makeTokenIssuer, oauthBearerTestOptions, type TokenIssuer } from './oauth-tokens.ts'

const maxReauthMs = 1500
const handshakeTimeoutMs = 1000

describe('re-authentication (KIP-368) and the SASL handshake timeout', () => {
  let broker: RunningBroker
  let dir: string
  let issuer: TokenIssuer
  before(async () => {
    dir = await makeTempDir('streamline-reauth-')
    issuer = await makeTokenIssuer()
    const usersFile = join(dir, 'users.yaml')
    await writeFile(
      usersFile,
      'users:\n  alice:\n    password: alice-secret\n  bob:\n    password: bob-secret\n',
    )
    broker = await startBroker({
      inMemory: true,
      httpAddr: null,
      logLevel: 'silent',
      listeners: [{ name: 'SASL_PLAINTEXT', securityProtocol: 'SASL_PLAINTEXT', host: '127.0.0.1', port: 0 }],
      security: {
        usersFile,
        saslMechanisms: ['PLAIN', 'SCRAM-SHA-512', 'OAUTHBEARER'],
        failedAuthenticationDelayMs: 0,
        connectionsMaxReauthMs: maxReauthMs,
        saslHandshakeTimeoutMs: handshakeTimeoutMs,
        oauthBearer: await oauthBearerTestOptions(dir, issuer),
      },
    })
  })
  after(async () => {
    await broker?.close()
    await removeTempDir(dir)
  })

  /** A PLAIN login (handshake + authenticate v`version`); returns the authenticate response. */
  async function plainLogin(client: CodecClient, user: string, version = 2) {
    const handshake = await client.request(ApiKey.SaslHandshake, 1, { mechanism: 'PLAIN' })
    assert.equal(handshake.errorCode, 0)
    return client.request(ApiKey.SaslAuthenticate, version, {
      authBytes: Buffer.from(`\0${user}\0${user}-secret`),
    })
  }

  async function metadataServed(client: CodecClient): Promise<boolean> {
    const metadata = await client.request(ApiKey.Metadata, 1, metadataRequestBody(null, true))
    return metadata.brokers.length === 1
  }

  test('session_lifetime_ms is connections.max.reauth.ms for PLAIN (v1+; v0 has no such field)', async () => {
    const client = await CodecClient.open(broker.host, broker.port)
    const response = await plainLogin(client, 'alice', 1)
    assert.deepEqual(response, {
      errorCode: 0,
      errorMessage: null,
      authBytes: Buffer.alloc(0),
      sessionLifetimeMs: BigInt(maxReauthMs),
    })
    client.close()
    const legacy = await CodecClient.open(broker.host, broker.port)
    assert.equal((await plainLogin(legacy, 'alice', 0)).sessionLifetimeMs, 0n)
    legacy.close()
  })

  test('OAUTHBEARER: the lifetime is the smaller of max reauth and the time left on the token', async () => {
    const client = await CodecClient.open(broker.host, broker.port)
    await client.request(ApiKey.SaslHandshake, 1, { mechanism: 'OAUTHBEARER' })
    const longToken = await client.request(ApiKey.SaslAuthenticate, 2, {
      authBytes: initialResponse(await issuer.sign({ exp: Math.floor(Date.now() / 1000) + 3600 })),
    })
    assert.equal(longToken.sessionLifetimeMs, BigInt(maxReauthMs))
    // Re-authenticate with a token that expires within a second: the session ends with it.
    const handshake = await client.request(ApiKey.SaslHandshake, 1, { mechanism: 'OAUTHBEARER' })
    assert.equal(handshake.errorCode, 0)
    const exp = Math.floor(Date.now() / 1000) + 1
    const shortToken = await client.request(ApiKey.SaslAuthenticate, 2, {
      authBytes: initialResponse(await issuer.sign({ exp })),
    })
    assert.equal(shortToken.errorCode, 0)
    assert.ok(shortToken.sessionLifetimeMs < BigInt(maxReauthMs), `${shortToken.sessionLifetimeMs}`)
    assert.ok(shortToken.sessionLifetimeMs <= BigInt(exp * 1000 - Date.now() + 50))
    client.close()
  })

  test('re-authentication on the same connection, then at most once a second', async () => {
    const client = await CodecClient.open(broker.host, broker.port)
    assert.equal((await plainLogin(client, 'alice')).errorCode, 0)
    const again = await plainLogin(client, 'alice')
    assert.equal(again.errorCode, 0)
    assert.equal(again.sessionLifetimeMs, BigInt(maxReauthMs))
    assert.equal(await metadataServed(client), true)
    // A second re-authentication within the second is an ordinary handshake on an authenticated
    // connection: ILLEGAL_SASL_STATE, and the connection stays usable.
    const tooSoon = await client.request(ApiKey.SaslHandshake, 1, { mechanism: 'PLAIN' })
    assert.deepEqual(tooSoon, { errorCode: 34, mechanisms: ['PLAIN', 'SCRAM-SHA-512', 'OAUTHBEARER'] })
    assert.equal(await metadataServed(client), true)
    client.close()
  })

  test('re-authenticating as another user fails with Kafka message and closes the connection', async () => {
    const client = await CodecClient.open(broker.host, broker.port)
    await plainLogin(client, 'alice')
    const response = await plainLogin(client, 'bob')
    assert.equal(response.errorCode, 58)
    assert.equal(
      response.errorMessage,
      'Cannot change principals during re-authentication from User.alice: User.bob',
    )
    assert.equal(await client.connection.waitForClose(5_000), true)
  })

  test('re-authenticating with another mechanism: the handshake passes, SaslAuthenticate fails', async () => {
    const client = await CodecClient.open(broker.host, broker.port)
    await plainLogin(client, 'alice')
    const handshake = await client.request(ApiKey.SaslHandshake, 1, { mechanism: 'SCRAM-SHA-512' })
    assert.equal(handshake.errorCode, 0)
    const response = await client.request(ApiKey.SaslAuthenticate, 2, {
      authBytes: Buffer.from('n,,n=alice,r=abcdefgh'),
    })
    assert.equal(response.errorCode, 58)
    assert.equal(
      response.errorMessage,
      "SASL mechanism 'SCRAM-SHA-512' requested by client is not supported for re-authentication of mechanism 'PLAIN'",
    )
    assert.equal(await client.connection.waitForClose(5_000), true)
  })

  test('after the session expires, a request closes the connection; a re-authentication restores it', async () => {
    const expired = await CodecClient.open(broker.host, broker.port)
    const renewed = await CodecClient.open(broker.host, broker.port)
    await plainLogin(expired, 'alice')
    await plainLogin(renewed, 'alice')
    await sleep(maxReauthMs + 300)
    await assert.rejects(
      expired.request(ApiKey.Metadata, 1, metadataRequestBody(null, true)),
      /the broker closed the connection/,
    )
    const response = await plainLogin(renewed, 'alice')
    assert.equal(response.errorCode, 0)
    assert.equal(await metadataServed(renewed), true)
    renewed.close()
  })

  test('a SASL connection that does not authenticate in time is closed; an authenticated one is not', async () => {
    const idle = await CodecClient.open(broker.host, broker.port)
    const versionsOnly = await CodecClient.open(broker.host, broker.port)
    const authenticated = await CodecClient.open(broker.host, broker.port)
    const versions = await versionsOnly.request(ApiKey.ApiVersions, 3, {
      clientSoftwareName: 'test',
      clientSoftwareVersion: '1',
    })
    assert.equal(versions.errorCode, 0)
    await plainLogin(authenticated, 'alice')
    assert.equal(await idle.connection.waitForClose(handshakeTimeoutMs + 10_000), true)
    assert.equal(await versionsOnly.connection.waitForClose(10_000), true)
    assert.equal(authenticated.connection.closed, false)
    // Re-authenticate (the session may have expired meanwhile) and go on being served.
    assert.equal((await plainLogin(authenticated, 'alice')).errorCode, 0)
    assert.equal(await metadataServed(authenticated), true)
    authenticated.close()
  })
})
