// Goal: the message browser's `decode=registry` turns Confluent wire-format keys and values into JSON
// through the schema registry (Avro to Avro's JSON encoding, Protobuf to its JSON mapping, JSON Schema
// to the document) with the schema id, type and record name; bytes that are not in the wire format,
// an unregistered id and a payload that does not decode stay bytes with the reason; a bad `decode`
// value is 400 INVALID_REQUEST.
// Method: an embedded broker with its registry (free ports); @kafkajs/confluent-schema-registry (a real
// Confluent serializer client) registers the schemas and encodes the records; kafkajs produces them;
// fetch() browses.

import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry'
import kafkajs from 'kafkajs'
import protobuf from 'protobufjs'
import { type Streamline, startStreamline } from '../../src/embedded/index.ts'
import { call, fields } from './http-client.ts'

const { Kafka, logLevel } = kafkajs

let streamline: Streamline
let registry: SchemaRegistry

before(async () => {
  streamline = await startStreamline()
  registry = new SchemaRegistry({ host: streamline.registryUrl ?? assert.fail('registry disabled') })
})

after(async () => {
  await streamline?.close()
})

interface Field {
  encoding: string
  data: unknown
  schema?: { id: number; type: string | null; name: string | null; error?: string }
}

async function produceAndBrowse(
  topic: string,
  messages: Array<{ key?: Buffer | string; value: Buffer | string }>,
) {
  const kafka = new Kafka({ clientId: 'decode', brokers: [streamline.bootstrap], logLevel: logLevel.NOTHING })
  const producer = kafka.producer()
  await producer.connect()
  await producer.send({ topic, messages: messages.map((message) => ({ ...message, partition: 0 })) })
  await producer.disconnect()
  const answer = await call(
    streamline.httpUrl ?? '',
    'GET',
    `/api/v1/topics/${topic}/partitions/0/messages?decode=registry`,
  )
  assert.equal(answer.status, 200, JSON.stringify(answer.body))
  return fields(answer).messages as Array<{ key: Field | null; value: Field | null }>
}

test('Avro, Protobuf and JSON Schema values decode with their schema id; other bytes stay as they are', async () => {
  const avro = await registry.register(
    {
      type: SchemaType.AVRO,
      schema: JSON.stringify({
        type: 'record',
        name: 'Payment',
        namespace: 'shop',
        fields: [
          { name: 'id', type: 'string' },
          { name: 'amount', type: 'double' },
          { name: 'note', type: ['null', 'string'], default: null },
        ],
      }),
    },
    { subject: 'decoded-value' },
  )
  const protoText =
    'syntax = "proto3";\npackage shop;\nmessage Order { string id = 1; int64 quantity = 2; }\n'
  const proto = await registry.register(
    { type: SchemaType.PROTOBUF, schema: protoText },
    { subject: 'decoded-proto-value' },
  )
  // Confluent's Protobuf wire format has message indexes after the id (a lone 0: the first message);
  // @kafkajs/confluent-schema-registry leaves them out, so the value is built as Confluent's serializer does.
  const order = protobuf.parse(protoText).root.lookupType('shop.Order')
  const protoHeader = Buffer.from([0, 0, 0, 0, 0, 0])
  protoHeader.writeInt32BE(proto.id, 1)
  const protoValue = Buffer.concat([
    protoHeader,
    order.encode(order.create({ id: 'o-1', quantity: 3 })).finish(),
  ])
  const json = await registry.register(
    {
      type: SchemaType.JSON,
      schema: JSON.stringify({
        title: 'Customer',
        type: 'object',
        properties: { name: { type: 'string' } },
        required: ['name'],
      }),
    },
    { subject: 'decoded-json-value' },
  )
  const unregistered = Buffer.from([0, 0, 0, 0x7f, 0x7f, 1, 2, 3])
  const messages = await produceAndBrowse('decoded', [
    { key: 'plain-key', value: await registry.encode(avro.id, { id: 'p-1', amount: 12.5, note: 'gift' }) },
    { value: protoValue },
    { value: await registry.encode(json.id, { name: 'Ada' }) },
    { value: unregistered },
    { value: Buffer.concat([(await registry.encode(avro.id, { id: 'p-2', amount: 1 })).subarray(0, 7)]) },
    { value: '{"plain":true}' },
  ])
  assert.deepEqual(messages[0].key, { encoding: 'text', data: 'plain-key' })
  assert.deepEqual(messages[0].value, {
    encoding: 'json',
    data: { id: 'p-1', amount: 12.5, note: { string: 'gift' } },
    schema: { id: avro.id, type: 'AVRO', name: 'shop.Payment' },
  })
  assert.deepEqual(messages[1].value, {
    encoding: 'json',
    data: { id: 'o-1', quantity: '3' },
    schema: { id: proto.id, type: 'PROTOBUF', name: 'shop.Order' },
  })
  assert.deepEqual(messages[2].value, {
    encoding: 'json',
    data: { name: 'Ada' },
    schema: { id: json.id, type: 'JSON', name: 'Customer' },
  })
  assert.deepEqual(messages[3].value, {
    encoding: 'base64',
    data: unregistered.toString('base64'),
    schema: { id: 0x7f7f, type: null, name: null, error: `schema id ${0x7f7f} is not registered` },
  })
  const truncated = messages[4].value
  assert.equal(truncated?.encoding, 'base64')
  assert.equal(truncated?.schema?.id, avro.id)
  assert.equal(truncated?.schema?.type, 'AVRO')
  assert.match(truncated?.schema?.error ?? '', /truncated|invalid|underflow|trailing/i)
  assert.deepEqual(messages[5].value, { encoding: 'json', data: { plain: true } })
})

test('a bad decode parameter is 400 INVALID_REQUEST and the broker keeps serving', async () => {
  const base = streamline.httpUrl ?? ''
  for (const value of ['avro', '', 'REGISTRY']) {
    const answer = await call(base, 'GET', `/api/v1/topics/decoded/partitions/0/messages?decode=${value}`)
    assert.deepEqual([answer.status, fields(answer).code], [400, 'INVALID_REQUEST'], value)
  }
  const plain = await call(base, 'GET', '/api/v1/topics/decoded/partitions/0/messages?limit=1')
  assert.equal(plain.status, 200)
  assert.deepEqual((fields(plain).messages as Array<{ value: Field }>)[0].value.schema, undefined)
})
