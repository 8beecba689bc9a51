// Goal: registry-decoded Avro values carry their logical types into SQL: date → DATE, time-millis /
// time-micros → TIME, timestamp-millis / timestamp-micros and local-timestamp-* → TIMESTAMP, decimal
// (bytes and fixed) → DECIMAL(p,s), uuid → UUID, with exact values (negative decimals and times before
// 1970 included); a logical type on the wrong underlying type stays that type, as Avro says. And a
// schema registered in a non-default registry context (`:.lab:<topic>-value`, whose ids start again
// at 1) is looked up there, as Confluent's deserializer does, not in the default context where the
// same id names another schema.
// Method: an embedded broker (in memory, free ports); Confluent's own serializer
// (@confluentinc/schemaregistry's AvroSerializer, with the underlying values as a Java producer
// writes them) registers the schemas over HTTP, one client in a context by its base URL
// (`/contexts/.lab`); kafkajs produces the records through the broker; queries run through the
// embedded API.

import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { AvroSerializer, SchemaRegistryClient, SerdeType } from '@confluentinc/schemaregistry'
import { Kafka, logLevel, type Producer } from 'kafkajs'
import { type Streamline, startStreamline } from '../../src/embedded/index.ts'

let streamline: Streamline
let producer: Producer

before(async () => {
  streamline = await startStreamline()
  const kafka = new Kafka({
    clientId: 'sql-avro-logical',
    brokers: [streamline.bootstrap],
    logLevel: logLevel.NOTHING,
  })
  producer = kafka.producer()
  await producer.connect()
})

after(async () => {
  await producer?.disconnect()
  await streamline?.close()
})

/** An Avro decimal's bytes: the unscaled value in big-endian two's complement (`size` bytes, or minimal). */
function decimalBytes(unscaled: bigint, size?: number): Buffer {
  let length = size ?? 1
  while (
    size === undefined &&
    (unscaled >= 1n << BigInt(length * 8 - 1) || unscaled < -(1n << BigInt(length * 8 - 1)))
  )
    length += 1
  const bytes = Buffer.alloc(length)
  let rest = BigInt.asUintN(length * 8, unscaled)
  for (let index = length - 1; index >= 0; index--) {
    bytes[index] = Number(rest & 0xffn)
    rest >>= 8n
  }
  return bytes
}

const reading = {
  type: 'record',
  name: 'Reading',
  namespace: 'lab',
  fields: [
    { name: 'day', type: { type: 'int', logicalType: 'date' } },
    { name: 'at_ms', type: { type: 'long', logicalType: 'timestamp-millis' } },
    { name: 'at_us', type: { type: 'long', logicalType: 'timestamp-micros' } },
    { name: 'local_ms', type: { type: 'long', logicalType: 'local-timestamp-millis' } },
    { name: 'local_us', type: { type: 'long', logicalType: 'local-timestamp-micros' } },
    { name: 't_ms', type: { type: 'int', logicalType: 'time-millis' } },
    { name: 't_us', type: { type: 'long', logicalType: 'time-micros' } },
    { name: 'price', type: { type: 'bytes', logicalType: 'decimal', precision: 9, scale: 2 } },
    {
      name: 'balance',
      type: [
        'null',
        { type: 'fixed', name: 'Balance', size: 8, logicalType: 'decimal', precision: 18, scale: 4 },
      ],
      default: null,
    },
    { name: 'id', type: { type: 'string', logicalType: 'uuid' } },
    { name: 'not_a_date', type: { type: 'string', logicalType: 'date' } },
  ],
}

const atMs = Date.UTC(2026, 0, 15, 10, 30, 45, 123)
const timeOfDayMs = (13 * 3600 + 5 * 60 + 7) * 1000 + 89

test('Avro logical types decode as DATE, TIME, TIMESTAMP, DECIMAL and UUID with exact values', async () => {
  const client = new SchemaRegistryClient({
    baseURLs: [streamline.registryUrl ?? assert.fail('registry disabled')],
  })
  await client.register('readings-value', { schemaType: 'AVRO', schema: JSON.stringify(reading) })
  const latest = new AvroSerializer(client, SerdeType.VALUE, { useLatestVersion: true })
  const values = [
    await latest.serialize('readings', {
      day: Date.UTC(2025, 11, 15) / 86_400_000,
      at_ms: atMs,
      at_us: atMs * 1000 + 456,
      local_ms: atMs,
      local_us: atMs * 1000 + 7,
      t_ms: timeOfDayMs,
      t_us: timeOfDayMs * 1000 + 654,
      price: decimalBytes(-12345n),
      balance: decimalBytes(1234567890123n, 8),
      id: '0f8fad5b-d9cb-469f-a165-70867728950e',
      not_a_date: 'kept as text',
    }),
    await latest.serialize('readings', {
      day: -1,
      at_ms: -1,
      at_us: -1,
      local_ms: 0,
      local_us: 0,
      t_ms: 0,
      t_us: 86_399_999_999,
      price: decimalBytes(0n),
      balance: null,
      id: '00000000-0000-0000-0000-000000000001',
      not_a_date: '',
    }),
  ]
  await producer.send({ topic: 'readings', messages: values.map((value) => ({ value, partition: 0 })) })
  const result = await streamline.query(
    `SELECT v.day, v.at_ms, v.at_us, v.local_ms, v.local_us, v.t_ms, v.t_us, v.price, v.balance, v.id, v.not_a_date,
            v.price * 2 AS doubled, v.day + 1 AS next_day, year(v.at_ms) AS y
     FROM (SELECT value_decoded AS v, "offset" FROM streamline_topic('readings')) ORDER BY "offset"`,
  )
  assert.deepEqual(
    result.columns.map((column) => column.type),
    [
      'DATE',
      'TIMESTAMP',
      'TIMESTAMP',
      'TIMESTAMP',
      'TIMESTAMP',
      'TIME',
      'TIME',
      'DECIMAL(9,2)',
      'DECIMAL(18,4)',
      'UUID',
      'VARCHAR',
      'DECIMAL(18,2)',
      'DATE',
      'BIGINT',
    ],
  )
  assert.deepEqual(result.rows, [
    [
      '2025-12-15',
      '2026-01-15 10:30:45.123',
      '2026-01-15 10:30:45.123456',
      '2026-01-15 10:30:45.123',
      '2026-01-15 10:30:45.123007',
      '13:05:07.089',
      '13:05:07.089654',
      '-123.45',
      '123456789.0123',
      '0f8fad5b-d9cb-469f-a165-70867728950e',
      'kept as text',
      '-246.90',
      '2025-12-16',
      2026,
    ],
    [
      '1969-12-31',
      '1969-12-31 23:59:59.999',
      '1969-12-31 23:59:59.999999',
      '1970-01-01 00:00:00',
      '1970-01-01 00:00:00',
      '00:00:00',
      '23:59:59.999999',
      '0.00',
      null,
      '00000000-0000-0000-0000-000000000001',
      '',
      '0.00',
      '1970-01-01',
      1969,
    ],
  ])
})

test('a schema in a non-default context is read from that context (ids start again at 1 there)', async () => {
  const base = streamline.registryUrl ?? assert.fail('registry disabled')
  const order = {
    type: 'record',
    name: 'Order',
    namespace: 'lab',
    fields: [
      { name: 'sku', type: 'string' },
      { name: 'amount', type: { type: 'bytes', logicalType: 'decimal', precision: 5, scale: 1 } },
    ],
  }
  // A client in context .lab by its base URL alone: it registers `:.lab:lab-orders-value`.
  const inContext = new SchemaRegistryClient({ baseURLs: [`${base}/contexts/.lab`] })
  await inContext.register('lab-orders-value', { schemaType: 'AVRO', schema: JSON.stringify(order) })
  const serializer = new AvroSerializer(inContext, SerdeType.VALUE, { useLatestVersion: true })
  const value = await serializer.serialize('lab-orders', { sku: 'A-1', amount: decimalBytes(-75n) })
  const id = value.readInt32BE(1)
  const root = new SchemaRegistryClient({ baseURLs: [base] })
  assert.deepEqual(await root.getAllSubjects().then((subjects) => subjects.sort()), [
    ':.lab:lab-orders-value',
    'readings-value',
  ])
  // The same id in the default context names the Reading schema of the test above.
  assert.equal(id, 1)
  assert.equal((await root.getBySubjectAndId('readings-value', 1)).schema, JSON.stringify(reading))
  await producer.send({ topic: 'lab-orders', messages: [{ value, partition: 0 }] })
  const result = await streamline.query(
    `SELECT value_schema_id, value_decoded.sku, value_decoded.amount FROM streamline_topic('lab-orders')`,
  )
  assert.deepEqual(
    result.columns.map((column) => column.type),
    ['INTEGER', 'VARCHAR', 'DECIMAL(5,1)'],
  )
  assert.deepEqual(result.rows, [[1, 'A-1', '-7.5']])
})
