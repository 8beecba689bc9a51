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
// with "Unknown magic byte!" and the task keeps running. (3) The converter (in this process, against the
// broker's registry) writes enums, oneofs, int8/int16 and proto3 `optional` from Connect data carrying
// Confluent's ProtobufData parameters; the bytes are the wire format (magic byte, the registered id,
// message indexes [0]) and the message decodes with the registered .proto text (protobufjs); read back
// (also with int.for.enums) they give the same Connect schema and value.
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
import protobufjs from 'protobufjs'
import { quickstarts, seededRandom } from '../../src/connect/connectors/datagen-quickstarts.ts'
import { ProtobufConverter } from '../../src/connect/converters/protobuf-converter.ts'
import type { Schema } from '../../src/connect/sdk/data.ts'
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

test('enums, oneofs, int8/int16 and optional.for.nullables / int.for.enums as Confluent’s ProtobufData', {
  timeout: 60_000,
}, async () => {
  // Connect → Protobuf: the Connect schema carries Confluent's parameters for the enum and the oneof.
  const statusSchema = {
    type: 'string' as const,
    optional: false,
    name: 'Status',
    parameters: {
      'io.confluent.connect.protobuf.Enum': 'Status',
      'io.confluent.connect.protobuf.Enum.UNKNOWN': '0',
      'io.confluent.connect.protobuf.Enum.OK': '1',
      'io.confluent.connect.protobuf.Enum.BROKEN': '2',
    },
  }
  const schema: Schema = {
    type: 'struct',
    optional: false,
    name: 'shapes.Reading',
    fields: [
      { field: 'small', type: 'int8', optional: false },
      { field: 'medium', type: 'int16', optional: false },
      { field: 'status', ...statusSchema },
      { field: 'note', type: 'string', optional: true },
      { field: 'count', type: 'int32', optional: true },
      {
        field: 'source',
        type: 'struct',
        optional: true,
        name: 'io.confluent.connect.protobuf.Union.source',
        fields: [
          {
            field: 'sensor',
            type: 'string',
            optional: true,
            parameters: { 'io.confluent.connect.protobuf.Tag': '10' },
          },
          {
            field: 'manual',
            type: 'int32',
            optional: true,
            parameters: { 'io.confluent.connect.protobuf.Tag': '11' },
          },
        ],
      },
    ],
  }
  const writer = new ProtobufConverter()
  writer.configure({ 'schema.registry.url': registryUrl, 'optional.for.nullables': 'true' }, { isKey: false })
  const value = {
    small: -5,
    medium: 300,
    status: 'BROKEN',
    note: null,
    count: 0,
    source: { sensor: null, manual: 7 },
  }
  const bytes = (await writer.fromConnectData('shapes', schema, value)) ?? assert.fail('no bytes')
  const subject = await curl('GET', `${registryUrl}/subjects/shapes-value/versions/latest`)
  assert.equal(
    (subject.body as { schema: string }).schema,
    [
      'syntax = "proto3";',
      'package shapes;',
      'import "confluent/meta.proto";',
      '',
      'message Reading {',
      '  enum Status {',
      '    UNKNOWN = 0;',
      '    OK = 1;',
      '    BROKEN = 2;',
      '  }',
      '  int32 small = 1 [(confluent.field_meta) = { params: [{ key: "connect.type", value: "int8" }] }];',
      '  int32 medium = 2 [(confluent.field_meta) = { params: [{ key: "connect.type", value: "int16" }] }];',
      '  Status status = 3;',
      '  optional string note = 4;',
      '  optional int32 count = 5;',
      '  oneof source {',
      '    string sensor = 10;',
      '    int32 manual = 11;',
      '  }',
      '}',
    ].join('\n'),
  )
  // A Confluent-format reader (the registry's schema, message indexes skipped) gets the same message;
  // `count` 0 is present (optional keeps presence), `note` is absent.
  const { id, schema: registered } = subject.body as { id: number; schema: string }
  assert.deepEqual(
    [...bytes.subarray(0, 6)],
    [0, ...[3, 2, 1, 0].map((shift) => (id >> (shift * 8)) & 0xff), 0],
  )
  const type = protobufjs.parse(registered).root.lookupType('shapes.Reading')
  const message = type.decode(bytes.subarray(6))
  assert.deepEqual(type.toObject(message, { enums: String, oneofs: true }), {
    small: -5,
    medium: 300,
    status: 'BROKEN',
    count: 0,
    manual: 7,
    source: 'manual',
  })

  // Protobuf → Connect: bytes in Confluent's wire format for that schema read back as the same Connect
  // data (int8/int16 from connect.type, the enum's parameters, the oneof's struct with its tags).
  const reader = new ProtobufConverter()
  reader.configure({ 'schema.registry.url': registryUrl }, { isKey: false })
  const read = await reader.toConnectData('shapes', bytes)
  const fields = (read.schema?.fields ?? []).map((field) => [field.field, field.type, field.name ?? null])
  assert.deepEqual(fields, [
    ['small', 'int8', null],
    ['medium', 'int16', null],
    ['status', 'string', 'Status'],
    ['note', 'string', null],
    ['count', 'int32', null],
    ['source', 'struct', 'io.confluent.connect.protobuf.Union.source'],
  ])
  assert.deepEqual(read.schema?.fields?.[2]?.parameters, statusSchema.parameters)
  assert.deepEqual(
    read.schema?.fields?.[5]?.fields?.map((member) => member.parameters),
    [{ 'io.confluent.connect.protobuf.Tag': '10' }, { 'io.confluent.connect.protobuf.Tag': '11' }],
  )
  assert.deepEqual(read.value, { ...value, note: null })
  // int.for.enums: the enum is an int32 and its value the number.
  const numeric = new ProtobufConverter()
  numeric.configure({ 'schema.registry.url': registryUrl, 'int.for.enums': 'true' }, { isKey: false })
  const asNumber = await numeric.toConnectData('shapes', bytes)
  assert.equal(asNumber.schema?.fields?.[2]?.type, 'int32')
  assert.equal((asNumber.value as { status: number }).status, 2)
  // Written back from int.for.enums data, the same message (under another schema id: read back, every
  // field is optional, so optional.for.nullables labels them all).
  const again = (await writer.fromConnectData('shapes', asNumber.schema, asNumber.value)) ?? assert.fail()
  assert.deepEqual(again.subarray(6), bytes.subarray(6))
})
