// Goal: broker-side schema validation as Confluent Server's (`confluent.key/value.schema.validation`,
// `confluent.key/value.subject.name.strategy`), plus our opt-in `streamline.schema.validation.decode`:
// on a validated topic a record whose value (or key) lacks the magic byte, names an unknown schema id,
// or an id not registered under the strategy's subject is refused with INVALID_RECORD (87) and a
// per-record error naming it; nothing of a refused batch is appended; tombstones pass; topics
// without the configs take anything.
// Method: an embedded broker (in memory, free ports). @kafkajs/confluent-schema-registry registers
// and encodes; kafkajs creates topics with the configs, produces good and bad records and consumes
// the log back (exact values); a Produce v9 request built with the codec client reads the exact
// per-record errors of a mixed batch; Python's confluent_kafka (Debian) produces with its JSON Schema
// serializer (accepted) and raw bytes (delivery error INVALID_RECORD).
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry'
import { Kafka, logLevel } from 'kafkajs'
import { type Streamline, startStreamline } from '../../src/embedded/index.ts'
import { buildBatch } from '../../src/protocol/records/batch-v2.ts'
import { requireClient } from '../helpers/clients.ts'
import { CodecClient, produceRequestBody } from '../helpers/kafka-codec-client.ts'
import { runPython } from '../helpers/python.ts'
import { call } from './helpers.ts'

const invalidRecord = 87

let streamline: Streamline
let registry: SchemaRegistry
let kafka: Kafka

const order = {
  type: 'record',
  name: 'Order',
  namespace: 'shop',
  fields: [
    { name: 'id', type: 'string' },
    { name: 'cents', type: 'long' },
  ],
}
const refund = { type: 'record', name: 'Refund', namespace: 'shop', fields: [{ name: 'id', type: 'string' }] }

async function createTopic(topic: string, configs: Record<string, string>): Promise<void> {
  const admin = kafka.admin()
  await admin.connect()
  try {
    await admin.createTopics({
      topics: [
        {
          topic,
          numPartitions: 1,
          configEntries: Object.entries(configs).map(([name, value]) => ({ name, value })),
        },
      ],
      waitForLeaders: true,
    })
  } finally {
    await admin.disconnect()
  }
}

/** Registers through the REST API (any format, any schema); the id. */
async function registerRaw(subject: string, body: object): Promise<number> {
  const answer = await call(streamline.registryUrl ?? '', 'POST', `/subjects/${subject}/versions`, body)
  assert.equal(answer.status, 200, answer.text)
  return (answer.json as { id: number }).id
}

/** Confluent's wire format: magic byte 0, the id, the payload. */
function framed(id: number, payload: Buffer): Buffer {
  const header = Buffer.alloc(5)
  header.writeInt32BE(id, 1)
  return Buffer.concat([header, payload])
}

/** Sends one record; resolves to null when accepted, or the Kafka error type when refused. */
async function send(
  topic: string,
  message: { key?: Buffer | null; value: Buffer | null },
): Promise<string | null> {
  const producer = kafka.producer({ retry: { retries: 0 } })
  await producer.connect()
  try {
    await producer.send({ topic, acks: -1, messages: [message] })
    return null
  } catch (error) {
    const cause = (error as { type?: string; cause?: { type?: string } }).type
    return cause ?? (error as Error).message
  } finally {
    await producer.disconnect()
  }
}

/** Every record of partition 0, from the start (values as hex, null kept). */
async function logOf(topic: string, count: number): Promise<(string | null)[]> {
  const consumer = kafka.consumer({
    groupId: `${topic}-check`,
    sessionTimeout: 10_000,
    heartbeatInterval: 500,
  })
  await consumer.connect()
  await consumer.subscribe({ topics: [topic], fromBeginning: true })
  const values: (string | null)[] = []
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`read ${values.length} of ${count}`)), 20_000)
      consumer
        .run({
          eachMessage: async ({ message }) => {
            values.push(message.value === null ? null : message.value.toString('hex'))
            if (values.length === count) {
              clearTimeout(timer)
              resolve()
            }
          },
        })
        .catch(reject)
    })
  } finally {
    await consumer.disconnect()
  }
  return values
}

before(async () => {
  streamline = await startStreamline()
  registry = new SchemaRegistry({ host: streamline.registryUrl ?? assert.fail('registry disabled') })
  kafka = new Kafka({
    clientId: 'validation-test',
    brokers: [streamline.bootstrap],
    logLevel: logLevel.NOTHING,
    retry: { retries: 3, initialRetryTime: 100 },
  })
})
after(() => streamline.close())

describe('TopicNameStrategy on values', () => {
  it('accepts ids registered under <topic>-value and tombstones; refuses the rest with INVALID_RECORD', async () => {
    await createTopic('orders', { 'confluent.value.schema.validation': 'true' })
    const { id } = await registry.register(
      { type: SchemaType.AVRO, schema: JSON.stringify(order) },
      { subject: 'orders-value' },
    )
    const { id: otherId } = await registry.register(
      { type: SchemaType.AVRO, schema: JSON.stringify(refund) },
      { subject: 'refunds-value' },
    )
    const good = await registry.encode(id, { id: 'o1', cents: 250 })
    assert.equal(await send('orders', { value: good }), null)
    assert.equal(await send('orders', { key: Buffer.from('k'), value: null }), null)
    assert.equal(await send('orders', { value: Buffer.from('{"id":"o2"}') }), 'INVALID_RECORD')
    assert.equal(
      await send('orders', { value: await registry.encode(otherId, { id: 'r1' }) }),
      'INVALID_RECORD',
    )
    const unknown = Buffer.from(good)
    unknown.writeInt32BE(999_999, 1)
    assert.equal(await send('orders', { value: unknown }), 'INVALID_RECORD')
    assert.equal(await send('orders', { value: Buffer.from([0, 0, 0]) }), 'INVALID_RECORD')
    // Keys are not checked unless confluent.key.schema.validation is on.
    assert.equal(await send('orders', { key: Buffer.from('plain'), value: good }), null)
    assert.deepEqual(await logOf('orders', 3), [good.toString('hex'), null, good.toString('hex')])
  })

  it('answers Produce v9 with one error per refused record, naming it, and appends nothing', async () => {
    const id = await registry.getLatestSchemaId('orders-value')
    const good = await registry.encode(id, { id: 'o3', cents: 1 })
    const batch = await buildBatch({
      records: [good, Buffer.from('raw'), good, Buffer.from([0, 0x7f, 0, 0, 0])].map((value) => ({
        key: null,
        value,
        timestamp: Date.now(),
      })),
    })
    const [host, port] = streamline.bootstrap.split(':')
    const client = await CodecClient.open(host, Number(port))
    try {
      const response = await client.request(0, 9, produceRequestBody('orders', 0, batch))
      const partition = response.responses[0].partitionResponses[0]
      assert.equal(partition.errorCode, invalidRecord)
      assert.equal(partition.baseOffset, -1n)
      assert.deepEqual(partition.recordErrors, [
        {
          batchIndex: 1,
          batchIndexErrorMessage:
            'Record 1: the value has no magic byte and schema id (Confluent wire format expected)',
        },
        {
          batchIndex: 3,
          batchIndexErrorMessage: `Record 3: the value names schema id ${0x7f000000}, which is not registered`,
        },
      ])
      assert.match(
        partition.errorMessage ?? '',
        /^2 of 4 records to orders-0 failed schema validation; first: Record 1/,
      )
    } finally {
      client.close()
    }
    // Nothing of the refused batch was appended: the next accepted record lands at offset 3.
    const producer = kafka.producer()
    await producer.connect()
    const [written] = await producer.send({ topic: 'orders', acks: -1, messages: [{ value: good }] })
    await producer.disconnect()
    assert.equal(written.baseOffset, '3')
  })

  it('topics without the configs take any bytes', async () => {
    await createTopic('free', {})
    assert.equal(await send('free', { value: Buffer.from('anything') }), null)
  })
})

describe('keys, record name strategies and the decode check', () => {
  it('validates keys under <topic>-key', async () => {
    await createTopic('keyed', { 'confluent.key.schema.validation': 'true' })
    const id = await registerRaw('keyed-key', { schema: '"string"' })
    // The Avro string "customer-1": its length 10 zigzag-encoded (0x14), then the bytes.
    const key = framed(id, Buffer.concat([Buffer.from([0x14]), Buffer.from('customer-1')]))
    assert.equal(await send('keyed', { key, value: Buffer.from('v') }), null)
    assert.equal(
      await send('keyed', { key: Buffer.from('customer-1'), value: Buffer.from('v') }),
      'INVALID_RECORD',
    )
    assert.equal(await send('keyed', { key: null, value: Buffer.from('v') }), null)
  })

  it('RecordNameStrategy and TopicRecordNameStrategy name subjects after the record', async () => {
    await createTopic('events', {
      'confluent.value.schema.validation': 'true',
      'confluent.value.subject.name.strategy': 'io.confluent.kafka.serializers.subject.RecordNameStrategy',
    })
    await createTopic('audit', {
      'confluent.value.schema.validation': 'true',
      'confluent.value.subject.name.strategy': 'TopicRecordNameStrategy',
    })
    const schema = { type: SchemaType.AVRO as const, schema: JSON.stringify(refund) }
    const { id: byRecord } = await registry.register(schema, { subject: 'shop.Refund' })
    const value = await registry.encode(byRecord, { id: 'r9' })
    assert.equal(await send('events', { value }), null)
    // Registered as shop.Refund but not as audit-shop.Refund.
    assert.equal(await send('audit', { value }), 'INVALID_RECORD')
    await registry.register(schema, { subject: 'audit-shop.Refund' })
    assert.equal(await send('audit', { value }), null)
    // An id registered only under <topic>-value does not satisfy RecordNameStrategy.
    const orderId = await registry.getLatestSchemaId('orders-value')
    assert.equal(
      await send('events', { value: await registry.encode(orderId, { id: 'o', cents: 1 }) }),
      'INVALID_RECORD',
    )
  })

  it('streamline.schema.validation.decode refuses payloads that do not decode with their schema', async () => {
    await createTopic('strict', {
      'confluent.value.schema.validation': 'true',
      'streamline.schema.validation.decode': 'true',
    })
    const { id } = await registry.register(
      { type: SchemaType.AVRO, schema: JSON.stringify(order) },
      { subject: 'strict-value' },
    )
    const good = await registry.encode(id, { id: 'ok', cents: 5 })
    assert.equal(await send('strict', { value: good }), null)
    assert.equal(await send('strict', { value: good.subarray(0, good.length - 1) }), 'INVALID_RECORD')
    assert.equal(await send('strict', { value: Buffer.concat([good, Buffer.from([1])]) }), 'INVALID_RECORD')
    const json = {
      $schema: 'http://json-schema.org/draft-07/schema#',
      type: 'object',
      properties: { n: { type: 'integer' } },
      required: ['n'],
    }
    await call(streamline.registryUrl ?? '', 'PUT', '/config/strict-value', { compatibility: 'NONE' })
    const jsonId = await registerRaw('strict-value', { schemaType: 'JSON', schema: JSON.stringify(json) })
    assert.equal(await send('strict', { value: framed(jsonId, Buffer.from('{"n":3}')) }), null)
    assert.equal(await send('strict', { value: framed(jsonId, Buffer.from('{"n":"x"}')) }), 'INVALID_RECORD')
    assert.equal(await send('strict', { value: framed(jsonId, Buffer.from('{"n":')) }), 'INVALID_RECORD')
    const proto = 'syntax = "proto3";\npackage acme;\nmessage Ping { int32 seq = 1; }\n'
    const protoId = await registerRaw('strict-value', { schemaType: 'PROTOBUF', schema: proto })
    // Message indexes [0] (a lone 0), then field 1 (varint) = 7.
    assert.equal(await send('strict', { value: framed(protoId, Buffer.from([0, 0x08, 0x07])) }), null)
    // Field 1 without its value; then indexes [1] naming a second message the schema does not have.
    assert.equal(await send('strict', { value: framed(protoId, Buffer.from([0, 0x08])) }), 'INVALID_RECORD')
    assert.equal(
      await send('strict', { value: framed(protoId, Buffer.from([2, 2, 0x08, 0x07])) }),
      'INVALID_RECORD',
    )
  })

  it('refuses unknown strategy names with INVALID_CONFIG', async () => {
    const admin = kafka.admin()
    await admin.connect()
    try {
      await assert.rejects(
        admin.createTopics({
          topics: [
            {
              topic: 'bad-strategy',
              configEntries: [{ name: 'confluent.value.subject.name.strategy', value: 'Mine' }],
            },
          ],
        }),
        (error: unknown) => {
          const errors = (error as { errors?: { type: string }[] }).errors ?? []
          assert.equal(errors[0]?.type, 'INVALID_CONFIG')
          return true
        },
      )
    } finally {
      await admin.disconnect()
    }
  })
})

const pythonSkip = requireClient('confluent-kafka-schema-registry')

const pythonScript = `
import json, sys
from confluent_kafka import Producer, SerializingProducer
from confluent_kafka.schema_registry import SchemaRegistryClient
from confluent_kafka.schema_registry.json_schema import JSONSerializer
bootstrap, url, topic = sys.argv[1], sys.argv[2], sys.argv[3]
schema = json.dumps({'$schema': 'http://json-schema.org/draft-07/schema#', 'title': 'Visit', 'type': 'object',
                     'properties': {'page': {'type': 'string'}}, 'required': ['page']})
results = []
def report(err, msg):
    results.append(None if err is None else err.name())
serializing = SerializingProducer({'bootstrap.servers': bootstrap,
    'value.serializer': JSONSerializer(schema, SchemaRegistryClient({'url': url}))})
serializing.produce(topic, value={'page': '/home'}, on_delivery=report)
serializing.flush(30)
raw = Producer({'bootstrap.servers': bootstrap, 'retries': 0})
raw.produce(topic, value=b'{"page": "/raw"}', on_delivery=report)
raw.flush(30)
print(json.dumps(results))
`

it('confluent_kafka (Python): the JSON Schema serializer is accepted, raw bytes get INVALID_RECORD', {
  skip: pythonSkip,
  timeout: 60_000,
}, async () => {
  await createTopic('py-visits', { 'confluent.value.schema.validation': 'true' })
  const results = await runPython(pythonScript, {
    args: [streamline.bootstrap, streamline.registryUrl ?? '', 'py-visits'],
    timeoutMs: 45_000,
  })
  assert.deepEqual(results, [null, 'INVALID_RECORD'])
})
