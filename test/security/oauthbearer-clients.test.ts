// Goal: real clients log in with OAUTHBEARER against the broker process, whose JWKS comes from a URL:
// confluent-kafka (librdkafka 2.0.2, token from its oauth_cb) and kafkajs (oauthBearerProvider)
// produce and consume with exact data; a token the broker refuses (expired) ends in librdkafka's
// authentication error; sessions bound by short-lived tokens expire and librdkafka (which has no
// KIP-368 re-authentication) carries on over new connections with fresh tokens, every record
// written once; @platformatic/kafka re-authenticates its connections (KIP-368) before they expire
// and keeps producing on them.
// Method: the broker CLI with one SASL_PLAINTEXT listener, OAUTHBEARER only, a JWKS served by a local
// HTTP server that also plays the token endpoint for Python's oauth_cb (keys made with jose at test
// time); each test has its own topic; the broker's debug log shows the expired sessions and the
// re-authentications.
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { Admin, ProduceAcks, Producer } from '@platformatic/kafka'
import { Kafka, logLevel } from 'kafkajs'
import { type BrokerProcess, startBrokerProcess } from '../helpers/broker-process.ts'
import { requireClient } from '../helpers/clients.ts'
import { freePort } from '../helpers/free-port.ts'
import { runPython } from '../helpers/python.ts'
import {
  type JwksServer,
  makeTokenIssuer,
  serveJwks,
  type TokenIssuer,
  testAudience,
  testIssuer,
} from './oauth-tokens.ts'

const confluentScript = `
import json, sys, time, urllib.request
from confluent_kafka import Consumer, KafkaError, Producer
bootstrap, topic, token_url, consumer_token_url = sys.argv[1:5]
count, pause_s = int(sys.argv[5]), float(sys.argv[6])
tokens = []
def token_from(url):
    def oauth_cb(_config):
        with urllib.request.urlopen(url, timeout=10) as response:
            body = json.loads(response.read())
        tokens.append(body['exp'])
        # librdkafka refuses a token it believes expired; the broker is the one that must refuse it.
        return body['token'], max(body['exp'], time.time() + 3600) if 'lie' in url else body['exp']
    return oauth_cb
errors = []
def error_cb(error):
    errors.append({'code': error.code(), 'name': error.name()})
base = {'bootstrap.servers': bootstrap, 'security.protocol': 'SASL_PLAINTEXT',
        'sasl.mechanism': 'OAUTHBEARER', 'error_cb': error_cb}
producer = Producer(dict(base, oauth_cb=token_from(token_url)))
unflushed = 0
for index in range(count):
    producer.produce(topic, value=('value-%d' % index).encode())
    unflushed += producer.flush(30 if count > 0 else 5)
    time.sleep(pause_s)
if count == 0:
    for _ in range(40):
        producer.poll(0.25)
        if any(e['code'] == KafkaError._AUTHENTICATION for e in errors):
            break
    print(json.dumps({'errors': errors}))
    sys.exit(0)
consumer = Consumer(dict(base, oauth_cb=token_from(consumer_token_url),
                         **{'group.id': 'g-' + topic, 'auto.offset.reset': 'earliest'}))
consumer.subscribe([topic])
values = []
deadline = time.time() + 40
while len(values) < count and time.time() < deadline:
    message = consumer.poll(0.5)
    if message is not None and message.error() is None:
        values.append(message.value().decode())
consumer.close()
print(json.dumps({'unflushed': unflushed, 'values': values, 'tokens': len(tokens),
                  'errors': [e for e in errors if e['code'] == KafkaError._AUTHENTICATION]}))
`

interface ConfluentResult {
  unflushed: number
  values: string[]
  tokens: number
  errors: Array<{ code: number; name: string }>
}

const nowSeconds = () => Math.floor(Date.now() / 1000)

describe('OAUTHBEARER with real clients (JWKS from a URL)', () => {
  let issuer: TokenIssuer
  let jwks: JwksServer
  let broker: BrokerProcess
  let bootstrap: string
  before(async () => {
    issuer = await makeTokenIssuer()
    jwks = await serveJwks(issuer.jwks, issuer)
    bootstrap = `127.0.0.1:${await freePort()}`
    broker = await startBrokerProcess({
      args: [
        '--security-listeners',
        `SASL_PLAINTEXT://${bootstrap}`,
        '--security-sasl-enabled-mechanisms',
        'OAUTHBEARER',
        '--security-sasl-oauthbearer-jwks-endpoint-url',
        jwks.url,
        '--security-sasl-oauthbearer-expected-issuer',
        testIssuer,
        '--security-sasl-oauthbearer-expected-audience',
        testAudience,
        '--security-connections-max-reauth-ms',
        '600000',
        '--log-level',
        'debug',
      ],
    })
  })
  after(async () => {
    await broker?.stop()
    await jwks?.close()
  })

  const tokenUrl = (lifetimeSeconds: number, extra = '') =>
    `${jwks.url.replace('/jwks.json', '/token')}?lifetime_s=${lifetimeSeconds}${extra}`

  test('confluent-kafka: oauth_cb token, produce and consume one record', {
    skip: requireClient('confluent-kafka'),
  }, async () => {
    const topic = 'oauth-confluent'
    const result = (await runPython(confluentScript, {
      args: [bootstrap, topic, tokenUrl(3600), tokenUrl(3600), '1', '0'],
      timeoutMs: 90_000,
    })) as ConfluentResult
    assert.deepEqual(result, { unflushed: 0, values: ['value-0'], tokens: 2, errors: [] })
  })

  test('confluent-kafka: an expired token ends in an authentication error', {
    skip: requireClient('confluent-kafka'),
  }, async () => {
    const result = (await runPython(confluentScript, {
      args: [bootstrap, 'oauth-expired', tokenUrl(-3600, '&lie=1'), tokenUrl(3600), '0', '0'],
      timeoutMs: 60_000,
    })) as { errors: Array<{ code: number; name: string }> }
    assert.ok(
      result.errors.some((error) => error.name === '_AUTHENTICATION'),
      JSON.stringify(result.errors),
    )
    assert.match(broker.output(), /SASL credential refused/)
  })

  test('confluent-kafka: sessions end with their 4 s tokens; the producer goes on over new connections', {
    skip: requireClient('confluent-kafka'),
  }, async () => {
    const topic = 'oauth-expiring'
    const count = 16
    const result = (await runPython(confluentScript, {
      args: [bootstrap, topic, tokenUrl(4), tokenUrl(3600), String(count), '0.6'],
      timeoutMs: 120_000,
    })) as ConfluentResult
    assert.equal(result.unflushed, 0)
    assert.deepEqual(
      result.values,
      Array.from({ length: count }, (_, index) => `value-${index}`),
    )
    assert.deepEqual(result.errors, [])
    // librdkafka refreshed its token (it does so at 80% of the lifetime) and the broker closed
    // connections whose session had expired.
    assert.ok(result.tokens >= 3, `tokens fetched: ${result.tokens}`)
    assert.match(broker.output(), /after the SASL session of User:alice expired/)
  })

  test('kafkajs: oauthBearerProvider token, produce and consume one record', async () => {
    const topic = 'oauth-kafkajs'
    const kafka = new Kafka({
      clientId: 'streamline-oauth',
      brokers: [bootstrap],
      sasl: {
        mechanism: 'oauthbearer',
        oauthBearerProvider: async () => ({ value: await issuer.sign({ sub: 'carol' }) }),
      },
      connectionTimeout: 10_000,
      requestTimeout: 10_000,
      retry: { retries: 2, initialRetryTime: 100, maxRetryTime: 500 },
      logLevel: logLevel.NOTHING,
    })
    const producer = kafka.producer({ allowAutoTopicCreation: true })
    await producer.connect()
    await producer.send({ topic, messages: [{ value: 'kafkajs-oauth' }] })
    await producer.disconnect()
    const consumer = kafka.consumer({ groupId: `group-${topic}` })
    await consumer.connect()
    await consumer.subscribe({ topic, fromBeginning: true })
    const values: string[] = []
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no record within 30 s')), 30_000)
      consumer
        .run({
          eachMessage: async ({ message }) => {
            values.push(message.value?.toString() ?? '')
            clearTimeout(timer)
            resolve()
          },
        })
        .catch(reject)
    })
    await consumer.disconnect()
    assert.deepEqual(values, ['kafkajs-oauth'])
    assert.match(broker.output(), /"principal":"User:carol"/)
  })

  test('@platformatic/kafka re-authenticates (KIP-368) before its 3 s tokens expire', async () => {
    // The topic exists first: with retries 0 the producer cannot take the retry that Kafka's (and
    // our) answer to the Metadata request that auto-creates a topic asks for.
    const admin = new Admin({
      clientId: 'streamline-oauth-admin',
      bootstrapBrokers: [bootstrap],
      sasl: { mechanism: 'OAUTHBEARER', token: () => issuer.sign({ sub: 'dave', exp: nowSeconds() + 60 }) },
    })
    try {
      await admin.createTopics({ topics: ['oauth-platformatic'], partitions: 1, replicas: 1 })
    } finally {
      await admin.close()
    }
    let tokens = 0
    const producer = new Producer({
      clientId: 'streamline-oauth-reauth',
      bootstrapBrokers: [bootstrap],
      connectTimeout: 10_000,
      timeout: 30_000,
      retries: 0,
      autocreateTopics: true,
      sasl: {
        mechanism: 'OAUTHBEARER',
        token: () => {
          tokens += 1
          return issuer.sign({ sub: 'dave', exp: nowSeconds() + 3 })
        },
      },
    })
    const offsets: number[] = []
    try {
      const deadline = Date.now() + 8_000
      while (Date.now() < deadline) {
        const answer = await producer.send({
          acks: ProduceAcks.ALL,
          messages: [{ topic: 'oauth-platformatic', value: Buffer.from(`value-${offsets.length}`) }],
        })
        offsets.push(Number(answer.offsets?.[0]?.offset ?? -1))
        await new Promise((resolve) => setTimeout(resolve, 300))
      }
    } finally {
      await producer.close()
    }
    // Every send succeeded on live connections: offsets 0, 1, 2, ... with no retry (retries: 0).
    assert.deepEqual(
      offsets,
      offsets.map((_, index) => index),
    )
    const reauthentications = broker
      .output()
      .split('\n')
      .filter((line) => line.includes('client re-authenticated') && line.includes('User:dave'))
    assert.ok(reauthentications.length >= 2, `re-authentications: ${reauthentications.length}`)
    assert.ok(tokens >= 3, `tokens: ${tokens}`)
    assert.doesNotMatch(broker.output(), /session of User:dave expired/)
  })
})
