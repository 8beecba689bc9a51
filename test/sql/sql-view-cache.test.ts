// Goal: a TUMBLE view computes its windows from the in-memory cache of recent source records
// (src/sql/continuous/view-cache.ts) and from the log where the cache cannot hold them, with the same
// results either way: windows below the cache's floor (after an eviction, after a restart) are
// recounted from the log, newer ones from the cache, in the same step. An open window (not ended by the
// clock or the watermark) is written while it is open, at most once a second (deferred in between).
// Method: an embedded broker on a temporary data dir (free ports); kafkajs (a client we did not write)
// produces records with explicit timestamps; the view's topic is read with SQL (latest value per key)
// once SHOW QUERIES reports the source's end offsets processed, and compared with literal counts.

import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { Kafka, logLevel } from 'kafkajs'
import { type Streamline, startStreamline } from '../../src/embedded/index.ts'
import { makeTempDir, removeTempDir } from '../helpers/broker-process.ts'

const baseMs = Date.UTC(2026, 0, 15, 10, 0, 0)
let dataDir: string
let streamline: Streamline

function kafka(): Kafka {
  return new Kafka({
    clientId: 'sql-view-cache',
    brokers: [streamline.bootstrap],
    logLevel: logLevel.NOTHING,
  })
}

async function produce(topic: string, timestamps: number[]): Promise<void> {
  const producer = kafka().producer({ allowAutoTopicCreation: false })
  await producer.connect()
  await producer.send({
    topic,
    messages: timestamps.map((timestamp) => ({ value: '{}', timestamp: String(timestamp) })),
  })
  await producer.disconnect()
}

async function rows(sql: string): Promise<unknown[][]> {
  return (await streamline.query(sql)).rows
}

/** The view's windows: [window_start, n] from the latest value per key, once `condition` holds (20 s). */
async function viewWhen(view: string, condition: (windows: unknown[][]) => boolean): Promise<unknown[][]> {
  const deadline = Date.now() + 20_000
  for (;;) {
    const windows = await rows(
      `SELECT v->>'$.window_start', (v->>'$.n')::INT FROM (SELECT arg_max(value, "offset") AS v FROM streamline_topic('${view}') GROUP BY key) ORDER BY 1`,
    )
    if (condition(windows)) return windows
    assert.ok(Date.now() < deadline, `${view}: ${JSON.stringify(windows)}`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

async function caughtUp(name: string, next: number): Promise<void> {
  const deadline = Date.now() + 20_000
  for (;;) {
    const row = (await rows('SHOW QUERIES')).find((candidate) => candidate[0] === name)
    if (row?.[5] === JSON.stringify({ 0: next })) return
    assert.ok(Date.now() < deadline, `${name} did not catch up: ${JSON.stringify(row)}`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

function at(seconds: number): string {
  return new Date(baseMs + seconds * 1000).toISOString().replace('T', ' ').replace('.000Z', '')
}

before(async () => {
  dataDir = await makeTempDir('streamline-sql-view-cache-')
  streamline = await startStreamline({ dataDir })
  const admin = kafka().admin()
  await admin.connect()
  await admin.createTopics({ topics: [{ topic: 'clicks' }, { topic: 'live' }] })
  await admin.disconnect()
})

after(async () => {
  await streamline.close()
  await removeTempDir(dataDir)
})

test('windows below the cache floor (evicted, or before a restart) are recounted from the log', async () => {
  await produce('clicks', [baseMs + 5_000, baseMs + 15_000])
  await streamline.query(`CREATE MATERIALIZED VIEW clicks_10s AS SELECT count(*) AS n FROM streamline_topic('clicks')
    GROUP BY TUMBLE(timestamp, INTERVAL '10' SECOND)`)
  await caughtUp('clicks_10s', 2)
  // The watermark jumps to 65 s: the windows before 50 s leave the cache (its floor rises).
  await produce('clicks', [baseMs + 65_000])
  await caughtUp('clicks_10s', 3)
  // A late record of the evicted window [0, 10) (from the log) and one of [60, 70) (from the cache).
  await produce('clicks', [baseMs + 7_000, baseMs + 66_000])
  await caughtUp('clicks_10s', 5)
  const expected = [
    [at(0), 2],
    [at(10), 1],
    [at(60), 2],
  ]
  assert.deepEqual(
    await viewWhen('clicks_10s', (windows) => JSON.stringify(windows) === JSON.stringify(expected)),
    expected,
  )
  // After a restart the cache starts empty, its floor above the watermark (66 s): [0, 10) and
  // [60, 70) come from the log, [80, 90) from the cache, all in one step.
  await streamline.close()
  streamline = await startStreamline({ dataDir })
  await produce('clicks', [baseMs + 9_000, baseMs + 67_000, baseMs + 85_000])
  await caughtUp('clicks_10s', 8)
  const afterRestart = [
    [at(0), 3],
    [at(10), 1],
    [at(60), 3],
    [at(80), 1],
  ]
  assert.deepEqual(
    await viewWhen('clicks_10s', (windows) => JSON.stringify(windows) === JSON.stringify(afterRestart)),
    afterRestart,
  )
  // The same as a recount of the source.
  assert.deepEqual(
    await rows(`SELECT strftime(time_bucket(INTERVAL 10 SECOND, timestamp), '%Y-%m-%d %H:%M:%S'), count(*)::INT
      FROM streamline_topic('clicks') GROUP BY 1 ORDER BY 1`),
    afterRestart,
  )
})

test('an open window is written while it is open, and again as records arrive', async () => {
  // One-hour windows over the current time: open by the clock and by the watermark.
  await streamline.query(`CREATE MATERIALIZED VIEW live_1h AS SELECT count(*) AS n FROM streamline_topic('live')
    GROUP BY TUMBLE(timestamp, INTERVAL '1' HOUR)`)
  const nowMs = Date.now()
  await produce('live', [nowMs, nowMs, nowMs])
  const total = (windows: unknown[][]) => windows.reduce((sum, window) => sum + Number(window[1]), 0)
  assert.equal(total(await viewWhen('live_1h', (windows) => total(windows) === 3)), 3)
  await produce('live', [nowMs + 1, nowMs + 2])
  assert.equal(total(await viewWhen('live_1h', (windows) => total(windows) === 5)), 5)
})
