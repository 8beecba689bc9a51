// Goal: `key_decoded` / `value_decoded` of streamline_topic give typed columns: records in Confluent's
// wire format decode through the in-process schema registry into STRUCTs (Avro with schema evolution
// across two versions in one topic, JSON Schema, Protobuf with a nested message, repeated field and
// enum; nested fields and nulls exact), and plain JSON values get the types DuckDB's own read_json
// infers for the same lines. `SELECT *` includes them, a materialized view groups by a decoded field;
// bytes that do not decode (truncated, unregistered id, not JSON) are NULL while the query carries on.
// Method: an embedded broker (in memory, free ports); Confluent's own serializers
// (@confluentinc/schemaregistry) register the schemas with the registry over HTTP and encode the
// values; kafkajs produces them; queries run through the embedded API. The JSON types are compared
// with read_json over the same lines in a file, run by a separate DuckDB instance.

import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { create, createFileRegistry, createMutableRegistry } from '@bufbuild/protobuf'
import { FileDescriptorProtoSchema } from '@bufbuild/protobuf/wkt'
import {
  AvroSerializer,
  JsonSerializer,
  ProtobufSerializer,
  SchemaRegistryClient,
  SerdeType,
} from '@confluentinc/schemaregistry'
import { DuckDBInstance } from '@duckdb/node-api'
import { Kafka, logLevel, type Producer } from 'kafkajs'
import { type Streamline, startStreamline } from '../../src/embedded/index.ts'

let streamline: Streamline
let producer: Producer
let client: SchemaRegistryClient

before(async () => {
  streamline = await startStreamline()
  client = new SchemaRegistryClient({
    baseURLs: [streamline.registryUrl ?? assert.fail('registry disabled')],
  })
  const kafka = new Kafka({
    clientId: 'sql-decoded',
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

async function produce(topic: string, values: Array<Buffer | string | null>): Promise<void> {
  await producer.send({ topic, messages: values.map((value) => ({ value, partition: 0 })) })
}

async function rows(sql: string): Promise<{ types: string[]; rows: unknown[][] }> {
  const result = await streamline.query(sql)
  return { types: result.columns.map((column) => column.type), rows: result.rows }
}

const paymentV1 = {
  type: 'record',
  name: 'Payment',
  namespace: 'shop',
  fields: [
    { name: 'id', type: 'string' },
    { name: 'amount', type: 'double' },
    {
      name: 'customer',
      type: {
        type: 'record',
        name: 'Customer',
        fields: [
          { name: 'name', type: 'string' },
          { name: 'email', type: ['null', 'string'], default: null },
        ],
      },
    },
  ],
}
const paymentV2 = {
  ...paymentV1,
  fields: [
    ...paymentV1.fields,
    { name: 'tags', type: { type: 'array', items: 'string' }, default: [] },
    { name: 'coupon', type: ['null', 'long'], default: null },
  ],
}

test('Avro values of two schema versions in one topic decode into one STRUCT (union of the fields by name)', async () => {
  const v1 = await client.register('payments-value', {
    schemaType: 'AVRO',
    schema: JSON.stringify(paymentV1),
  })
  const first = new AvroSerializer(client, SerdeType.VALUE, { useLatestVersion: true })
  const oldValues = [
    await first.serialize('payments', {
      id: 'p1',
      amount: 12.5,
      customer: { name: 'Ada', email: 'ada@x.io' },
    }),
    await first.serialize('payments', { id: 'p2', amount: 3, customer: { name: 'Bob', email: null } }),
  ]
  const v2 = await client.register('payments-value', {
    schemaType: 'AVRO',
    schema: JSON.stringify(paymentV2),
  })
  // A new client: the first one caches the latest version it saw.
  const fresh = new SchemaRegistryClient({ baseURLs: [streamline.registryUrl ?? ''] })
  const second = new AvroSerializer(fresh, SerdeType.VALUE, { useLatestVersion: true })
  const newValue = await second.serialize('payments', {
    id: 'p3',
    amount: 7.25,
    customer: { name: 'Ada', email: null },
    tags: ['gift', 'eu'],
    coupon: 42,
  })
  const truncated = newValue.subarray(0, 9)
  await produce('payments', [...oldValues, newValue, null, truncated, '{"id":"plain"}'])

  const all = await rows(
    `SELECT "offset", value_schema_id, value_decoded FROM streamline_topic('payments') ORDER BY "offset"`,
  )
  assert.deepEqual(all.types, [
    'BIGINT',
    'INTEGER',
    'STRUCT("id" VARCHAR, "amount" DOUBLE, "customer" STRUCT("name" VARCHAR, "email" VARCHAR), "tags" VARCHAR[], "coupon" BIGINT)',
  ])
  const customer = (name: string, email: string | null) => ({ name, email })
  assert.deepEqual(all.rows, [
    [0, v1, { id: 'p1', amount: 12.5, customer: customer('Ada', 'ada@x.io'), tags: null, coupon: null }],
    [1, v1, { id: 'p2', amount: 3, customer: customer('Bob', null), tags: null, coupon: null }],
    [2, v2, { id: 'p3', amount: 7.25, customer: customer('Ada', null), tags: ['gift', 'eu'], coupon: 42 }],
    [3, null, null],
    [4, v2, null], // a payload cut short does not decode: NULL, the query carries on
    [5, null, { id: 'plain', amount: null, customer: null, tags: null, coupon: null }],
  ])
  const grouped = await rows(
    `SELECT value_decoded.customer.name AS name, sum(value_decoded.amount) AS total, count(value_decoded.customer.email) AS emails
     FROM streamline_topic('payments') WHERE value_decoded IS NOT NULL AND value_schema_id IS NOT NULL GROUP BY ALL ORDER BY name`,
  )
  assert.deepEqual(grouped.rows, [
    ['Ada', 19.75, 1],
    ['Bob', 3, 0],
  ])
  // SELECT * reads the decoded columns without naming them (the engine prepares them and runs again).
  // The type is the union of the schemas of the records the query reads: here only version 1's.
  const star = await streamline.query(`SELECT * FROM streamline_topic('payments') WHERE "offset" = 1`)
  const names = star.columns.map((column) => column.name)
  assert.deepEqual(names.slice(-4), ['key_schema_id', 'value_schema_id', 'key_decoded', 'value_decoded'])
  assert.deepEqual(star.rows[0].slice(-4), [
    null,
    v1,
    null,
    { id: 'p2', amount: 3, customer: customer('Bob', null) },
  ])

  // A materialized view over the decoded value (each step prepares the columns it names).
  await streamline.query(
    `CREATE MATERIALIZED VIEW payments_by_name AS SELECT value_decoded.customer.name AS name, count(*) AS n
     FROM streamline_topic('payments') WHERE value_schema_id IS NOT NULL AND value_decoded IS NOT NULL
     GROUP BY TUMBLE(timestamp, INTERVAL '1' HOUR), name`,
  )
  // Latest value per key (window, name), summed over windows (the records may straddle an hour).
  const perName = `SELECT v->>'$.name' AS name, sum((v->>'$.n')::INT) AS n FROM (SELECT arg_max(value, "offset") AS v
    FROM streamline_topic('payments_by_name') GROUP BY key) GROUP BY ALL ORDER BY name`
  const deadline = Date.now() + 20_000
  let view = await rows(perName)
  while (view.rows.length < 2 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100))
    view = await rows(perName)
  }
  assert.deepEqual(view.rows, [
    ['Ada', 2],
    ['Bob', 1],
  ])
})

test('JSON Schema and Protobuf values (Confluent serializers) decode into STRUCTs', async () => {
  const jsonSchema = JSON.stringify({
    type: 'object',
    properties: {
      user: { type: 'string' },
      visits: { type: 'integer' },
      seen: { type: 'string', format: 'date' },
      last: { $ref: '#/$defs/page' },
    },
    $defs: { page: { type: 'object', properties: { path: { type: 'string' }, ms: { type: 'number' } } } },
  })
  await client.register('visits-value', { schemaType: 'JSON', schema: jsonSchema })
  const json = new JsonSerializer(client, SerdeType.VALUE, { useLatestVersion: true })
  await produce('visits', [
    await json.serialize('visits', {
      user: 'ada',
      visits: 3,
      seen: '2026-12-07',
      last: { path: '/a', ms: 1.5 },
    }),
    await json.serialize('visits', { user: 'bob' }),
  ])
  const visits = await rows(`SELECT value_decoded FROM streamline_topic('visits') ORDER BY "offset"`)
  assert.deepEqual(visits.types, [
    'STRUCT("user" VARCHAR, "visits" BIGINT, "seen" DATE, "last" STRUCT("path" VARCHAR, "ms" DOUBLE))',
  ])
  assert.deepEqual(visits.rows, [
    [{ user: 'ada', visits: 3, seen: '2026-12-07', last: { path: '/a', ms: 1.5 } }],
    [{ user: 'bob', visits: null, seen: null, last: null }],
  ])

  const file = create(FileDescriptorProtoSchema, {
    name: 'shop/order.proto',
    package: 'shop',
    syntax: 'proto3',
    messageType: [
      { name: 'Line', field: [{ name: 'sku', number: 1, type: 9, label: 1, jsonName: 'sku' }] },
      {
        name: 'Order',
        field: [
          { name: 'id', number: 1, type: 9, label: 1, jsonName: 'id' },
          { name: 'quantity', number: 2, type: 3, label: 1, jsonName: 'quantity' },
          { name: 'lines', number: 3, type: 11, label: 3, typeName: '.shop.Line', jsonName: 'lines' },
          { name: 'status', number: 4, type: 14, label: 1, typeName: '.shop.Status', jsonName: 'status' },
        ],
      },
    ],
    enumType: [
      {
        name: 'Status',
        value: [
          { name: 'NEW', number: 0 },
          { name: 'PAID', number: 1 },
        ],
      },
    ],
  })
  const files = createFileRegistry(file, () => undefined)
  const order = files.getMessage('shop.Order') ?? assert.fail('no shop.Order')
  const line = files.getMessage('shop.Line') ?? assert.fail('no shop.Line')
  const protobuf = new ProtobufSerializer(client, SerdeType.VALUE, {
    autoRegisterSchemas: true,
    registry: createMutableRegistry(order),
  })
  await produce('orders', [
    await protobuf.serialize(
      'orders',
      create(order, {
        id: 'o1',
        quantity: 2n,
        lines: [create(line, { sku: 'a' }), create(line, { sku: 'b' })],
        status: 1,
      }),
    ),
    await protobuf.serialize('orders', create(order, { id: 'o2' })),
  ])
  const orders = await rows(`SELECT value_decoded FROM streamline_topic('orders') ORDER BY "offset"`)
  assert.deepEqual(orders.types, [
    'STRUCT("id" VARCHAR, "quantity" BIGINT, "lines" STRUCT("sku" VARCHAR)[], "status" VARCHAR)',
  ])
  assert.deepEqual(orders.rows, [
    [{ id: 'o1', quantity: 2, lines: [{ sku: 'a' }, { sku: 'b' }], status: 'PAID' }],
    [{ id: 'o2', quantity: 0, lines: [], status: 'NEW' }],
  ])
})

test('plain JSON values get the types read_json infers for the same lines', async () => {
  const values = [
    {
      id: 1,
      price: 2.5,
      user: { name: 'ada', tags: ['a'] },
      at: '2026-12-07 10:00:00',
      ok: true,
      x: null,
      mixed: 1,
    },
    {
      id: 2,
      price: 3,
      user: { name: 'bob', zip: '10115' },
      at: '2026-12-07 11:30:00',
      ok: false,
      mixed: 'a',
      items: [{ n: 1 }, { m: 'z' }],
    },
    { id: 3, extra: {}, empty: [] },
  ]
  const lines = values.map((value) => JSON.stringify(value))
  const unregistered = Buffer.from([0, 0, 0, 0x7f, 0x7f, 1, 2, 3])
  await produce('events', [...lines, 'not json', null, unregistered])
  const directory = mkdtempSync(join(tmpdir(), 'sql-decoded-'))
  try {
    writeFileSync(join(directory, 'events.json'), `${lines.join('\n')}\n`)
    const duckdb = await DuckDBInstance.create(':memory:')
    const connection = await duckdb.connect()
    const described = await connection.runAndReadAll(
      `DESCRIBE SELECT * FROM read_json('${join(directory, 'events.json')}', format = 'newline_delimited')`,
    )
    const expected = described.getRows().map(([name, type]) => `${String(name)} ${String(type)}`)
    connection.closeSync()
    duckdb.closeSync()
    const ours = await rows(`DESCRIBE SELECT unnest(value_decoded) FROM streamline_topic('events')`)
    assert.deepEqual(
      ours.rows.map(([name, type]) => `${String(name)} ${String(type)}`),
      expected,
    )
  } finally {
    rmSync(directory, { recursive: true, force: true })
  }
  const picked = await rows(
    `SELECT value_decoded.id, value_decoded.user.name, value_decoded.at, value_decoded.mixed, value_decoded.items
     FROM streamline_topic('events') ORDER BY "offset"`,
  )
  assert.deepEqual(picked.rows, [
    // `mixed` is JSON (a number, then a string): its text.
    [1, 'ada', '2026-12-07 10:00:00', '1', null],
    [
      2,
      'bob',
      '2026-12-07 11:30:00',
      '"a"',
      [
        { n: 1, m: null },
        { n: null, m: 'z' },
      ],
    ],
    [3, null, null, null, null],
    [null, null, null, null, null],
    [null, null, null, null, null],
    [null, null, null, null, null], // an unregistered schema id: NULL
  ])
  // Only a named decoded column costs the inference; a query without it reads the bytes as before.
  assert.deepEqual((await rows(`SELECT count(*) FROM streamline_topic('events')`)).rows, [[6]])
  assert.deepEqual(
    (await rows(`SELECT value_schema_id FROM streamline_topic('events') WHERE value_schema_id IS NOT NULL`))
      .rows,
    [[0x7f7f]],
  )
})
