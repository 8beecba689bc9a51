// Goal: librdkafka clients authenticate as Kafka's do: kcat and confluent-kafka (Python) produce and
// consume one record each over SASL_SSL with SCRAM-SHA-512 and over SASL_PLAINTEXT with PLAIN, and
// a wrong password ends in librdkafka's "Authentication failure" with no metadata served.
// Method: the broker CLI with SASL_PLAINTEXT, SASL_SSL and SSL listeners, a users file and a CA made
// by openssl at test time (secure-broker.ts); the clients run as child processes with their own
// SASL/TLS settings; each test uses its own topic and asserts the exact value read back.
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { after, before, describe, test } from 'node:test'
import { promisify } from 'node:util'
import { requireClient } from '../helpers/clients.ts'
import { runPython } from '../helpers/python.ts'
import { type SecureBroker, startSecureBroker, users } from './secure-broker.ts'

const execFileAsync = promisify(execFile)

interface Login {
  bootstrap: string
  protocol: 'SASL_SSL' | 'SASL_PLAINTEXT'
  mechanism: 'PLAIN' | 'SCRAM-SHA-512'
  user: string
  password: string
}

function kcatSettings(login: Login, caCert: string): string[] {
  const settings = [
    `security.protocol=${login.protocol}`,
    `sasl.mechanisms=${login.mechanism}`,
    `sasl.username=${login.user}`,
    `sasl.password=${login.password}`,
    ...(login.protocol === 'SASL_SSL' ? [`ssl.ca.location=${caCert}`] : []),
  ]
  return ['-b', login.bootstrap, ...settings.flatMap((setting) => ['-X', setting])]
}

async function kcat(args: string[], input?: string): Promise<string> {
  const child = execFileAsync('kcat', args, { timeout: 30_000 })
  if (input !== undefined) {
    child.child.stdin?.end(input)
  }
  const { stdout } = await child
  return stdout
}

const confluentRoundTrip = `
import json, sys
from confluent_kafka import Consumer, Producer
config = json.loads(sys.argv[1])
topic = sys.argv[2]
producer = Producer(dict(config))
producer.produce(topic, value=b'confluent-value')
left = producer.flush(20)
consumer = Consumer(dict(config, **{'group.id': 'g-' + topic, 'auto.offset.reset': 'earliest'}))
consumer.subscribe([topic])
values = []
for _ in range(40):
    message = consumer.poll(0.5)
    if message is not None and message.error() is None:
        values.append(message.value().decode())
        break
consumer.close()
print(json.dumps({'unflushed': left, 'values': values}))
`

function confluentConfig(login: Login, caCert: string): Record<string, string> {
  return {
    'bootstrap.servers': login.bootstrap,
    'security.protocol': login.protocol,
    'sasl.mechanisms': login.mechanism,
    'sasl.username': login.user,
    'sasl.password': login.password,
    ...(login.protocol === 'SASL_SSL' ? { 'ssl.ca.location': caCert } : {}),
  }
}

describe('librdkafka over SASL', () => {
  let secure: SecureBroker
  before(async () => {
    secure = await startSecureBroker()
  })
  after(async () => {
    await secure?.stop()
  })

  const scram512 = (): Login => ({
    bootstrap: secure.saslSsl,
    protocol: 'SASL_SSL',
    mechanism: 'SCRAM-SHA-512',
    user: 'alice',
    password: users.alice,
  })
  const plain = (): Login => ({
    bootstrap: secure.saslPlaintext,
    protocol: 'SASL_PLAINTEXT',
    mechanism: 'PLAIN',
    user: 'bob',
    password: users.bob,
  })

  for (const [name, login] of [
    ['SASL_SSL SCRAM-SHA-512', scram512],
    ['SASL_PLAINTEXT PLAIN', plain],
  ] as const) {
    test(`kcat produces and consumes one record over ${name}`, { skip: requireClient('kcat') }, async () => {
      const topic = `kcat-${login().mechanism.toLowerCase()}`
      const settings = kcatSettings(login(), secure.pki.caCert)
      await kcat([...settings, '-P', '-t', topic], `kcat-value-${topic}\n`)
      const consumed = await kcat([
        ...settings,
        '-C',
        '-t',
        topic,
        '-o',
        'beginning',
        '-e',
        '-c',
        '1',
        '-f',
        '%s',
      ])
      assert.equal(consumed, `kcat-value-${topic}`)
    })

    test(`confluent-kafka produces and consumes one record over ${name}`, {
      skip: requireClient('confluent-kafka'),
    }, async () => {
      const topic = `confluent-${login().mechanism.toLowerCase()}`
      const result = await runPython(confluentRoundTrip, {
        args: [JSON.stringify(confluentConfig(login(), secure.pki.caCert)), topic],
      })
      assert.deepEqual(result, { unflushed: 0, values: ['confluent-value'] })
    })
  }

  test('kcat with a wrong password gets an authentication failure', {
    skip: requireClient('kcat'),
  }, async () => {
    const wrong = { ...scram512(), password: 'not-the-password' }
    const failure = await kcat([...kcatSettings(wrong, secure.pki.caCert), '-L', '-m', '5']).then(
      () => null,
      (error: unknown) => error as { stderr: string },
    )
    assert.ok(failure !== null, 'kcat -L succeeded with a wrong password')
    assert.match(
      failure.stderr,
      /SASL authentication error: Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-512/,
    )
  })
})
