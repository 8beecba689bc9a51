// Goal: delegation tokens (CreateDelegationToken 38, RenewDelegationToken 39, ExpireDelegationToken
// 40, DescribeDelegationToken 41) answer as Kafka does, version by version, and a client logs in
// with a token through SCRAM `tokenauth=true` as the token's owner.
// Method: an in-process broker on a data dir with a PLAINTEXT and a SASL_PLAINTEXT listener, users
// alice, bob and carol, delegation.token.secret.key set. The admin requests go over raw connections
// with the generated codecs, cross-checked with @platformatic/kafka's own encoders (no installed
// client has an admin call for tokens); the token login is kafkajs's SCRAM client with the
// extension added (token-login.ts), producing and consuming. A second broker without a secret key
// answers DELEGATION_TOKEN_AUTH_DISABLED. The HMAC is checked against HMAC-SHA512(secret, tokenId).
import assert from 'node:assert/strict'
import { createHmac } from 'node:crypto'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { Connection, createDelegationTokenV3, describeDelegationTokenV3 } from '@platformatic/kafka'
import { Kafka, logLevel } from 'kafkajs'
import { type RunningBroker, startBroker } from '../../src/broker/start.ts'
import { ApiKey } from '../../src/protocol/generated/index.ts'
import { makeTempDir, removeTempDir } from '../helpers/broker-process.ts'
import { freePorts } from '../helpers/free-port.ts'
import { CodecClient, encodeRequest } from '../helpers/kafka-codec-client.ts'
import { kafkaTokenSasl, scramLogin } from './token-login.ts'

const secret = 'delegation-secret-for-tests'
const dayMs = 86_400_000
const passwords = { alice: 'alice-secret', bob: 'bob-secret', carol: 'carol-secret' } as const
type User = keyof typeof passwords

const errors = {
  NONE: 0,
  SASL_AUTHENTICATION_FAILED: 58,
  DELEGATION_TOKEN_AUTH_DISABLED: 61,
  DELEGATION_TOKEN_NOT_FOUND: 62,
  DELEGATION_TOKEN_OWNER_MISMATCH: 63,
  DELEGATION_TOKEN_REQUEST_NOT_ALLOWED: 64,
  DELEGATION_TOKEN_EXPIRED: 66,
  INVALID_PRINCIPAL_TYPE: 67,
}

interface Started {
  broker: RunningBroker
  plaintext: number
  sasl: number
}

async function startTokenBroker(dir: string, withSecret: boolean): Promise<Started> {
  const usersFile = join(dir, 'users.yaml')
  await writeFile(
    usersFile,
    `users:\n${Object.entries(passwords)
      .map(([user, password]) => `  ${user}:\n    password: ${password}\n`)
      .join('')}`,
  )
  const [sasl, plaintext] = await freePorts(2)
  const broker = await startBroker({
    dataDir: join(dir, 'data'),
    httpAddr: null,
    logLevel: 'silent',
    listeners: [
      { name: 'SASL_PLAINTEXT', securityProtocol: 'SASL_PLAINTEXT', host: '127.0.0.1', port: sasl },
      { name: 'PLAINTEXT', securityProtocol: 'PLAINTEXT', host: '127.0.0.1', port: plaintext },
    ],
    security: {
      usersFile,
      failedAuthenticationDelayMs: 0,
      delegationTokens: {
        ...(withSecret ? { secretKey: secret } : {}),
        maxLifetimeMs: 7 * dayMs,
        expiryTimeMs: dayMs,
        expiryCheckIntervalMs: 3_600_000,
      },
    },
  })
  return { broker, plaintext, sasl }
}

async function loggedIn(port: number, user: User): Promise<CodecClient> {
  const client = await CodecClient.open('127.0.0.1', port)
  await client.request(ApiKey.SaslHandshake, 1, { mechanism: 'PLAIN' })
  const login = await client.request(ApiKey.SaslAuthenticate, 2, {
    authBytes: Buffer.from(`\0${user}\0${passwords[user]}`),
  })
  assert.equal(login.errorCode, 0)
  return client
}

function hmacOf(tokenId: string): Buffer {
  return createHmac('sha512', secret).update(tokenId).digest()
}

/** CreateDelegationToken v3 for the caller itself, with `renewers` (User principals), the server's
 * default lifetime. */
function createToken(client: CodecClient, renewers: string[] = []) {
  return client.request(ApiKey.CreateDelegationToken, 3, {
    ownerPrincipalType: null,
    ownerPrincipalName: null,
    renewers: renewers.map((name) => ({ principalType: 'User', principalName: name })),
    maxLifetimeMs: -1n,
  })
}

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

describe('delegation tokens', () => {
  let dir: string
  let started: Started

  before(async () => {
    dir = await makeTempDir('streamline-tokens-')
    started = await startTokenBroker(dir, true)
  })
  after(async () => {
    await started?.broker.close()
    await removeTempDir(dir)
  })

  test('PLAINTEXT connections may not use the token APIs (DELEGATION_TOKEN_REQUEST_NOT_ALLOWED)', async () => {
    const client = await CodecClient.open('127.0.0.1', started.plaintext)
    const created = await createToken(client)
    assert.equal(created.errorCode, errors.DELEGATION_TOKEN_REQUEST_NOT_ALLOWED)
    assert.deepEqual([created.principalType, created.principalName], ['User', 'ANONYMOUS'])
    const renewed = await client.request(ApiKey.RenewDelegationToken, 2, {
      hmac: Buffer.alloc(64),
      renewPeriodMs: 1n,
    })
    const expired = await client.request(ApiKey.ExpireDelegationToken, 2, {
      hmac: Buffer.alloc(64),
      expiryTimePeriodMs: -1n,
    })
    const described = await client.request(ApiKey.DescribeDelegationToken, 3, { owners: null })
    assert.deepEqual(
      [
        renewed.errorCode,
        renewed.expiryTimestampMs,
        expired.errorCode,
        described.errorCode,
        described.tokens,
      ],
      [64, -1n, 64, 64, []],
    )
    client.close()
  })

  test('CreateDelegationToken v0-v3: owner, renewers, expiry and max time, HMAC-SHA512 of the token id', async () => {
    const client = await loggedIn(started.sasl, 'alice')
    for (const version of [0, 1, 2, 3]) {
      const before = Date.now()
      const response = await client.request(ApiKey.CreateDelegationToken, version, {
        // v3+ fields: the default (empty) below v3.
        ownerPrincipalType: version >= 3 ? null : '',
        ownerPrincipalName: version >= 3 ? null : '',
        renewers: [{ principalType: 'User', principalName: 'bob' }],
        maxLifetimeMs: version === 0 ? -1n : BigInt(2 * dayMs),
      })
      const afterMs = Date.now()
      assert.equal(response.errorCode, 0)
      assert.deepEqual([response.principalType, response.principalName], ['User', 'alice'])
      if (version === 3) {
        assert.deepEqual(
          [response.tokenRequesterPrincipalType, response.tokenRequesterPrincipalName],
          ['User', 'alice'],
        )
      }
      assert.match(response.tokenId, uuid)
      assert.deepEqual(response.hmac, hmacOf(response.tokenId))
      const issued = Number(response.issueTimestampMs)
      assert.ok(issued >= before && issued <= afterMs)
      assert.equal(Number(response.expiryTimestampMs), issued + dayMs)
      assert.equal(Number(response.maxTimestampMs), issued + (version === 0 ? 7 : 2) * dayMs)
    }
    // A lifetime beyond delegation.token.max.lifetime.ms is capped by it.
    const capped = await client.request(ApiKey.CreateDelegationToken, 3, {
      ownerPrincipalType: null,
      ownerPrincipalName: null,
      renewers: [],
      maxLifetimeMs: BigInt(30 * dayMs),
    })
    assert.equal(Number(capped.maxTimestampMs) - Number(capped.issueTimestampMs), 7 * dayMs)
    const badRenewer = await client.request(ApiKey.CreateDelegationToken, 3, {
      ownerPrincipalType: null,
      ownerPrincipalName: null,
      renewers: [{ principalType: 'Group', principalName: 'ops' }],
      maxLifetimeMs: -1n,
    })
    assert.equal(badRenewer.errorCode, errors.INVALID_PRINCIPAL_TYPE)
    client.close()
  })

  test('@platformatic/kafka encodes CreateDelegationToken v3 and DescribeDelegationToken v3 the same way', async () => {
    const connection = new Connection('tokens-test', {
      sasl: { mechanism: 'SCRAM-SHA-256', username: 'carol', password: passwords.carol },
    })
    await connection.connect('127.0.0.1', started.sasl)
    try {
      const created = await createDelegationTokenV3.api.async(connection, null, null, [], -1n)
      assert.equal(created.errorCode, 0)
      assert.equal(created.principalName, 'carol')
      assert.deepEqual(created.hmac, hmacOf(created.tokenId))
      const described = await describeDelegationTokenV3.api.async(connection, [
        { principalType: 'User', principalName: 'carol' },
      ])
      assert.deepEqual(
        described.tokens.map((token) => [
          token.tokenId,
          token.principalName,
          token.hmac.equals(created.hmac),
        ]),
        [[created.tokenId, 'carol', true]],
      )
    } finally {
      await connection.close()
    }
  })

  test('DescribeDelegationToken v0-v3: null owners lists all, [] none, an owner filter matches owner or renewer', async () => {
    const client = await loggedIn(started.sasl, 'bob')
    for (const version of [0, 1, 2, 3]) {
      const all = await client.request(ApiKey.DescribeDelegationToken, version, { owners: null })
      assert.equal(all.errorCode, 0)
      assert.ok(all.tokens.length >= 6, `v${version}: ${all.tokens.length} tokens`)
      for (const token of all.tokens) assert.deepEqual(token.hmac, hmacOf(token.tokenId))
    }
    const none = await client.request(ApiKey.DescribeDelegationToken, 3, { owners: [] })
    assert.deepEqual(none.tokens, [])
    const bobs = await client.request(ApiKey.DescribeDelegationToken, 3, {
      owners: [{ principalType: 'User', principalName: 'bob' }],
    })
    // bob owns none, but renews the four alice created with him as a renewer.
    assert.equal(bobs.tokens.length, 4)
    for (const token of bobs.tokens) {
      assert.equal(token.principalName, 'alice')
      assert.deepEqual(
        token.renewers.map((renewer) => [renewer.principalType, renewer.principalName]),
        [['User', 'bob']],
      )
    }
    client.close()
  })

  test('Renew and Expire: owner or renewer only, unknown HMAC, expiry moves, expired tokens are gone', async () => {
    const alice = await loggedIn(started.sasl, 'alice')
    const created = await createToken(alice, ['bob'])
    const carol = await loggedIn(started.sasl, 'carol')
    const bob = await loggedIn(started.sasl, 'bob')
    const byCarol = await carol.request(ApiKey.RenewDelegationToken, 2, {
      hmac: created.hmac,
      renewPeriodMs: 1000n,
    })
    assert.deepEqual(
      [byCarol.errorCode, byCarol.expiryTimestampMs],
      [errors.DELEGATION_TOKEN_OWNER_MISMATCH, -1n],
    )
    const unknown = await bob.request(ApiKey.RenewDelegationToken, 0, {
      hmac: Buffer.alloc(64, 7),
      renewPeriodMs: 1000n,
    })
    assert.equal(unknown.errorCode, errors.DELEGATION_TOKEN_NOT_FOUND)
    for (const version of [0, 1, 2]) {
      const before = Date.now()
      const renewed = await bob.request(ApiKey.RenewDelegationToken, version, {
        hmac: created.hmac,
        renewPeriodMs: BigInt(3_600_000 * (version + 1)),
      })
      assert.equal(renewed.errorCode, 0)
      const expiry = Number(renewed.expiryTimestampMs)
      assert.ok(
        expiry >= before + 3_600_000 * (version + 1) && expiry <= Date.now() + 3_600_000 * (version + 1),
      )
    }
    // A renewal never goes past the max time.
    const longest = await alice.request(ApiKey.RenewDelegationToken, 2, {
      hmac: created.hmac,
      renewPeriodMs: BigInt(365 * dayMs),
    })
    assert.equal(longest.expiryTimestampMs, created.maxTimestampMs)
    const shortened = await alice.request(ApiKey.ExpireDelegationToken, 1, {
      hmac: created.hmac,
      expiryTimePeriodMs: 60_000n,
    })
    assert.equal(shortened.errorCode, 0)
    const byCarolExpire = await carol.request(ApiKey.ExpireDelegationToken, 2, {
      hmac: created.hmac,
      expiryTimePeriodMs: -1n,
    })
    assert.equal(byCarolExpire.errorCode, errors.DELEGATION_TOKEN_OWNER_MISMATCH)
    const expired = await bob.request(ApiKey.ExpireDelegationToken, 2, {
      hmac: created.hmac,
      expiryTimePeriodMs: -1n,
    })
    assert.equal(expired.errorCode, 0)
    assert.ok(Number(expired.expiryTimestampMs) < Date.now())
    const again = await alice.request(ApiKey.RenewDelegationToken, 2, {
      hmac: created.hmac,
      renewPeriodMs: 1n,
    })
    assert.equal(again.errorCode, errors.DELEGATION_TOKEN_NOT_FOUND)
    const listed = await alice.request(ApiKey.DescribeDelegationToken, 3, { owners: null })
    assert.equal(
      listed.tokens.some((token) => token.tokenId === created.tokenId),
      false,
    )
    const login = await CodecClient.open('127.0.0.1', started.sasl)
    const refused = await scramLogin(
      login,
      created.tokenId,
      created.hmac.toString('base64'),
      ',tokenauth=true',
    )
    assert.equal(refused.errorCode, errors.SASL_AUTHENTICATION_FAILED)
    for (const client of [alice, bob, carol, login]) client.close()
  })

  test('kafkajs logs in with a token (SCRAM-SHA-256 and -512) and produces and consumes as its owner', async () => {
    const alice = await loggedIn(started.sasl, 'alice')
    const created = await createToken(alice)
    alice.close()
    const brokers = [`127.0.0.1:${started.sasl}`]
    const kafka = new Kafka({
      clientId: 'token-producer',
      brokers,
      logLevel: logLevel.NOTHING,
      sasl: kafkaTokenSasl('scram-sha-512', created.tokenId, created.hmac),
    })
    const admin = kafka.admin()
    await admin.connect()
    await admin.createTopics({ topics: [{ topic: 'token-topic', numPartitions: 1 }] })
    await admin.disconnect()
    const producer = kafka.producer()
    await producer.connect()
    await producer.send({ topic: 'token-topic', messages: [{ key: 'k', value: 'sent with a token' }] })
    await producer.disconnect()
    const consumerKafka = new Kafka({
      clientId: 'token-consumer',
      brokers,
      logLevel: logLevel.NOTHING,
      sasl: kafkaTokenSasl('scram-sha-256', created.tokenId, created.hmac),
    })
    const consumer = consumerKafka.consumer({ groupId: 'token-group' })
    await consumer.connect()
    await consumer.subscribe({ topic: 'token-topic', fromBeginning: true })
    const value = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no record within 20 s')), 20_000)
      void consumer.run({
        eachMessage: async ({ message }) => {
          clearTimeout(timer)
          resolve(message.value?.toString() ?? '')
        },
      })
    })
    await consumer.disconnect()
    assert.equal(value, 'sent with a token')
    // The wrong HMAC fails like a wrong password.
    const wrong = new Kafka({
      clientId: 'token-wrong',
      brokers,
      logLevel: logLevel.NOTHING,
      retry: { retries: 0 },
      sasl: kafkaTokenSasl('scram-sha-256', created.tokenId, Buffer.alloc(64, 1)),
    }).producer()
    await assert.rejects(wrong.connect(), /SASL SCRAM SHA256 authentication failed|authentication failed/i)
  })

  test('a token session: lifetime up to the token expiry, and no token APIs for it', async () => {
    const alice = await loggedIn(started.sasl, 'alice')
    const created = await createToken(alice)
    await alice.request(ApiKey.ExpireDelegationToken, 2, { hmac: created.hmac, expiryTimePeriodMs: 600_000n })
    alice.close()
    const client = await CodecClient.open('127.0.0.1', started.sasl)
    const login = await scramLogin(
      client,
      created.tokenId,
      created.hmac.toString('base64'),
      ',tokenauth=true',
    )
    assert.equal(login.errorCode, 0)
    const lifetime = Number(login.sessionLifetimeMs)
    assert.ok(lifetime > 590_000 && lifetime <= 600_000, `session lifetime ${lifetime}`)
    const refused = await createToken(client)
    assert.equal(refused.errorCode, errors.DELEGATION_TOKEN_REQUEST_NOT_ALLOWED)
    // The session's principal is the owner.
    assert.deepEqual([refused.principalType, refused.principalName], ['User', 'alice'])
    const described = await client.request(ApiKey.DescribeDelegationToken, 3, { owners: null })
    assert.equal(described.errorCode, errors.DELEGATION_TOKEN_REQUEST_NOT_ALLOWED)
    client.close()
  })

  test('hostile SCRAM token logins fail and the broker keeps serving', async () => {
    const attempts: Array<[string, string, string]> = [
      // A user's own password with tokenauth: users are not tokens.
      ['alice', passwords.alice, ',tokenauth=true'],
      // A malformed extension (no value).
      ['alice', passwords.alice, ',tokenauth'],
      // An unknown token id.
      ['00000000-0000-0000-0000-000000000000', 'x', ',tokenauth=true'],
      // An over-long extension value.
      ['alice', passwords.alice, `,tokenauth=${'t'.repeat(5000)}`],
    ]
    for (const [user, password, extensions] of attempts) {
      const client = await CodecClient.open('127.0.0.1', started.sasl)
      const result = await scramLogin(client, user, password, extensions).catch(() => ({
        errorCode: errors.SASL_AUTHENTICATION_FAILED,
        sessionLifetimeMs: 0n,
      }))
      assert.equal(result.errorCode, errors.SASL_AUTHENTICATION_FAILED, `${user} ${extensions.slice(0, 20)}`)
      client.close()
    }
    // Without the extension, alice's password still logs in as before.
    const client = await CodecClient.open('127.0.0.1', started.sasl)
    assert.equal((await scramLogin(client, 'alice', passwords.alice)).errorCode, 0)
    client.close()
  })
})

test('truncated token requests close their connection; the broker keeps serving', async () => {
  const dir = await makeTempDir('streamline-tokens-bad-')
  const started = await startTokenBroker(dir, true)
  try {
    const frames = [
      encodeRequest(ApiKey.CreateDelegationToken, 3, 2, {
        ownerPrincipalType: null,
        ownerPrincipalName: 'someone',
        renewers: [{ principalType: 'User', principalName: 'bob' }],
        maxLifetimeMs: -1n,
      }),
      encodeRequest(ApiKey.RenewDelegationToken, 2, 2, { hmac: Buffer.alloc(64), renewPeriodMs: 1n }),
      encodeRequest(ApiKey.ExpireDelegationToken, 1, 2, { hmac: Buffer.alloc(64), expiryTimePeriodMs: 1n }),
      encodeRequest(ApiKey.DescribeDelegationToken, 3, 2, {
        owners: [{ principalType: 'User', principalName: 'alice' }],
      }),
    ]
    for (const frame of frames) {
      // Cut the body short by 3 bytes and fix the size prefix: a well-framed, undecodable request.
      const cut = Buffer.from(frame.subarray(0, frame.length - 3))
      cut.writeInt32BE(cut.length - 4, 0)
      const client = await loggedIn(started.sasl, 'alice')
      await client.connection.write(cut)
      assert.equal(await client.connection.waitForClose(10_000), true)
    }
    const client = await loggedIn(started.sasl, 'alice')
    const described = await client.request(ApiKey.DescribeDelegationToken, 3, { owners: null })
    assert.equal(described.errorCode, 0)
    client.close()
  } finally {
    await started.broker.close()
    await removeTempDir(dir)
  }
})

describe('delegation tokens without delegation.token.secret.key', () => {
  let dir: string
  let started: Started
  before(async () => {
    dir = await makeTempDir('streamline-tokens-off-')
    started = await startTokenBroker(dir, false)
  })
  after(async () => {
    await started?.broker.close()
    await removeTempDir(dir)
  })

  test('every token API answers DELEGATION_TOKEN_AUTH_DISABLED', async () => {
    const client = await loggedIn(started.sasl, 'alice')
    const created = await createToken(client)
    const renewed = await client.request(ApiKey.RenewDelegationToken, 2, {
      hmac: Buffer.alloc(64),
      renewPeriodMs: 1n,
    })
    const expired = await client.request(ApiKey.ExpireDelegationToken, 2, {
      hmac: Buffer.alloc(64),
      expiryTimePeriodMs: 1n,
    })
    const described = await client.request(ApiKey.DescribeDelegationToken, 3, { owners: null })
    assert.deepEqual(
      [created.errorCode, created.tokenId, renewed.errorCode, expired.errorCode, described.errorCode],
      [errors.DELEGATION_TOKEN_AUTH_DISABLED, '', 61, 61, 61],
    )
    client.close()
  })
})
