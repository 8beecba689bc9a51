// Goal: POST /api/v1/query answers real SQL over real topics with exact rows: every column of
// streamline_topic (topic, partition, offset, timestamp, timestamp_type, key, value, headers,
// key_bytes, value_bytes, key/value_schema_id, key/value_decoded), JSON extraction with ->> and json_extract, aggregates, INSERT INTO
// streamline_topic('out') read back by a Kafka consumer; bad SQL answers 400 with DuckDB's message,
// unknown topics 404, and the safety limits hold: external access refused (read_csv('/etc/passwd'),
// ATTACH, INSTALL, COPY … TO, SET), the memory limit and the time limit cancel a query with a clear
// error, and the broker keeps serving Kafka clients and queries afterwards.
// Method: an embedded broker (in memory, free ports); kafkajs (a client we did not write) produces the
// records with explicit partitions, keys, headers and timestamps, and consumes what INSERT wrote;
// queries go through fetch() to the HTTP port, as the CLI will.

import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { Kafka, logLevel, type Producer } from 'kafkajs'
import { type Streamline, startStreamline } from '../../src/embedded/index.ts'
import { type ApiAnswer, call, fields } from '../operability/http-client.ts'

let streamline: Streamline
let kafka: Kafka
let producer: Producer
let query: (body: Record<string, unknown>) => Promise<ApiAnswer>

const baseMs = Date.UTC(2026, 0, 15, 10, 0, 0)
const countries = ['DE', 'FR', 'US']

/** Order i: partition i % 3, key `user-<i % 4>`, JSON value, one header. */
function order(index: number) {
  return {
    partition: index % 3,
    key: `user-${index % 4}`,
    value: JSON.stringify({
      id: index,
      user: { id: index % 4, country: countries[index % 3] },
      total: index * 10,
    }),
    headers: { source: `test-${index}` },
    timestamp: String(baseMs + index * 1000),
  }
}

before(async () => {
  streamline = await startStreamline()
  const baseUrl = streamline.httpUrl ?? assert.fail('http disabled')
  query = (body) => call(baseUrl, 'POST', '/api/v1/query', body)
  kafka = new Kafka({ clientId: 'sql-test', brokers: [streamline.bootstrap], logLevel: logLevel.NOTHING })
  const admin = kafka.admin()
  await admin.connect()
  await admin.createTopics({
    topics: [
      { topic: 'orders', numPartitions: 3 },
      { topic: 'raw', numPartitions: 1 },
      { topic: 'out', numPartitions: 2 },
    ],
  })
  await admin.disconnect()
  producer = kafka.producer({ allowAutoTopicCreation: false })
  await producer.connect()
  await producer.send({ topic: 'orders', messages: Array.from({ length: 12 }, (_, index) => order(index)) })
  await producer.send({
    topic: 'raw',
    messages: [
      { key: Buffer.from([0xff, 0x00]), value: Buffer.from([0xc3, 0x28]), timestamp: String(baseMs) },
      { key: null, value: null, timestamp: String(baseMs + 1) },
      { key: 'plain', value: 'not json', timestamp: String(baseMs + 2) },
    ],
  })
})

after(async () => {
  await producer?.disconnect()
  await streamline?.close()
})

function rowsOf(answer: ApiAnswer): unknown[][] {
  assert.equal(answer.status, 200, JSON.stringify(answer.body))
  return fields(answer).rows as unknown[][]
}

test('every column of streamline_topic, with its type', async () => {
  const answer = await query({
    sql: `SELECT * FROM streamline_topic('orders') WHERE partition = 1 AND "offset" = 0`,
  })
  assert.deepEqual(fields(answer).columns, [
    { name: 'topic', type: 'VARCHAR' },
    { name: 'partition', type: 'INTEGER' },
    { name: 'offset', type: 'BIGINT' },
    { name: 'timestamp', type: 'TIMESTAMP' },
    { name: 'timestamp_type', type: 'VARCHAR' },
    { name: 'key', type: 'VARCHAR' },
    { name: 'value', type: 'VARCHAR' },
    { name: 'headers', type: 'STRUCT("key" VARCHAR, "value" VARCHAR)[]' },
    { name: 'key_bytes', type: 'BLOB' },
    { name: 'value_bytes', type: 'BLOB' },
    { name: 'key_schema_id', type: 'INTEGER' },
    { name: 'value_schema_id', type: 'INTEGER' },
    // The key is not JSON (JSON, all NULL); the value's type is inferred (test/sql/sql-decoded.test.ts).
    { name: 'key_decoded', type: 'JSON' },
    {
      name: 'value_decoded',
      type: 'STRUCT("id" BIGINT, "user" STRUCT("id" BIGINT, "country" VARCHAR), "total" BIGINT)',
    },
  ])
  const value = order(1).value
  assert.deepEqual(rowsOf(answer), [
    [
      'orders',
      1,
      0,
      '2026-01-15 10:00:01',
      'CreateTime',
      'user-1',
      value,
      [{ key: 'source', value: 'test-1' }],
      Buffer.from('user-1').toString('base64'),
      Buffer.from(value).toString('base64'),
      null,
      null,
      null,
      { id: 1, user: { id: 1, country: 'FR' }, total: 10 },
    ],
  ])
  assert.equal(fields(answer).rowCount, 1)
  assert.equal(fields(answer).truncated, false)
  assert.equal(typeof fields(answer).elapsedMs, 'number')
})

test('key and value text is NULL when the bytes are not UTF-8; the bytes columns keep them', async () => {
  const answer = await query({
    sql: `SELECT "offset", key, value, key_bytes, value_bytes, headers FROM streamline_topic('raw') ORDER BY "offset"`,
  })
  assert.deepEqual(rowsOf(answer), [
    [
      0,
      null,
      null,
      Buffer.from([0xff, 0x00]).toString('base64'),
      Buffer.from([0xc3, 0x28]).toString('base64'),
      [],
    ],
    [1, null, null, null, null, []],
    [
      2,
      'plain',
      'not json',
      Buffer.from('plain').toString('base64'),
      Buffer.from('not json').toString('base64'),
      [],
    ],
  ])
})

test('JSON values: ->> and json_extract, aggregates per country', async () => {
  const byCountry = await query({
    sql: `SELECT value->>'$.user.country' AS country, count(*) AS orders, sum((value->>'$.total')::INT) AS total,
            min(json_extract(value, '$.id')::INT) AS first_id
          FROM streamline_topic('orders') GROUP BY ALL ORDER BY country`,
  })
  // Orders 0..11: country i % 3; totals i * 10.
  assert.deepEqual(rowsOf(byCountry), [
    ['DE', 4, (0 + 3 + 6 + 9) * 10, 0],
    ['FR', 4, (1 + 4 + 7 + 10) * 10, 1],
    ['US', 4, (2 + 5 + 8 + 11) * 10, 2],
  ])
  const byUser = await query({
    sql: `SELECT value->>'$.user.id' AS user_id, list(value->>'$.id' ORDER BY (value->>'$.id')::INT) AS ids
          FROM streamline_topic('orders') WHERE key = 'user-3' GROUP BY ALL`,
  })
  assert.deepEqual(rowsOf(byUser), [['3', ['3', '7', '11']]])
})

test('maxRows truncates; timestamps compare with literals and now()', async () => {
  const answer = await query({
    sql: `SELECT "offset" FROM streamline_topic('orders') ORDER BY partition, "offset"`,
    maxRows: 5,
  })
  assert.deepEqual(rowsOf(answer), [[0], [1], [2], [3], [0]])
  assert.equal(fields(answer).truncated, true)
  assert.equal(fields(answer).rowCount, 5)
  const window = await query({
    sql: `SELECT list(value->>'$.id' ORDER BY timestamp) FROM streamline_topic('orders')
          WHERE timestamp >= TIMESTAMP '2026-01-15 10:00:04' AND timestamp < '2026-01-15 10:00:07'`,
  })
  assert.deepEqual(rowsOf(window), [[['4', '5', '6']]])
  const recent = await query({
    sql: `SELECT count(*) FROM streamline_topic('orders') WHERE timestamp > now() - INTERVAL 1 HOUR`,
  })
  assert.deepEqual(rowsOf(recent), [[0]])
})

test('INSERT INTO streamline_topic writes records a Kafka consumer reads', async () => {
  const answer = await query({
    sql: `INSERT INTO streamline_topic('out')
          SELECT value->>'$.user.country' AS key, json_object('orders', count(*)) AS value, 0 AS partition
          FROM streamline_topic('orders') GROUP BY ALL ORDER BY key`,
  })
  assert.equal(answer.status, 200, JSON.stringify(answer.body))
  assert.deepEqual(fields(answer).written, { topic: 'out', records: 3 })
  const consumer = kafka.consumer({ groupId: 'sql-out-reader' })
  await consumer.connect()
  await consumer.subscribe({ topic: 'out', fromBeginning: true })
  const seen: Array<[number, string, string]> = []
  await new Promise<void>((resolve, reject) => {
    consumer
      .run({
        eachMessage: async ({ partition, message }) => {
          seen.push([partition, String(message.key), String(message.value)])
          if (seen.length === 3) resolve()
        },
      })
      .catch(reject)
  })
  await consumer.disconnect()
  assert.deepEqual(seen, [
    [0, 'DE', '{"orders":4}'],
    [0, 'FR', '{"orders":4}'],
    [0, 'US', '{"orders":4}'],
  ])
  const unknownColumn = await query({ sql: `INSERT INTO streamline_topic('out') SELECT 1 AS valu` })
  assert.equal(unknownColumn.status, 400)
  assert.equal(fields(unknownColumn).code, 'INVALID_SQL')
})

test('bad SQL: 400 with DuckDB message; unknown topic: 404; request validation', async () => {
  assert.deepEqual(await query({ sql: 'SELEC 1' }), {
    status: 400,
    body: { code: 'INVALID_SQL', message: 'Parser Error: syntax error at or near "SELEC"' },
  })
  const binder = await query({ sql: `SELECT nope FROM streamline_topic('orders')` })
  assert.equal(binder.status, 400)
  assert.equal(fields(binder).code, 'INVALID_SQL')
  assert.match(String(fields(binder).message), /^Binder Error: Referenced column "nope" not found/)
  assert.deepEqual(await query({ sql: `SELECT * FROM streamline_topic('missing')` }), {
    status: 404,
    body: { code: 'UNKNOWN_TOPIC_OR_PARTITION', message: 'topic missing does not exist' },
  })
  const notLiteral = await query({ sql: `SELECT * FROM streamline_topic('ord' || 'ers')` })
  assert.equal(notLiteral.status, 400)
  assert.match(String(fields(notLiteral).message), /takes the topic name as a string literal/)
  const noSql = await query({})
  assert.equal(noSql.status, 400)
  assert.equal(fields(noSql).code, 'INVALID_REQUEST')
  const two = await query({ sql: 'SELECT 1; SELECT 2' })
  assert.deepEqual(two, {
    status: 400,
    body: { code: 'UNSUPPORTED_STATEMENT', message: 'one statement per query (got 2)' },
  })
})

test('external access is disabled: files, ATTACH, INSTALL, COPY, SET all refused', async () => {
  const passwd = await query({ sql: `SELECT * FROM read_csv('/etc/passwd')` })
  assert.equal(passwd.status, 403)
  assert.equal(fields(passwd).code, 'SQL_ACCESS_DENIED')
  assert.match(String(fields(passwd).message), /^Permission Error: Cannot access file "\/etc\/passwd"/)
  const text = await query({ sql: `SELECT * FROM read_text('/etc/hostname')` })
  assert.equal(text.status, 403)
  for (const sql of [
    `ATTACH '/tmp/streamline-sql-test.db'`,
    `INSTALL httpfs`,
    `LOAD httpfs`,
    `COPY orders TO '/tmp/streamline-sql-test.csv'`,
    `SET enable_external_access = true`,
    `CREATE TABLE kept AS SELECT 1`,
    `PRAGMA version`,
  ]) {
    const answer = await query({ sql })
    assert.equal(answer.status, 400, sql)
    assert.equal(fields(answer).code, 'UNSUPPORTED_STATEMENT', sql)
  }
})

test('time and memory limits cancel the query with a clear error; the broker keeps serving', async () => {
  const slow = await query({ sql: 'SELECT count(*) FROM range(10000000000000) a', timeoutMs: 300 })
  assert.deepEqual(slow, {
    status: 408,
    body: { code: 'QUERY_TIMEOUT', message: 'the query exceeded its time limit of 300 ms and was cancelled' },
  })
  const big = await query({ sql: 'SELECT list(range) FROM range(200000000)' })
  assert.equal(big.status, 413)
  assert.equal(fields(big).code, 'QUERY_MEMORY_LIMIT')
  assert.match(String(fields(big).message), /^the query exceeded its memory limit: Out of Memory Error/)
  // Still serving: a produce and a query after both.
  await producer.send({ topic: 'raw', messages: [{ value: 'after', timestamp: String(baseMs + 3) }] })
  assert.deepEqual(
    rowsOf(await query({ sql: `SELECT value FROM streamline_topic('raw') WHERE "offset" = 3` })),
    [['after']],
  )
})

test('continuous-query statements: unsupported shapes and bad views answer 400/404, nothing is created', async () => {
  const table = await query({ sql: `CREATE TABLE t AS SELECT * FROM streamline_topic('orders')` })
  assert.equal(table.status, 400)
  assert.equal(fields(table).code, 'UNSUPPORTED_STATEMENT')
  // A stream's SELECT must give output-record columns (value, key, …), not the table's.
  const stream = await query({ sql: `CREATE STREAM s AS SELECT * FROM streamline_topic('orders')` })
  assert.equal(stream.status, 400)
  assert.equal(fields(stream).code, 'INVALID_SQL')
  // A view's stream–stream join is windowed (test/sql/sql-view-stream-join.test.ts): WITHIN is required.
  const joined = await query({
    sql: `CREATE MATERIALIZED VIEW v AS SELECT count(*) AS n FROM streamline_topic('orders') o JOIN streamline_topic('orders') p ON true GROUP BY HOP(timestamp, INTERVAL '1' MINUTE, INTERVAL '5' MINUTE)`,
  })
  assert.equal(joined.status, 400)
  assert.equal(fields(joined).code, 'INVALID_SQL')
  assert.match(String(fields(joined).message), /expected WITHIN <interval>/)
  const missing = await query({
    sql: `CREATE MATERIALIZED VIEW v AS SELECT count(*) AS n FROM streamline_topic('missing') GROUP BY TUMBLE(timestamp, INTERVAL '1' MINUTE)`,
  })
  assert.deepEqual(missing, {
    status: 404,
    body: { code: 'UNKNOWN_TOPIC_OR_PARTITION', message: 'topic missing does not exist' },
  })
  const badColumn = await query({
    sql: `CREATE MATERIALIZED VIEW v AS SELECT nope AS n FROM streamline_topic('orders') GROUP BY TUMBLE(timestamp, INTERVAL '1' MINUTE)`,
  })
  assert.equal(badColumn.status, 400)
  assert.match(String(fields(badColumn).message), /^Binder Error: Referenced column "nope" not found/)
  const oddWindow = await query({
    sql: `CREATE MATERIALIZED VIEW v AS SELECT count(*) AS n FROM streamline_topic('orders') GROUP BY TUMBLE(timestamp, INTERVAL '7' SECOND)`,
  })
  assert.equal(oddWindow.status, 400)
  assert.deepEqual(rowsOf(await query({ sql: 'SHOW QUERIES' })), [])
  assert.equal((await query({ sql: 'DROP MATERIALIZED VIEW v' })).status, 404)
  const topics = (await call(streamline.httpUrl ?? '', 'GET', '/api/v1/topics')).body as {
    topics: Array<{ name: string }>
  }
  assert.equal(
    topics.topics.some((topic) => topic.name === 'v'),
    false,
  )
})

test('a client that disconnects cancels its query and frees its slot', async () => {
  const baseUrl = streamline.httpUrl ?? assert.fail('http disabled')
  // Two endless queries take both slots (concurrentQueriesMax = 2); their clients go away.
  const controllers = [new AbortController(), new AbortController()]
  const abandoned = controllers.map((controller) =>
    fetch(`${baseUrl}/api/v1/query`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ sql: 'SELECT count(*) FROM range(10000000000000) a', timeoutMs: 60_000 }),
      signal: controller.signal,
    }).catch((error: unknown) => error),
  )
  await new Promise((resolve) => setTimeout(resolve, 500))
  for (const controller of controllers) controller.abort()
  await Promise.all(abandoned)
  // Were they still running, this query would wait for a slot until their 60 s limit.
  const started = Date.now()
  assert.deepEqual(rowsOf(await query({ sql: 'SELECT 7', timeoutMs: 10_000 })), [[7]])
  assert.ok(Date.now() - started < 8_000, `waited ${Date.now() - started} ms`)
})
