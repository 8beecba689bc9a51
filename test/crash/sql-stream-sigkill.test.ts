// Goal: a stream (CREATE STREAM … AS SELECT … WHERE …) survives SIGKILL with its stated guarantee,
// at-least-once: its definition is persisted, it resumes from its checkpoint after the restart, and
// every matching source record (before, during and after the kill) is in the stream's topic; nothing
// that does not match is; a record appears twice at most when the kill fell between a step's writes
// and its checkpoint.
// Method: the broker CLI as a real process on a data dir; kafkajs (a client we did not write)
// produces JSON records into 2 partitions; the stream is created over HTTP; the process is SIGKILLed
// right after a second burst (while the stream is catching up), restarted on the same data dir, fed a
// third burst; once SHOW QUERIES reports every source offset processed, the stream's topic is read
// with SQL and compared with the matching records.

import assert from 'node:assert/strict'
import { after, test } from 'node:test'
import { Kafka, logLevel } from 'kafkajs'
import {
  type BrokerProcess,
  httpUrlOf,
  makeTempDir,
  removeTempDir,
  startBrokerProcess,
} from '../helpers/broker-process.ts'
import { type ApiAnswer, call } from '../operability/http-client.ts'

const streamSql = `CREATE STREAM even_events AS
  SELECT key, json_object('n', (value->>'$.n')::INT) AS value
  FROM streamline_topic('events')
  WHERE (value->>'$.n')::INT % 2 = 0`

/** Burst b: 400 records, n = b * 1000 + index. */
function burst(b: number): number[] {
  return Array.from({ length: 400 }, (_, index) => b * 1000 + index)
}

async function produce(bootstrap: string, numbers: number[]): Promise<void> {
  const kafka = new Kafka({ clientId: 'sql-stream-crash', brokers: [bootstrap], logLevel: logLevel.NOTHING })
  const producer = kafka.producer({ allowAutoTopicCreation: false })
  await producer.connect()
  await producer.send({
    topic: 'events',
    messages: numbers.map((n) => ({ partition: n % 2, key: `k${n}`, value: JSON.stringify({ n }) })),
  })
  await producer.disconnect()
}

function rowsOf(answer: ApiAnswer): unknown[][] {
  assert.equal(answer.status, 200, JSON.stringify(answer.body))
  return (answer.body as { rows: unknown[][] }).rows
}

const brokers: BrokerProcess[] = []
let dataDir: string | undefined

after(async () => {
  for (const broker of brokers) await broker.stop()
  if (dataDir !== undefined) await removeTempDir(dataDir)
})

test('the stream after SIGKILL and restart holds every matching record (at least once), nothing else', async () => {
  dataDir = await makeTempDir('streamline-sql-stream-')
  const first = await startBrokerProcess({ dataDir })
  brokers.push(first)
  const admin = new Kafka({
    clientId: 'sql-stream-admin',
    brokers: [first.bootstrap],
    logLevel: logLevel.NOTHING,
  }).admin()
  await admin.connect()
  await admin.createTopics({ topics: [{ topic: 'events', numPartitions: 2 }] })
  await admin.disconnect()
  const produced: number[] = [...burst(0)]
  await produce(first.bootstrap, burst(0))
  const created = await call(httpUrlOf(first), 'POST', '/api/v1/query', { sql: streamSql })
  assert.deepEqual(rowsOf(created), [['even_events', 'even_events']])
  await new Promise((resolve) => setTimeout(resolve, 1500))
  produced.push(...burst(1))
  await produce(first.bootstrap, burst(1))
  await new Promise((resolve) => setTimeout(resolve, 300))
  await first.kill()

  const second = await startBrokerProcess({ dataDir })
  brokers.push(second)
  const api = (sql: string) => call(httpUrlOf(second), 'POST', '/api/v1/query', { sql, maxRows: 10_000 })
  produced.push(...burst(2))
  await produce(second.bootstrap, burst(2))
  // Every source record processed: offsets 600 + 600 after three bursts of 400 over 2 partitions.
  const deadline = Date.now() + 90_000
  let show: unknown[][] = []
  for (;;) {
    show = rowsOf(await api('SHOW QUERIES'))
    if (show.length === 1 && show[0][5] === JSON.stringify({ 0: 600, 1: 600 })) break
    assert.ok(Date.now() < deadline, `stream did not catch up: ${JSON.stringify(show)}`)
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
  assert.deepEqual(show[0].slice(0, 5), ['even_events', 'STREAM', 'events', 'even_events', 'RUNNING'])
  const written = rowsOf(
    await api(`SELECT key, value FROM streamline_topic('even_events') ORDER BY "offset"`),
  ).map(([key, value]) => `${String(key)} ${String(value)}`)
  const expected = produced.filter((n) => n % 2 === 0).map((n) => `k${n} {"n":${n}}`)
  assert.deepEqual([...new Set(written)].sort(), [...expected].sort(), 'every matching record, nothing else')
  const copies = new Map<string, number>()
  for (const record of written) copies.set(record, (copies.get(record) ?? 0) + 1)
  assert.ok(Math.max(...copies.values()) <= 2, 'a record appears at most twice (one repeated step)')

  assert.deepEqual(rowsOf(await api('DROP STREAM even_events')), [['even_events']])
  assert.deepEqual(rowsOf(await api('SHOW QUERIES')), [])
})
