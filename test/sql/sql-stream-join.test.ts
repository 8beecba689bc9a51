// Goal: windowed stream–stream joins (CREATE STREAM … JOIN streamline_topic(…) WITHIN …) write
// exactly the pairs whose timestamps are at most WITHIN apart (INNER), plus, for LEFT/RIGHT/FULL, one
// row with NULLs for each record without a partner once its window has closed (watermark past
// timestamp + WITHIN + GRACE); pairs made across steps (a new right record with an old left record)
// are found; output records carry the later timestamp of a pair; malformed statements answer 400 with
// the position and the broker keeps serving.
// Method: an embedded broker (free ports, temporary data dir); kafkajs (a client we did not write)
// produces orders (2 partitions) and shipments (1 partition) with explicit timestamps in two phases
// (shipments before orders in each, so no window closes before its partner arrived); the streams are
// created over POST /api/v1/query; their topics are read with SQL and compared with literal rows.

import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { Kafka, logLevel } from 'kafkajs'
import { type Streamline, startStreamline } from '../../src/embedded/index.ts'
import { makeTempDir, removeTempDir } from '../helpers/broker-process.ts'
import { type ApiAnswer, call, fields } from '../operability/http-client.ts'

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

async function produce(topic: string, events: Event[]): Promise<void> {
  const producer = kafka.producer({ allowAutoTopicCreation: false })
  await producer.connect()
  await producer.send({
    topic,
    messages: events.map((event) => ({
      key: event.key,
      value: JSON.stringify({ id: event.id }),
      timestamp: String(T + event.at),
      partition: event.partition ?? 0,
    })),
  })
  await producer.disconnect()
}

/** The stream's records (value, timestamp offset from T) in value order, once it holds `count`. */
async function outputOf(topic: string, count: number): Promise<unknown[][]> {
  const deadline = Date.now() + 20_000
  for (;;) {
    const found = await rows(
      `SELECT value, epoch_ms(timestamp) - ${T} FROM streamline_topic('${topic}') ORDER BY value`,
    )
    if (found.length >= count) return found
    assert.ok(Date.now() < deadline, `${topic} has ${found.length} of ${count} records`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

/** Waits until SHOW QUERIES reports both topics processed to the given offsets (then the step is done). */
async function settled(name: string, left: Record<number, number>): Promise<void> {
  const deadline = Date.now() + 20_000
  for (;;) {
    const shown = (await rows('SHOW QUERIES')).find((row) => row[0] === name)
    if (shown?.[5] === JSON.stringify(left)) return
    assert.ok(Date.now() < deadline, `${name} did not reach ${JSON.stringify(left)}: ${String(shown?.[5])}`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

const pair = (o: string | null, s: string | null, at: number) => [JSON.stringify({ o, s }), at]

before(async () => {
  dataDir = await makeTempDir('streamline-sql-stream-join-')
  streamline = await startStreamline({ dataDir, sql: { continuousIntervalMs: 200 } })
  kafka = new Kafka({
    clientId: 'sql-stream-join',
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

test('INNER, LEFT, RIGHT and FULL windowed joins write the exact pairs and outer rows', async () => {
  const select = `SELECT o.key, json_object('o', o.value->>'$.id', 's', s.value->>'$.id') AS value
    FROM streamline_topic('orders') o`
  const on = 'ON o.key = s.key'
  await rows(
    `CREATE STREAM shipped AS ${select} JOIN streamline_topic('shipments') s WITHIN 10 SECONDS ${on}`,
  )
  await rows(
    `CREATE STREAM shipped_left AS ${select} LEFT OUTER JOIN streamline_topic('shipments') AS s WITHIN INTERVAL '10' SECOND GRACE PERIOD 0 SECONDS ${on}`,
  )
  await rows(
    `CREATE STREAM shipped_right AS ${select} RIGHT JOIN streamline_topic('shipments') s WITHIN 10 SECONDS ${on}`,
  )
  await rows(
    `CREATE STREAM shipped_full AS ${select} FULL JOIN streamline_topic('shipments') s WITHIN 10 SECONDS ${on} WHERE coalesce(o.key, s.key) <> 'k9'`,
  )
  // Phase 1: shipments, then orders (watermark T+20s: o2, o3 and s3 have closed windows).
  await produce('shipments', [
    { id: 's1', key: 'k1', at: 5000 },
    { id: 's3', key: 'k4', at: 3000 },
    { id: 's9', key: 'k9', at: 4000 },
  ])
  await produce('orders', [
    { id: 'o1', key: 'k1', at: 0, partition: 0 },
    { id: 'o2', key: 'k2', at: 1000, partition: 1 },
    { id: 'o3', key: 'k3', at: 2000, partition: 0 },
    { id: 'o4', key: 'k1', at: 20_000, partition: 1 },
    { id: 'o9', key: 'k9', at: 4500, partition: 1 },
  ])
  for (const name of ['shipped', 'shipped_left', 'shipped_right', 'shipped_full'])
    await settled(name, { 0: 2, 1: 3 })
  // Phase 2: s4 pairs with the old o4 (a new right record with an old left one); zz moves the
  // watermark to T+100s, closing every window but zz's own.
  await produce('shipments', [
    { id: 's4', key: 'k1', at: 25_000 },
    { id: 's2', key: 'k2', at: 30_000 },
  ])
  await produce('orders', [{ id: 'zz', key: 'kz', at: 100_000, partition: 0 }])

  const inner = [pair('o1', 's1', 5000), pair('o4', 's4', 25_000), pair('o9', 's9', 4500)]
  assert.deepEqual(await outputOf('shipped', 3), inner)
  assert.deepEqual(await outputOf('shipped_left', 5), [
    pair('o1', 's1', 5000),
    pair('o2', null, 1000),
    pair('o3', null, 2000),
    pair('o4', 's4', 25_000),
    pair('o9', 's9', 4500),
  ])
  assert.deepEqual(await outputOf('shipped_right', 5), [
    pair('o1', 's1', 5000),
    pair('o4', 's4', 25_000),
    pair('o9', 's9', 4500),
    pair(null, 's2', 30_000),
    pair(null, 's3', 3000),
  ])
  assert.deepEqual(await outputOf('shipped_full', 6), [
    pair('o1', 's1', 5000),
    pair('o2', null, 1000),
    pair('o3', null, 2000),
    pair('o4', 's4', 25_000),
    pair(null, 's2', 30_000),
    pair(null, 's3', 3000),
  ])
  // Nothing more comes (no duplicates, zz's window is open): every query processed everything.
  for (const name of ['shipped', 'shipped_left', 'shipped_right', 'shipped_full'])
    await settled(name, { 0: 3, 1: 3 })
  await new Promise((resolve) => setTimeout(resolve, 1200))
  assert.equal((await outputOf('shipped_full', 6)).length, 6)
  assert.equal((await outputOf('shipped_left', 5)).length, 5)
  // The output key is the select list's: the order's key (null on right-only rows).
  assert.deepEqual(await rows(`SELECT key FROM streamline_topic('shipped_right') ORDER BY value`), [
    ['k1'],
    ['k1'],
    ['k9'],
    [null],
    [null],
  ])
})

test('malformed stream–stream joins answer 400/404 with the position; the broker keeps serving', async () => {
  const from = `CREATE STREAM j AS SELECT o.value FROM streamline_topic('orders') o`
  const cases: Array<[string, number, string, RegExp]> = [
    [
      `${from} JOIN streamline_topic('shipments') s ON o.key = s.key`,
      400,
      'INVALID_SQL',
      /^at position 105: expected WITHIN <interval>/,
    ],
    [
      `${from} JOIN streamline_topic('shipments') s WITHIN soon ON true`,
      400,
      'INVALID_SQL',
      /^at position 112: expected WITHIN: an interval/,
    ],
    [
      `${from} FULL JOIN TABLE('shipments') s ON true`,
      400,
      'UNSUPPORTED_STATEMENT',
      /RIGHT and FULL joins are stream–stream joins/,
    ],
    [
      `${from} JOIN streamline_topic('nope') s WITHIN 1 SECOND ON true`,
      404,
      'UNKNOWN_TOPIC_OR_PARTITION',
      /nope/,
    ],
    [
      `${from} JOIN streamline_topic('shipments') s WITHIN 1 SECOND ON o.missing = s.key`,
      400,
      'INVALID_SQL',
      /Binder Error/,
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
