// Goal: the in-process client's schema-registry serdes speak Confluent's wire format both ways with
// real Confluent-format clients: records the in-process producer writes with our Avro, JSON Schema and
// Protobuf serializers are decoded by @kafkajs/confluent-schema-registry (Avro, JSON Schema; it has no
// Protobuf message indexes) and by Confluent's own @confluentinc/schemaregistry deserializers (all
// three, nested Protobuf messages included), after a kafkajs consumer read them over the socket; and
// records those clients serialize and kafkajs produces are read back exactly by our deserializers.
// Also: the options under Confluent's names (autoRegisterSchemas, useLatestVersion, useSchemaId,
// subjectNameStrategy) pick the ids and subjects Confluent's would; Protobuf imports are registered
// under their import path and referenced as Confluent's serializers do (Confluent's ProtobufSerializer
// and ProtobufDeserializer on the other side); a schema carrying data-contract rules the serdes cannot
// run is refused (EncodeError/DecodeError), never ignored; and bad input answers typed errors
// (EncodeError before anything is sent, DecodeError for bytes not in the wire format, RegistryError
// 40401/40403 for a subject or id the registry does not have) while the broker keeps serving.
// Method: one embedded broker (in memory) for the file; the registry clients over registryUrl; the
// in-process producer and consumer through the broker's own registry store (no HTTP).

import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { create, createFileRegistry, createMutableRegistry } from '@bufbuild/protobuf'
import { FileDescriptorProtoSchema } from '@bufbuild/protobuf/wkt'
import {
  AvroDeserializer,
  AvroSerializer,
  JsonDeserializer,
  JsonSerializer,
  ProtobufDeserializer,
  ProtobufSerializer,
  SchemaRegistryClient,
  SerdeType,
} from '@confluentinc/schemaregistry'
import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry'
import { Kafka, logLevel } from 'kafkajs'
import { type Deserializer, type Streamline, startStreamline } from '../../src/embedded/index.ts'
import { DecodeError, EncodeError } from '../../src/errors.ts'
import { waitFor } from './helpers.ts'

let streamline: Streamline
let kafka: Kafka
let registryUrl: string

before(async () => {
  streamline = await startStreamline({ groups: { initialRebalanceDelayMs: 0 } })
  registryUrl = streamline.registryUrl ?? assert.fail('registry disabled')
  kafka = new Kafka({
    brokers: [streamline.bootstrap],
    clientId: 'registry-serdes',
    logLevel: logLevel.NOTHING,
  })
})

after(async () => {
  await streamline.close()
})

/** Reads `count` values of `topic` from the beginning with a kafkajs consumer (over the socket). */
async function consumeOverNetwork(topic: string, count: number): Promise<Buffer[]> {
  const consumer = kafka.consumer({ groupId: `${topic}-net`, sessionTimeout: 10_000, heartbeatInterval: 500 })
  await consumer.connect()
  await consumer.subscribe({ topics: [topic], fromBeginning: true })
  const received: Buffer[] = []
  await consumer.run({
    eachMessage: async ({ message }) => {
      if (message.value !== null) received.push(message.value)
    },
  })
  try {
    await waitFor(`${count} values of ${topic}`, () => (received.length >= count ? true : undefined))
  } finally {
    await consumer.disconnect()
  }
  return received
}

async function produceOverNetwork(topic: string, values: Buffer[]): Promise<void> {
  const producer = kafka.producer()
  await producer.connect()
  await producer.send({ topic, messages: values.map((value) => ({ value })) })
  await producer.disconnect()
}

/** Reads `count` values of `topic` with the in-process consumer and `deserializer`. */
async function consumeInProcess<V>(
  topic: string,
  count: number,
  deserializer: Deserializer<V>,
): Promise<V[]> {
  const consumer = streamline.consumer({ fromBeginning: true, valueDeserializer: deserializer })
  await consumer.subscribe(topic)
  const values: V[] = []
  try {
    for await (const record of consumer) {
      values.push(record.value)
      if (values.length === count) break
    }
  } finally {
    await consumer.close()
  }
  return values
}

/** Decoded Avro records (avsc's record classes) as plain objects, to compare with literals. */
function plain(values: readonly object[]): object[] {
  return values.map((value) => ({ ...value }))
}

async function createTopics(...names: string[]): Promise<void> {
  await streamline.admin().createTopics(names.map((name) => ({ name, partitions: 1 })))
}

/** The id the registry's REST API gives the subject's latest version. */
async function latestId(subject: string): Promise<number> {
  const response = await fetch(`${registryUrl}/subjects/${subject}/versions/latest`)
  assert.equal(response.status, 200, `subject ${subject}`)
  return ((await response.json()) as { id: number }).id
}

const readingSchema = {
  type: 'record',
  name: 'Reading',
  namespace: 'iot',
  fields: [
    { name: 'sensor', type: 'string' },
    { name: 'celsius', type: 'double' },
    { name: 'note', type: ['null', 'string'], default: null },
    { name: 'tags', type: { type: 'array', items: 'string' } },
  ],
}
const readings = [
  { sensor: 's1', celsius: 21.5, note: null, tags: ['kitchen'] },
  { sensor: 's2', celsius: -3, note: 'frost', tags: [] },
]

const visitSchema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  title: 'Visit',
  type: 'object',
  properties: { page: { type: 'string' }, seconds: { type: 'number' } },
  required: ['page'],
}
const visits = [{ page: '/home', seconds: 1.5 }, { page: '/cart' }]

const shopProto = `syntax = "proto3";
package shop;
message Order {
  string id = 1;
  message Line {
    string sku = 1;
    int32 quantity = 2;
  }
  repeated Line lines = 2;
}
message Refund {
  string order_id = 1;
  int64 cents = 2;
}
`

describe('Avro', () => {
  before(() => createTopics('avro-out', 'avro-in'))

  it('in-process serializer → kafkajs over the socket → both Confluent-format deserializers', async () => {
    const producer = streamline.producer({
      valueSerializer: streamline.avroSerializer({ schema: readingSchema }),
    })
    await producer.send(
      'avro-out',
      readings.map((value) => ({ value })),
    )
    await producer.close()
    const consumed = await consumeOverNetwork('avro-out', 2)
    const id = await latestId('avro-out-value')
    assert.deepEqual(
      consumed.map((bytes) => [bytes[0], bytes.readInt32BE(1)]),
      [
        [0, id],
        [0, id],
      ],
    )
    const kafkajsRegistry = new SchemaRegistry({ host: registryUrl })
    const kafkajsDecoded = (await Promise.all(
      consumed.map((bytes) => kafkajsRegistry.decode(bytes)),
    )) as object[]
    assert.deepEqual(
      kafkajsDecoded.map((value) => ({ ...value })),
      readings,
    )
    const confluent = new AvroDeserializer(
      new SchemaRegistryClient({ baseURLs: [registryUrl] }),
      SerdeType.VALUE,
      {},
    )
    const confluentDecoded = (await Promise.all(
      consumed.map((bytes) => confluent.deserialize('avro-out', bytes)),
    )) as object[]
    assert.deepEqual(
      confluentDecoded.map((value) => ({ ...value })),
      readings,
    )
  })

  it('kafkajs registry and Confluent serializers → in-process deserializer', async () => {
    const kafkajsRegistry = new SchemaRegistry({ host: registryUrl })
    const { id } = await kafkajsRegistry.register(
      { type: SchemaType.AVRO, schema: JSON.stringify(readingSchema) },
      { subject: 'avro-in-value' },
    )
    const confluent = new AvroSerializer(
      new SchemaRegistryClient({ baseURLs: [registryUrl] }),
      SerdeType.VALUE,
      {
        useLatestVersion: true,
      },
    )
    await produceOverNetwork('avro-in', [
      await kafkajsRegistry.encode(id, readings[0]),
      await confluent.serialize('avro-in', readings[1]),
    ])
    const values = await consumeInProcess('avro-in', 2, streamline.avroDeserializer<object>())
    assert.deepEqual(plain(values), readings)
    // A reader schema resolves the writer's (a field dropped, one added with its default).
    const reader = {
      type: 'record',
      name: 'Reading',
      namespace: 'iot',
      fields: [
        { name: 'sensor', type: 'string' },
        { name: 'site', type: 'string', default: 'unknown' },
      ],
    }
    const resolved = await consumeInProcess(
      'avro-in',
      2,
      streamline.avroDeserializer<object>({ readerSchema: reader }),
    )
    assert.deepEqual(plain(resolved), [
      { sensor: 's1', site: 'unknown' },
      { sensor: 's2', site: 'unknown' },
    ])
  })
})

describe('JSON Schema', () => {
  before(() => createTopics('json-out', 'json-in'))

  it('in-process serializer → kafkajs over the socket → both Confluent-format deserializers', async () => {
    const serializer = streamline.jsonSchemaSerializer({ schema: visitSchema })
    const producer = streamline.producer({ valueSerializer: serializer })
    await producer.send(
      'json-out',
      visits.map((value) => ({ value })),
    )
    await assert.rejects(producer.send('json-out', [{ value: { seconds: 2 } }]), (error: unknown) => {
      assert.ok(error instanceof EncodeError)
      assert.match(error.message, /required property 'page'/)
      return true
    })
    await producer.close()
    const consumed = await consumeOverNetwork('json-out', 2)
    const id = await latestId('json-out-value')
    assert.deepEqual(
      consumed.map((bytes) => bytes.readInt32BE(1)),
      [id, id],
    )
    const kafkajsRegistry = new SchemaRegistry({ host: registryUrl })
    assert.deepEqual(await Promise.all(consumed.map((bytes) => kafkajsRegistry.decode(bytes))), visits)
    const confluent = new JsonDeserializer(
      new SchemaRegistryClient({ baseURLs: [registryUrl] }),
      SerdeType.VALUE,
      {
        validate: true,
      },
    )
    assert.deepEqual(
      await Promise.all(consumed.map((bytes) => confluent.deserialize('json-out', bytes))),
      visits,
    )
  })

  it('kafkajs registry and Confluent serializers → in-process deserializer', async () => {
    const kafkajsRegistry = new SchemaRegistry({ host: registryUrl })
    const { id } = await kafkajsRegistry.register(
      { type: SchemaType.JSON, schema: JSON.stringify(visitSchema) },
      { subject: 'json-in-value' },
    )
    const confluent = new JsonSerializer(
      new SchemaRegistryClient({ baseURLs: [registryUrl] }),
      SerdeType.VALUE,
      {
        useLatestVersion: true,
      },
    )
    await produceOverNetwork('json-in', [
      await kafkajsRegistry.encode(id, visits[0]),
      await confluent.serialize('json-in', visits[1]),
    ])
    assert.deepEqual(
      await consumeInProcess('json-in', 2, streamline.jsonSchemaDeserializer({ validate: true })),
      visits,
    )
  })
})

describe('Protobuf', () => {
  before(() => createTopics('proto-out', 'proto-in'))

  it('in-process serializer (nested and second messages) → kafkajs → Confluent ProtobufDeserializer', async () => {
    const lineSerializer = streamline.protobufSerializer({
      schema: shopProto,
      messageType: 'shop.Order.Line',
    })
    const refundSerializer = streamline.protobufSerializer({ schema: shopProto, messageType: 'shop.Refund' })
    const orderSerializer = streamline.protobufSerializer({ schema: shopProto })
    const context = { topic: 'proto-out', isKey: false }
    const line = (await lineSerializer({ sku: 'pen', quantity: 3 }, context)) ?? assert.fail('null')
    const refund =
      (await refundSerializer({ order_id: 'o1', cents: '9007199254740993' }, context)) ?? assert.fail()
    const order =
      (await orderSerializer({ id: 'o1', lines: [{ sku: 'pen', quantity: 3 }] }, context)) ??
      assert.fail('null')
    const id = await latestId('proto-out-value')
    // Message indexes: [0, 0] (count 2, then 0 and 0, zigzag), [1] (count 1, then 1), [0] as a lone 0.
    assert.deepEqual([...line.subarray(0, 8)], [0, 0, 0, 0, id, 4, 0, 0])
    assert.deepEqual([...refund.subarray(0, 7)], [0, 0, 0, 0, id, 2, 2])
    assert.deepEqual([...order.subarray(0, 6)], [0, 0, 0, 0, id, 0])
    const producer = streamline.producer()
    await producer.send('proto-out', [{ value: line }, { value: refund }, { value: order }])
    await producer.close()
    const consumed = await consumeOverNetwork('proto-out', 3)
    const confluent = new ProtobufDeserializer(
      new SchemaRegistryClient({ baseURLs: [registryUrl] }),
      SerdeType.VALUE,
      {},
    )
    const [lineRead, refundRead, orderRead] = (await Promise.all(
      consumed.map((bytes) => confluent.deserialize('proto-out', bytes)),
    )) as Record<string, unknown>[]
    assert.equal(lineRead.$typeName, 'shop.Order.Line')
    assert.deepEqual([lineRead.sku, lineRead.quantity], ['pen', 3])
    assert.equal(refundRead.$typeName, 'shop.Refund')
    assert.deepEqual([refundRead.orderId, refundRead.cents], ['o1', 9007199254740993n])
    assert.equal(orderRead.$typeName, 'shop.Order')
    const lines = orderRead.lines as Record<string, unknown>[]
    assert.deepEqual([orderRead.id, lines.length, lines[0].sku, lines[0].quantity], ['o1', 1, 'pen', 3])
  })

  it('Confluent ProtobufSerializer (a nested message) → kafkajs → in-process deserializer', async () => {
    const file = create(FileDescriptorProtoSchema, {
      name: 'billing/invoice.proto',
      package: 'billing',
      syntax: 'proto3',
      messageType: [
        { name: 'Header', field: [{ name: 'issuer', number: 1, type: 9, label: 1, jsonName: 'issuer' }] },
        {
          name: 'Invoice',
          field: [{ name: 'number', number: 1, type: 9, label: 1, jsonName: 'number' }],
          nestedType: [
            {
              name: 'Item',
              field: [
                { name: 'sku', number: 1, type: 9, label: 1, jsonName: 'sku' },
                { name: 'cents', number: 2, type: 3, label: 1, jsonName: 'cents' },
              ],
            },
          ],
        },
      ],
    })
    const files = createFileRegistry(file, () => undefined)
    const item = files.getMessage('billing.Invoice.Item') ?? assert.fail('no billing.Invoice.Item')
    const serializer = new ProtobufSerializer(
      new SchemaRegistryClient({ baseURLs: [registryUrl] }),
      SerdeType.VALUE,
      { autoRegisterSchemas: true, registry: createMutableRegistry(item) },
    )
    const encoded = [
      await serializer.serialize('proto-in', create(item, { sku: 'ink', cents: 250n })),
      await serializer.serialize('proto-in', create(item, { sku: 'pad', cents: 0n })),
    ]
    // Confluent writes the indexes [1, 0]: count 2, then 1 and 0 (zigzag 4, 2, 0).
    assert.deepEqual([...encoded[0].subarray(5, 8)], [4, 2, 0])
    await produceOverNetwork('proto-in', encoded)
    assert.deepEqual(await consumeInProcess('proto-in', 2, streamline.protobufDeserializer()), [
      { sku: 'ink', cents: '250' },
      { sku: 'pad', cents: '0' },
    ])
  })
})

const currencyProto = `syntax = "proto3";
package common;
enum Currency { EUR = 0; USD = 1; }
`
const moneyProto = `syntax = "proto3";
package common;
import "common/currency.proto";
message Money { int64 cents = 1; Currency currency = 2; }
`
const flatMoneyProto = `syntax = "proto3";
package common;
enum Currency { EUR = 0; USD = 1; }
message Money { int64 cents = 1; Currency currency = 2; }
`
const paymentProto = `syntax = "proto3";
package pay;
import "common/money.proto";
import "google/protobuf/timestamp.proto";
message Payment {
  string id = 1;
  common.Money amount = 2;
  google.protobuf.Timestamp at = 3;
}
`

describe('Protobuf references (imported files registered as Confluent does)', () => {
  before(() => createTopics('proto-refs', 'proto-refs-net', 'proto-refs-in'))

  it('registers each imported file (and its imports) under its import path and refers to it', async () => {
    const serializer = streamline.protobufSerializer({
      schema: paymentProto,
      imports: { 'common/money.proto': moneyProto, 'common/currency.proto': currencyProto },
    })
    const value = { id: 'p1', amount: { cents: 1250, currency: 'USD' }, at: { seconds: 1700000000 } }
    const bytes = (await serializer(value, { topic: 'proto-refs', isKey: false })) ?? assert.fail('null')
    const subject = async (name: string) => {
      const response = await fetch(`${registryUrl}/subjects/${encodeURIComponent(name)}/versions/latest`)
      assert.equal(response.status, 200, name)
      return (await response.json()) as { id: number; version: number; references?: unknown[] }
    }
    // Confluent's DefaultReferenceSubjectNameStrategy: the subject is the import path; well-known
    // google/protobuf files are neither registered nor referenced.
    assert.equal((await subject('common/currency.proto')).references, undefined)
    assert.deepEqual((await subject('common/money.proto')).references, [
      { name: 'common/currency.proto', subject: 'common/currency.proto', version: 1 },
    ])
    const main = await subject('proto-refs-value')
    assert.deepEqual(main.references, [
      { name: 'common/money.proto', subject: 'common/money.proto', version: 1 },
    ])
    assert.equal(bytes.readInt32BE(1), main.id)
    // A second serializer of the same schema reuses every id and version (nothing new registered).
    const again = streamline.protobufSerializer({
      schema: paymentProto,
      imports: { 'common/money.proto': moneyProto, 'common/currency.proto': currencyProto },
      autoRegisterSchemas: false,
    })
    assert.deepEqual(await again(value, { topic: 'proto-refs', isKey: false }), bytes)
    assert.equal((await subject('common/money.proto')).version, 1)

    const producer = streamline.producer()
    await producer.send('proto-refs', [{ value: bytes }])
    await producer.close()
    assert.deepEqual(await consumeInProcess('proto-refs', 1, streamline.protobufDeserializer()), [
      {
        id: 'p1',
        amount: { cents: '1250', currency: 'USD' },
        at: { seconds: '1700000000', nanos: 0 },
      },
    ])
  })

  it('an imported file registered by the in-process serializer → kafkajs → Confluent ProtobufDeserializer', async () => {
    // One level of imports: Confluent's JS deserializer (@confluentinc/schemaregistry 1.10) fetches a
    // reference's own references without format=serialized and cannot read those, from any registry.
    const serializer = streamline.protobufSerializer({
      schema: paymentProto.replace('common/money.proto', 'common/flat-money.proto'),
      imports: { 'common/flat-money.proto': flatMoneyProto },
    })
    const value = { id: 'p2', amount: { cents: 99, currency: 'EUR' }, at: { seconds: 1 } }
    const bytes = (await serializer(value, { topic: 'proto-refs-net', isKey: false })) ?? assert.fail()
    const producer = streamline.producer()
    await producer.send('proto-refs-net', [{ value: bytes }])
    await producer.close()
    const [consumed] = await consumeOverNetwork('proto-refs-net', 1)
    const confluent = new ProtobufDeserializer(
      new SchemaRegistryClient({ baseURLs: [registryUrl] }),
      SerdeType.VALUE,
      {},
    )
    const read = (await confluent.deserialize('proto-refs-net', consumed)) as Record<string, unknown>
    assert.equal(read.$typeName, 'pay.Payment')
    const amount = read.amount as Record<string, unknown>
    assert.deepEqual(
      [read.id, amount.$typeName, amount.cents, amount.currency],
      ['p2', 'common.Money', 99n, 0],
    )
    assert.equal((read.at as Record<string, unknown>).seconds, 1n)
  })

  it('Confluent ProtobufSerializer registers an import under the same subject; the in-process deserializer reads it', async () => {
    const unit = create(FileDescriptorProtoSchema, {
      name: 'units/unit.proto',
      package: 'units',
      syntax: 'proto3',
      messageType: [
        { name: 'Unit', field: [{ name: 'code', number: 1, type: 9, label: 1, jsonName: 'code' }] },
      ],
    })
    const measure = create(FileDescriptorProtoSchema, {
      name: 'units/measure.proto',
      package: 'units',
      syntax: 'proto3',
      dependency: ['units/unit.proto'],
      messageType: [
        {
          name: 'Measure',
          field: [
            { name: 'amount', number: 1, type: 1, label: 1, jsonName: 'amount' },
            { name: 'unit', number: 2, type: 11, label: 1, typeName: '.units.Unit', jsonName: 'unit' },
          ],
        },
      ],
    })
    const files = createFileRegistry(measure, (name) => (name === 'units/unit.proto' ? unit : undefined))
    const measureType = files.getMessage('units.Measure') ?? assert.fail('no units.Measure')
    const unitType = files.getMessage('units.Unit') ?? assert.fail('no units.Unit')
    const serializer = new ProtobufSerializer(
      new SchemaRegistryClient({ baseURLs: [registryUrl] }),
      SerdeType.VALUE,
      { autoRegisterSchemas: true, registry: createMutableRegistry(measureType, unitType) },
    )
    const encoded = await serializer.serialize(
      'proto-refs-in',
      create(measureType, { amount: 2.5, unit: create(unitType, { code: 'kg' }) }),
    )
    const main = (await (
      await fetch(`${registryUrl}/subjects/proto-refs-in-value/versions/latest`)
    ).json()) as { references: unknown[] }
    assert.deepEqual(main.references, [{ name: 'units/unit.proto', subject: 'units/unit.proto', version: 1 }])
    await produceOverNetwork('proto-refs-in', [encoded])
    assert.deepEqual(await consumeInProcess('proto-refs-in', 1, streamline.protobufDeserializer()), [
      { amount: 2.5, unit: { code: 'kg' } },
    ])
  })

  it('an import without text or reference is an EncodeError; autoRegisterSchemas false looks imports up (40401)', async () => {
    const context = { topic: 'proto-refs-missing', isKey: false }
    const missing = streamline.protobufSerializer({ schema: paymentProto })
    await assert.rejects(async () => missing({ id: 'x' }, context), {
      name: 'EncodeError',
      message: /imports "common\/money.proto": give its text in `imports`/,
    })
    const lookUp = streamline.protobufSerializer({
      schema: moneyProto.replace('common/currency.proto', 'other/currency.proto'),
      imports: { 'other/currency.proto': currencyProto },
      autoRegisterSchemas: false,
    })
    await assert.rejects(async () => lookUp({ cents: 1 }, context), {
      name: 'RegistryError',
      errorCode: 40401,
    })
    const cyclic = streamline.protobufSerializer({
      schema: 'syntax = "proto3"; import "a.proto"; message M { int32 n = 1; }',
      imports: {
        'a.proto': 'syntax = "proto3"; import "b.proto";',
        'b.proto': 'syntax = "proto3"; import "a.proto";',
      },
    })
    await assert.rejects(
      async () => cyclic({ n: 1 }, context),
      /import cycle: "a.proto" → "b.proto" → "a.proto"/,
    )
  })
})

describe('serializer options (Confluent names)', () => {
  const context = (topic: string) => ({ topic, isKey: false })

  it('autoRegisterSchemas: false looks the schema up and fails with 40401 for a new subject', async () => {
    const serializer = streamline.avroSerializer({ schema: readingSchema, autoRegisterSchemas: false })
    await assert.rejects(async () => serializer(readings[0], context('unregistered')), {
      name: 'RegistryError',
      errorCode: 40401,
    })
    const registered = streamline.avroSerializer({ schema: readingSchema })
    const bytes = (await registered(readings[0], context('unregistered'))) ?? assert.fail('null')
    const looked = (await serializer(readings[0], context('unregistered'))) ?? assert.fail('null')
    assert.deepEqual(looked, bytes)
  })

  it('useLatestVersion writes with the subject latest version, useSchemaId with the id given', async () => {
    const v1 = JSON.stringify({ type: 'record', name: 'Ping', fields: [{ name: 'n', type: 'int' }] })
    const v2 = JSON.stringify({
      type: 'record',
      name: 'Ping',
      fields: [
        { name: 'n', type: 'int' },
        { name: 'from', type: 'string', default: '' },
      ],
    })
    const first =
      (await streamline.avroSerializer({ schema: v1 })({ n: 1 }, context('pings'))) ?? assert.fail()
    const latest = streamline.avroSerializer({ useLatestVersion: true })
    assert.deepEqual(await latest({ n: 1 }, context('pings')), first)
    await streamline.avroSerializer({ schema: v2 })({ n: 1, from: 'a' }, context('pings'))
    const second = (await latest({ n: 2, from: 'b' }, context('pings'))) ?? assert.fail('null')
    assert.equal(second.readInt32BE(1), await latestId('pings-value'))
    assert.notEqual(second.readInt32BE(1), first.readInt32BE(1))
    const pinned = streamline.avroSerializer({ useSchemaId: first.readInt32BE(1) })
    assert.deepEqual(await pinned({ n: 1 }, context('anything')), first)
  })

  it('RecordNameStrategy and TopicRecordNameStrategy name the subject after the record', async () => {
    await streamline.avroSerializer({ schema: readingSchema, subjectNameStrategy: 'RecordNameStrategy' })(
      readings[0],
      context('t1'),
    )
    await streamline.protobufSerializer({
      schema: shopProto,
      messageType: 'shop.Refund',
      subjectNameStrategy: 'TopicRecordNameStrategy',
    })({ order_id: 'o', cents: 1 }, context('t2'))
    await latestId('iot.Reading')
    await latestId('t2-shop.Refund')
    const keySerializer = streamline.jsonSchemaSerializer({ schema: visitSchema })
    await keySerializer(visits[0], { topic: 't3', isKey: true })
    await latestId('t3-key')
  })
})

describe('data-contract rules (no rule executors: refused, never ignored)', () => {
  const ordersSchema = JSON.stringify({
    type: 'record',
    name: 'Order',
    fields: [{ name: 'total', type: 'int' }],
  })
  /** Registers `ordersSchema` under `subject` with one CEL rule over REST, as a data-contract owner would. */
  async function registerWithRule(subject: string, rule: Record<string, unknown>): Promise<number> {
    const response = await fetch(`${registryUrl}/subjects/${subject}/versions`, {
      method: 'POST',
      headers: { 'content-type': 'application/vnd.schemaregistry.v1+json' },
      body: JSON.stringify({
        schema: ordersSchema,
        ruleSet: {
          domainRules: [
            { name: 'positiveTotal', kind: 'CONDITION', type: 'CEL', expr: 'message.total > 0', ...rule },
          ],
        },
      }),
    })
    assert.equal(response.status, 200)
    return ((await response.json()) as { id: number }).id
  }

  it('a WRITE rule refuses serializing (registered, latest or pinned id) and lets reading go', async () => {
    const id = await registerWithRule('rules-w-value', { mode: 'WRITE' })
    const context = { topic: 'rules-w', isKey: false }
    const refused = {
      name: 'EncodeError',
      message:
        /schema id \d+ carries data-contract rule "positiveTotal" \(type CEL, kind CONDITION, mode WRITE\)/,
    }
    await assert.rejects(
      async () => streamline.avroSerializer({ schema: ordersSchema })({ total: 1 }, context),
      refused,
    )
    await assert.rejects(
      async () => streamline.avroSerializer({ useLatestVersion: true })({ total: 1 }, context),
      refused,
    )
    await assert.rejects(
      async () => streamline.avroSerializer({ useSchemaId: id })({ total: 1 }, context),
      refused,
    )
    // Reading is not what the rule is for: Confluent's deserializer skips it, and so does ours.
    const bytes = Buffer.from([0, 0, 0, 0, 0, 2])
    bytes.writeInt32BE(id, 1)
    assert.deepEqual({ ...((await streamline.avroDeserializer()(bytes, context)) as object) }, { total: 1 })
  })

  it('a WRITEREAD rule refuses reading too; onFailure NONE and disabled rules are skipped as Confluent skips them', async () => {
    const id = await registerWithRule('rules-wr-value', { mode: 'WRITEREAD' })
    const bytes = Buffer.from([0, 0, 0, 0, 0, 2])
    bytes.writeInt32BE(id, 1)
    await assert.rejects(
      async () => streamline.avroDeserializer()(bytes, { topic: 'rules-wr', isKey: false }),
      {
        name: 'DecodeError',
        message: /carries data-contract rule "positiveTotal"/,
      },
    )
    await registerWithRule('rules-none-value', { mode: 'WRITEREAD', onFailure: 'NONE,NONE' })
    await registerWithRule('rules-off-value', { mode: 'WRITE', disabled: true })
    for (const topic of ['rules-none', 'rules-off']) {
      const written = await streamline.avroSerializer({ useLatestVersion: true })(
        { total: 3 },
        { topic, isKey: false },
      )
      assert.deepEqual(
        { ...((await streamline.avroDeserializer()(written, { topic, isKey: false })) as object) },
        {
          total: 3,
        },
      )
    }
  })
})

describe('malformed input', () => {
  it('values that do not match the schema are EncodeErrors', async () => {
    const avroSerializer = streamline.avroSerializer({ schema: readingSchema })
    await assert.rejects(
      async () => avroSerializer({ sensor: 1 }, { topic: 'bad-avro', isKey: false }),
      EncodeError,
    )
    const protoSerializer = streamline.protobufSerializer({ schema: shopProto, messageType: 'shop.Refund' })
    await assert.rejects(
      async () => protoSerializer({ orderId: 'camel' }, { topic: 'bad-proto', isKey: false }),
      /no field orderId/,
    )
    assert.throws(() => streamline.jsonSchemaSerializer({}), EncodeError)
    const missing = streamline.protobufSerializer({ schema: shopProto, messageType: 'shop.Nope' })
    await assert.rejects(
      async () => missing({}, { topic: 'bad-proto', isKey: false }),
      /no message shop.Nope/,
    )
  })

  it('bytes not in the wire format are DecodeErrors, an unknown id 40403; the broker keeps serving', async () => {
    const deserializer = streamline.avroDeserializer()
    const context = { topic: 'bad', isKey: false }
    await assert.rejects(async () => deserializer(Buffer.from('plain text'), context), DecodeError)
    await assert.rejects(async () => deserializer(Buffer.from([0, 0, 0]), context), DecodeError)
    await assert.rejects(async () => deserializer(Buffer.from([0, 0, 0, 0x7f, 0x7f, 1]), context), {
      name: 'RegistryError',
      errorCode: 40403,
    })
    const id = await latestId('avro-out-value')
    const truncated = Buffer.from([0, 0, 0, 0, id, 2])
    await assert.rejects(async () => deserializer(truncated, context), DecodeError)
    const protobuf = streamline.protobufDeserializer()
    const protoId = await latestId('proto-out-value')
    await assert.rejects(
      async () => protobuf(Buffer.from([0, 0, 0, 0, protoId, 2, 18]), context),
      /names no message/,
    )
    assert.equal(await deserializer(null, context), null)
    const response = await fetch(`${registryUrl}/subjects`)
    assert.equal(response.status, 200)
  })
})
