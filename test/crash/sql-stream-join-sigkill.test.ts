// Goal: a windowed stream–stream LEFT join survives SIGKILL with its stated guarantee, at-least-once:
// its definition and both topics' checkpoints (and the watermark) persist; after the restart every
// pair and every outer row is in the stream's topic, nothing else, none more than twice (a step
// interrupted between its writes and its checkpoint is repeated with the same input).
// Method: the broker CLI as a real process on a data dir; kafkajs (a client we did not write)
// produces `lefts` (2 partitions) and `rights` (1 partition) in three bursts, each burst's right
// records first (so every left record's partner exists before its window can close); the process is
// SIGKILLed right after the second burst, restarted on the same data dir, fed the third burst and a
// last left record far ahead (closing every window); once SHOW QUERIES reports all offsets processed,
// the output is read with SQL and compared with the batch join of what was produced.

import assert from 'node:assert/strict'
import { after, test } from 'node:test'
import type { BrokerProcess } from '../helpers/broker-process.ts'
import { rowsOf, SqlCrashRun } from './sql-crash-run.ts'

const T = Date.UTC(2026, 0, 15, 10, 0, 0)
const joinSql = `CREATE STREAM joined AS
  SELECT l.key, json_object('l', (l.value->>'$.i')::INT, 'r', (r.value->>'$.i')::INT) AS value
  FROM streamline_topic('lefts') l LEFT JOIN streamline_topic('rights') r WITHIN 2 SECONDS ON l.key = r.key`

const run = new SqlCrashRun('sql-stream-join')
/** Steps every 200 ms: the join catches up within the file's time budget. */
const fastSteps = ['--sql-continuous-interval-ms', '200']

after(() => run.close())

/** Burst b: left records i in [b·100, b·100 + 100) at T + i s; a right partner (T + i s + 0.5 s) for even i. */
async function burst(broker: BrokerProcess, b: number): Promise<void> {
  const numbers = Array.from({ length: 100 }, (_, index) => b * 100 + index)
  const message = (i: number, at: number, partition: number) => ({
    key: `k${i}`,
    value: JSON.stringify({ i }),
    timestamp: String(at),
    partition,
  })
  await run.send(
    broker,
    'rights',
    numbers.filter((i) => i % 2 === 0).map((i) => message(i, T + i * 1000 + 500, 0)),
  )
  await run.send(
    broker,
    'lefts',
    numbers.map((i) => message(i, T + i * 1000, i % 2)),
  )
}

test('a LEFT stream–stream join after SIGKILL and restart holds every pair and outer row (at least once)', async () => {
  const first = await run.start(fastSteps)
  await run.createTopic(first, 'lefts', 2)
  await run.createTopic(first, 'rights', 1)
  await burst(first, 0)
  assert.deepEqual(rowsOf(await run.statements(first)(joinSql)), [['joined', 'joined']])
  await new Promise((resolve) => setTimeout(resolve, 800))
  await burst(first, 1)
  await new Promise((resolve) => setTimeout(resolve, 300))
  await first.kill()

  const second = await run.start(fastSteps)
  const api = run.statements(second, { maxRows: 10_000 })
  await burst(second, 2)
  await run.send(second, 'lefts', [
    { key: 'end', value: JSON.stringify({ i: -1 }), timestamp: String(T + 10_000_000), partition: 0 },
  ])
  const deadline = Date.now() + 90_000
  for (;;) {
    const show = rowsOf(await api('SHOW QUERIES'))
    if (show.length === 1 && show[0][5] === JSON.stringify({ 0: 151, 1: 150 })) break
    assert.ok(Date.now() < deadline, `join did not catch up: ${JSON.stringify(show)}`)
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
  const written = rowsOf(
    await api(`SELECT key, value FROM streamline_topic('joined') ORDER BY "offset"`),
  ).map(([key, value]) => `${String(key)} ${String(value)}`)
  const expected = Array.from({ length: 300 }, (_, i) => `k${i} {"l":${i},"r":${i % 2 === 0 ? i : 'null'}}`)
  assert.deepEqual([...new Set(written)].sort(), expected.sort(), 'every pair and outer row, nothing else')
  const copies = new Map<string, number>()
  for (const record of written) copies.set(record, (copies.get(record) ?? 0) + 1)
  assert.ok(Math.max(...copies.values()) <= 2, 'a row appears at most twice (one repeated step)')
})
