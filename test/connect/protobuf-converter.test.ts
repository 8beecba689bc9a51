// Goal: io.confluent.connect.protobuf.ProtobufConverter speaks Confluent's Protobuf wire format (magic
// byte, schema id, message indexes, message) through the schema registry: what a source writes with it
// is read by Confluent-format deserializers, and a sink reads what Confluent's own JavaScript
// serializer wrote, message indexes included.
// Method: a broker process with its Connect worker and schema registry. (1) A datagen source (orders,
// seeded) writes through ProtobufConverter; kafkajs reads and @kafkajs/confluent-schema-registry
// decodes every record, which must equal the quickstart's value; the subject holds the proto3 file
// ProtobufData derives. (2) @confluentinc/schemaregistry's ProtobufSerializer writes the second
// message of a two-message file (message indexes [1]); a FileStreamSink with ProtobufConverter must
// write exactly those values; a record that is not in the wire format goes to the dead-letter queue
// with "Unknown magic byte!" and the task keeps running.
import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { create, createFileRegistry, createMutableRegistry } from '@bufbuild/protobuf'
import { FileDescriptorProtoSchema } from '@bufbuild/protobuf/wkt'
import { ProtobufSerializer, SchemaRegistryClient, SerdeType } from '@confluentinc/schemaregistry'
import { SchemaRegistry } from '@kafkajs/confluent-schema-registry'
import { Kafka, logLevel } from 'kafkajs'
import type protobuf from 'protobufjs'
import { quickstarts, seededRandom } from '../../src/connect/connectors/datagen-quickstarts.ts'
import {
  type BrokerProcess,
  makeTempDir,
  removeTempDir,
  startBrokerProcess,
} from '../helpers/broker-process.ts'
import { connectUrlOf, curl, waitFor, waitForState } from '../helpers/connect.ts'

const converter = 'io.confluent.connect.protobuf.ProtobufConverter'
let broker: BrokerProcess | null = null
let dir = ''
let base = ''
let registryUrl = ''
before(async () => {
  dir = await makeTempDir('streamline-connect-protobuf-')
  broker = await startBrokerProcess()
  base = connectUrlOf(broker)
  assert.ok(broker.registryUrl !== null)
  registryUrl = broker.registryUrl
})
after(async () => {
  await broker?.stop()
  if (dir !== '') await removeTempDir(dir)
})

function kafka(): Kafka {
  assert.ok(broker !== null)
  return new Kafka({ clientId: 'protobuf-test', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING })
}

async function readValues(topic: string, count: number): Promise<Buffer[]> {
  const consumer = kafka().consumer({ groupId: `protobuf-test-${topic}` })
  const values: Buffer[] = []
  await consumer.connect()
  try {
    await waitFor(`${topic} exists`, async () =>
      (await kafka().admin().listTopics()).includes(topic) ? true : undefined,
    )
    await consumer.subscribe({ topic, fromBeginning: true })
    await consumer.run({
      eachMessage: async ({ message }) => {
        values.push(message.value as Buffer)
      },
    })
    await waitFor(`${count} records of ${topic}`, async () => (values.length >= count ? true : undefined))
  } finally {
    await consumer.disconnect()
  }
  return values
}

test('ProtobufConverter writes what Confluent-format deserializers read', { timeout: 120_000 }, async () => {
  const count = 15
  const created = await curl('POST', `${base}/connectors`, {
    name: 'orders-protobuf',
    config: {
      'connector.class': 'DatagenConnector',
      'kafka.topic': 'orders-protobuf',
      quickstart: 'orders',
      iterations: String(count),
      'random.seed': '11',
      'key.converter': 'org.apache.kafka.connect.storage.StringConverter',
      'value.converter': converter,
      'value.converter.schema.registry.url': registryUrl,
    },
  })
  assert.equal(created.status, 201, created.text)
  const values = await readValues('orders-protobuf', count)
  for (const value of values) {
    assert.equal(value[0], 0, 'magic byte')
    assert.equal(value[5], 0, 'message indexes [0]: a single zero')
  }
  const registry = new SchemaRegistry({ host: registryUrl })
  const decoded = await Promise.all(
    values.map(async (value) => {
      const message = (await registry.decode(value)) as protobuf.Message
      return message.$type.toObject(message, { longs: Number, defaults: true })
    }),
  )
  const expected = Array.from({ length: count }, (_, iteration) =>
    quickstarts.orders.generate(iteration, seededRandom(11 * 1_000_003 + iteration * 31 + 0)),
  )
  assert.deepEqual(decoded, expected)
  const subject = await curl('GET', `${registryUrl}/subjects/orders-protobuf-value/versions/latest`)
  assert.equal((subject.body as { schemaType: string }).schemaType, 'PROTOBUF')
  assert.equal(
    (subject.body as { schema: string }).schema,
    [
      'syntax = "proto3";',
      'package ksql;',
      '',
      'message orders {',
      '  message Address {',
      '    string city = 1;',
      '    string state = 2;',
      '    int64 zipcode = 3;',
      '  }',
      '  int64 ordertime = 1;',
      '  int32 orderid = 2;',
      '  string itemid = 3;',
      '  double orderunits = 4;',
      '  Address address = 5;',
      '}',
    ].join('\n'),
  )
})

test('ProtobufConverter reads what Confluent’s ProtobufSerializer wrote (message indexes [1])', {
  timeout: 120_000,
}, async () => {
  const file = create(FileDescriptorProtoSchema, {
    name: 'iot/reading.proto',
    package: 'iot',
    syntax: 'proto3',
    messageType: [
      { name: 'Other', field: [{ name: 'x', number: 1, type: 5, label: 1, jsonName: 'x' }] },
      {
        name: 'Reading',
        field: [
          { name: 'sensor', number: 1, type: 9, label: 1, jsonName: 'sensor' },
          { name: 'celsius', number: 2, type: 1, label: 1, jsonName: 'celsius' },
          { name: 'count', number: 3, type: 3, label: 1, jsonName: 'count' },
          { name: 'tags', number: 4, type: 9, label: 3, jsonName: 'tags' },
        ],
      },
    ],
  })
  const readingSchema =
    createFileRegistry(file, () => undefined).getMessage('iot.Reading') ?? assert.fail('no iot.Reading')
  const serializer = new ProtobufSerializer(
    new SchemaRegistryClient({ baseURLs: [registryUrl] }),
    SerdeType.VALUE,
    {
      autoRegisterSchemas: true,
      registry: createMutableRegistry(readingSchema),
    },
  )
  const readings = Array.from({ length: 4 }, (_, index) => ({
    sensor: `s-${index}`,
    celsius: 20 + index / 4,
    count: BigInt(1_000_000_000_000 + index),
    tags: Array.from({ length: index }, (_, tag) => `t${tag}`),
  }))
  const encoded = await Promise.all(
    readings.map((reading) => serializer.serialize('readings-pb', create(readingSchema, reading))),
  )
  assert.equal(encoded[0][5], 2, 'message indexes: count 1 (zigzag 2), then index 1')
  const producer = kafka().producer()
  await producer.connect()
  try {
    await producer.send({
      topic: 'readings-pb',
      messages: [
        { value: encoded[0] },
        { value: Buffer.from('not protobuf') },
        ...encoded.slice(1).map((value) => ({ value })),
      ],
    })
  } finally {
    await producer.disconnect()
  }
  const output = join(dir, 'readings-pb.jsonl')
  const sink = await curl('POST', `${base}/connectors`, {
    name: 'readings-pb-file',
    config: {
      'connector.class': 'FileStreamSink',
      topics: 'readings-pb',
      file: output,
      'value.converter': converter,
      'value.converter.schema.registry.url': registryUrl,
      'errors.tolerance': 'all',
      'errors.deadletterqueue.topic.name': 'readings-pb-dlq',
      'errors.deadletterqueue.context.headers.enable': 'true',
    },
  })
  assert.equal(sink.status, 201, sink.text)
  await waitForState(base, 'readings-pb-file', 'RUNNING')
  const lines = await waitFor('4 lines', async () => {
    const text = await readFile(output, 'utf8').catch(() => '')
    const found = text.split('\n').filter((line) => line !== '')
    return found.length >= 4 ? found : undefined
  })
  assert.deepEqual(
    lines.map((line) => JSON.parse(line) as unknown),
    readings.map((reading) => ({ ...reading, count: Number(reading.count) })),
  )
  const consumer = kafka().consumer({ groupId: 'protobuf-test-dlq' })
  const dlq: Array<{ value: string; error: string }> = []
  await consumer.connect()
  try {
    await consumer.subscribe({ topic: 'readings-pb-dlq', fromBeginning: true })
    await consumer.run({
      eachMessage: async ({ message }) => {
        dlq.push({
          value: message.value?.toString() ?? '',
          error: message.headers?.['__connect.errors.exception.message']?.toString() ?? '',
        })
      },
    })
    await waitFor('the DLQ record', async () => (dlq.length >= 1 ? true : undefined))
  } finally {
    await consumer.disconnect()
  }
  assert.deepEqual(dlq, [{ value: 'not protobuf', error: 'Unknown magic byte!' }])
})
