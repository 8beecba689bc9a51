// SQL benchmark (issue 17): how fast `SELECT country, count(*), avg(amount) … GROUP BY` runs over N
// JSON records read from a topic, against DuckDB's own read_json over the same records in a
// newline-delimited file (the target: ≥ 50 % of the file's speed), and how many bytes a
// last-minute query touches when the minute is the last 1 % of the topic (target: < 5 %).
// Run: node --import tsx bench/sql.ts [records=1000000]   (in-process: a memory log, no broker process;
// the file baseline runs on an unrestricted DuckDB instance of its own; best of 3 runs each).
// Not yet part of `npm run bench` (bench/suite); the numbers go to bench/RESULTS.md by hand.

import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { DuckDBInstance } from '@duckdb/node-api'
import { appendRecords } from '../src/http/messages.ts'
import { createSqlService } from '../src/sql/index.ts'
import { createMemoryLogManager } from '../src/storage/memory/memory-log-manager.ts'

const records = Number(process.argv[2] ?? 1_000_000)
const runs = 3
const countries = ['DE', 'FR', 'US', 'GB', 'ES']

async function best(run: () => Promise<unknown>): Promise<number> {
  let fastest = Number.POSITIVE_INFINITY
  for (let index = 0; index < runs; index++) {
    const started = performance.now()
    await run()
    fastest = Math.min(fastest, performance.now() - started)
  }
  return fastest
}

const dir = await mkdtemp(join(tmpdir(), 'streamline-bench-sql-'))
try {
  const logs = createMemoryLogManager({
    defaultConfigOverrides: { 'retention.bytes': '-1', 'retention.ms': '-1' },
  })
  const topic = await logs.createTopic('orders', { partitionCount: 1 })
  const log = logs.partition('orders', 0)
  if (log === undefined) throw new Error('no partition')
  const lines: string[] = []
  const nowMs = Date.now()
  // Timestamps one per record, ending now: the last 1 % of the records is the last "minute".
  const stepMs = 60_000 / (records / 100)
  for (let start = 0; start < records; start += 1000) {
    const batch = Array.from({ length: Math.min(1000, records - start) }, (_, offset) => {
      const index = start + offset
      const text = JSON.stringify({
        id: index,
        country: countries[index % 5],
        amount: index % 1000,
        user: { id: index % 977 },
      })
      lines.push(text)
      return { timestamp: Math.round(nowMs - (records - index) * stepMs), value: Buffer.from(text) }
    })
    await appendRecords(log, topic, batch)
  }
  const file = join(dir, 'orders.ndjson')
  await writeFile(file, `${lines.join('\n')}\n`)
  const sql = createSqlService({
    logs,
    limits: { timeoutMsDefault: 300_000, scanBytesMax: 4 * 1024 ** 3, queryMemoryBytes: 1024 ** 3 },
  })
  await sql.query({ sql: 'SELECT 1' })
  const topicMs = await best(() =>
    sql.query({
      sql: `SELECT value->>'$.country' AS country, count(*), avg((value->>'$.amount')::INT) FROM streamline_topic('orders') GROUP BY ALL`,
    }),
  )
  const instance = await DuckDBInstance.create(':memory:', { threads: '2' })
  const connection = await instance.connect()
  const fileMs = await best(() =>
    connection.runAndReadAll(
      `SELECT country, count(*), avg(amount) FROM read_json('${file}', format = 'newline_delimited') GROUP BY ALL`,
    ),
  )
  connection.closeSync()
  instance.closeSync()
  const lastMinute = await sql.query({
    sql: `SELECT count(*) FROM streamline_topic('orders') WHERE timestamp > now() - INTERVAL 1 MINUTE`,
  })
  await sql.close()
  const result = {
    records,
    topicGroupByMs: Math.round(topicMs),
    readJsonGroupByMs: Math.round(fileMs),
    topicSpeedShareOfFile: Number((fileMs / topicMs).toFixed(2)),
    topicRecordsPerSec: Math.round(records / (topicMs / 1000)),
    lastMinuteRows: lastMinute.rows[0][0],
    lastMinuteBytesRead: lastMinute.stats.bytesRead,
    topicBytes: log.sizeBytes,
    lastMinuteShareOfTopic: Number((lastMinute.stats.bytesRead / log.sizeBytes).toFixed(4)),
  }
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`)
} finally {
  await rm(dir, { recursive: true, force: true })
}
