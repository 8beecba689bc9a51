// Goal: Confluent's own JavaScript client, @confluentinc/schemaregistry, works unchanged against our
// registry: its SchemaRegistryClient registers and reads, and its Avro, JSON Schema and Protobuf
// serializers/deserializers round-trip values produced through the broker (issue 15, "Done when").
// The Protobuf serde registers a base64 FileDescriptorProto and asks for `format=serialized`, so
// this covers the descriptor form too.
// Method: an embedded broker (in memory, free ports); the client points at registryUrl; kafkajs
// produces the serialized values to a topic and consumes them back; a second client instance (empty
// caches) deserializes, fetching schemas by id.
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
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
import { type Streamline, startStreamline } from '../../../src/embedded/index.ts'
import { roundTrip } from './kafka-roundtrip.ts'

let streamline: Streamline
let url: string

before(async () => {
  streamline = await startStreamline()
  url = streamline.registryUrl ?? assert.fail('registry disabled')
})
after(() => streamline.close())

test('client: register, look up, versions, config, compatibility', async () => {
  const client = new SchemaRegistryClient({ baseURLs: [url] })
  const schema = JSON.stringify({ type: 'record', name: 'Click', fields: [{ name: 'page', type: 'string' }] })
  const id = await client.register('clicks-value', { schemaType: 'AVRO', schema })
  assert.equal(await client.register('clicks-value', { schemaType: 'AVRO', schema }), id)
  assert.equal((await client.getLatestSchemaMetadata('clicks-value')).id, id)
  assert.deepEqual(await client.getAllVersions('clicks-value'), [1])
  assert.ok((await client.getAllSubjects()).includes('clicks-value'))
  assert.equal((await client.getBySubjectAndId('clicks-value', id)).schema, schema)
  assert.equal(await client.updateCompatibility('clicks-value', 'FULL' as never), 'FULL')
  assert.equal(await client.getCompatibility('clicks-value'), 'FULL')
  const evolved = JSON.stringify({ type: 'record', name: 'Click', fields: [{ name: 'page', type: 'int' }] })
  assert.equal(
    await client.testSubjectCompatibility('clicks-value', { schemaType: 'AVRO', schema: evolved }),
    false,
  )
  assert.equal(await client.testCompatibility('clicks-value', 1, { schemaType: 'AVRO', schema }), true)
})

test('Avro serde round trip through the broker', async () => {
  const client = new SchemaRegistryClient({ baseURLs: [url] })
  const schema = JSON.stringify({
    type: 'record',
    name: 'Reading',
    namespace: 'iot',
    fields: [
      { name: 'sensor', type: 'string' },
      { name: 'celsius', type: 'double' },
      { name: 'tags', type: { type: 'array', items: 'string' } },
    ],
  })
  await client.register('readings-value', { schemaType: 'AVRO', schema })
  const serializer = new AvroSerializer(client, SerdeType.VALUE, { useLatestVersion: true })
  const values = [
    { sensor: 's1', celsius: 21.5, tags: ['kitchen'] },
    { sensor: 's2', celsius: -3, tags: [] },
  ]
  const encoded = await Promise.all(values.map((value) => serializer.serialize('readings', value)))
  const consumed = await roundTrip(streamline.bootstrap, 'readings', encoded)
  const deserializer = new AvroDeserializer(
    new SchemaRegistryClient({ baseURLs: [url] }),
    SerdeType.VALUE,
    {},
  )
  const decoded = (await Promise.all(
    consumed.map((buffer) => deserializer.deserialize('readings', buffer)),
  )) as object[]
  assert.deepEqual(
    decoded.map((value) => ({ ...value })),
    values,
  )
})

test('JSON Schema serde round trip through the broker (validating)', async () => {
  const client = new SchemaRegistryClient({ baseURLs: [url] })
  const schema = JSON.stringify({
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    type: 'object',
    properties: { user: { type: 'string' }, visits: { type: 'integer', minimum: 0 } },
    required: ['user'],
  })
  await client.register('visits-value', { schemaType: 'JSON', schema })
  const serializer = new JsonSerializer(client, SerdeType.VALUE, { useLatestVersion: true, validate: true })
  const values = [{ user: 'ada', visits: 3 }, { user: 'bob' }]
  const encoded = await Promise.all(values.map((value) => serializer.serialize('visits', value)))
  await assert.rejects(serializer.serialize('visits', { visits: -1 }))
  const consumed = await roundTrip(streamline.bootstrap, 'visits', encoded)
  const deserializer = new JsonDeserializer(new SchemaRegistryClient({ baseURLs: [url] }), SerdeType.VALUE, {
    validate: true,
  })
  assert.deepEqual(
    await Promise.all(consumed.map((buffer) => deserializer.deserialize('visits', buffer))),
    values,
  )
  assert.deepEqual(await client.getAllVersions('visits-value'), [1])
})

test('Protobuf serde round trip through the broker (descriptor form)', async () => {
  const file = create(FileDescriptorProtoSchema, {
    name: 'shop/order.proto',
    package: 'shop',
    syntax: 'proto3',
    messageType: [
      {
        name: 'Order',
        field: [
          { name: 'id', number: 1, type: 9, label: 1, jsonName: 'id' },
          { name: 'quantity', number: 2, type: 5, label: 1, jsonName: 'quantity' },
        ],
      },
    ],
  })
  const orderSchema =
    createFileRegistry(file, () => undefined).getMessage('shop.Order') ?? assert.fail('no shop.Order')
  const registry = createMutableRegistry(orderSchema)
  const client = new SchemaRegistryClient({ baseURLs: [url] })
  const serializer = new ProtobufSerializer(client, SerdeType.VALUE, { autoRegisterSchemas: true, registry })
  const values = [
    create(orderSchema, { id: 'o1', quantity: 2 }),
    create(orderSchema, { id: 'o2', quantity: 5 }),
  ]
  const encoded = await Promise.all(values.map((value) => serializer.serialize('orders', value)))
  const consumed = await roundTrip(streamline.bootstrap, 'orders', encoded)
  const deserializer = new ProtobufDeserializer(
    new SchemaRegistryClient({ baseURLs: [url] }),
    SerdeType.VALUE,
    {},
  )
  const decoded = (await Promise.all(
    consumed.map((buffer) => deserializer.deserialize('orders', buffer)),
  )) as Record<string, unknown>[]
  assert.deepEqual(
    decoded.map((value) => ({ id: value.id, quantity: value.quantity })),
    [
      { id: 'o1', quantity: 2 },
      { id: 'o2', quantity: 5 },
    ],
  )
})
