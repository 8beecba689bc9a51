// Goal: delegation tokens are durable: a token whose creation (or renewal) was answered is there,
// unchanged, after the broker is SIGKILLed, and still logs a client in; the data dir holds no HMAC.
// Method: the broker CLI as a process with a SASL_PLAINTEXT listener, a users file and
// --security-delegation-token-secret-key; CreateDelegationToken and RenewDelegationToken over a raw
// connection logged in as alice; SIGKILL right after the answers; a new process on the same data dir;
// DescribeDelegationToken must give the same token, and kafkajs logs in with it and produces.
import assert from 'node:assert/strict'
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { test } from 'node:test'
import { Kafka, logLevel } from 'kafkajs'
import { ApiKey } from '../../src/protocol/generated/index.ts'
import {
  type BrokerProcess,
  makeTempDir,
  removeTempDir,
  startBrokerProcess,
} from '../helpers/broker-process.ts'
import { freePort } from '../helpers/free-port.ts'
import { CodecClient } from '../helpers/kafka-codec-client.ts'
import { kafkaTokenSasl } from '../security/token-login.ts'

async function start(dir: string): Promise<BrokerProcess> {
  const port = await freePort()
  return startBrokerProcess({
    dataDir: join(dir, 'data'),
    args: [
      '--security-listeners',
      `SASL_PLAINTEXT://127.0.0.1:${port}`,
      '--auth-users-file',
      join(dir, 'users.yaml'),
      '--security-delegation-token-secret-key',
      'sigkill-secret',
    ],
  })
}

async function aliceClient(broker: BrokerProcess): Promise<CodecClient> {
  const client = await CodecClient.open(broker.host, broker.port)
  await client.request(ApiKey.SaslHandshake, 1, { mechanism: 'PLAIN' })
  const login = await client.request(ApiKey.SaslAuthenticate, 2, {
    authBytes: Buffer.from('\0alice\0alice-secret'),
  })
  assert.equal(login.errorCode, 0)
  return client
}

test('tokens created and renewed before a SIGKILL are there after the restart and log in', async () => {
  const dir = await makeTempDir('streamline-tokens-kill-')
  await writeFile(join(dir, 'users.yaml'), 'users:\n  alice:\n    password: alice-secret\n')
  let broker = await start(dir)
  try {
    const client = await aliceClient(broker)
    const created = await client.request(ApiKey.CreateDelegationToken, 3, {
      ownerPrincipalType: null,
      ownerPrincipalName: null,
      renewers: [{ principalType: 'User', principalName: 'bob' }],
      maxLifetimeMs: -1n,
    })
    assert.equal(created.errorCode, 0)
    const renewed = await client.request(ApiKey.RenewDelegationToken, 2, {
      hmac: created.hmac,
      renewPeriodMs: 7_200_000n,
    })
    assert.equal(renewed.errorCode, 0)
    await broker.kill()
    client.close()

    const stored = await readFile(join(dir, 'data', 'delegation-tokens.json'), 'utf8')
    assert.equal(stored.includes(created.hmac.toString('base64')), false)
    assert.equal(stored.includes(created.hmac.toString('hex')), false)

    broker = await start(dir)
    const after = await aliceClient(broker)
    const described = await after.request(ApiKey.DescribeDelegationToken, 3, { owners: null })
    after.close()
    assert.deepEqual(
      described.tokens.map((token) => ({
        tokenId: token.tokenId,
        owner: token.principalName,
        hmac: token.hmac.toString('base64'),
        issue: token.issueTimestamp,
        expiry: token.expiryTimestamp,
        max: token.maxTimestamp,
        renewers: token.renewers.map((renewer) => renewer.principalName),
      })),
      [
        {
          tokenId: created.tokenId,
          owner: 'alice',
          hmac: created.hmac.toString('base64'),
          issue: created.issueTimestampMs,
          expiry: renewed.expiryTimestampMs,
          max: created.maxTimestampMs,
          renewers: ['bob'],
        },
      ],
    )
    const producer = new Kafka({
      clientId: 'token-after-kill',
      brokers: [broker.bootstrap],
      logLevel: logLevel.NOTHING,
      sasl: kafkaTokenSasl('scram-sha-512', created.tokenId, created.hmac),
    }).producer()
    await producer.connect()
    const [written] = await producer.send({ topic: 'after-kill', messages: [{ value: 'still valid' }] })
    assert.equal(written?.errorCode, 0)
    await producer.disconnect()
  } finally {
    await broker.stop()
    await removeTempDir(dir)
  }
})
