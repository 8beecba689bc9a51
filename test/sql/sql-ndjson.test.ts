// Goal: POST /api/v1/query with `Accept: application/x-ndjson` streams the answer: a columns line,
// one JSON array per row (as DuckDB produces them, in chunks), then a summary line (rowCount,
// truncated, stats); maxRows still bounds it; errors before the first row are the usual 400 answer;
// statements that do not stream (SHOW QUERIES) answer the same shape; the broker keeps serving.
// Method: an embedded broker (in memory, free ports); kafkajs (a client we did not write) produces
// records; Node's fetch reads the streamed body line by line.

import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { Kafka, logLevel } from 'kafkajs'
import { type Streamline, startStreamline } from '../../src/embedded/index.ts'

let streamline: Streamline

async function ndjson(
  body: Record<string, unknown>,
): Promise<{ status: number; type: string; lines: unknown[] }> {
  const response = await fetch(`${streamline.httpUrl}/api/v1/query`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/x-ndjson' },
    body: JSON.stringify(body),
  })
  const text = await response.text()
  const lines = text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as unknown)
  return { status: response.status, type: response.headers.get('content-type') ?? '', lines }
}

before(async () => {
  streamline = await startStreamline({ inMemory: true })
  const kafka = new Kafka({
    clientId: 'sql-ndjson',
    brokers: [streamline.bootstrap],
    logLevel: logLevel.NOTHING,
  })
  const admin = kafka.admin()
  await admin.connect()
  await admin.createTopics({ topics: [{ topic: 'events', numPartitions: 1 }] })
  await admin.disconnect()
  const producer = kafka.producer({ allowAutoTopicCreation: false })
  await producer.connect()
  await producer.send({
    topic: 'events',
    messages: Array.from({ length: 5000 }, (_, index) => ({ value: JSON.stringify({ n: index }) })),
  })
  await producer.disconnect()
})

after(async () => {
  await streamline.close()
})

test('a large answer streams as NDJSON: columns, every row, summary', async () => {
  const answer = await ndjson({
    sql: `SELECT "offset", (value->>'$.n')::INT AS n FROM streamline_topic('events') ORDER BY "offset"`,
    maxRows: 100_000,
  })
  assert.equal(answer.status, 200)
  assert.match(answer.type, /^application\/x-ndjson/)
  assert.deepEqual(answer.lines[0], {
    columns: [
      { name: 'offset', type: 'BIGINT' },
      { name: 'n', type: 'INTEGER' },
    ],
  })
  const rows = answer.lines.slice(1, -1)
  assert.equal(rows.length, 5000)
  assert.deepEqual(
    rows,
    Array.from({ length: 5000 }, (_, index) => [index, index]),
  )
  const summary = answer.lines.at(-1) as Record<string, unknown>
  assert.equal(summary.rowCount, 5000)
  assert.equal(summary.truncated, false)
  assert.equal((summary.stats as { recordsScanned: number }).recordsScanned, 5000)
})

test('maxRows bounds a streamed answer across chunks; other statements answer the same shape', async () => {
  const bounded = await ndjson({ sql: 'SELECT * FROM range(10000) t(i)', maxRows: 2500 })
  assert.equal(bounded.lines.length, 2502)
  assert.deepEqual(bounded.lines[2500], [2499])
  assert.deepEqual((bounded.lines.at(-1) as Record<string, unknown>).truncated, true)
  assert.deepEqual((bounded.lines.at(-1) as Record<string, unknown>).rowCount, 2500)
  const show = await ndjson({ sql: 'SHOW QUERIES' })
  assert.equal(show.status, 200)
  assert.equal(show.lines.length, 2)
  assert.deepEqual((show.lines[1] as Record<string, unknown>).rowCount, 0)
})

test('errors before the first line are the usual answer; the broker keeps serving', async () => {
  const bad = await ndjson({ sql: 'SELEC 1' })
  assert.equal(bad.status, 400)
  assert.equal((bad.lines[0] as Record<string, unknown>).code, 'INVALID_SQL')
  const missing = await ndjson({ sql: `SELECT * FROM streamline_topic('nope')` })
  assert.equal(missing.status, 404)
  const ok = await ndjson({ sql: 'SELECT 42 AS answer' })
  assert.deepEqual(ok.lines.slice(0, 2), [{ columns: [{ name: 'answer', type: 'INTEGER' }] }, [42]])
})
