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
import type { BrokerProcess } from '../helpers/broker-process.ts'
import { rowsOf, SqlCrashRun } from './sql-crash-run.ts'

const streamSql = `CREATE STREAM even_events AS
  SELECT key, json_object('n', (value->>'$.n')::INT) AS value
  FROM streamline_topic('events')
  WHERE (value->>'$.n')::INT % 2 = 0`

/** Burst b: 400 records, n = b * 1000 + index. */
function burst(b: number): number[] {
  return Array.from({ length: 400 }, (_, index) => b * 1000 + index)
}

function produce(broker: BrokerProcess, numbers: number[]): Promise<void> {
  return run.send(
    broker,
    'events',
    numbers.map((n) => ({ partition: n % 2, key: `k${n}`, value: JSON.stringify({ n }) })),
  )
}

const run = new SqlCrashRun('sql-stream')

after(() => run.close())

test('the stream after SIGKILL and restart holds every matching record (at least once), nothing else', async () => {
  const first = await run.start()
  await run.createTopic(first, 'events', 2)
  const produced: number[] = [...burst(0)]
  await produce(first, burst(0))
  const created = await run.statements(first)(streamSql)
  assert.deepEqual(rowsOf(created), [['even_events', 'even_events']])
  await new Promise((resolve) => setTimeout(resolve, 1500))
  produced.push(...burst(1))
  await produce(first, burst(1))
  await new Promise((resolve) => setTimeout(resolve, 300))
  await first.kill()

  const second = await run.start()
  const api = run.statements(second, { maxRows: 10_000 })
  produced.push(...burst(2))
  await produce(second, burst(2))
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
