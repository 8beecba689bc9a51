// Goal: HOP and SESSION materialized views survive SIGKILL: after the restart each equals a
// brute-force recount of every record produced before, during and after the kill (hopping windows
// over the record timestamp with late records; sessions over an event-time column, whose merges
// delete the keys they replace; EMIT FINAL sessions with lateness, each closed session written with
// one value), and a view paused before the kill is still paused after it.
// Method: the broker CLI as a real process on a data dir; kafkajs (a client we did not write)
// produces JSON clicks into 2 partitions; the views are created over HTTP; the process is SIGKILLed
// right after a second burst (while the views catch up), restarted on the same data dir, fed a third
// burst; each view's topic is read with SQL (latest value per key, tombstones delete) once SHOW
// QUERIES reports every source offset processed, and compared with a recount in JS.

import assert from 'node:assert/strict'
import { after, test } from 'node:test'
import type { BrokerProcess } from '../helpers/broker-process.ts'
import { rowsOf, SqlCrashRun } from './sql-crash-run.ts'

const baseMs = Date.UTC(2026, 0, 15, 10, 0, 0)
const countries = ['DE', 'FR', 'US']
const users = ['ann', 'bob', 'cy', 'dee', 'eve']
const gapSeconds = 5
const hopSql = `CREATE MATERIALIZED VIEW clicks_hop AS
  SELECT value->>'$.country' AS country, count(*) AS clicks, sum((value->>'$.n')::INT) AS total
  FROM streamline_topic('clicks')
  GROUP BY HOP(timestamp, INTERVAL '5' SECOND, INTERVAL '10' SECOND), country`
const sessionSql = `CREATE MATERIALIZED VIEW user_sessions AS
  SELECT value->>'$.user' AS user, count(*) AS clicks
  FROM streamline_topic('clicks')
  GROUP BY SESSION(epoch_ms((value->>'$.ts')::BIGINT), INTERVAL '${gapSeconds}' SECOND), user`
const latenessSeconds = 300
const finalSql = `CREATE MATERIALIZED VIEW final_sessions AS
  SELECT value->>'$.user' AS user, count(*) AS clicks
  FROM streamline_topic('clicks')
  GROUP BY SESSION(epoch_ms((value->>'$.ts')::BIGINT), INTERVAL '${gapSeconds}' SECOND), user
  ALLOWED LATENESS INTERVAL '${latenessSeconds}' SECOND EMIT FINAL`
const pausedSql = `CREATE MATERIALIZED VIEW paused_view AS SELECT count(*) AS n FROM streamline_topic('clicks')
  GROUP BY TUMBLE(timestamp, INTERVAL '1' MINUTE)`

interface Click {
  partition: number
  timestampMs: number
  eventMs: number
  country: string
  user: string
  n: number
}

/** Burst b: 300 clicks; every 7th is late (lands in the first minute); event times spread over 20 min. */
function burst(b: number): Click[] {
  return Array.from({ length: 300 }, (_, index) => {
    const n = b * 1000 + index
    const late = index % 7 === 0
    return {
      partition: index % 2,
      timestampMs: late ? baseMs + (index % 60) * 1000 : baseMs + (b * 300 + index) * 250,
      eventMs: baseMs + ((n * 7919) % 1200) * 1000,
      country: countries[n % 3],
      user: users[n % 5],
      n,
    }
  })
}

/** DuckDB's text of a TIMESTAMP with whole seconds. */
function text(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').replace('.000Z', '')
}

function hopRecount(clicks: Click[]): Map<string, unknown> {
  const view = new Map<
    string,
    { window_start: string; window_end: string; country: string; clicks: number; total: number }
  >()
  for (const click of clicks) {
    const last = click.timestampMs - (click.timestampMs % 5000)
    for (let start = last; start > click.timestampMs - 10_000; start -= 5000) {
      const key = JSON.stringify([text(start), click.country])
      const row = view.get(key) ?? {
        window_start: text(start),
        window_end: text(start + 10_000),
        country: click.country,
        clicks: 0,
        total: 0,
      }
      row.clicks += 1
      row.total += click.n
      view.set(key, row)
    }
  }
  return view
}

function sessionRecount(clicks: Click[]): Map<string, unknown> {
  const view = new Map<string, unknown>()
  for (const user of users) {
    const times = clicks
      .filter((click) => click.user === user)
      .map((click) => click.eventMs)
      .sort((a, b) => a - b)
    let start = 0
    for (let index = 1; index <= times.length; index++) {
      if (index === times.length || times[index] - times[index - 1] > gapSeconds * 1000) {
        view.set(JSON.stringify([text(times[start]), user]), {
          window_start: text(times[start]),
          window_end: text(times[index - 1]),
          user,
          clicks: index - start,
        })
        start = index
      }
    }
  }
  return view
}

/**
 * EMIT FINAL's sessions: records more than the lateness behind their partition's stream time (the
 * largest event time before them, in produce order) are dropped; the others' sessions are closed when
 * end + gap + lateness is before the smallest partition stream time.
 */
function finalRecount(clicks: Click[]): Map<string, unknown> {
  const streamTime = new Map<number, number>()
  const kept: Click[] = []
  for (const click of clicks) {
    const before = streamTime.get(click.partition)
    if (before === undefined || click.eventMs >= before - latenessSeconds * 1000) kept.push(click)
    streamTime.set(click.partition, Math.max(before ?? click.eventMs, click.eventMs))
  }
  const closedBefore = Math.min(...streamTime.values())
  const sessions = sessionRecount(kept)
  return new Map(
    [...sessions].filter(([, row]) => {
      const end = Date.parse(`${(row as { window_end: string }).window_end.replace(' ', 'T')}Z`)
      return end + (gapSeconds + latenessSeconds) * 1000 < closedBefore
    }),
  )
}

function produce(broker: BrokerProcess, clicks: Click[]): Promise<void> {
  return run.send(
    broker,
    'clicks',
    clicks.map((click) => ({
      partition: click.partition,
      value: JSON.stringify({ country: click.country, user: click.user, n: click.n, ts: click.eventMs }),
      timestamp: String(click.timestampMs),
    })),
  )
}

const run = new SqlCrashRun('sql-windows')

after(() => run.close())

test('HOP and SESSION views after SIGKILL and restart equal a brute-force recount; PAUSE survives', async () => {
  const first = await run.start()
  await run.createTopic(first, 'clicks', 2)
  const produced: Click[] = [...burst(0)]
  await produce(first, burst(0))
  const firstApi = run.statements(first)
  for (const sql of [hopSql, sessionSql, finalSql, pausedSql]) rowsOf(await firstApi(sql))
  assert.deepEqual(rowsOf(await firstApi('PAUSE paused_view')), [['paused_view', 'PAUSED']])
  // Let the views start working, then kill them in the middle of catching up with a second burst.
  await new Promise((resolve) => setTimeout(resolve, 1500))
  produced.push(...burst(1))
  await produce(first, burst(1))
  await new Promise((resolve) => setTimeout(resolve, 300))
  await first.kill()

  const second = await run.start()
  const api = run.statements(second)
  produced.push(...burst(2))
  await produce(second, burst(2))
  const end = JSON.stringify({ 0: 450, 1: 450 })
  const deadline = Date.now() + 90_000
  let show: unknown[][] = []
  for (;;) {
    show = rowsOf(await api('SHOW QUERIES'))
    const running = show.filter((row) => row[0] !== 'paused_view')
    if (running.length === 3 && running.every((row) => row[5] === end)) break
    assert.ok(Date.now() < deadline, `views did not catch up: ${JSON.stringify(show)}`)
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
  const paused = show.find((row) => row[0] === 'paused_view')
  assert.equal(paused?.[4], 'PAUSED')
  assert.notEqual(paused?.[5], end, 'a paused view processed nothing after the restart')

  for (const [name, expected] of [
    ['clicks_hop', hopRecount(produced)],
    ['user_sessions', sessionRecount(produced)],
  ] as const) {
    const latest = new Map<string, unknown>()
    for (const [key, value] of rowsOf(
      await api(`SELECT key, value FROM streamline_topic('${name}') ORDER BY "offset"`),
    )) {
      if (value === null) latest.delete(String(key))
      else latest.set(String(key), JSON.parse(String(value)))
    }
    assert.equal(latest.size, expected.size, name)
    assert.deepEqual(new Map([...latest].sort()), new Map([...expected].sort()), name)
  }
  // EMIT FINAL: every record of the topic is a closed session's final value (a repeated step may
  // write one again, with the same value); no tombstones.
  const finals = new Map<string, string>()
  for (const [key, value] of rowsOf(
    await api(`SELECT key, value FROM streamline_topic('final_sessions') ORDER BY "offset"`),
  )) {
    assert.notEqual(value, null, 'no tombstones')
    const previous = finals.get(String(key))
    assert.ok(previous === undefined || previous === value, `${String(key)} written with two values`)
    finals.set(String(key), String(value))
  }
  const expectedFinals = finalRecount(produced)
  assert.ok(expectedFinals.size > 0, `closed sessions (${expectedFinals.size})`)
  assert.deepEqual(
    new Map([...finals].map(([key, value]): [string, unknown] => [key, JSON.parse(value)]).sort()),
    new Map([...expectedFinals].sort()),
  )
})
