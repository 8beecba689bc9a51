// Goal: kafkajs authenticates with PLAIN and with SCRAM-SHA-256 and then produces and consumes a
// record; with a wrong password its connect fails with KafkaJSSASLAuthenticationError.
// Method: the broker CLI with a SASL_PLAINTEXT listener and a users file (secure-broker.ts); one
// kafkajs client per mechanism, a topic per test, the exact value read back by a consumer group.
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { Kafka, logLevel, type SASLOptions } from 'kafkajs'
import { type SecureBroker, startSecureBroker, users } from './secure-broker.ts'

function client(bootstrap: string, sasl: SASLOptions): Kafka {
  return new Kafka({
    clientId: 'streamline-security',
    brokers: [bootstrap],
    sasl,
    connectionTimeout: 10_000,
    requestTimeout: 10_000,
    retry: { retries: 1, initialRetryTime: 100, maxRetryTime: 500 },
    logLevel: logLevel.NOTHING,
  })
}

async function roundTrip(kafka: Kafka, topic: string): Promise<string[]> {
  const producer = kafka.producer({ allowAutoTopicCreation: true })
  await producer.connect()
  await producer.send({ topic, messages: [{ value: `kafkajs-${topic}` }] })
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
  return values
}

describe('kafkajs over SASL_PLAINTEXT', () => {
  let secure: SecureBroker
  before(async () => {
    secure = await startSecureBroker()
  })
  after(async () => {
    await secure?.stop()
  })

  test('PLAIN: produce and consume one record', async () => {
    const kafka = client(secure.saslPlaintext, {
      mechanism: 'plain',
      username: 'alice',
      password: users.alice,
    })
    assert.deepEqual(await roundTrip(kafka, 'kafkajs-plain'), ['kafkajs-kafkajs-plain'])
  })

  test('SCRAM-SHA-256: produce and consume one record', async () => {
    const kafka = client(secure.saslPlaintext, {
      mechanism: 'scram-sha-256',
      username: 'bob',
      password: users.bob,
    })
    assert.deepEqual(await roundTrip(kafka, 'kafkajs-scram'), ['kafkajs-kafkajs-scram'])
  })

  test('a wrong password: KafkaJSSASLAuthenticationError', async () => {
    const kafka = client(secure.saslPlaintext, {
      mechanism: 'scram-sha-256',
      username: 'bob',
      password: 'wrong',
    })
    const admin = kafka.admin()
    const error = await admin.connect().then(
      () => null,
      (failure: unknown) => failure as Error,
    )
    await admin.disconnect()
    assert.equal(error?.name, 'KafkaJSSASLAuthenticationError')
    assert.match(error?.message ?? '', /SASL SCRAM SHA256 authentication failed/)
  })
})
