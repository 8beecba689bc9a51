// Goal: HOP and SESSION windows, event time from a column, and ALLOWED LATENESS give exactly the
// windows ksqlDB/Kafka Streams would: hopping windows aligned to their advance, sessions merged (and
// their old keys deleted) when a record bridges them or arrives before their start, late records of
// closed windows dropped and counted (SHOW QUERIES' dropped_records and watermark); EMIT FINAL writes
// each window once when the watermark closes it (EMIT CHANGES, the default, on every update), and each
// session once when every partition's stream time passed its end + gap + lateness; PAUSE stops a
// query's progress and RESUME catches it up, and the paused state survives a restart; malformed
// statements answer 400 with the position, and the broker keeps serving.
// Method: an embedded broker on a temporary data dir (free ports); kafkajs (a client we did not
// write) produces JSON records with explicit timestamps; statements go through POST /api/v1/query;
// each view's topic is read with SQL (latest value per key, tombstones delete) once SHOW QUERIES
// reports the source's end offsets processed, and compared with literal expected rows.

import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { Kafka, logLevel } from 'kafkajs'
import { type Streamline, startStreamline } from '../../src/embedded/index.ts'
import { makeTempDir, removeTempDir } from '../helpers/broker-process.ts'
import { type ApiAnswer, call, fields } from '../operability/http-client.ts'

const baseMs = Date.UTC(2026, 0, 15, 10, 0, 0)
let dataDir: string
let streamline: Streamline

function query(sql: string): Promise<ApiAnswer> {
  return call(streamline.httpUrl ?? assert.fail('http disabled'), 'POST', '/api/v1/query', { sql })
}

async function rows(sql: string): Promise<unknown[][]> {
  const answer = await query(sql)
  assert.equal(answer.status, 200, JSON.stringify(answer.body))
  return fields(answer).rows as unknown[][]
}

interface Input {
  partition?: number
  /** Seconds after baseMs: the record timestamp (and `ts` in the value, unless eventSeconds). */
  seconds: number
  eventSeconds?: number
  user: string
}

async function produce(topic: string, inputs: Input[]): Promise<void> {
  const kafka = new Kafka({
    clientId: 'sql-windows',
    brokers: [streamline.bootstrap],
    logLevel: logLevel.NOTHING,
  })
  const producer = kafka.producer({ allowAutoTopicCreation: false })
  await producer.connect()
  await producer.send({
    topic,
    messages: inputs.map((input) => ({
      partition: input.partition ?? 0,
      key: input.user,
      value: JSON.stringify({ user: input.user, ts: baseMs + (input.eventSeconds ?? input.seconds) * 1000 }),
      timestamp: String(baseMs + input.seconds * 1000),
    })),
  })
  await producer.disconnect()
}

async function createTopic(topic: string, partitions: number): Promise<void> {
  const admin = new Kafka({
    clientId: 'sql-windows',
    brokers: [streamline.bootstrap],
    logLevel: logLevel.NOTHING,
  }).admin()
  await admin.connect()
  await admin.createTopics({ topics: [{ topic, numPartitions: partitions }] })
  await admin.disconnect()
}

/** SHOW QUERIES' row of `name` once its offsets are `offsets` (20 s at most). */
async function caughtUp(name: string, offsets: Record<number, number>): Promise<unknown[]> {
  const deadline = Date.now() + 20_000
  for (;;) {
    const row = (await rows('SHOW QUERIES')).find((candidate) => candidate[0] === name)
    if (row !== undefined && row[5] === JSON.stringify(offsets)) return row
    assert.ok(Date.now() < deadline, `${name} did not catch up: ${JSON.stringify(row)}`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

/** The view's contents: latest value per key (a tombstone deletes), sorted by key. */
async function viewOf(name: string): Promise<Array<[string, unknown]>> {
  const latest = new Map<string, unknown>()
  for (const [key, value] of await rows(
    `SELECT key, value FROM streamline_topic('${name}') ORDER BY "offset"`,
  )) {
    if (value === null) latest.delete(String(key))
    else latest.set(String(key), JSON.parse(String(value)))
  }
  return [...latest].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
}

/** DuckDB's text of baseMs + seconds (whole seconds). */
function at(seconds: number): string {
  return new Date(baseMs + seconds * 1000).toISOString().replace('T', ' ').replace('.000Z', '')
}

before(async () => {
  dataDir = await makeTempDir('streamline-sql-windows-')
  streamline = await startStreamline({ dataDir })
})

after(async () => {
  await streamline.close()
  await removeTempDir(dataDir)
})

test('HOP windows: every record counts in each window of its advance-aligned starts', async () => {
  await createTopic('hop_in', 2)
  await produce('hop_in', [
    { seconds: 1, user: 'DE', partition: 0 },
    { seconds: 6, user: 'DE', partition: 1 },
    { seconds: 7, user: 'FR', partition: 0 },
  ])
  await rows(`CREATE MATERIALIZED VIEW hop_counts AS
    SELECT key AS user, count(*) AS n FROM streamline_topic('hop_in')
    GROUP BY HOP(timestamp, INTERVAL '5' SECOND, INTERVAL '10' SECOND), user`)
  await caughtUp('hop_counts', { 0: 2, 1: 1 })
  await produce('hop_in', [{ seconds: 12, user: 'DE', partition: 1 }])
  await caughtUp('hop_counts', { 0: 2, 1: 2 })
  const row = (start: number, user: string, n: number): [string, unknown] => [
    JSON.stringify([at(start), user]),
    { window_start: at(start), window_end: at(start + 10), user, n },
  ]
  assert.deepEqual(
    await viewOf('hop_counts'),
    [
      row(-5, 'DE', 1),
      row(0, 'DE', 2),
      row(0, 'FR', 1),
      row(10, 'DE', 1),
      row(5, 'DE', 2),
      row(5, 'FR', 1),
    ].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
  )
})

test('SESSION windows over an event-time column merge sessions and delete the keys they replace', async () => {
  await createTopic('clicks', 1)
  // The record timestamps say nothing: the event time is the value's ts.
  await produce('clicks', [
    { seconds: 0, eventSeconds: 100, user: 'ann' },
    { seconds: 0, eventSeconds: 105, user: 'ann' },
    { seconds: 0, eventSeconds: 130, user: 'ann' },
    { seconds: 0, eventSeconds: 100, user: 'bob' },
  ])
  await rows(`CREATE MATERIALIZED VIEW sessions AS
    SELECT value->>'$.user' AS user, count(*) AS clicks FROM streamline_topic('clicks')
    GROUP BY SESSION(epoch_ms((value->>'$.ts')::BIGINT), INTERVAL '10' SECOND), user`)
  await caughtUp('sessions', { 0: 4 })
  const session = (start: number, end: number, user: string, clicks: number): [string, unknown] => [
    JSON.stringify([at(start), user]),
    { window_start: at(start), window_end: at(end), user, clicks },
  ]
  assert.deepEqual(await viewOf('sessions'), [
    session(100, 105, 'ann', 2),
    session(100, 100, 'bob', 1),
    session(130, 130, 'ann', 1),
  ])
  // 115 and 122 bridge ann's two sessions (gaps 10, 7, 8); 92 moves bob's start back (a new key).
  await produce('clicks', [
    { seconds: 0, eventSeconds: 115, user: 'ann' },
    { seconds: 0, eventSeconds: 122, user: 'ann' },
    { seconds: 0, eventSeconds: 92, user: 'bob' },
    { seconds: 0, eventSeconds: 200, user: 'bob' },
  ])
  await caughtUp('sessions', { 0: 8 })
  assert.deepEqual(await viewOf('sessions'), [
    session(92, 100, 'bob', 2),
    session(100, 130, 'ann', 5),
    session(200, 200, 'bob', 1),
  ])
})

test('SESSION windows with ALLOWED LATENESS drop records further behind their partition stream time', async () => {
  await createTopic('visits', 1)
  await produce('visits', [
    { seconds: 0, eventSeconds: 100, user: 'ann' },
    { seconds: 0, eventSeconds: 105, user: 'ann' },
    { seconds: 0, eventSeconds: 140, user: 'bob' },
  ])
  await rows(`CREATE MATERIALIZED VIEW visit_sessions AS
    SELECT value->>'$.user' AS user, count(*) AS visits FROM streamline_topic('visits')
    GROUP BY SESSION(epoch_ms((value->>'$.ts')::BIGINT), INTERVAL '10' SECOND), user
    ALLOWED LATENESS INTERVAL '5' SECOND`)
  const first = await caughtUp('visit_sessions', { 0: 3 })
  assert.deepEqual(first.slice(7, 9), [new Date(baseMs + 140_000).toISOString(), 0])
  // Stream time 140 s: 128 and 121 are more than 5 s behind it (dropped: 121 would have opened a bob
  // session in no way, it is only counted); 137 and 136 are not.
  await produce('visits', [
    { seconds: 0, eventSeconds: 128, user: 'ann' },
    { seconds: 0, eventSeconds: 137, user: 'ann' },
    { seconds: 0, eventSeconds: 121, user: 'bob' },
    { seconds: 0, eventSeconds: 136, user: 'bob' },
  ])
  const second = await caughtUp('visit_sessions', { 0: 7 })
  assert.deepEqual(second.slice(7, 9), [new Date(baseMs + 140_000).toISOString(), 2])
  const session = (start: number, end: number, user: string, visits: number): [string, unknown] => [
    JSON.stringify([at(start), user]),
    { window_start: at(start), window_end: at(end), user, visits },
  ]
  // bob's 136 joins his 140 session (a new start: the old key is deleted).
  assert.deepEqual(await viewOf('visit_sessions'), [
    session(100, 105, 'ann', 2),
    session(136, 140, 'bob', 2),
    session(137, 137, 'ann', 1),
  ])
})

test('ALLOWED LATENESS: records of closed windows are dropped and counted; open windows still update', async () => {
  await createTopic('readings', 1)
  await produce('readings', [
    { seconds: 0, eventSeconds: 1, user: 'a' },
    { seconds: 0, eventSeconds: 12, user: 'a' },
    { seconds: 0, eventSeconds: 25, user: 'a' },
  ])
  await rows(`CREATE MATERIALIZED VIEW late_counts AS
    SELECT count(*) AS n FROM streamline_topic('readings')
    GROUP BY TUMBLE(epoch_ms((value->>'$.ts')::BIGINT), INTERVAL '10' SECOND)
    ALLOWED LATENESS INTERVAL '5' SECOND`)
  const first = await caughtUp('late_counts', { 0: 3 })
  assert.deepEqual(first.slice(7, 9), [new Date(baseMs + 25_000).toISOString(), 0])
  // Watermark 25 s: [0,10) closed at 15, [10,20) at 25 (closed: end + lateness <= watermark), [20,30) open.
  await produce('readings', [
    { seconds: 0, eventSeconds: 3, user: 'a' },
    { seconds: 0, eventSeconds: 14, user: 'a' },
    { seconds: 0, eventSeconds: 21, user: 'a' },
    { seconds: 0, eventSeconds: 40, user: 'a' },
  ])
  const second = await caughtUp('late_counts', { 0: 7 })
  assert.deepEqual(second.slice(7, 9), [new Date(baseMs + 40_000).toISOString(), 2])
  const window = (start: number, n: number): [string, unknown] => [
    JSON.stringify([at(start)]),
    { window_start: at(start), window_end: at(start + 10), n },
  ]
  assert.deepEqual(await viewOf('late_counts'), [window(0, 1), window(10, 1), window(20, 2), window(40, 1)])
})

test('EMIT FINAL writes each window once, when the watermark closes it; later records are dropped', async () => {
  await createTopic('final_readings', 1)
  await produce('final_readings', [
    { seconds: 0, eventSeconds: 1, user: 'a' },
    { seconds: 0, eventSeconds: 5, user: 'a' },
    { seconds: 0, eventSeconds: 12, user: 'a' },
  ])
  await rows(`CREATE MATERIALIZED VIEW final_counts AS
    SELECT count(*) AS n FROM streamline_topic('final_readings')
    GROUP BY TUMBLE(epoch_ms((value->>'$.ts')::BIGINT), INTERVAL '10' SECOND) EMIT FINAL`)
  await caughtUp('final_counts', { 0: 3 })
  // Watermark 12 s: [0,10) closed and written; [10,20) open, not written (no EMIT CHANGES refresh).
  await produce('final_readings', [
    { seconds: 0, eventSeconds: 14, user: 'a' },
    { seconds: 0, eventSeconds: 3, user: 'a' },
    { seconds: 0, eventSeconds: 25, user: 'a' },
  ])
  const shown = await caughtUp('final_counts', { 0: 6 })
  assert.deepEqual(
    shown.slice(7, 9),
    [new Date(baseMs + 25_000).toISOString(), 1],
    'the record at 3 s is dropped',
  )
  // Every record of the topic, not only the latest per key: one final value per closed window.
  const written = await rows(`SELECT key, value FROM streamline_topic('final_counts') ORDER BY "offset"`)
  assert.deepEqual(written, [
    [JSON.stringify([at(0)]), JSON.stringify({ window_start: at(0), window_end: at(10), n: 2 })],
    [JSON.stringify([at(10)]), JSON.stringify({ window_start: at(10), window_end: at(20), n: 2 })],
  ])
  // EMIT CHANGES is the default, said explicitly; other modes are refused.
  await rows(`CREATE MATERIALIZED VIEW changes_counts AS SELECT count(*) AS n FROM streamline_topic('final_readings')
    GROUP BY TUMBLE(timestamp, INTERVAL '10' SECOND) ALLOWED LATENESS INTERVAL '1' SECOND EMIT CHANGES`)
  const mode =
    await query(`CREATE MATERIALIZED VIEW m AS SELECT count(*) AS n FROM streamline_topic('final_readings')
    GROUP BY TUMBLE(timestamp, INTERVAL '10' SECOND) EMIT SOMETIMES`)
  assert.equal(mode.status, 400)
  assert.match(String(fields(mode).message), /expected CHANGES or FINAL after EMIT/)
  for (const name of ['final_counts', 'changes_counts']) await rows(`DROP MATERIALIZED VIEW ${name}`)
})

test('SESSION with EMIT FINAL writes each session once, when every partition stream time has passed its end + gap + lateness', async () => {
  await createTopic('final_visits', 2)
  await produce('final_visits', [
    { partition: 0, seconds: 0, eventSeconds: 100, user: 'ann' },
    { partition: 0, seconds: 0, eventSeconds: 105, user: 'ann' },
    { partition: 0, seconds: 0, eventSeconds: 140, user: 'bob' },
    { partition: 1, seconds: 0, eventSeconds: 103, user: 'ann' },
    { partition: 1, seconds: 0, eventSeconds: 110, user: 'cy' },
  ])
  await rows(`CREATE MATERIALIZED VIEW final_sessions AS
    SELECT value->>'$.user' AS user, count(*) AS visits FROM streamline_topic('final_visits')
    GROUP BY SESSION(epoch_ms((value->>'$.ts')::BIGINT), INTERVAL '10' SECOND), user
    ALLOWED LATENESS INTERVAL '5' SECOND EMIT FINAL`)
  // Stream times 140 s (partition 0) and 110 s (1): no session ends 15 s before 110 s.
  await caughtUp('final_sessions', { 0: 3, 1: 2 })
  const written = () => rows(`SELECT key, value FROM streamline_topic('final_sessions') ORDER BY key`)
  assert.deepEqual(await written(), [])
  // Partition 1 reaches 160 s: the smallest stream time is 140 s, closing sessions that end before
  // 125 s: ann's [100, 105] (three visits, one from each partition) and cy's [110].
  await produce('final_visits', [
    { partition: 1, seconds: 0, eventSeconds: 130, user: 'cy' },
    { partition: 1, seconds: 0, eventSeconds: 160, user: 'ann' },
  ])
  await caughtUp('final_sessions', { 0: 3, 1: 4 })
  const session = (start: number, end: number, user: string, visits: number) => [
    JSON.stringify([at(start), user]),
    JSON.stringify({ window_start: at(start), window_end: at(end), user, visits }),
  ]
  assert.deepEqual(await written(), [session(100, 105, 'ann', 3), session(110, 110, 'cy', 1)])
  // ann at 115 s would join her closed session: it is more than 5 s behind partition 0's 140 s,
  // dropped. Partition 0 reaches 200 s: the smallest stream time 160 s closes cy's [130] only (bob's
  // [140, 150] ends 165 s after the lateness and gap).
  await produce('final_visits', [
    { partition: 0, seconds: 0, eventSeconds: 115, user: 'ann' },
    { partition: 0, seconds: 0, eventSeconds: 150, user: 'bob' },
    { partition: 0, seconds: 0, eventSeconds: 200, user: 'dee' },
  ])
  const shown = await caughtUp('final_sessions', { 0: 6, 1: 4 })
  assert.deepEqual(shown.slice(7, 9), [new Date(baseMs + 200_000).toISOString(), 1])
  // Every record of the topic (not only the latest per key): one per closed session, no tombstones.
  assert.deepEqual(await written(), [
    session(100, 105, 'ann', 3),
    session(110, 110, 'cy', 1),
    session(130, 130, 'cy', 1),
  ])
  await rows('DROP MATERIALIZED VIEW final_sessions')
})

test('PAUSE stops a query, RESUME catches it up; the paused state survives a restart', async () => {
  await createTopic('pausing', 1)
  await produce('pausing', [{ seconds: 1, user: 'a' }])
  await rows(`CREATE MATERIALIZED VIEW paused_counts AS SELECT count(*) AS n FROM streamline_topic('pausing')
    GROUP BY TUMBLE(timestamp, INTERVAL '1' MINUTE)`)
  await caughtUp('paused_counts', { 0: 1 })
  assert.deepEqual(await rows('PAUSE paused_counts'), [['paused_counts', 'PAUSED']])
  await produce('pausing', [{ seconds: 2, user: 'a' }])
  await streamline.close()
  streamline = await startStreamline({ dataDir })
  // Three intervals with a new record and nothing processed.
  await new Promise((resolve) => setTimeout(resolve, 3000))
  const paused = (await rows('SHOW QUERIES')).find((row) => row[0] === 'paused_counts')
  assert.deepEqual(paused?.slice(4, 6), ['PAUSED', JSON.stringify({ 0: 1 })])
  assert.deepEqual(await rows('RESUME paused_counts'), [['paused_counts', 'RUNNING']])
  assert.equal((await caughtUp('paused_counts', { 0: 2 }))[4], 'RUNNING')
  assert.deepEqual(await viewOf('paused_counts'), [
    [JSON.stringify([at(0)]), { window_start: at(0), window_end: at(60), n: 2 }],
  ])
  const unknown = await query('PAUSE nothing_here')
  assert.equal(unknown.status, 404)
})

test('malformed window statements answer 400 with the position; the broker keeps serving', async () => {
  await createTopic('bad_in', 1)
  const cases: Array<[string, string, RegExp]> = [
    [
      `CREATE MATERIALIZED VIEW v AS SELECT count(*) FROM streamline_topic('bad_in') GROUP BY HOP(timestamp, INTERVAL '5' SECOND)`,
      'INVALID_SQL',
      /^at position 87: expected HOP\(<time>, <advance>, <size>\)/,
    ],
    [
      `CREATE MATERIALIZED VIEW v AS SELECT count(*) FROM streamline_topic('bad_in') GROUP BY SLIDE(timestamp)`,
      'UNSUPPORTED_STATEMENT',
      /^at position 87: expected a window first in GROUP BY/,
    ],
    [
      `CREATE MATERIALIZED VIEW v AS SELECT count(*) FROM streamline_topic('bad_in') GROUP BY TUMBLE(timestamp, 10`,
      'INVALID_SQL',
      /^at position 107: expected \) closing the arguments of TUMBLE/,
    ],
    [
      `CREATE MATERIALIZED VIEW v AS SELECT count(*) FROM streamline_topic('bad_in') GROUP BY SESSION(timestamp, INTERVAL '5' SECOND) ALLOWED LATENESS 1`,
      'INVALID_SQL',
      /^at position 144: expected an INTERVAL/,
    ],
    [
      `CREATE MATERIALIZED VIEW v AS SELECT count(*) FROM streamline_topic('bad_in') GROUP BY TUMBLE(timestamp, INTERVAL '5' SECOND) ALLOWED LATENESS 5`,
      'INVALID_SQL',
      /^at position 143: expected an INTERVAL/,
    ],
    [
      `CREATE MATERIALIZED VIEW v AS SELECT count(*) FROM streamline_topic('bad_in') GROUP BY TUMBLE(timestamp, INTERVAL '5' SECOND) EMIT FINAL LIMIT 5`,
      'INVALID_SQL',
      /^at position 137: expected the end of the statement/,
    ],
    [
      `CREATE MATERIALIZED VIEW v AS SELECT count(*) FROM streamline_topic('bad_in') GROUP BY HOP(timestamp, INTERVAL '10' SECOND, INTERVAL '5' SECOND)`,
      'INVALID_SQL',
      /HOP size must be a positive interval at least as long as its advance/,
    ],
    [
      `CREATE MATERIALIZED VIEW v AS SELECT FROM streamline_topic('bad_in')`,
      'INVALID_SQL',
      /^at position 37: expected a select list/,
    ],
    [
      `CREATE MATERIALIZED VIEW v AS SELECT count(*) FROM streamline_topic('a') JOIN streamline_topic('b') ON true GROUP BY TUMBLE(timestamp, INTERVAL '5' SECOND)`,
      'INVALID_SQL',
      /^at position 73: expected an alias for the stream near "JOIN/,
    ],
    [
      `CREATE MATERIALIZED VIEW`,
      'INVALID_SQL',
      /^at position 24: expected the view name \(the statement ended\)/,
    ],
    [`PAUSE`, 'INVALID_SQL', /^at position 5: expected PAUSE \| RESUME <query name>/],
  ]
  for (const [sql, code, message] of cases) {
    const answer = await query(sql)
    assert.equal(answer.status, 400, sql)
    assert.equal(fields(answer).code, code, sql)
    assert.match(String(fields(answer).message), message, sql)
  }
  assert.equal((await rows('SHOW QUERIES')).filter((row) => row[0] === 'v').length, 0)
  assert.deepEqual(await rows('SELECT 1 AS one'), [[1]])
})
