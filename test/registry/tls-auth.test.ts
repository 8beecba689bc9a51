// Goal: the registry port speaks HTTPS when configured as Confluent's `listeners=https://…` (with the
// broker's PEM certificate and key), and `registry_authentication_method` (Confluent's
// authentication.method) forces HTTP basic auth on (BASIC: even with no users, every request gets 401
// with Confluent's body) or off (NONE: open even with SCRAM users) (issue 15, "With SASL users
// configured, the registry requires HTTP basic auth").
// Method: a throw-away PKI made with openssl; the broker CLI on free ports with `--registry-listeners
// https://127.0.0.1:0`, a users file and BASIC; Node's https with the CA (and without it: refused),
// and Debian's Python confluent_kafka.schema_registry SchemaRegistryClient with `ssl.ca.location` and
// `basic.auth.user.info`. The switch's other two cases on in-process brokers (one with users and NONE,
// one without users and BASIC). Exact statuses and bodies.
import assert from 'node:assert/strict'
import { readFile, writeFile } from 'node:fs/promises'
import { request } from 'node:https'
import { join } from 'node:path'
import { after, before, it } from 'node:test'
import { startBroker } from '../../src/broker/start.ts'
import type { RegistryAuthenticationMethod } from '../../src/registry/basic-auth.ts'
import {
  type BrokerProcess,
  makeTempDir,
  removeTempDir,
  startBrokerProcess,
} from '../helpers/broker-process.ts'
import { requireClient } from '../helpers/clients.ts'
import { runPython } from '../helpers/python.ts'
import { makePki, type Pki } from '../security/secure-broker.ts'

let pki: Pki
let broker: BrokerProcess
let base: string
let usersFile: string

before(async () => {
  pki = await makePki()
  usersFile = join(pki.dir, 'users.yaml')
  await writeFile(usersFile, 'users:\n  alice:\n    password: alice-secret\n')
  broker = await startBrokerProcess({
    args: [
      '--registry-listeners',
      'https://127.0.0.1:0',
      '--security-ssl-cert-file',
      pki.serverCert,
      '--security-ssl-key-file',
      pki.serverKey,
      '--auth-users-file',
      usersFile,
      '--registry-authentication-method',
      'BASIC',
    ],
  })
  base = broker.registryUrl ?? assert.fail('registry disabled')
})
after(async () => {
  await broker?.stop()
  await removeTempDir(pki.dir)
})

interface HttpsAnswer {
  status: number
  json: unknown
  challenge: string | undefined
}

/** One request with node:https, trusting `ca` (none: the system's CAs only). */
function httpsCall(
  url: string,
  options: { method?: string; auth?: string; body?: unknown; ca?: Buffer | string } = {},
): Promise<HttpsAnswer> {
  return new Promise((resolve, reject) => {
    const body = options.body === undefined ? undefined : JSON.stringify(options.body)
    const outgoing = request(
      url,
      {
        method: options.method ?? 'GET',
        ...(options.ca === undefined ? {} : { ca: options.ca }),
        headers: {
          'content-type': 'application/vnd.schemaregistry.v1+json',
          ...(options.auth === undefined
            ? {}
            : { authorization: `Basic ${Buffer.from(options.auth).toString('base64')}` }),
        },
      },
      (response) => {
        const chunks: Buffer[] = []
        response.on('data', (chunk: Buffer) => chunks.push(chunk))
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8')
          resolve({
            status: response.statusCode ?? 0,
            json: text === '' ? undefined : JSON.parse(text),
            challenge: response.headers['www-authenticate'],
          })
        })
        response.on('error', reject)
      },
    )
    outgoing.on('error', reject)
    outgoing.end(body)
  })
}

const unauthorized = { error_code: 401, message: 'Unauthorized' }

it('serves HTTPS with the broker certificate; basic auth is required (401 with Confluent body)', async () => {
  assert.match(base, /^https:\/\/127\.0\.0\.1:\d+$/)
  const ca = await readFile(pki.caCert)
  const refused = await httpsCall(`${base}/subjects`, { ca })
  assert.deepEqual(refused, { status: 401, json: unauthorized, challenge: 'Basic realm="SchemaRegistry"' })
  const wrong = await httpsCall(`${base}/subjects`, { ca, auth: 'alice:nope' })
  assert.equal(wrong.status, 401)
  const alice = 'alice:alice-secret'
  const registered = await httpsCall(`${base}/subjects/tls-value/versions`, {
    ca,
    auth: alice,
    method: 'POST',
    body: { schema: '"string"' },
  })
  assert.deepEqual(registered, { status: 200, json: { id: 1 }, challenge: undefined })
  assert.deepEqual((await httpsCall(`${base}/subjects`, { ca, auth: alice })).json, ['tls-value'])
  // Without the CA the server's certificate is not trusted: the TLS handshake fails, nothing is served.
  await assert.rejects(httpsCall(`${base}/subjects`, { auth: alice }), (error: NodeJS.ErrnoException) => {
    assert.match(String(error.code), /SELF_SIGNED|UNABLE_TO_VERIFY|CERT/)
    return true
  })
})

// requests lets REQUESTS_CA_BUNDLE / CURL_CA_BUNDLE (set on some machines) override a session's
// verify, which is where the client puts ssl.ca.location: the script drops them so the CA given is used.
const pythonScript = `
import json, os, sys
for name in ('REQUESTS_CA_BUNDLE', 'CURL_CA_BUNDLE'):
    os.environ.pop(name, None)
from confluent_kafka.schema_registry import SchemaRegistryClient, Schema
from confluent_kafka.schema_registry.error import SchemaRegistryError
url, ca = sys.argv[1], sys.argv[2]
good = SchemaRegistryClient({'url': url, 'ssl.ca.location': ca, 'basic.auth.user.info': 'alice:alice-secret'})
schema_id = good.register_schema('py-tls-value', Schema('{"type":"record","name":"P","fields":[{"name":"a","type":"int"}]}', 'AVRO'))
fetched = good.get_schema(schema_id).schema_str
subjects = good.get_subjects()
try:
    SchemaRegistryClient({'url': url, 'ssl.ca.location': ca}).get_subjects()
    refused = None
except SchemaRegistryError as error:
    refused = [error.http_status_code, error.error_code]
print(json.dumps({'id': schema_id, 'fetched': json.loads(fetched)['name'], 'subjects': subjects, 'refused': refused}))
`

it('confluent_kafka.schema_registry over HTTPS with ssl.ca.location and basic.auth.user.info', {
  skip: requireClient('confluent-kafka-schema-registry'),
  timeout: 60_000,
}, async () => {
  const result = await runPython(pythonScript, { args: [base, pki.caCert], timeoutMs: 45_000 })
  assert.deepEqual(result, {
    id: 2,
    fetched: 'P',
    subjects: ['py-tls-value', 'tls-value'],
    refused: [401, 401],
  })
})

/** An in-process broker with only the registry port, and what GET /subjects answers without credentials. */
async function subjectsWithout(
  authentication: RegistryAuthenticationMethod,
  users: string | undefined,
): Promise<{ status: number; body: unknown }> {
  const dataDir = await makeTempDir('streamline-registry-switch-')
  const running = await startBroker({
    dataDir,
    listenAddr: '127.0.0.1:0',
    httpAddr: null,
    registryAddr: '127.0.0.1:0',
    registryAuthentication: authentication,
    logLevel: 'silent',
    ...(users === undefined ? {} : { security: { usersFile: users } }),
  })
  try {
    const response = await fetch(`http://${running.registryHost}:${running.registryPort}/subjects`)
    return { status: response.status, body: await response.json() }
  } finally {
    await running.close()
    await removeTempDir(dataDir)
  }
}

it('the switch forces auth off with users (NONE) and on without users (BASIC)', async () => {
  assert.deepEqual(await subjectsWithout('NONE', usersFile), { status: 200, body: [] })
  assert.deepEqual(await subjectsWithout('BASIC', undefined), { status: 401, body: unauthorized })
  // AUTO (the default) as before: open without users, required with them.
  assert.deepEqual(await subjectsWithout('AUTO', undefined), { status: 200, body: [] })
  assert.deepEqual(await subjectsWithout('AUTO', usersFile), { status: 401, body: unauthorized })
})
