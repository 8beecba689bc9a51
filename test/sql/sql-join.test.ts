// Goal: CREATE STREAM … JOIN TABLE('<topic>') enriches each stream record with the table's latest
// value for its key (INNER drops records without one, LEFT keeps them with NULLs; a tombstone deletes
// a key; the lookup sees the table as it is when the record is processed); the stream side keeps its
// offset pushdown; malformed join statements answer 400 with the position and the broker keeps serving.
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
