// Goal: materialized views over windowed stream–stream joins (INNER, LEFT, RIGHT, FULL; TUMBLE and
// HOP; the event time the joined row's timestamp, one side's, or a value's field) hold exactly the
// windows of the join's rows: pairs within WITHIN, and outer rows once their window closed
// (timestamp + WITHIN + GRACE < the largest timestamp of both topics). Late records (arriving after
// their window closed) still pair and replace the outer row of their partner, deleting a window
// group the outer row alone made; records more than WITHIN apart do not pair. Malformed and
// unsupported forms answer 400/404 with the position; the broker keeps serving.
// Method: an embedded broker (free ports, temporary data dir); kafkajs (a client we did not write)
// produces orders (2 partitions) and shipments (1 partition) with explicit timestamps in phases;
// after each phase, once SHOW QUERIES reports both topics processed, each view's topic is read with
// SQL (latest value per key, tombstones delete) and compared with a brute-force recount in JS
// (join-view-recount.ts) over the records produced so far; a third phase feeds small batches of
// pseudo-random records (many steps) before the last comparison.

import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { Kafka, logLevel } from 'kafkajs'
import { type Streamline, startStreamline } from '../../src/embedded/index.ts'
import { makeTempDir, removeTempDir } from '../helpers/broker-process.ts'
import { type ApiAnswer, call, fields } from '../operability/http-client.ts'
import { type JoinRecord, type RecountSpec, recountSelect, recountView } from './join-view-recount.ts'

let dataDir: string
let streamline: Streamline
let kafka: Kafka

const T = Date.UTC(2026, 0, 15, 10, 0, 0)

function query(sql: string): Promise<ApiAnswer> {
  return call(streamline.httpUrl ?? assert.fail('http disabled'), 'POST', '/api/v1/query', { sql })
}

async function rows(sql: string): Promise<unknown[][]> {
  const answer = await query(sql)
  assert.equal(answer.status, 200, JSON.stringify(answer.body))
  return fields(answer).rows as unknown[][]
}

type Event = { id: string; key: string; at: number; partition?: number }

const produced: Record<'orders' | 'shipments', JoinRecord[]> = { orders: [], shipments: [] }
const offsets: Record<'orders' | 'shipments', Record<number, number>> = {
  orders: { 0: 0, 1: 0 },
  shipments: { 0: 0 },
}

async function produce(topic: 'orders' | 'shipments', events: Event[]): Promise<void> {
  const producer = kafka.producer({ allowAutoTopicCreation: false })
  await producer.connect()
  await producer.send({
    topic,
    messages: events.map((event) => ({
      key: event.key,
      value: JSON.stringify({ id: event.id, at: T + event.at }),
      timestamp: String(T + event.at),
      partition: event.partition ?? 0,
    })),
  })
  await producer.disconnect()
  for (const event of events) {
    produced[topic].push({ id: event.id, key: event.key, ts: T + event.at })
    offsets[topic][event.partition ?? 0] += 1
  }
}

/** A view's contents once SHOW QUERIES reports both topics processed: latest value per key, sorted. */
async function viewOf(name: string): Promise<Map<string, unknown>> {
  const deadline = Date.now() + 30_000
  for (;;) {
    const shown = (await rows('SHOW QUERIES')).find((row) => row[0] === name)
    if (shown?.[5] === JSON.stringify(offsets.orders) && shown?.[9] === JSON.stringify(offsets.shipments))
      break
    assert.ok(Date.now() < deadline, `${name} did not catch up: ${JSON.stringify(shown)}`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  const latest = new Map<string, unknown>()
  for (const [key, value] of await rows(
    `SELECT key, value FROM streamline_topic('${name}') ORDER BY "offset"`,
  )) {
    if (value === null) latest.delete(String(key))
    else latest.set(String(key), JSON.parse(String(value)))
  }
  return new Map([...latest].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
}

const join = { withinMs: 10_000, graceMs: 2_000 }
const tumble = { sizeMs: 10_000, advanceMs: 10_000 }
const views: Array<{ name: string; sql: string; spec: RecountSpec }> = [
  {
    // INNER, the event time a field of the shipment's value (not a record timestamp: read whole).
    name: 'v_inner',
    sql: `CREATE MATERIALIZED VIEW v_inner AS SELECT ${recountSelect('o', 's')}
      FROM streamline_topic('orders') o JOIN streamline_topic('shipments') s
        WITHIN 10 SECONDS GRACE PERIOD 2 SECONDS ON o.key = s.key
      GROUP BY TUMBLE(epoch_ms((s.value->>'$.at')::BIGINT), INTERVAL '10' SECOND), k`,
    spec: { type: 'inner', ...join, ...tumble, time: (row) => row.right?.ts ?? null },
  },
  {
    // LEFT, the order's timestamp, a WHERE over both sides.
    name: 'v_left',
    sql: `CREATE MATERIALIZED VIEW v_left AS SELECT ${recountSelect('o', 's')}
      FROM streamline_topic('orders') AS o LEFT OUTER JOIN streamline_topic('shipments') AS s
        WITHIN INTERVAL '10' SECOND GRACE PERIOD INTERVAL '2' SECOND ON o.key = s.key
      WHERE coalesce(o.key, s.key) <> 'k9'
      GROUP BY TUMBLE(o.timestamp, INTERVAL '10' SECOND), k`,
    spec: {
      type: 'left',
      ...join,
      ...tumble,
      time: (row) => row.left?.ts ?? null,
      keep: (row) => (row.left?.key ?? row.right?.key) !== 'k9',
    },
  },
  {
    // RIGHT, the joined row's timestamp (the later of a pair's).
    name: 'v_right',
    sql: `CREATE MATERIALIZED VIEW v_right AS SELECT ${recountSelect('o', 's')}
      FROM streamline_topic('orders') o RIGHT JOIN streamline_topic('shipments') s
        WITHIN 10 SECONDS GRACE PERIOD 2 SECONDS ON o.key = s.key
      GROUP BY TUMBLE(timestamp, INTERVAL '10' SECOND), k
      EMIT CHANGES`,
    spec: {
      type: 'right',
      ...join,
      ...tumble,
      time: (row) => Math.max(row.left?.ts ?? 0, row.right?.ts ?? 0),
    },
  },
  {
    // FULL over HOP windows (10 s every 5 s).
    name: 'v_full',
    sql: `CREATE MATERIALIZED VIEW v_full AS SELECT ${recountSelect('o', 's')}
      FROM streamline_topic('orders') o FULL JOIN streamline_topic('shipments') s
        WITHIN 10 SECONDS GRACE PERIOD 2 SECONDS ON o.key = s.key
      GROUP BY HOP(timestamp, INTERVAL '5' SECOND, INTERVAL '10' SECOND), k`,
    spec: {
      type: 'full',
      ...join,
      sizeMs: 10_000,
      advanceMs: 5_000,
      time: (row) => Math.max(row.left?.ts ?? 0, row.right?.ts ?? 0),
    },
  },
]

before(async () => {
  dataDir = await makeTempDir('streamline-sql-view-stream-join-')
  streamline = await startStreamline({ dataDir, sql: { continuousIntervalMs: 200 } })
  kafka = new Kafka({
    clientId: 'sql-view-stream-join',
    brokers: [streamline.bootstrap],
    logLevel: logLevel.NOTHING,
  })
  const admin = kafka.admin()
  await admin.connect()
  await admin.createTopics({
    topics: [
      { topic: 'orders', numPartitions: 2 },
      { topic: 'shipments', numPartitions: 1 },
    ],
  })
  await admin.disconnect()
})

after(async () => {
  await streamline.close()
  await removeTempDir(dataDir)
})

async function assertViews(phase: string): Promise<void> {
  for (const view of views) {
    const expected = recountView(view.spec, produced.orders, produced.shipments)
    assert.ok(expected.size >= 2, `${view.name}: the recount has windows`)
    assert.deepEqual(await viewOf(view.name), expected, `${view.name} after ${phase}`)
  }
}

test('views over INNER, LEFT, RIGHT and FULL stream–stream joins equal a brute-force recount, late and out-of-window records included', async () => {
  // Some records exist before the views: a view starts at the beginning of both topics.
  await produce('shipments', [
    { id: 's1', key: 'k1', at: 5000 },
    { id: 's3', key: 'k4', at: 3000 },
  ])
  for (const view of views) assert.deepEqual(await rows(view.sql), [[view.name, view.name]])
  // Phase 1: o1/s1 pair; o5 (1 s) and s5 (26 s) are 25 s apart (out of window: both outer); o4 has no
  // partner yet (k1's s1 is 15 s away); oz moves the watermark to 60 s, closing windows before 48 s.
  await produce('shipments', [
    { id: 's5', key: 'k5', at: 26_000 },
    { id: 's9', key: 'k9', at: 4000 },
  ])
  await produce('orders', [
    { id: 'o1', key: 'k1', at: 0, partition: 0 },
    { id: 'o2', key: 'k2', at: 9000, partition: 1 },
    { id: 'o3', key: 'k3', at: 2000, partition: 0 },
    { id: 'o4', key: 'k1', at: 20_000, partition: 1 },
    { id: 'o5', key: 'k5', at: 1000, partition: 0 },
    { id: 'o9', key: 'k9', at: 4500, partition: 1 },
    { id: 'oz', key: 'kz', at: 60_000, partition: 0 },
  ])
  await assertViews('phase 1')
  // o2's outer row alone makes FULL's window [0 s, 10 s) of k2 (phase 2 deletes it).
  const k2 = JSON.stringify(['2026-01-15 10:00:00', 'k2'])
  assert.ok((await viewOf('v_full')).has(k2))
  // Phase 2, late records (their windows closed): s2 pairs with o2 (its outer row, at 9 s, is
  // replaced by a pair at 12 s: RIGHT/FULL's window [0, 10) loses group k2), s4 with o4, s6 has no
  // partner (an outer row at once). o6 and o7 are on time; oy moves the watermark to 70 s (o6 closes,
  // o7 and oz stay open).
  await produce('shipments', [
    { id: 's2', key: 'k2', at: 12_000 },
    { id: 's4', key: 'k1', at: 25_000 },
    { id: 's6', key: 'k6', at: 30_000 },
  ])
  await produce('orders', [
    { id: 'o6', key: 'k3', at: 50_000, partition: 1 },
    { id: 'o7', key: 'k7', at: 65_000, partition: 0 },
    { id: 'oy', key: 'ky', at: 70_000, partition: 1 },
  ])
  await assertViews('phase 2')
  assert.ok(!(await viewOf('v_full')).has(k2))
  // Phase 3: many small steps (a batch every 250 ms) of records with pseudo-random keys and times in
  // [0 s, 90 s): windows close and reopen with late partners across step boundaries.
  let seed = 17
  const next = (bound: number) => {
    seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648
    return seed % bound
  }
  for (let round = 0; round < 8; round++) {
    await produce(
      'shipments',
      Array.from({ length: 3 }, (_, index) => ({
        id: `r${round}x${index}`,
        key: `k${next(7)}`,
        at: next(90) * 1000,
      })),
    )
    await produce(
      'orders',
      Array.from({ length: 5 }, (_, index) => ({
        id: `l${round}x${index}`,
        key: `k${next(7)}`,
        at: next(90) * 1000,
        partition: index % 2,
      })),
    )
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
  await assertViews('phase 3')
})

test('malformed and unsupported views over stream–stream joins answer 400/404 with the position', async () => {
  const from = `CREATE MATERIALIZED VIEW j AS SELECT count(*) AS n FROM streamline_topic('orders') o`
  const join = `JOIN streamline_topic('shipments') s WITHIN 10 SECONDS ON o.key = s.key`
  const tumble = `GROUP BY TUMBLE(timestamp, INTERVAL '1' MINUTE)`
  const noWithin = `${from} JOIN streamline_topic('shipments') s ON o.key = s.key ${tumble}`
  const session = `${from} ${join} GROUP BY SESSION(timestamp, INTERVAL '1' MINUTE)`
  const lateness = `${from} ${join} ${tumble} ALLOWED LATENESS INTERVAL '5' SECOND`
  const final = `${from} ${join} ${tumble} EMIT FINAL`
  const twoJoins = `${from} ${join} LEFT JOIN TABLE('orders') t ON true ${tumble}`
  /** "at position <where `word` starts in `sql`>: expected " */
  const at = (sql: string, word: string) => `^at position ${sql.indexOf(word)}: expected `
  const cases: Array<[string, number, string, RegExp]> = [
    [
      noWithin,
      400,
      'INVALID_SQL',
      new RegExp(`${at(noWithin, 'ON o.key')}WITHIN <interval> \\(a stream–stream join is windowed`),
    ],
    [
      session,
      400,
      'UNSUPPORTED_STATEMENT',
      new RegExp(
        `${at(session, 'SESSION(')}TUMBLE\\(<time>, <size>\\) or HOP\\(<time>, <advance>, <size>\\) \\(a view over a stream–stream join has no SESSION windows yet\\)`,
      ),
    ],
    [
      lateness,
      400,
      'UNSUPPORTED_STATEMENT',
      new RegExp(
        `${at(lateness, 'ALLOWED')}the end of the statement \\(a view over a stream–stream join is late as its join is`,
      ),
    ],
    [
      final,
      400,
      'UNSUPPORTED_STATEMENT',
      new RegExp(
        `${at(final, 'EMIT')}EMIT CHANGES \\(a view over a stream–stream join has no EMIT FINAL yet\\)`,
      ),
    ],
    [
      `${from} JOIN streamline_topic('nope') s WITHIN 1 SECOND ON true ${tumble}`,
      404,
      'UNKNOWN_TOPIC_OR_PARTITION',
      /^topic nope does not exist$/,
    ],
    [
      `${from} JOIN streamline_topic('shipments') s WITHIN INTERVAL '-1' SECOND ON true ${tumble}`,
      400,
      'INVALID_SQL',
      /^WITHIN and GRACE PERIOD must be intervals of zero or more$/,
    ],
    [
      `${from} JOIN streamline_topic('shipments') s WITHIN 1 SECOND ON o.missing = s.key ${tumble}`,
      400,
      'INVALID_SQL',
      /^Binder Error: .*missing/,
    ],
    [
      // Both sides have a `key`: a bare column is ambiguous (DuckDB says so at CREATE).
      `CREATE MATERIALIZED VIEW j AS SELECT key, count(*) AS n FROM streamline_topic('orders') o ${join} ${tumble}, key`,
      400,
      'INVALID_SQL',
      /^Binder Error: Ambiguous reference to column name "key"/,
    ],
    [
      twoJoins,
      400,
      'UNSUPPORTED_STATEMENT',
      new RegExp(`${at(twoJoins, 'LEFT JOIN TABLE')}WHERE or GROUP BY \\(one join per query\\)`),
    ],
  ]
  for (const [sql, status, code, message] of cases) {
    const answer = await query(sql)
    assert.equal(answer.status, status, sql)
    assert.equal(fields(answer).code, code, sql)
    assert.match(String(fields(answer).message), message, sql)
  }
  assert.equal((await rows('SHOW QUERIES')).filter((row) => row[0] === 'j').length, 0)
  assert.deepEqual(await rows('SELECT 1 AS one'), [[1]])
})
