// Each Kafka client produces three records to its own topic of one in-memory Streamline broker
// (started once for this file), then consumes them from the beginning with a consumer group:
// partitions, offsets, keys, values and headers must come back exactly.
import { KafkaJS } from '@confluentinc/kafka-javascript'
import { expect, test } from '@jest/globals'
import { Admin, Consumer, Producer, stringDeserializers, stringSerializers } from '@platformatic/kafka'
import { Kafka, logLevel } from 'kafkajs'
import { useStreamline } from './streamline-fixture.js'

const streamline = useStreamline()

const records = [
  { key: 'order-1', value: 'created', headers: { source: 'web' } },
  { key: 'order-1', value: 'paid', headers: { source: 'billing' } },
  { key: 'order-2', value: 'created', headers: { source: 'app' } },
]
const expected = records.map((record, offset) => ({ partition: 0, offset, ...record }))

test('kafkajs produces and consumes exact records', async () => {
  const kafka = new Kafka({
    clientId: 'example',
    brokers: [streamline().bootstrap],
    logLevel: logLevel.NOTHING,
  })
  const admin = kafka.admin()
  await admin.connect()
  await admin.createTopics({ topics: [{ topic: 'kafkajs-orders', numPartitions: 1 }] })
  await admin.disconnect()

  const producer = kafka.producer()
  await producer.connect()
  await producer.send({ topic: 'kafkajs-orders', messages: records })
  await producer.disconnect()

  const consumer = kafka.consumer({ groupId: 'kafkajs-example' })
  await consumer.connect()
  await consumer.subscribe({ topic: 'kafkajs-orders', fromBeginning: true })
  const received = []
  await new Promise((resolve, reject) => {
    consumer
      .run({
        eachMessage: async ({ partition, message }) => {
          received.push({
            partition,
            offset: Number(message.offset),
            key: message.key.toString(),
            value: message.value.toString(),
            headers: { source: message.headers.source.toString() },
          })
          if (received.length === records.length) resolve()
        },
      })
      .catch(reject)
  })
  await consumer.disconnect()
  expect(received).toEqual(expected)
})

test('@platformatic/kafka produces and consumes exact records', async () => {
  const connection = { clientId: 'example', bootstrapBrokers: [streamline().bootstrap] }
  const admin = new Admin(connection)
  await admin.createTopics({ topics: ['platformatic-orders'], partitions: 1, replicas: 1 })
  await admin.close()

  const producer = new Producer({ ...connection, serializers: stringSerializers })
  await producer.send({ messages: records.map((record) => ({ topic: 'platformatic-orders', ...record })) })
  await producer.close()

  const consumer = new Consumer({
    ...connection,
    groupId: 'platformatic-example',
    deserializers: stringDeserializers,
  })
  const stream = await consumer.consume({ topics: ['platformatic-orders'], mode: 'earliest' })
  const received = []
  for await (const message of stream) {
    received.push({
      partition: message.partition,
      offset: Number(message.offset),
      key: message.key,
      value: message.value,
      headers: Object.fromEntries(message.headers),
    })
    if (received.length === records.length) break
  }
  await stream.close()
  await consumer.close()
  expect(received).toEqual(expected)
})

test('@confluentinc/kafka-javascript produces and consumes exact records', async () => {
  const kafka = new KafkaJS.Kafka({
    kafkaJS: { brokers: [streamline().bootstrap], logLevel: KafkaJS.logLevel.NOTHING },
  })
  const admin = kafka.admin()
  await admin.connect()
  await admin.createTopics({ topics: [{ topic: 'confluent-orders', numPartitions: 1 }] })
  await admin.disconnect()

  const producer = kafka.producer()
  await producer.connect()
  await producer.send({ topic: 'confluent-orders', messages: records })
  await producer.disconnect()

  const consumer = kafka.consumer({ kafkaJS: { groupId: 'confluent-example', fromBeginning: true } })
  await consumer.connect()
  await consumer.subscribe({ topics: ['confluent-orders'] })
  const received = []
  await new Promise((resolve, reject) => {
    consumer
      .run({
        eachMessage: async ({ partition, message }) => {
          received.push({
            partition,
            offset: Number(message.offset),
            key: message.key.toString(),
            value: message.value.toString(),
            headers: { source: message.headers.source.toString() },
          })
          if (received.length === records.length) resolve()
        },
      })
      .catch(reject)
  })
  await consumer.disconnect()
  expect(received).toEqual(expected)
})
