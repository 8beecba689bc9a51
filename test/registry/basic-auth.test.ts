// Goal: with SCRAM users configured, the registry port requires HTTP basic auth with the same users
// and passwords; writes need a super user (or ALTER on the cluster with the authorizer on); a missing
// or wrong credential gets 401 with Confluent's JSON body and a WWW-Authenticate challenge; a reader
// writing gets 403 / 40301. Clients that send credentials work: curl -u, and Python's
// confluent_kafka.schema_registry with basic.auth.user.info.
// Method: the broker CLI on free ports with a users file (alice, bob), the authorizer on and alice as
// the only super user; requests with fetch, curl and the Python client; exact statuses and bodies.
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, it } from 'node:test'
import { promisify } from 'node:util'
import {
  type BrokerProcess,
  httpUrlOf,
  makeTempDir,
  removeTempDir,
  startBrokerProcess,
} from '../helpers/broker-process.ts'
import { requireClient } from '../helpers/clients.ts'
import { runPython } from '../helpers/python.ts'

const execFileAsync = promisify(execFile)
let broker: BrokerProcess
let dir: string
let base: string

const basic = (user: string, password: string): string =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`

async function call(method: string, path: string, authorization?: string, body?: unknown) {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: {
      'content-type': 'application/vnd.schemaregistry.v1+json',
      ...(authorization === undefined ? {} : { authorization }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  })
  return {
    status: response.status,
    json: (await response.json()) as unknown,
    challenge: response.headers.get('www-authenticate'),
  }
}

before(async () => {
  dir = await makeTempDir('streamline-registry-auth-')
  const usersFile = join(dir, 'users.yaml')
  await writeFile(
    usersFile,
    'users:\n  alice:\n    password: alice-secret\n  bob:\n    password: bob-secret\n',
  )
  broker = await startBrokerProcess({
    args: ['--auth-users-file', usersFile, '--security-authorizer', '--security-super-users', 'User:alice'],
  })
  base = broker.registryUrl ?? assert.fail('registry disabled')
})
after(async () => {
  await broker?.stop()
  await removeTempDir(dir)
})

const unauthorized = { error_code: 401, message: 'Unauthorized' }
const schema = { schema: JSON.stringify({ type: 'record', name: 'A', fields: [{ name: 'x', type: 'int' }] }) }

it('refuses requests without credentials, with a wrong password or an unknown user (401)', async () => {
  for (const authorization of [
    undefined,
    basic('alice', 'wrong'),
    basic('mallory', 'x'),
    'Bearer abc',
    'Basic !!',
  ]) {
    const answer = await call('GET', '/subjects', authorization)
    assert.equal(answer.status, 401, String(authorization))
    assert.deepEqual(answer.json, unauthorized)
    assert.equal(answer.challenge, 'Basic realm="SchemaRegistry"')
  }
})

it('lets the super user write and everyone authenticated read; others writing get 403 / 40301', async () => {
  const alice = basic('alice', 'alice-secret')
  const bob = basic('bob', 'bob-secret')
  const registered = await call('POST', '/subjects/auth-value/versions', alice, schema)
  assert.deepEqual(registered, { status: 200, json: { id: 1 }, challenge: null })
  assert.deepEqual((await call('GET', '/subjects', bob)).json, ['auth-value'])
  // A lookup and a compatibility test are reads.
  assert.equal((await call('POST', '/subjects/auth-value', bob, schema)).status, 200)
  assert.equal(
    (await call('POST', '/compatibility/subjects/auth-value/versions/latest', bob, schema)).status,
    200,
  )
  for (const [method, path, body] of [
    ['POST', '/subjects/auth-value/versions', schema],
    ['PUT', '/config', { compatibility: 'NONE' }],
    ['DELETE', '/subjects/auth-value', undefined],
  ] as const) {
    const answer = await call(method, path, bob, body)
    assert.equal(answer.status, 403, `${method} ${path}`)
    assert.deepEqual(answer.json, {
      error_code: 40301,
      message: 'User bob is denied operation Write on the schema registry',
    })
  }
  assert.deepEqual((await call('GET', '/subjects/auth-value/versions', alice)).json, [1])
})

it('curl -u sends the credentials', async () => {
  const { stdout } = await execFileAsync('curl', ['-s', '-u', 'bob:bob-secret', `${base}/subjects`], {
    timeout: 10_000,
  })
  assert.deepEqual(JSON.parse(stdout), ['auth-value'])
  const refused = await execFileAsync(
    'curl',
    ['-s', '-o', '/dev/null', '-w', '%{http_code}', `${base}/subjects`],
    {
      timeout: 10_000,
    },
  )
  assert.equal(refused.stdout, '401')
})

const pythonScript = `
import json, sys
from confluent_kafka.schema_registry import SchemaRegistryClient, Schema
from confluent_kafka.schema_registry.error import SchemaRegistryError
url = sys.argv[1]
good = SchemaRegistryClient({'url': url, 'basic.auth.user.info': 'alice:alice-secret'})
schema_id = good.register_schema('py-auth-value', Schema('{"type":"string"}', 'AVRO'))
subjects = good.get_subjects()
try:
    SchemaRegistryClient({'url': url, 'basic.auth.user.info': 'alice:nope'}).get_subjects()
    refused = None
except SchemaRegistryError as error:
    refused = [error.http_status_code, error.error_code]
print(json.dumps({'id': schema_id, 'subjects': subjects, 'refused': refused}))
`

it('confluent_kafka.schema_registry with basic.auth.user.info', {
  skip: requireClient('confluent-kafka-schema-registry'),
  timeout: 60_000,
}, async () => {
  const result = await runPython(pythonScript, { args: [base], timeoutMs: 45_000 })
  assert.deepEqual(result, { id: 2, subjects: ['auth-value', 'py-auth-value'], refused: [401, 401] })
})

it("the console's pass-through is vouched for: reads as the session's principal, writes held to the same rule", async () => {
  // This broker has no SASL listener, so the admin port is open (ANONYMOUS); alice's users still make
  // the registry port ask for credentials, which the pass-through cannot give: it vouches instead.
  const httpBase = httpUrlOf(broker)
  const read = await fetch(`${httpBase}/api/v1/registry/subjects`)
  assert.equal(read.status, 200)
  assert.ok(Array.isArray(await read.json()))
  const write = await fetch(`${httpBase}/api/v1/registry/subjects/through-value/versions`, {
    method: 'POST',
    headers: { 'content-type': 'application/vnd.schemaregistry.v1+json' },
    body: JSON.stringify(schema),
  })
  assert.equal(write.status, 403)
  assert.deepEqual(await write.json(), {
    error_code: 40301,
    message: 'User ANONYMOUS is denied operation Write on the schema registry',
  })
  // The vouching headers from outside the process, without its secret, are ignored: still 401.
  const forged = await fetch(`${base}/subjects`, {
    headers: { 'x-streamline-principal': 'User:alice', 'x-streamline-internal': 'guess' },
  })
  assert.equal(forged.status, 401)
})
