// Goal: io.confluent.connect.avro.AvroConverter and io.confluent.connect.json.JsonSchemaConverter speak
// Confluent's wire format through the schema registry: what a source connector writes with them is read
// exactly by Confluent's deserializer, and a sink reads exactly what Confluent's serializer wrote.
// Method: a broker process with its Connect worker and schema registry. (1) A datagen source (orders,
// seeded) writes through AvroConverter; @kafkajs/confluent-schema-registry decodes every record read
// with kafkajs and each must equal the value the quickstart generates for its iteration; the subject
// `<topic>-value` holds the Avro schema Confluent's AvroData derives. (2) Records encoded by
// @kafkajs/confluent-schema-registry under its own registered schema are produced with kafkajs; a
// FileStreamSink with AvroConverter must write exactly their values as JSON lines. (3) A record that is
// not in the wire format goes to the dead-letter queue with Confluent's "Unknown magic byte!" and the
// task keeps running. (4) The same for JsonSchemaConverter with the library's JSON Schema serializer
// (its ajv runs with strict off: Confluent's Connect schemas carry `connect.*` keywords).
import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
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
let base = ''
let registryUrl = ''
before(async () => {
  dir = await makeTempDir('streamline-connect-registry-')
  // No initial rebalance delay: every check reads with a fresh kafkajs group (nothing here is about it).
  broker = await startBrokerProcess({ args: ['--groups-initial-rebalance-delay-ms', '0'] })
  base = connectUrlOf(broker)
  assert.ok(broker.registryUrl !== null)
  registryUrl = broker.registryUrl
})
after(async () => {
  await broker?.stop()
  if (dir !== '') await removeTempDir(dir)
})

const avro = 'io.confluent.connect.avro.AvroConverter'

function bootstrap(): string {
  assert.ok(broker !== null)
  return broker.bootstrap
}

/** Every value of `topic` decoded by Confluent's deserializer (a fresh kafkajs group). */
async function decodeTopic(
  kafka: Kafka,
  registry: SchemaRegistry,
  topic: string,
  count: number,
): Promise<unknown[]> {
  const consumer = kafka.consumer({ groupId: `registry-test-${topic}` })
  await consumer.connect()
  const decoded: unknown[] = []
  try {
    await waitFor(`${topic} exists`, async () =>
      (
        await kafka
          .admin()
          .listTopics()
          .catch((): string[] => [])
      ).includes(topic)
        ? true
        : undefined,
    )
    await consumer.subscribe({ topic, fromBeginning: true })
    await consumer.run({
      eachMessage: async ({ message }) => {
        decoded.push(await registry.decode(message.value as Buffer))
      },
    })
    await waitFor(`every record of ${topic} decoded`, async () =>
      decoded.length >= count ? true : undefined,
    )
  } finally {
    await consumer.disconnect()
  }
  return decoded.map((value) => JSON.parse(JSON.stringify(value)) as unknown)
}

/** The JSON lines a FileStreamSink wrote, once there are `count`. */
function fileRecords(path: string, count: number): Promise<unknown[]> {
  return waitFor(`${count} records in ${path}`, async () => {
    const text = await readFile(path, 'utf8').catch(() => '')
    const found = text.split('\n').filter((line) => line !== '')
    return found.length >= count ? found.map((line) => JSON.parse(line) as unknown) : undefined
  })
}

const orderValues = (count: number, seed: number) =>
  Array.from({ length: count }, (_, iteration) =>
    quickstarts.orders.generate(iteration, seededRandom(seed * 1_000_003 + iteration * 31 + 0)),
  )

test('AvroConverter writes what Confluent reads and reads what Confluent writes', {
  timeout: 120_000,
}, async () => {
  const registry = new SchemaRegistry({ host: registryUrl })
  const kafka = new Kafka({ clientId: 'avro-test', brokers: [bootstrap()], logLevel: logLevel.NOTHING })

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
  assert.deepEqual(await decodeTopic(kafka, registry, 'orders-avro', count), orderValues(count, 7))
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
  assert.deepEqual(await fileRecords(output, readings.length), readings)

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

test('JsonSchemaConverter writes what Confluent reads and reads what Confluent writes', {
  timeout: 120_000,
}, async () => {
  const jsonSchema = 'io.confluent.connect.json.JsonSchemaConverter'
  const registry = new SchemaRegistry({ host: registryUrl }, { [SchemaType.JSON]: { strict: false } })
  const kafka = new Kafka({
    clientId: 'json-schema-test',
    brokers: [bootstrap()],
    logLevel: logLevel.NOTHING,
  })
  const count = 10
  const created = await curl('POST', `${base}/connectors`, {
    name: 'orders-json-schema',
    config: {
      'connector.class': 'io.confluent.kafka.connect.datagen.DatagenConnector',
      'kafka.topic': 'orders-json',
      quickstart: 'orders',
      iterations: String(count),
      'random.seed': '11',
      'key.converter': 'org.apache.kafka.connect.storage.StringConverter',
      'value.converter': jsonSchema,
      'value.converter.schema.registry.url': registryUrl,
    },
  })
  assert.equal(created.status, 201, created.text)
  assert.deepEqual(await decodeTopic(kafka, registry, 'orders-json', count), orderValues(count, 11))
  const subject = await curl('GET', `${registryUrl}/subjects/orders-json-value/versions/latest`)
  const registered = subject.body as { schemaType: string; schema: string }
  assert.equal(registered.schemaType, 'JSON')
  assert.deepEqual(JSON.parse(registered.schema), {
    type: 'object',
    title: 'ksql.orders',
    properties: {
      ordertime: { type: 'integer', 'connect.type': 'int64', 'connect.index': 0 },
      orderid: { type: 'integer', 'connect.type': 'int32', 'connect.index': 1 },
      itemid: { type: 'string', 'connect.index': 2 },
      orderunits: { type: 'number', 'connect.type': 'float64', 'connect.index': 3 },
      address: {
        type: 'object',
        title: 'ksql.address',
        properties: {
          city: { type: 'string', 'connect.index': 0 },
          state: { type: 'string', 'connect.index': 1 },
          zipcode: { type: 'integer', 'connect.type': 'int64', 'connect.index': 2 },
        },
        'connect.index': 4,
      },
    },
  })

  // A plain JSON Schema registered and written by the library's serializer, read by a sink.
  const schema = {
    type: 'object',
    properties: {
      sensor: { type: 'string' },
      celsius: { type: 'number' },
      tags: { type: 'array', items: { type: 'string' } },
    },
    required: ['sensor', 'celsius', 'tags'],
  }
  const { id } = await registry.register(
    { type: SchemaType.JSON, schema: JSON.stringify(schema) },
    { subject: 'json-readings-value' },
  )
  const readings = Array.from({ length: 4 }, (_, index) => ({
    sensor: `j-${index}`,
    celsius: 18.5 + index,
    tags: Array.from({ length: index }, (_, tag) => `t${tag}`),
  }))
  const producer = kafka.producer()
  await producer.connect()
  try {
    await producer.send({
      topic: 'json-readings',
      messages: await Promise.all(
        readings.map(async (value) => ({ value: await registry.encode(id, value) })),
      ),
    })
  } finally {
    await producer.disconnect()
  }
  const output = join(dir, 'json-readings.jsonl')
  const sink = await curl('POST', `${base}/connectors`, {
    name: 'json-readings-file',
    config: {
      'connector.class': 'FileStreamSink',
      topics: 'json-readings',
      file: output,
      'value.converter': jsonSchema,
      'value.converter.schema.registry.url': registryUrl,
    },
  })
  assert.equal(sink.status, 201, sink.text)
  assert.deepEqual(await fileRecords(output, readings.length), readings)
})
