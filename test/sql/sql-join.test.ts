// Goal: CREATE STREAM … JOIN TABLE('<topic>') enriches each stream record with the table's latest
// value for its key (INNER drops records without one, LEFT keeps them with NULLs; a tombstone deletes
// a key; the lookup sees the table as it is when the record is processed); the stream side keeps its
// offset pushdown; materialized views (TUMBLE, HOP, SESSION) join a table and group by its columns;
// malformed join statements answer 400 with the position and the broker keeps serving.
// Method: an embedded broker (free ports, temporary data dir); kafkajs (a client we did not write)
// produces the table (a compacted topic) and the stream; statements go through POST /api/v1/query;
// the output topics are read with SQL in offset order and compared with literal expected rows.

import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { Kafka, logLevel } from 'kafkajs'
import { type Streamline, startStreamline } from '../../src/embedded/index.ts'
import { makeTempDir, removeTempDir } from '../helpers/broker-process.ts'
import { type ApiAnswer, call, fields } from '../operability/http-client.ts'

let dataDir: string
let streamline: Streamline

function query(sql: string): Promise<ApiAnswer> {
  return call(streamline.httpUrl ?? assert.fail('http disabled'), 'POST', '/api/v1/query', { sql })
}

async function rows(sql: string): Promise<unknown[][]> {
  const answer = await query(sql)
  assert.equal(answer.status, 200, JSON.stringify(answer.body))
  return fields(answer).rows as unknown[][]
}

async function produce(
  topic: string,
  messages: Array<{ key: string; value: string | null; partition?: number }>,
) {
  const kafka = new Kafka({
    clientId: 'sql-join',
    brokers: [streamline.bootstrap],
    logLevel: logLevel.NOTHING,
  })
  const producer = kafka.producer({ allowAutoTopicCreation: false })
  await producer.connect()
  await producer.send({ topic, messages })
  await producer.disconnect()
}

/** The output topic's key and value in order id order once it holds `count` records. */
async function outputOf(topic: string, count: number): Promise<unknown[][]> {
  const deadline = Date.now() + 20_000
  for (;;) {
    const found = await rows(
      `SELECT key, value FROM streamline_topic('${topic}') ORDER BY (value->>'$.order')::INT`,
    )
    if (found.length >= count) return found
    assert.ok(Date.now() < deadline, `${topic} has ${found.length} of ${count} records`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

const order = (key: string, id: number, partition: number) => ({
  key,
  value: JSON.stringify({ id }),
  partition,
})

before(async () => {
  dataDir = await makeTempDir('streamline-sql-join-')
  streamline = await startStreamline({ dataDir })
  const admin = new Kafka({
    clientId: 'sql-join',
    brokers: [streamline.bootstrap],
    logLevel: logLevel.NOTHING,
  }).admin()
  await admin.connect()
  await admin.createTopics({
    topics: [
      { topic: 'users', numPartitions: 1, configEntries: [{ name: 'cleanup.policy', value: 'compact' }] },
      { topic: 'orders', numPartitions: 2 },
    ],
  })
  await admin.disconnect()
})

after(async () => {
  await streamline.close()
  await removeTempDir(dataDir)
})

test('stream–table joins: INNER and LEFT, latest value per key, tombstones, lookup at processing time', async () => {
  await produce('users', [
    { key: 'u1', value: JSON.stringify({ name: 'Ann' }) },
    { key: 'u2', value: JSON.stringify({ name: 'Bob' }) },
    { key: 'u3', value: JSON.stringify({ name: 'Cy' }) },
    { key: 'u2', value: JSON.stringify({ name: 'Bobby' }) },
    { key: 'u3', value: null },
  ])
  await produce('orders', [order('u1', 1, 0), order('u2', 2, 1), order('u3', 3, 0), order('u4', 4, 1)])
  const select = `SELECT o.key, json_object('order', (o.value->>'$.id')::INT, 'name', u.value->>'$.name') AS value
    FROM streamline_topic('orders') o`
  await rows(`CREATE STREAM orders_named AS ${select} JOIN TABLE('users') u ON o.key = u.key`)
  await rows(
    `CREATE STREAM orders_all AS ${select} LEFT JOIN TABLE('users') AS u ON o.key = u.key WHERE o.key <> 'u9'`,
  )
  const named = (key: string, id: number, name: string | null) => [key, JSON.stringify({ order: id, name })]
  assert.deepEqual(await outputOf('orders_named', 2), [named('u1', 1, 'Ann'), named('u2', 2, 'Bobby')])
  assert.deepEqual(await outputOf('orders_all', 4), [
    named('u1', 1, 'Ann'),
    named('u2', 2, 'Bobby'),
    named('u3', 3, null),
    named('u4', 4, null),
  ])
  // The table changes; later orders see the new values, earlier outputs stay as they were.
  await produce('users', [
    { key: 'u1', value: JSON.stringify({ name: 'Annie' }) },
    { key: 'u4', value: JSON.stringify({ name: 'Dee' }) },
  ])
  await produce('orders', [order('u1', 5, 0), order('u4', 6, 1), order('u9', 7, 1)])
  assert.deepEqual(await outputOf('orders_named', 4), [
    named('u1', 1, 'Ann'),
    named('u2', 2, 'Bobby'),
    named('u1', 5, 'Annie'),
    named('u4', 6, 'Dee'),
  ])
  assert.deepEqual(await outputOf('orders_all', 6), [
    named('u1', 1, 'Ann'),
    named('u2', 2, 'Bobby'),
    named('u3', 3, null),
    named('u4', 4, null),
    named('u1', 5, 'Annie'),
    named('u4', 6, 'Dee'),
  ])
  const shown = (await rows('SHOW QUERIES')).find((row) => row[0] === 'orders_named')
  assert.deepEqual(shown?.slice(0, 6), [
    'orders_named',
    'STREAM',
    'orders',
    'orders_named',
    'RUNNING',
    JSON.stringify({ 0: 3, 1: 4 }),
  ])
})

/** A view's contents once SHOW QUERIES reports `offsets`: latest value per key, sorted by key. */
async function viewOf(name: string, offsets: Record<number, number>): Promise<Array<[string, unknown]>> {
  const deadline = Date.now() + 20_000
  for (;;) {
    const shown = (await rows('SHOW QUERIES')).find((row) => row[0] === name)
    if (shown?.[5] === JSON.stringify(offsets)) break
    assert.ok(Date.now() < deadline, `${name} did not catch up: ${JSON.stringify(shown)}`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  const latest = new Map<string, unknown>()
  for (const [key, value] of await rows(
    `SELECT key, value FROM streamline_topic('${name}') ORDER BY "offset"`,
  )) {
    latest.set(String(key), JSON.parse(String(value)))
  }
  return [...latest].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
}

test('materialized views join a table: TUMBLE (LEFT), HOP (INNER) and SESSION (LEFT) windows grouped by a table column', async () => {
  const baseMs = Date.UTC(2026, 0, 15, 10, 0, 0)
  const kafka = new Kafka({
    clientId: 'sql-join',
    brokers: [streamline.bootstrap],
    logLevel: logLevel.NOTHING,
  })
  const admin = kafka.admin()
  await admin.connect()
  await admin.createTopics({
    topics: [
      { topic: 'members', numPartitions: 1, configEntries: [{ name: 'cleanup.policy', value: 'compact' }] },
      { topic: 'purchases', numPartitions: 1 },
    ],
  })
  await admin.disconnect()
  await produce('members', [
    { key: 'm1', value: JSON.stringify({ country: 'DE' }) },
    { key: 'm2', value: JSON.stringify({ country: 'FR' }) },
  ])
  const producer = kafka.producer({ allowAutoTopicCreation: false })
  await producer.connect()
  await producer.send({
    topic: 'purchases',
    messages: [
      ['m1', 1, 10],
      ['m1', 2, 20],
      ['m2', 3, 5],
      ['m3', 4, 7],
      ['m1', 61, 1],
    ].map(([key, seconds, amount]) => ({
      key: String(key),
      value: JSON.stringify({ amount }),
      timestamp: String(baseMs + Number(seconds) * 1000),
    })),
  })
  await producer.disconnect()
  await rows(`CREATE MATERIALIZED VIEW sales_by_country AS
    SELECT u.value->>'$.country' AS country, count(*) AS n, sum((o.value->>'$.amount')::INT) AS total
    FROM streamline_topic('purchases') o LEFT JOIN TABLE('members') u ON o.key = u.key
    WHERE (o.value->>'$.amount')::INT > 0
    GROUP BY TUMBLE(o.timestamp, INTERVAL '1' MINUTE), country`)
  await rows(`CREATE MATERIALIZED VIEW hop_by_country AS
    SELECT u.value->>'$.country' AS country, count(*) AS n
    FROM streamline_topic('purchases') AS o JOIN TABLE('members') AS u ON o.key = u.key
    GROUP BY HOP(o.timestamp, INTERVAL '30' SECOND, INTERVAL '1' MINUTE), country`)
  const at = (seconds: number) =>
    new Date(baseMs + seconds * 1000).toISOString().replace('T', ' ').replace('.000Z', '')
  const tumble = (start: number, country: string | null, n: number, total: number): [string, unknown] => [
    JSON.stringify([at(start), country]),
    { window_start: at(start), window_end: at(start + 60), country, n, total },
  ]
  assert.deepEqual(await viewOf('sales_by_country', { 0: 5 }), [
    tumble(0, 'DE', 2, 30),
    tumble(0, 'FR', 1, 5),
    tumble(0, null, 1, 7),
    tumble(60, 'DE', 1, 1),
  ])
  const hop = (start: number, country: string, n: number): [string, unknown] => [
    JSON.stringify([at(start), country]),
    { window_start: at(start), window_end: at(start + 60), country, n },
  ]
  assert.deepEqual(await viewOf('hop_by_country', { 0: 5 }), [
    hop(-30, 'DE', 2),
    hop(-30, 'FR', 1),
    hop(0, 'DE', 2),
    hop(0, 'FR', 1),
    hop(30, 'DE', 1),
    hop(60, 'DE', 1),
  ])
  // SESSION windows over the joined rows, grouped by the table's column (LEFT: m3 has no member).
  await rows(`CREATE MATERIALIZED VIEW session_by_country AS
    SELECT u.value->>'$.country' AS country, count(*) AS n
    FROM streamline_topic('purchases') o LEFT JOIN TABLE('members') u ON o.key = u.key
    GROUP BY SESSION(o.timestamp, INTERVAL '1' MINUTE), country`)
  const session = (start: number, end: number, country: string | null, n: number): [string, unknown] => [
    JSON.stringify([at(start), country]),
    { window_start: at(start), window_end: at(end), country, n },
  ]
  assert.deepEqual(await viewOf('session_by_country', { 0: 5 }), [
    session(1, 61, 'DE', 3),
    session(3, 3, 'FR', 1),
    session(4, 4, null, 1),
  ])
})

test('malformed join statements answer 400/404 with the position; the broker keeps serving', async () => {
  const cases: Array<[string, number, string, RegExp]> = [
    [
      `CREATE STREAM j AS SELECT o.value FROM streamline_topic('orders') o JOIN streamline_topic('users') u ON o.key = u.key`,
      400,
      'INVALID_SQL',
      /^at position 101: expected WITHIN <interval> \(a stream–stream join is windowed/,
    ],
    [
      `CREATE STREAM j AS SELECT o.value FROM streamline_topic('orders') o JOIN TABLE('users') u`,
      400,
      'INVALID_SQL',
      /^at position 89: expected ON <join condition> \(the statement ended\)/,
    ],
    [
      `CREATE STREAM j AS SELECT o.value FROM streamline_topic('orders') o RIGHT JOIN TABLE('users') u ON true`,
      400,
      'UNSUPPORTED_STATEMENT',
      /^at position 68: expected \[INNER \| LEFT\] JOIN TABLE/,
    ],
    [
      `CREATE STREAM j AS SELECT o.value FROM streamline_topic('orders') o JOIN TABLE(users) u ON true`,
      400,
      'INVALID_SQL',
      /^at position 79: expected the table's topic as a string literal/,
    ],
    [
      `CREATE STREAM j AS SELECT o.value FROM streamline_topic('orders') o JOIN TABLE('nope') u ON true`,
      404,
      'UNKNOWN_TOPIC_OR_PARTITION',
      /nope/,
    ],
    [
      `CREATE STREAM j AS SELECT o.value FROM streamline_topic('orders') o JOIN TABLE('users') u ON o.missing = u.key`,
      400,
      'INVALID_SQL',
      /Binder Error/,
    ],
  ]
  for (const [sql, status, code, message] of cases) {
    const answer = await query(sql)
    assert.equal(answer.status, status, sql)
    assert.equal(fields(answer).code, code, sql)
    assert.match(String(fields(answer).message), message, sql)
  }
  assert.equal((await rows('SHOW QUERIES')).filter((row) => row[0] === 'j').length, 0)
  assert.deepEqual(await rows('SELECT 1 AS one'), [[1]])
})
