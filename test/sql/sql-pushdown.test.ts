// Goal: a query reads from the log only what can match. `partition = / IN`, `"offset"` ranges,
// `timestamp` ranges (through the time index) and LIMIT each shrink the bytes read, proven by the
// bytes the scan read (stats.bytesRead, counted at PartitionLog.read) against the partitions' sizes;
// a last-minute query over the topic touches < 5% of it. And the pushdown never changes an answer:
// each pushed-down query gives the rows of the same query written so nothing can be pushed down.
// Method: an embedded broker on disk (time indexes as in production) with 64 KiB segments; kafkajs
// produces 2 × 3000 JSON records (≈ 350 bytes each) with timestamps one second apart, ending now.

import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { Kafka, logLevel } from 'kafkajs'
import { type Streamline, startStreamline } from '../../src/embedded/index.ts'
import type { QueryResult } from '../../src/sql/index.ts'
import { makeTempDir, removeTempDir } from '../helpers/broker-process.ts'

const recordsPerPartition = 3000
const recordsPerSend = 50
let streamline: Streamline
let dataDir: string
/** Timestamp of record i (each partition): baseMs + i * 1000. */
let baseMs: number

const padding = 'x'.repeat(250)

before(async () => {
  dataDir = await makeTempDir('streamline-sql-pushdown-')
  streamline = await startStreamline({ dataDir })
  const kafka = new Kafka({
    clientId: 'sql-pushdown',
    brokers: [streamline.bootstrap],
    logLevel: logLevel.NOTHING,
  })
  const admin = kafka.admin()
  await admin.connect()
  await admin.createTopics({
    topics: [
      { topic: 'events', numPartitions: 2, configEntries: [{ name: 'segment.bytes', value: '65536' }] },
    ],
  })
  await admin.disconnect()
  const producer = kafka.producer({ allowAutoTopicCreation: false })
  await producer.connect()
  baseMs = Date.now() - (recordsPerPartition - 1) * 1000
  for (let start = 0; start < recordsPerPartition; start += recordsPerSend) {
    await producer.sendBatch({
      topicMessages: [0, 1].map((partition) => ({
        topic: 'events',
        messages: Array.from({ length: recordsPerSend }, (_, offset) => ({
          partition,
          value: JSON.stringify({ i: start + offset, partition, pad: padding }),
          timestamp: String(baseMs + (start + offset) * 1000),
        })),
      })),
    })
  }
  await producer.disconnect()
})

after(async () => {
  await streamline?.close()
  if (dataDir !== undefined) await removeTempDir(dataDir)
})

function sizeOf(partition: number): number {
  return streamline.broker.logs.partition('events', partition)?.sizeBytes ?? assert.fail('no partition')
}

async function run(sql: string): Promise<QueryResult> {
  return streamline.query(sql)
}

test('the topic spans many segments', () => {
  // 64 KiB segments: each partition holds ~0.9 MB (~14 segments).
  assert.ok(sizeOf(0) > 800_000 && sizeOf(1) > 800_000, `${sizeOf(0)} ${sizeOf(1)}`)
})

test('a full scan reads every byte once; partition = / IN read only those partitions', async () => {
  const all = await run(`SELECT count(*) FROM streamline_topic('events')`)
  assert.deepEqual(all.rows, [[2 * recordsPerPartition]])
  assert.equal(all.stats.bytesRead, sizeOf(0) + sizeOf(1))
  const one = await run(
    `SELECT count(*), min("offset"), max("offset") FROM streamline_topic('events') WHERE partition = 1`,
  )
  assert.deepEqual(one.rows, [[recordsPerPartition, 0, recordsPerPartition - 1]])
  assert.equal(one.stats.bytesRead, sizeOf(1))
  const list = await run(`SELECT count(*) FROM streamline_topic('events') WHERE partition IN (0, 7)`)
  assert.deepEqual(list.rows, [[recordsPerPartition]])
  assert.equal(list.stats.bytesRead, sizeOf(0))
  // Not pushable (an expression of the column): same answer, whole topic read.
  const opaque = await run(`SELECT count(*) FROM streamline_topic('events') WHERE partition + 0 = 1`)
  assert.deepEqual(
    opaque.rows,
    one.rows.map((row) => [row[0]]),
  )
  assert.equal(opaque.stats.bytesRead, sizeOf(0) + sizeOf(1))
})

test('an offset range reads from its start to its end only', async () => {
  const range = await run(
    `SELECT count(*), min("offset"), max("offset"), min((value->>'$.i')::INT) FROM streamline_topic('events')
     WHERE partition = 0 AND "offset" BETWEEN 1000 AND 1099`,
  )
  assert.deepEqual(range.rows, [[100, 1000, 1099, 1000]])
  // One read (256 KiB asked, whole batches) covers the range: well under a quarter of the partition.
  assert.ok(range.stats.bytesRead < sizeOf(0) / 4, `${range.stats.bytesRead} of ${sizeOf(0)}`)
  assert.deepEqual(range.stats.topics, [
    { topic: 'events', partitions: [{ partition: 0, fromOffset: 1000, toOffset: 1100 }] },
  ])
  const strict = await run(
    `SELECT min("offset"), max("offset") FROM streamline_topic('events') WHERE partition = 1 AND "offset" > 2990.5 AND 2995 >= "offset"`,
  )
  assert.deepEqual(strict.rows, [[2991, 2995]])
})

test('a timestamp range starts at the time index answer; the last minute touches < 5% of the topic', async () => {
  const fromMs = baseMs + 2900 * 1000
  const literal = await run(
    `SELECT count(*), min((value->>'$.i')::INT) FROM streamline_topic('events') WHERE timestamp >= epoch_ms(${fromMs})`,
  )
  assert.deepEqual(literal.rows, [[200, 2900]])
  const total = sizeOf(0) + sizeOf(1)
  assert.ok(literal.stats.bytesRead < total * 0.05, `${literal.stats.bytesRead} of ${total}`)
  // Records whose timestamp is within the last minute, counted before and after the query.
  const recentCount = (nowMs: number) =>
    2 *
    Array.from({ length: recordsPerPartition }, (_, i) => baseMs + i * 1000).filter(
      (ms) => ms > nowMs - 60_000,
    ).length
  const before = recentCount(Date.now())
  const lastMinute = await run(
    `SELECT count(*) FROM streamline_topic('events') WHERE timestamp > now() - INTERVAL 1 MINUTE`,
  )
  const afterCount = recentCount(Date.now())
  const count = Number(lastMinute.rows[0][0])
  assert.ok(count <= before && count >= afterCount, `${count} not in [${afterCount}, ${before}]`)
  assert.ok(lastMinute.stats.bytesRead < total * 0.05, `${lastMinute.stats.bytesRead} of ${total}`)
  const opaque = await run(
    `SELECT count(*) FROM streamline_topic('events') WHERE epoch_ms(timestamp) >= ${fromMs}`,
  )
  assert.deepEqual(opaque.rows, [[200]])
  assert.equal(opaque.stats.bytesRead, total)
})

test('LIMIT stops the scan when any rows answer; not with ORDER BY or aggregates', async () => {
  const first = await run(`SELECT partition, "offset" FROM streamline_topic('events') LIMIT 3`)
  assert.deepEqual(first.rows, [
    [0, 0],
    [0, 1],
    [0, 2],
  ])
  assert.ok(first.stats.bytesRead <= 64 * 1024 + 20_000, `${first.stats.bytesRead}`)
  const filtered = await run(
    `SELECT "offset" FROM streamline_topic('events') WHERE partition = 1 AND "offset" >= 2000 LIMIT 2 OFFSET 1`,
  )
  assert.deepEqual(filtered.rows, [[2001], [2002]])
  assert.ok(filtered.stats.bytesRead <= 64 * 1024 + 20_000, `${filtered.stats.bytesRead}`)
  const last = await run(
    `SELECT "offset" FROM streamline_topic('events') WHERE partition = 0 ORDER BY "offset" DESC LIMIT 1`,
  )
  assert.deepEqual(last.rows, [[recordsPerPartition - 1]])
  assert.equal(last.stats.bytesRead, sizeOf(0))
  const counted = await run(`SELECT count(*) FROM streamline_topic('events') LIMIT 1`)
  assert.deepEqual(counted.rows, [[2 * recordsPerPartition]])
  // A WHERE the scan cannot apply (JSON field) keeps the whole scan, so LIMIT still finds its rows.
  const jsonFiltered = await run(
    `SELECT (value->>'$.i')::INT FROM streamline_topic('events') WHERE partition = 1 AND (value->>'$.i')::INT >= 2998 LIMIT 5`,
  )
  assert.deepEqual(jsonFiltered.rows, [[2998], [2999]])
})
