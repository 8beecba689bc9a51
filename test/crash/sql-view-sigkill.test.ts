// Goal: a tumbling-window materialized view survives SIGKILL: its definition is persisted, it resumes
// after the restart, and its final contents equal a brute-force recount of every record produced
// (before, during and after the kill, late records included): no window lost, none double-counted.
// SHOW QUERIES lists it after the restart; DROP MATERIALIZED VIEW removes it. An EMIT FINAL view over
// a topic of increasing timestamps (so no record is late) holds exactly the windows the last record
// closed, with the recount's values, and every value written for a window is that final one.
// Method: the broker CLI as a real process on a data dir; kafkajs (a client we did not write)
// produces JSON clicks with explicit timestamps into 2 partitions; the view is created over HTTP;
// the process is SIGKILLed right after a second burst of records (while the view is catching up),
// restarted on the same data dir, fed a third burst; the view topic is read with SQL (latest value per
// key) once SHOW QUERIES reports every source offset processed, and compared with a count in JS.

import assert from 'node:assert/strict'
import { after, test } from 'node:test'
import type { BrokerProcess } from '../helpers/broker-process.ts'
import { rowsOf, SqlCrashRun } from './sql-crash-run.ts'

const baseMs = Date.UTC(2026, 0, 15, 10, 0, 0)
const countries = ['DE', 'FR', 'US']
const viewSql = `CREATE MATERIALIZED VIEW clicks_per_country AS
  SELECT value->>'$.country' AS country, count(*) AS clicks, sum((value->>'$.n')::INT) AS total
  FROM streamline_topic('clicks')
  GROUP BY TUMBLE(timestamp, INTERVAL '10' SECOND), country`

interface Click {
  partition: number
  timestampMs: number
  country: string
  n: number
}

/** Burst b: 300 clicks; every 7th is late (lands in the first minute). */
function burst(b: number): Click[] {
  return Array.from({ length: 300 }, (_, index) => {
    const n = b * 1000 + index
    const late = index % 7 === 0
    return {
      partition: index % 2,
      timestampMs: late ? baseMs + (index % 60) * 1000 : baseMs + (b * 300 + index) * 250,
      country: countries[n % 3],
      n,
    }
  })
}

function pad(value: number): string {
  return String(value).padStart(2, '0')
}

/** DuckDB's text of a TIMESTAMP with whole seconds. */
function timestampText(ms: number): string {
  const date = new Date(ms)
  return `${date.getUTCFullYear()}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())} ${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())}`
}

function bruteForce(clicks: Click[]): Map<string, Record<string, unknown>> {
  const view = new Map<string, Record<string, unknown>>()
  for (const click of clicks) {
    const start = click.timestampMs - (click.timestampMs % 10_000)
    const key = JSON.stringify([timestampText(start), click.country])
    const row = view.get(key) ?? {
      window_start: timestampText(start),
      window_end: timestampText(start + 10_000),
      country: click.country,
      clicks: 0,
      total: 0,
    }
    row.clicks = Number(row.clicks) + 1
    row.total = Number(row.total) + click.n
    view.set(key, row)
  }
  return view
}

function produce(broker: BrokerProcess, clicks: Click[]): Promise<void> {
  return run.send(
    broker,
    'clicks',
    clicks.map((click) => ({
      partition: click.partition,
      value: JSON.stringify({ country: click.country, n: click.n }),
      timestamp: String(click.timestampMs),
    })),
  )
}

const finalViewSql = `CREATE MATERIALIZED VIEW final_per_country AS
  SELECT value->>'$.country' AS country, count(*) AS clicks, sum((value->>'$.n')::INT) AS total
  FROM streamline_topic('ordered')
  GROUP BY TUMBLE(timestamp, INTERVAL '10' SECOND), country EMIT FINAL`

/** Burst b of the ordered topic: 100 clicks 300 ms apart, after those of the bursts before. */
function orderedBurst(b: number): Click[] {
  return Array.from({ length: 100 }, (_, index) => {
    const n = b * 1000 + index
    return { partition: 0, timestampMs: baseMs + (b * 100 + index) * 300, country: countries[n % 3], n }
  })
}

function produceOrdered(broker: BrokerProcess, clicks: Click[]): Promise<void> {
  return run.send(
    broker,
    'ordered',
    clicks.map((click) => ({
      partition: 0,
      value: JSON.stringify({ country: click.country, n: click.n }),
      timestamp: String(click.timestampMs),
    })),
  )
}

const run = new SqlCrashRun('sql-view')

after(() => run.close())

test('the view after SIGKILL and restart equals a brute-force recount', async () => {
  const first = await run.start()
  await run.createTopic(first, 'clicks', 2)
  await run.createTopic(first, 'ordered', 1)
  const produced: Click[] = [...burst(0)]
  await produce(first, burst(0))
  await produceOrdered(first, orderedBurst(0))
  const created = await run.statements(first)(viewSql)
  assert.deepEqual(rowsOf(created), [['clicks_per_country', 'clicks_per_country']])
  rowsOf(await run.statements(first)(finalViewSql))
  // Let the view start working, then kill it in the middle of catching up with a second burst.
  await new Promise((resolve) => setTimeout(resolve, 1500))
  produced.push(...burst(1))
  await produceOrdered(first, orderedBurst(1))
  await produce(first, burst(1))
  await new Promise((resolve) => setTimeout(resolve, 300))
  await first.kill()

  const second = await run.start()
  const api = run.statements(second)
  produced.push(...burst(2))
  await produce(second, burst(2))
  await produceOrdered(second, orderedBurst(2))
  // Wait until every source record has been processed (offsets 450 + 450 after three bursts).
  const deadline = Date.now() + 90_000
  let show: unknown[][] = []
  for (;;) {
    show = rowsOf(await api('SHOW QUERIES'))
    const offsets = new Map(show.map((row) => [row[0], row[5]]))
    if (
      offsets.get('clicks_per_country') === JSON.stringify({ 0: 450, 1: 450 }) &&
      offsets.get('final_per_country') === JSON.stringify({ 0: 300 })
    )
      break
    assert.ok(Date.now() < deadline, `view did not catch up: ${JSON.stringify(show)}`)
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
  assert.deepEqual(show.find((row) => row[0] === 'clicks_per_country')?.slice(0, 5), [
    'clicks_per_country',
    'MATERIALIZED VIEW',
    'clicks',
    'clicks_per_country',
    'RUNNING',
  ])
  const latest = new Map<string, Record<string, unknown>>()
  for (const [key, value] of rowsOf(
    await api(`SELECT key, value FROM streamline_topic('clicks_per_country') ORDER BY "offset"`),
  )) {
    latest.set(String(key), JSON.parse(String(value)) as Record<string, unknown>)
  }
  const expected = bruteForce(produced)
  assert.equal(latest.size, expected.size)
  assert.deepEqual(new Map([...latest].sort()), new Map([...expected].sort()))

  // EMIT FINAL: the windows closed by the last record (at 89.7 s: those ending by 80 s), each value final.
  const ordered = [0, 1, 2].flatMap(orderedBurst)
  const lastMs = ordered[ordered.length - 1].timestampMs
  const finalExpected = new Map(
    [...bruteForce(ordered)].filter(([, row]) => Date.parse(`${row.window_end}Z`) <= lastMs),
  )
  const finalWritten = new Map<string, string>()
  for (const [key, value] of rowsOf(
    await api(`SELECT key, value FROM streamline_topic('final_per_country') ORDER BY "offset"`),
  )) {
    const earlier = finalWritten.get(String(key))
    assert.ok(earlier === undefined || earlier === value, `a window written with two values: ${key}`)
    finalWritten.set(String(key), String(value))
  }
  assert.equal(finalExpected.size, 24)
  assert.deepEqual(
    new Map([...finalWritten].map(([key, value]): [string, unknown] => [key, JSON.parse(value)]).sort()),
    new Map([...finalExpected].sort()),
  )

  assert.deepEqual(rowsOf(await api('DROP MATERIALIZED VIEW final_per_country')), [['final_per_country']])
  assert.deepEqual(rowsOf(await api('DROP MATERIALIZED VIEW clicks_per_country')), [['clicks_per_country']])
  assert.deepEqual(rowsOf(await api('SHOW QUERIES')), [])
})
