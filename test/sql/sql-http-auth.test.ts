// Goal: on a broker with users (a SASL listener), POST /api/v1/query needs a login like the rest of the
// admin API, and HTTP basic auth with a broker user's SCRAM password is one (for scripts and the CLI):
// no credentials answer 401 UNAUTHENTICATED, a wrong password 401 SASL_AUTHENTICATION_FAILED with a
// Basic challenge; the user's topic ACLs then apply to the query (READ to read, WRITE for INSERT INTO
// streamline_topic: TOPIC_AUTHORIZATION_FAILED, 403). `streamline-cli query` with --sasl-username and
// --sasl-password sends the same credentials.
// Method: a broker process with a SASL_PLAINTEXT listener, a users file (admin, a super user; bob, with
// READ on `public` only) and the authorizer on; kafkajs over SASL/SCRAM (a client we did not write)
// creates the topics, the ACL and the records; fetch() and the CLI (a child process) query over HTTP.

import assert from 'node:assert/strict'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { Kafka, logLevel } from 'kafkajs'
import { type CliHarness, startCliHarness } from '../cli/cli-harness.ts'
import {
  type BrokerProcess,
  makeTempDir,
  removeTempDir,
  startBrokerProcess,
} from '../helpers/broker-process.ts'
import { freePort } from '../helpers/free-port.ts'

const passwords = { admin: 'admin-secret', bob: 'bob-secret' }
let dir: string
let broker: BrokerProcess
let cli: CliHarness
let httpUrl: string
let kafkaPort: number

function basic(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`
}

async function query(
  sql: string,
  authorization?: string,
): Promise<{ status: number; body: Record<string, unknown>; challenge: string | null }> {
  const response = await fetch(`${httpUrl}/api/v1/query`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(authorization === undefined ? {} : { authorization }),
    },
    body: JSON.stringify({ sql }),
  })
  return {
    status: response.status,
    body: (await response.json()) as Record<string, unknown>,
    challenge: response.headers.get('www-authenticate'),
  }
}

before(async () => {
  dir = await makeTempDir('streamline-sql-http-auth-')
  const usersFile = join(dir, 'users.yaml')
  await writeFile(
    usersFile,
    `users:\n  admin:\n    password: ${passwords.admin}\n  bob:\n    password: ${passwords.bob}\n    mechanisms: [SCRAM-SHA-256]\n`,
  )
  kafkaPort = await freePort()
  const httpPort = await freePort()
  httpUrl = `http://127.0.0.1:${httpPort}`
  ;[broker, cli] = await Promise.all([
    startBrokerProcess({
      args: [
        '--security-listeners',
        `SASL_PLAINTEXT://127.0.0.1:${kafkaPort}`,
        '--auth-users-file',
        usersFile,
        '--security-authorizer',
        '--security-super-users',
        'User:admin',
        '--http-addr',
        `127.0.0.1:${httpPort}`,
      ],
    }),
    startCliHarness(),
  ])
  const kafka = new Kafka({
    clientId: 'sql-http-auth',
    brokers: [`127.0.0.1:${kafkaPort}`],
    sasl: { mechanism: 'scram-sha-256', username: 'admin', password: passwords.admin },
    logLevel: logLevel.NOTHING,
  })
  const admin = kafka.admin()
  await admin.connect()
  await admin.createTopics({ topics: [{ topic: 'public' }, { topic: 'secret' }] })
  await admin.createAcls({
    acl: [
      {
        resourceType: 2, // TOPIC
        resourceName: 'public',
        resourcePatternType: 3, // LITERAL
        principal: 'User:bob',
        host: '*',
        operation: 3, // READ
        permissionType: 3, // ALLOW
      },
    ],
  })
  await admin.disconnect()
  const producer = kafka.producer()
  await producer.connect()
  await producer.send({ topic: 'public', messages: [{ value: 'a' }, { value: 'b' }] })
  await producer.send({ topic: 'secret', messages: [{ value: 'c' }] })
  await producer.disconnect()
})

after(async () => {
  await cli?.close()
  await broker?.stop()
  if (dir !== undefined) await removeTempDir(dir)
})

test('a query needs a login; basic auth with a broker user is one, and its ACLs apply', async () => {
  const anonymous = await query(`SELECT count(*) FROM streamline_topic('public')`)
  assert.equal(anonymous.status, 401)
  assert.equal(anonymous.body.code, 'UNAUTHENTICATED')
  const wrong = await query(`SELECT count(*) FROM streamline_topic('public')`, basic('bob', 'nope'))
  assert.equal(wrong.status, 401)
  assert.equal(wrong.body.code, 'SASL_AUTHENTICATION_FAILED')
  assert.equal(wrong.challenge, 'Basic realm="Streamline"')
  const malformed = await query(`SELECT 1`, 'Basic %%%')
  assert.equal(malformed.status, 401)

  const bob = basic('bob', passwords.bob)
  const allowed = await query(`SELECT value FROM streamline_topic('public') ORDER BY "offset"`, bob)
  assert.equal(allowed.status, 200, JSON.stringify(allowed.body))
  assert.deepEqual(allowed.body.rows, [['a'], ['b']])
  const refused = await query(`SELECT count(*) FROM streamline_topic('secret')`, bob)
  assert.equal(refused.status, 403)
  assert.equal(refused.body.code, 'TOPIC_AUTHORIZATION_FAILED')
  const insert = await query(
    `INSERT INTO streamline_topic('public') SELECT 'x' AS value FROM streamline_topic('public')`,
    bob,
  )
  assert.equal(insert.status, 403)
  assert.equal(insert.body.code, 'TOPIC_AUTHORIZATION_FAILED')
  // Again (the verified password is remembered), and the super user reads everything.
  assert.equal((await query(`SELECT 1`, bob)).status, 200)
  const admin = await query(`SELECT value FROM streamline_topic('secret')`, basic('admin', passwords.admin))
  assert.deepEqual(admin.body.rows, [['c']])
})

test('streamline-cli query logs in with --sasl-username/--sasl-password', async () => {
  const sql = `SELECT value FROM streamline_topic('public') ORDER BY "offset"`
  const common = ['-b', `127.0.0.1:${kafkaPort}`, '--http', httpUrl]
  const refused = await cli.run([...common, 'query', sql])
  assert.equal(refused.code, 1)
  assert.match(refused.stderr, /log in first/)
  const answered = await cli.run([
    ...common,
    '--sasl-mechanism',
    'SCRAM-SHA-256',
    '--sasl-username',
    'bob',
    '--sasl-password',
    passwords.bob,
    'query',
    '--output-format',
    'json',
    sql,
  ])
  assert.equal(answered.code, 0, answered.stderr)
  assert.deepEqual((JSON.parse(answered.stdout) as { rows: unknown[][] }).rows, [['a'], ['b']])
})
