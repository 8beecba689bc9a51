// Goal: @kafkajs/confluent-schema-registry, unchanged, works against our registry for Avro,
// Protobuf and JSON Schema: it registers (checking the subject's compatibility config as it does),
// encodes with the magic byte and id, the values go through the broker, and it decodes them back by
// fetching the schema by id; an incompatible evolution is refused with its
// ResponseError carrying status 409 and Confluent's message (issue 15, "Done when").
// Method: an embedded broker (in memory, free ports); the library points at registryUrl; kafkajs
// produces the encoded values to a topic and consumes them back.
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { COMPATIBILITY, SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry'
import { type Streamline, startStreamline } from '../../../src/embedded/index.ts'
import { roundTrip } from './kafka-roundtrip.ts'

let streamline: Streamline
let registry: SchemaRegistry

before(async () => {
  streamline = await startStreamline()
  registry = new SchemaRegistry({ host: streamline.registryUrl ?? assert.fail('registry disabled') })
})
after(() => streamline.close())

test('Avro: register, encode, produce, consume, decode; evolution checked', async () => {
  const schema = {
    type: 'record',
    name: 'Payment',
    namespace: 'shop',
    fields: [
      { name: 'id', type: 'string' },
      { name: 'amount', type: 'double' },
    ],
  }
  const { id } = await registry.register(
    { type: SchemaType.AVRO, schema: JSON.stringify(schema) },
    { subject: 'payments-value', compatibility: COMPATIBILITY.BACKWARD },
  )
  const values = [
    { id: 'a', amount: 1.5 },
    { id: 'b', amount: 20 },
  ]
  const encoded = await Promise.all(values.map((value) => registry.encode(id, value)))
  assert.equal(encoded[0][0], 0)
  assert.equal(encoded[0].readInt32BE(1), id)
  const consumed = await roundTrip(streamline.bootstrap, 'payments', encoded)
  const fresh = new SchemaRegistry({ host: streamline.registryUrl ?? '' })
  // avsc decodes into instances of a generated record class: compare their fields.
  const decoded = (await Promise.all(consumed.map((buffer) => fresh.decode(buffer)))) as object[]
  assert.deepEqual(
    decoded.map((value) => ({ ...value })),
    values,
  )
  assert.equal(await fresh.getLatestSchemaId('payments-value'), id)
  assert.equal(
    await fresh.getRegistryIdBySchema('payments-value', {
      type: SchemaType.AVRO,
      schema: JSON.stringify(schema),
    }),
    id,
  )

  const evolved = {
    ...schema,
    fields: [...schema.fields, { name: 'currency', type: 'string', default: 'EUR' }],
  }
  const second = await registry.register(
    { type: SchemaType.AVRO, schema: JSON.stringify(evolved) },
    { subject: 'payments-value', compatibility: COMPATIBILITY.BACKWARD },
  )
  assert.equal(second.id, id + 1)
  // amount as a string cannot read the doubles written before.
  const broken = { ...schema, fields: [schema.fields[0], { name: 'amount', type: 'string' }] }
  await assert.rejects(
    registry.register(
      { type: SchemaType.AVRO, schema: JSON.stringify(broken) },
      { subject: 'payments-value', compatibility: COMPATIBILITY.BACKWARD },
    ),
    (error: Error & { status?: number }) => {
      assert.equal(error.name, 'ResponseError') // the library's error for any non-2xx answer
      assert.equal(error.status, 409)
      assert.match(error.message, /incompatible/)
      return true
    },
  )
})

test('Protobuf: register, encode, produce, consume, decode', async () => {
  const schema = `syntax = "proto3";
package shop;

message Order {
  string id = 1;
  int32 quantity = 2;
  repeated string tags = 3;
}
`
  const { id } = await registry.register({ type: SchemaType.PROTOBUF, schema }, { subject: 'orders-value' })
  const values = [
    { id: 'o1', quantity: 3, tags: ['x', 'y'] },
    { id: 'o2', quantity: 1, tags: [] },
  ]
  const encoded = await Promise.all(values.map((value) => registry.encode(id, value)))
  const consumed = await roundTrip(streamline.bootstrap, 'orders', encoded)
  const fresh = new SchemaRegistry({ host: streamline.registryUrl ?? '' })
  const decoded = (await Promise.all(consumed.map((buffer) => fresh.decode(buffer)))) as Record<
    string,
    unknown
  >[]
  assert.deepEqual(
    decoded.map((value) => ({ id: value.id, quantity: value.quantity, tags: value.tags })),
    values,
  )
})

test('JSON Schema: register, encode (validated), produce, consume, decode', async () => {
  const schema = {
    $schema: 'http://json-schema.org/draft-07/schema#',
    type: 'object',
    properties: { name: { type: 'string' }, score: { type: 'integer' } },
    required: ['name'],
  }
  const { id } = await registry.register(
    { type: SchemaType.JSON, schema: JSON.stringify(schema) },
    { subject: 'scores-value' },
  )
  const values = [{ name: 'ada', score: 10 }, { name: 'alan' }]
  const encoded = await Promise.all(values.map((value) => registry.encode(id, value)))
  await assert.rejects(registry.encode(id, { score: 1 }))
  const consumed = await roundTrip(streamline.bootstrap, 'scores', encoded)
  const fresh = new SchemaRegistry({ host: streamline.registryUrl ?? '' })
  assert.deepEqual(await Promise.all(consumed.map((buffer) => fresh.decode(buffer))), values)
})
