// Goal: DescribeUserScramCredentials / AlterUserScramCredentials with Kafka's per-user error codes,
// credentials stored durably as salted keys only, and usable by a real client after a restart.
// Method: an in-process broker on a data dir with a SASL_PLAINTEXT listener (users file: alice);
// the admin requests go over a raw connection authenticated as alice with the generated codecs
// (no client installed here has these admin APIs); the data dir's credentials file is read back
// and searched for the password and the salted password; after a restart on the same data dir
// kafkajs logs in with SCRAM-SHA-256 as the user the API created.
import assert from 'node:assert/strict'
import { pbkdf2Sync, randomBytes } from 'node:crypto'
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { Kafka, logLevel } from 'kafkajs'
import { type RunningBroker, type StartBrokerOptions, startBroker } from '../../src/broker/start.ts'
import { ApiKey } from '../../src/protocol/generated/index.ts'
import { makeTempDir, removeTempDir } from '../helpers/broker-process.ts'
import { freePort } from '../helpers/free-port.ts'
import { CodecClient } from '../helpers/kafka-codec-client.ts'

const carolPassword = 'carol-password'

async function adminClient(broker: RunningBroker): Promise<CodecClient> {
  const client = await CodecClient.open(broker.host, broker.port)
  await client.request(ApiKey.SaslHandshake, 1, { mechanism: 'PLAIN' })
  const login = await client.request(ApiKey.SaslAuthenticate, 2, {
    authBytes: Buffer.from('\0alice\0alice-secret'),
  })
  assert.equal(login.errorCode, 0)
  return client
}

describe('SCRAM credentials API', () => {
  let dir: string
  let options: StartBrokerOptions
  let broker: RunningBroker
  const salt = randomBytes(16)
  const salted256 = pbkdf2Sync(carolPassword, salt, 8192, 32, 'sha256')
  const salted512 = pbkdf2Sync(carolPassword, salt, 8192, 64, 'sha512')

  before(async () => {
    dir = await makeTempDir('streamline-scram-')
    const usersFile = join(dir, 'users.yaml')
    await writeFile(usersFile, 'users:\n  alice:\n    password: alice-secret\n')
    const port = await freePort()
    options = {
      dataDir: join(dir, 'data'),
      httpAddr: null,
      logLevel: 'silent',
      listeners: [{ name: 'SASL_PLAINTEXT', securityProtocol: 'SASL_PLAINTEXT', host: '127.0.0.1', port }],
      security: { usersFile, failedAuthenticationDelayMs: 0 },
    }
    broker = await startBroker(options)
  })
  after(async () => {
    await broker?.close()
    await removeTempDir(dir)
  })

  test('AlterUserScramCredentials: results per user with Kafka error codes', async () => {
    const client = await adminClient(broker)
    const upsert = (name: string, mechanism: number, iterations: number, saltedPassword: Buffer) => ({
      name,
      mechanism,
      iterations,
      salt,
      saltedPassword,
    })
    const response = await client.request(ApiKey.AlterUserScramCredentials, 0, {
      deletions: [{ name: 'frank', mechanism: 1 }],
      upsertions: [
        upsert('carol', 1, 8192, salted256),
        upsert('carol', 2, 8192, salted512),
        upsert('dave', 1, 100, salted256),
        upsert('erin', 0, 8192, salted256),
        upsert('gina', 1, 8192, salted256),
        upsert('gina', 1, 8192, salted256),
      ],
    })
    assert.deepEqual(response.results, [
      {
        user: 'frank',
        errorCode: 91,
        errorMessage: 'Attempt to delete a user credential that does not exist',
      },
      { user: 'carol', errorCode: 0, errorMessage: null },
      { user: 'dave', errorCode: 93, errorMessage: 'Too few iterations' },
      { user: 'erin', errorCode: 33, errorMessage: 'Unknown SCRAM mechanism' },
      {
        user: 'gina',
        errorCode: 92,
        errorMessage: 'A user credential cannot be altered twice in the same request',
      },
    ])
    const described = await client.request(ApiKey.DescribeUserScramCredentials, 0, {
      users: [{ name: 'carol' }, { name: 'nobody' }],
    })
    assert.deepEqual(described.results, [
      {
        user: 'carol',
        errorCode: 0,
        errorMessage: null,
        credentialInfos: [
          { mechanism: 1, iterations: 8192 },
          { mechanism: 2, iterations: 8192 },
        ],
      },
      {
        user: 'nobody',
        errorCode: 91,
        errorMessage: 'Attempt to describe a user credential that does not exist: nobody',
        credentialInfos: [],
      },
    ])
    const all = await client.request(ApiKey.DescribeUserScramCredentials, 0, { users: null })
    assert.deepEqual(
      all.results.map((result) => [result.user, result.credentialInfos.map((info) => info.mechanism)]),
      [
        ['alice', [1, 2]],
        ['carol', [1, 2]],
      ],
    )
    client.close()
  })

  test('the data dir keeps salted keys only, never the password or the salted password', async () => {
    const text = await readFile(join(options.dataDir ?? '', 'scram-credentials.json'), 'utf8')
    const stored = JSON.parse(text) as { users: Record<string, Record<string, { iterations: number }>> }
    assert.deepEqual(Object.keys(stored.users), ['carol'])
    assert.deepEqual(Object.keys(stored.users.carol).sort(), ['SCRAM-SHA-256', 'SCRAM-SHA-512'])
    for (const secret of [
      carolPassword,
      salted256.toString('base64'),
      salted512.toString('base64'),
      'alice-secret',
    ]) {
      assert.equal(text.includes(secret), false)
    }
  })

  test('after a restart, kafkajs logs in with SCRAM-SHA-256 as the API-created user; a deletion holds', async () => {
    await broker.close()
    broker = await startBroker(options)
    const kafka = new Kafka({
      brokers: [`${broker.host}:${broker.port}`],
      sasl: { mechanism: 'scram-sha-256', username: 'carol', password: carolPassword },
      logLevel: logLevel.NOTHING,
      retry: { retries: 0 },
    })
    const admin = kafka.admin()
    await admin.connect()
    assert.deepEqual(await admin.listTopics(), [])
    await admin.disconnect()
    const client = await adminClient(broker)
    const deleted = await client.request(ApiKey.AlterUserScramCredentials, 0, {
      deletions: [{ name: 'carol', mechanism: 1 }],
      upsertions: [],
    })
    assert.deepEqual(deleted.results, [{ user: 'carol', errorCode: 0, errorMessage: null }])
    const described = await client.request(ApiKey.DescribeUserScramCredentials, 0, {
      users: [{ name: 'carol' }],
    })
    assert.deepEqual(described.results[0].credentialInfos, [{ mechanism: 2, iterations: 8192 }])
    client.close()
  })
})
