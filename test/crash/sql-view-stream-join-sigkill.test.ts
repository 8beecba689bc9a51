// Goal: a materialized view over a windowed FULL stream–stream join survives SIGKILL with the views'
// guarantee, exactly-once results: after the restart its contents (latest value per key, tombstones
// delete) equal a brute-force recount of the join of every record produced before, during and after
// the kill — the same final view as an uninterrupted run, whose contents depend only on the topics.
// Method: the broker CLI as a real process on a data dir; kafkajs (a client we did not write)
// produces orders (2 partitions) and shipments (1 partition) in three bursts whose timestamps spread
// over the same 5 minutes (so later bursts are late: they pair with records whose windows closed, and
// replace their outer rows); the view is created over HTTP; the process is SIGKILLed right after the
// second burst (while the view catches up), restarted on the same data dir, fed the third burst; once
// SHOW QUERIES reports both topics processed, the view's topic is read with SQL and compared with
// the recount (join-view-recount.ts).

import assert from 'node:assert/strict'
import { after, test } from 'node:test'
import type { BrokerProcess } from '../helpers/broker-process.ts'
import { type JoinRecord, recountSelect, recountView } from '../sql/join-view-recount.ts'
import { rowsOf, SqlCrashRun } from './sql-crash-run.ts'

const T = Date.UTC(2026, 0, 15, 10, 0, 0)
const viewSql = `CREATE MATERIALIZED VIEW shipped AS SELECT ${recountSelect('o', 's')}
  FROM streamline_topic('orders') o FULL JOIN streamline_topic('shipments') s
    WITHIN 2 SECONDS GRACE PERIOD 1 SECOND ON o.key = s.key
  GROUP BY TUMBLE(timestamp, INTERVAL '10' SECOND), k`
const spec = {
  type: 'full' as const,
  withinMs: 2000,
  graceMs: 1000,
  sizeMs: 10_000,
  advanceMs: 10_000,
  time: (row: { left: JoinRecord | null; right: JoinRecord | null }) =>
    Math.max(row.left?.ts ?? 0, row.right?.ts ?? 0),
}

const run = new SqlCrashRun('sql-view-stream-join')
const produced: { orders: JoinRecord[]; shipments: JoinRecord[] } = { orders: [], shipments: [] }

after(() => run.close())

/** Burst b: 200 orders (alternating partitions) and 100 shipments over 7 keys, spread over 300 s. */
async function burst(broker: BrokerProcess, b: number): Promise<void> {
  const orders = Array.from({ length: 200 }, (_, index) => {
    const n = b * 1000 + index
    return { id: `o${n}`, key: `k${n % 7}`, ts: T + ((n * 7919) % 300_000), partition: index % 2 }
  })
  const shipments = Array.from({ length: 100 }, (_, index) => {
    const n = b * 1000 + index
    return { id: `s${n}`, key: `k${(n * 3) % 7}`, ts: T + ((n * 104_729) % 300_000), partition: 0 }
  })
  const messages = (records: typeof orders) =>
    records.map((record) => ({
      key: record.key,
      value: JSON.stringify({ id: record.id }),
      timestamp: String(record.ts),
      partition: record.partition,
    }))
  await run.send(broker, 'shipments', messages(shipments))
  await run.send(broker, 'orders', messages(orders))
  produced.orders.push(...orders.map(({ id, key, ts }) => ({ id, key, ts })))
  produced.shipments.push(...shipments.map(({ id, key, ts }) => ({ id, key, ts })))
}

test('a view over a FULL stream–stream join equals a brute-force recount after SIGKILL and restart', async () => {
  const first = await run.start()
  await run.createTopic(first, 'orders', 2)
  await run.createTopic(first, 'shipments', 1)
  await burst(first, 0)
  assert.deepEqual(rowsOf(await run.statements(first)(viewSql)), [['shipped', 'shipped']])
  // Let the view start working, then kill it in the middle of catching up with a second burst.
  await new Promise((resolve) => setTimeout(resolve, 600))
  await burst(first, 1)
  await new Promise((resolve) => setTimeout(resolve, 200))
  await first.kill()

  const second = await run.start()
  const api = run.statements(second, { maxRows: 100_000 })
  await burst(second, 2)
  const deadline = Date.now() + 90_000
  for (;;) {
    const show = rowsOf(await api('SHOW QUERIES'))
    if (
      show.length === 1 &&
      show[0][5] === JSON.stringify({ 0: 300, 1: 300 }) &&
      show[0][9] === JSON.stringify({ 0: 300 })
    )
      break
    assert.ok(Date.now() < deadline, `the view did not catch up: ${JSON.stringify(show)}`)
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
  const latest = new Map<string, unknown>()
  for (const [key, value] of rowsOf(
    await api(`SELECT key, value FROM streamline_topic('shipped') ORDER BY "offset"`),
  )) {
    if (value === null) latest.delete(String(key))
    else latest.set(String(key), JSON.parse(String(value)))
  }
  const expected = recountView(spec, produced.orders, produced.shipments)
  assert.ok(expected.size > 100, `the recount has windows (${expected.size})`)
  const pairs = [...expected.values()].flatMap((row) => (row as { pairs: string[] }).pairs)
  assert.ok(
    pairs.some((pair) => /^o\d+\/s\d+$/.test(pair)),
    'pairs',
  )
  assert.ok(
    pairs.some((pair) => pair.endsWith('/')) && pairs.some((pair) => pair.startsWith('/')),
    'outer rows',
  )
  assert.deepEqual(new Map([...latest].sort()), expected)
})
