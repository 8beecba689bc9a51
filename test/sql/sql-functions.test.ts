// Goal: the functions Streamline adds to DuckDB (src/sql/functions.ts) answer exact values over real
// records: cosine_similarity, euclidean_distance, dot_product, vector_norm on JSON arrays of a topic's
// values and on list literals; zscore and anomaly with window aggregates; bad arguments answer 400
// INVALID_SQL with DuckDB's message and the broker keeps answering.
// Method: an embedded broker (in memory, free ports); kafkajs (a client we did not write) produces
// JSON records with embeddings and readings; queries go through POST /api/v1/query.

import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { Kafka, logLevel } from 'kafkajs'
import { type Streamline, startStreamline } from '../../src/embedded/index.ts'
import { type ApiAnswer, call, fields } from '../operability/http-client.ts'

let streamline: Streamline
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
  const kafka = new Kafka({
    clientId: 'sql-functions-test',
    brokers: [streamline.bootstrap],
    logLevel: logLevel.NOTHING,
  })
  const admin = kafka.admin()
  await admin.connect()
  await admin.createTopics({ topics: [{ topic: 'sensors', numPartitions: 1 }] })
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
