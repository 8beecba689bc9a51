// Goal: a SESSION materialized view joined with a table (JOIN TABLE('<topic>'), latest value per key)
// forms its sessions from the joined rows (grouped by a table column, the WHERE naming the table,
// INNER dropping records without a table row), and survives SIGKILL: after the restart its contents
// (latest value per key, merged sessions' old keys deleted) equal a brute-force sessionization in JS of
// every record produced before, during and after the kill.
// Method: the broker CLI as a real process on a data dir; kafkajs (a client we did not write) produces
// the table's records and JSON clicks into 2 partitions; the view is created over HTTP; the process
// is SIGKILLed right after a second burst (while the view catches up), restarted on the same data dir,
// fed a third burst; the view's topic is read with SQL once SHOW QUERIES reports every source offset
// processed, and compared with the recount.

import assert from 'node:assert/strict'
import { after, test } from 'node:test'
import type { BrokerProcess } from '../helpers/broker-process.ts'
import { rowsOf, SqlCrashRun } from './sql-crash-run.ts'

const baseMs = Date.UTC(2026, 0, 15, 10, 0, 0)
const users = ['ann', 'bob', 'cy', 'dee', 'eve']
// eve has no table row (INNER drops her clicks); dee's country is filtered out by the WHERE.
const members: Record<string, string> = { ann: 'DE', bob: 'FR', cy: 'DE', dee: 'XX' }
const gapSeconds = 4
const viewSql = `CREATE MATERIALIZED VIEW country_sessions AS
  SELECT m.value->>'$.country' AS country, count(*) AS clicks, sum((c.value->>'$.n')::INT) AS total
  FROM streamline_topic('clicks') c JOIN TABLE('members') m ON c.value->>'$.user' = m.key
  WHERE m.value->>'$.country' <> 'XX'
  GROUP BY SESSION(epoch_ms((c.value->>'$.ts')::BIGINT), INTERVAL '${gapSeconds}' SECOND), country`

interface Click {
  partition: number
  eventMs: number
  user: string
  n: number
}

/** Burst b: 120 clicks with event times spread over 10 minutes (merging sessions across bursts). */
function burst(b: number): Click[] {
  return Array.from({ length: 120 }, (_, index) => {
    const n = b * 1000 + index
    return { partition: index % 2, eventMs: baseMs + ((n * 7919) % 600) * 1000, user: users[n % 5], n }
  })
}

/** DuckDB's text of a TIMESTAMP with whole seconds. */
function text(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').replace('.000Z', '')
}

function recount(clicks: Click[]): Map<string, unknown> {
  const view = new Map<string, unknown>()
  for (const country of new Set(Object.values(members))) {
    if (country === 'XX') continue
    const mine = clicks
      .filter((click) => members[click.user] === country)
      .sort((a, b) => a.eventMs - b.eventMs)
    let start = 0
    for (let index = 1; index <= mine.length; index++) {
      if (index === mine.length || mine[index].eventMs - mine[index - 1].eventMs > gapSeconds * 1000) {
        const session = mine.slice(start, index)
        view.set(JSON.stringify([text(mine[start].eventMs), country]), {
          window_start: text(mine[start].eventMs),
          window_end: text(mine[index - 1].eventMs),
          country,
          clicks: session.length,
          total: session.reduce((sum, click) => sum + click.n, 0),
        })
        start = index
      }
    }
  }
  return view
}

function produce(broker: BrokerProcess, clicks: Click[]): Promise<void> {
  return run.send(
    broker,
    'clicks',
    clicks.map((click) => ({
      partition: click.partition,
      value: JSON.stringify({ user: click.user, n: click.n, ts: click.eventMs }),
    })),
  )
}

const run = new SqlCrashRun('sql-session-join')

after(() => run.close())

test('a SESSION view joined with a table equals a brute-force recount after SIGKILL and restart', async () => {
  const first = await run.start()
  await run.createTopic(first, 'clicks', 2)
  await run.createTopic(first, 'members', 1)
  await run.send(
    first,
    'members',
    Object.entries(members).map(([user, country]) => ({ key: user, value: JSON.stringify({ country }) })),
  )
  const produced: Click[] = [...burst(0)]
  await produce(first, burst(0))
  rowsOf(await run.statements(first)(viewSql))
  // Let the view start working, then kill it in the middle of catching up with a second burst.
  await new Promise((resolve) => setTimeout(resolve, 600))
  produced.push(...burst(1))
  await produce(first, burst(1))
  await new Promise((resolve) => setTimeout(resolve, 200))
  await first.kill()

  const second = await run.start()
  const api = run.statements(second)
  produced.push(...burst(2))
  await produce(second, burst(2))
  const end = JSON.stringify({ 0: 180, 1: 180 })
  const deadline = Date.now() + 60_000
  for (;;) {
    const show = rowsOf(await api('SHOW QUERIES'))
    if (show.length === 1 && show[0][5] === end) break
    assert.ok(Date.now() < deadline, `the view did not catch up: ${JSON.stringify(show)}`)
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
  const latest = new Map<string, unknown>()
  for (const [key, value] of rowsOf(
    await api(`SELECT key, value FROM streamline_topic('country_sessions') ORDER BY "offset"`),
  )) {
    if (value === null) latest.delete(String(key))
    else latest.set(String(key), JSON.parse(String(value)))
  }
  const expected = recount(produced)
  assert.ok(expected.size > 10, 'the recount has sessions')
  assert.equal(latest.size, expected.size)
  assert.deepEqual(new Map([...latest].sort()), new Map([...expected].sort()))
})
