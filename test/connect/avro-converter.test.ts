// Goal: io.confluent.connect.avro.AvroConverter speaks Confluent's wire format through the schema
// registry: what a source connector writes with it is read exactly by Confluent's deserializer, and a
// sink reads exactly what Confluent's serializer wrote.
// Method: a broker process with its Connect worker and schema registry. (1) A datagen source (orders,
// seeded) writes through AvroConverter; @kafkajs/confluent-schema-registry decodes every record read
// with kafkajs and each must equal the value the quickstart generates for its iteration; the subject
// `<topic>-value` holds the Avro schema Confluent's AvroData derives. (2) Records encoded by
// @kafkajs/confluent-schema-registry under its own registered schema are produced with kafkajs; a
// FileStreamSink with AvroConverter must write exactly their values as JSON lines. (3) A record that is
// not in the wire format goes to the dead-letter queue with Confluent's "Unknown magic byte!" and the
// task keeps running.
import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { after, test } from 'node:test'
import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry'
import { Kafka, logLevel } from 'kafkajs'
import { quickstarts, seededRandom } from '../../src/connect/connectors/datagen-quickstarts.ts'
import {
  type BrokerProcess,
  makeTempDir,
  removeTempDir,
  startBrokerProcess,
} from '../helpers/broker-process.ts'
import { connectUrlOf, curl, waitFor, waitForState } from '../helpers/connect.ts'

let broker: BrokerProcess | null = null
let dir = ''
after(async () => {
  await broker?.stop()
  if (dir !== '') await removeTempDir(dir)
})

const avro = 'io.confluent.connect.avro.AvroConverter'

test('AvroConverter writes what Confluent reads and reads what Confluent writes', {
  timeout: 120_000,
}, async () => {
  dir = await makeTempDir('streamline-connect-avro-')
  broker = await startBrokerProcess()
  const base = connectUrlOf(broker)
  const registryUrl = broker.registryUrl
  assert.ok(registryUrl !== null)
  const registry = new SchemaRegistry({ host: registryUrl })
  const kafka = new Kafka({ clientId: 'avro-test', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING })

  // (1) source → Avro → Confluent's deserializer
  const count = 20
  const created = await curl('POST', `${base}/connectors`, {
    name: 'orders-avro',
    config: {
      'connector.class': 'io.confluent.kafka.connect.datagen.DatagenConnector',
      'kafka.topic': 'orders-avro',
      quickstart: 'orders',
      iterations: String(count),
      'random.seed': '7',
      'key.converter': 'org.apache.kafka.connect.storage.StringConverter',
      'value.converter': avro,
      'value.converter.schema.registry.url': registryUrl,
    },
  })
  assert.equal(created.status, 201, created.text)
  const consumer = kafka.consumer({ groupId: 'avro-test-reader' })
  await consumer.connect()
  const decoded: unknown[] = []
  try {
    await waitFor('orders-avro exists', async () =>
      (
        await kafka
          .admin()
          .listTopics()
          .catch((): string[] => [])
      ).includes('orders-avro')
        ? true
        : undefined,
    )
    await consumer.subscribe({ topic: 'orders-avro', fromBeginning: true })
    await consumer.run({
      eachMessage: async ({ message }) => {
        decoded.push(await registry.decode(message.value as Buffer))
      },
    })
    await waitFor('every order decoded', async () => (decoded.length >= count ? true : undefined))
  } finally {
    await consumer.disconnect()
  }
  const orders = quickstarts.orders
  const expected = Array.from({ length: count }, (_, iteration) =>
    orders.generate(iteration, seededRandom(7 * 1_000_003 + iteration * 31 + 0)),
  )
  assert.deepEqual(
    decoded.map((value) => JSON.parse(JSON.stringify(value)) as unknown),
    expected,
  )
  const subject = await curl('GET', `${registryUrl}/subjects/orders-avro-value/versions/latest`)
  assert.deepEqual(JSON.parse((subject.body as { schema: string }).schema), {
    type: 'record',
    name: 'orders',
    namespace: 'ksql',
    fields: [
      { name: 'ordertime', type: 'long' },
      { name: 'orderid', type: 'int' },
      { name: 'itemid', type: 'string' },
      { name: 'orderunits', type: 'double' },
      {
        name: 'address',
        type: {
          type: 'record',
          name: 'address',
          namespace: 'ksql',
          fields: [
            { name: 'city', type: 'string' },
            { name: 'state', type: 'string' },
            { name: 'zipcode', type: 'long' },
          ],
          'connect.name': 'ksql.address',
        },
      },
    ],
    'connect.name': 'ksql.orders',
  })

  // (2) Confluent's serializer → sink with AvroConverter
  const schema = {
    type: 'record',
    name: 'Reading',
    namespace: 'com.example',
    fields: [
      { name: 'sensor', type: 'string' },
      { name: 'celsius', type: 'double' },
      { name: 'note', type: ['null', 'string'], default: null },
      { name: 'tags', type: { type: 'array', items: 'string' } },
    ],
  }
  const { id } = await registry.register(
    { type: SchemaType.AVRO, schema: JSON.stringify(schema) },
    { subject: 'readings-value' },
  )
  const readings = Array.from({ length: 5 }, (_, index) => ({
    sensor: `s-${index}`,
    celsius: 20 + index / 4,
    note: index % 2 === 0 ? null : `note ${index}`,
    tags: Array.from({ length: index }, (_, tag) => `t${tag}`),
  }))
  const producer = kafka.producer()
  await producer.connect()
  try {
    const messages = [
      ...(await Promise.all(
        readings.slice(0, 3).map(async (value) => ({ value: await registry.encode(id, value) })),
      )),
      { value: Buffer.from('not avro') },
      ...(await Promise.all(
        readings.slice(3).map(async (value) => ({ value: await registry.encode(id, value) })),
      )),
    ]
    await producer.send({ topic: 'readings', messages })
  } finally {
    await producer.disconnect()
  }
  const output = join(dir, 'readings.jsonl')
  const sink = await curl('POST', `${base}/connectors`, {
    name: 'readings-file',
    config: {
      'connector.class': 'FileStreamSink',
      topics: 'readings',
      file: output,
      'value.converter': avro,
      'value.converter.schema.registry.url': registryUrl,
      'errors.tolerance': 'all',
      'errors.deadletterqueue.topic.name': 'readings-dlq',
      'errors.deadletterqueue.context.headers.enable': 'true',
    },
  })
  assert.equal(sink.status, 201, sink.text)
  await waitForState(base, 'readings-file', 'RUNNING')
  const lines = await waitFor('every reading in the file', async () => {
    const text = await readFile(output, 'utf8').catch(() => '')
    const found = text.split('\n').filter((line) => line !== '')
    return found.length >= readings.length ? found : undefined
  })
  assert.deepEqual(
    lines.map((line) => JSON.parse(line) as unknown),
    readings,
  )

  // (3) The record without the wire format went to the DLQ with Confluent's message.
  const dlq = kafka.consumer({ groupId: 'avro-test-dlq' })
  await dlq.connect()
  const dead: Array<{ value: string; message: string }> = []
  try {
    await dlq.subscribe({ topic: 'readings-dlq', fromBeginning: true })
    await dlq.run({
      eachMessage: async ({ message }) => {
        dead.push({
          value: message.value?.toString() ?? '',
          message: message.headers?.['__connect.errors.exception.message']?.toString() ?? '',
        })
      },
    })
    await waitFor('the DLQ record', async () => (dead.length >= 1 ? true : undefined))
  } finally {
    await dlq.disconnect()
  }
  assert.deepEqual(dead, [{ value: 'not avro', message: 'Unknown magic byte!' }])
})
