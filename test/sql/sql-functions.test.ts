// Goal: the functions Streamline adds to DuckDB (src/sql/functions.ts) answer exact values over real
// records: cosine_similarity, euclidean_distance, dot_product, vector_norm on JSON arrays of a topic's
// values and on list literals; zscore and anomaly with window aggregates; moving_avg in an ad-hoc
// query and in a continuous stream (records before and after its creation, so several steps: each
// output equals a brute-force moving average over the whole partition); bad arguments answer 400
// INVALID_SQL with DuckDB's message and the broker keeps answering.
// Method: an embedded broker (in memory, free ports); kafkajs (a client we did not write) produces
// JSON records with embeddings and readings; queries (and the read of the stream's topic) go through
// POST /api/v1/query.

import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { Kafka, logLevel } from 'kafkajs'
import { type Streamline, startStreamline } from '../../src/embedded/index.ts'
import { type ApiAnswer, call, fields } from '../operability/http-client.ts'

let streamline: Streamline
let kafka: Kafka
let query: (sql: string) => Promise<ApiAnswer>

const readings = [10, 12, 11, 13, 50]
const embeddings = [
  [1, 0, 0],
  [0, 1, 0],
  [1, 1, 0],
  [0, 0, 2],
  [3, 4, 0],
]

before(async () => {
  streamline = await startStreamline()
  const baseUrl = streamline.httpUrl ?? assert.fail('http disabled')
  query = (sql) => call(baseUrl, 'POST', '/api/v1/query', { sql })
  kafka = new Kafka({
    clientId: 'sql-functions-test',
    brokers: [streamline.bootstrap],
    logLevel: logLevel.NOTHING,
  })
  const admin = kafka.admin()
  await admin.connect()
  await admin.createTopics({
    topics: [
      { topic: 'sensors', numPartitions: 1 },
      { topic: 'meter', numPartitions: 1 },
    ],
  })
  await admin.disconnect()
  const producer = kafka.producer({ allowAutoTopicCreation: false })
  await producer.connect()
  await producer.send({
    topic: 'sensors',
    messages: readings.map((reading, index) => ({
      value: JSON.stringify({ id: index + 1, reading, embedding: embeddings[index] }),
    })),
  })
  await producer.disconnect()
})

after(async () => {
  await streamline.close()
})

function rowsOf(answer: ApiAnswer): unknown[][] {
  assert.equal(answer.status, 200, JSON.stringify(answer.body))
  return fields(answer).rows as unknown[][]
}

test('vector functions over JSON arrays of a topic and over list literals', async () => {
  const rows = rowsOf(
    await query(
      `SELECT (value->>'$.id')::INT AS id,
              round(cosine_similarity(value->'$.embedding', [1, 0, 0]), 6),
              round(euclidean_distance(value->'$.embedding', [0, 0, 0]), 6),
              dot_product(value->'$.embedding', [1, 2, 3]),
              vector_norm(value->'$.embedding')
       FROM streamline_topic('sensors') ORDER BY id`,
    ),
  )
  assert.deepEqual(rows, [
    [1, 1, 1, 1, 1],
    [2, 0, 1, 2, 1],
    [3, Number(Math.SQRT1_2.toFixed(6)), Number(Math.SQRT2.toFixed(6)), 3, Math.SQRT2],
    [4, 0, 2, 6, 2],
    [5, 0.6, 5, 11, 5],
  ])
  assert.deepEqual(
    rowsOf(
      await query(
        'SELECT dot_product([1, 2, 3], [4, 5, 6]), vector_norm([3, 4]), euclidean_distance([1, 1], [4, 5]), cosine_similarity([1, 0], [-1, 0])',
      ),
    ),
    [[32, 5, 5, -1]],
  )
})

test('zscore and anomaly with window aggregates', async () => {
  const rows = rowsOf(
    await query(
      `WITH r AS (SELECT (value->>'$.id')::INT AS id, (value->>'$.reading')::DOUBLE AS x FROM streamline_topic('sensors'))
       SELECT id, round(zscore(x, avg(x) OVER (), stddev(x) OVER ()), 4),
              anomaly(x, avg(x) OVER (), stddev(x) OVER ()),
              anomaly(x, avg(x) OVER (), stddev(x) OVER (), threshold := 1.5)
       FROM r ORDER BY id`,
    ),
  )
  assert.deepEqual(rows, [
    [1, -0.5332, false, false],
    [2, -0.4173, false, false],
    [3, -0.4753, false, false],
    [4, -0.3593, false, false],
    [5, 1.7851, false, true],
  ])
  // A zero standard deviation gives NULL, not a division error.
  assert.deepEqual(rowsOf(await query('SELECT zscore(5, 5, 0), anomaly(7, 5, 0)')), [[null, null]])
})

test('bad arguments answer 400 with DuckDB message; the broker keeps answering', async () => {
  const notVector = await query(`SELECT cosine_similarity('not a vector', [1, 2])`)
  assert.equal(notVector.status, 400)
  assert.equal(fields(notVector).code, 'INVALID_SQL')
  assert.match(String(fields(notVector).message), /Conversion Error/)
  const sizes = await query('SELECT dot_product([1, 2, 3], [1, 2])')
  assert.equal(sizes.status, 400)
  assert.equal(fields(sizes).code, 'INVALID_SQL')
  assert.match(String(fields(sizes).message), /same size|length/i)
  const arity = await query('SELECT zscore(1)')
  assert.equal(arity.status, 400)
  assert.match(String(fields(arity).message), /zscore/)
  assert.deepEqual(rowsOf(await query('SELECT vector_norm([0, 0])')), [[0]])
})

test('moving_avg over the current row and the n - 1 before it, per partition_by', async () => {
  const rows = rowsOf(
    await query(
      `SELECT (value->>'$.id')::INT AS id,
              moving_avg((value->>'$.reading')::DOUBLE, 3, "offset"),
              moving_avg((value->>'$.reading')::DOUBLE, 2, "offset", partition_by := (value->>'$.id')::INT % 2)
       FROM streamline_topic('sensors') ORDER BY id`,
    ),
  )
  // readings 10, 12, 11, 13, 50; odd ids 1, 3, 5 (10, 11, 50) and even ids 2, 4 (12, 13).
  assert.deepEqual(rows, [
    [1, 10, 10],
    [2, 11, 12],
    [3, 11, 10.5],
    [4, 12, 12.5],
    [5, 74 / 3, 30.5],
  ])
  // With a literal list it is the same as DuckDB's framed avg() OVER; n < 1 frames nothing: NULL.
  assert.deepEqual(rowsOf(await query('SELECT moving_avg(i, 0, i) FROM range(2) t(i)')), [[null], [null]])
  const arity = await query('SELECT moving_avg(1, 2)')
  assert.equal(arity.status, 400)
  assert.equal(fields(arity).code, 'INVALID_SQL')
})

/** The moving average of the last 3 readings of each key, in offset order (brute force). */
function expectedMovingAverages(records: Array<{ key: string; x: number }>): string[] {
  return records.map((record, index) => {
    const sameKey = records.slice(0, index + 1).filter((other) => other.key === record.key)
    const last = sameKey.slice(-3).map((other) => other.x)
    const ma = last.reduce((sum, x) => sum + x, 0) / last.length
    return `${record.key}:${JSON.stringify({ x: record.x, ma })}`
  })
}

test('moving_avg in a continuous stream sees the partition before each step', async () => {
  const records = Array.from({ length: 24 }, (_, index) => ({
    key: index % 3 === 0 ? 'a' : 'b',
    x: (index * 7) % 11,
  }))
  const producer = kafka.producer({ allowAutoTopicCreation: false })
  await producer.connect()
  const send = (part: typeof records) =>
    producer.send({
      topic: 'meter',
      messages: part.map((record) => ({ key: record.key, value: JSON.stringify({ x: record.x }) })),
    })
  await send(records.slice(0, 8))
  const created = await query(`CREATE STREAM meter_smoothed AS
    SELECT key, json_object('x', (value->>'$.x')::INT, 'ma', moving_avg((value->>'$.x')::DOUBLE, 3, "offset", partition_by := key)) AS value
    FROM streamline_topic('meter')`)
  assert.equal(created.status, 200, JSON.stringify(created.body))
  // Later records arrive in several sends, so several steps each see only part of them as new.
  for (const from of [8, 12, 16, 20]) {
    await send(records.slice(from, from + 4))
    await new Promise((resolve) => setTimeout(resolve, 150))
  }
  await producer.disconnect()
  // The stream's topic read back with SQL, polled until every record's output is there.
  let seen: string[] = []
  const deadline = Date.now() + 15_000
  while (seen.length < records.length && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50))
    seen = rowsOf(
      await query(`SELECT key || ':' || value FROM streamline_topic('meter_smoothed') ORDER BY "offset"`),
    ).map((row) => String(row[0]))
  }
  // Rounded to 9 digits (DuckDB's and JavaScript's sums of the same doubles may differ in the last
  // bit); sorted, since a step writes its rows in DuckDB's window order (by key), not offset order.
  const normalized = (lines: string[]) =>
    lines
      .map((line) => {
        const value = JSON.parse(line.slice(2)) as { x: number; ma: number }
        return `${line.slice(0, 1)}:${value.x}:${Math.round(value.ma * 1e9) / 1e9}`
      })
      .sort()
  assert.deepEqual(normalized(seen), normalized(expectedMovingAverages(records)))
  assert.equal((await query('DROP STREAM meter_smoothed')).status, 200)
})

test('a materialized view and a joined stream refuse window functions', async () => {
  const refused = await query(`CREATE MATERIALIZED VIEW smoothed AS
    SELECT moving_avg(count(*), 3, 1) AS m FROM streamline_topic('meter')
    GROUP BY TUMBLE(timestamp, INTERVAL '1' SECOND)`)
  assert.equal(refused.status, 400)
  assert.equal(fields(refused).code, 'UNSUPPORTED_STATEMENT')
  assert.match(String(fields(refused).message), /at position \d+: expected aggregates of the window/)
  const joined = await query(`CREATE STREAM smoothed AS
    SELECT m.key, moving_avg((m.value->>'$.x')::DOUBLE, 3, m."offset")::VARCHAR AS value
    FROM streamline_topic('meter') m JOIN TABLE('sensors') s ON m.key = s.key`)
  assert.equal(joined.status, 400)
  assert.equal(fields(joined).code, 'UNSUPPORTED_STATEMENT')
  assert.match(String(fields(joined).message), /a stream with a join takes no window function/)
})
