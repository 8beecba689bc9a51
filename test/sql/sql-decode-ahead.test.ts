// Goal: streamline_topic's decoding of batches ahead (topic-function.ts: up to 3 batches decoded in
// the JS thread's idle time while DuckDB works) never changes a result: every record of a topic of
// many small batches is counted exactly once in a parallel GROUP BY, also right after a LIMIT query
// stopped its scan early (its batches decoded ahead are dropped with it), with several queries at
// once (each scan has its own cursor), and with the offset range pushed down (a batch decoded ahead
// holds only the in-range records).
// Method: a memory log (the scan is what is tested, no broker) of 60 batches of 97 JSON records
// through the produce path; DuckDB's answers compared with counts computed here.

import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { appendRecords } from '../../src/http/messages.ts'
import { createSqlService, type SqlService } from '../../src/sql/index.ts'
import { createMemoryLogManager } from '../../src/storage/memory/memory-log-manager.ts'

const batchCount = 60
const perBatch = 97
const recordCount = batchCount * perBatch
const countries = ['DE', 'FR', 'US']

let sql: SqlService

before(async () => {
  const logs = createMemoryLogManager({})
  const topic = await logs.createTopic('ahead', { partitionCount: 1 })
  const log = logs.partition('ahead', 0)
  if (log === undefined) throw new Error('no partition')
  const nowMs = Date.now()
  for (let batch = 0; batch < batchCount; batch++) {
    const records = Array.from({ length: perBatch }, (_, offset) => {
      const index = batch * perBatch + offset
      const value = JSON.stringify({ country: countries[index % 3], amount: index })
      return { timestamp: nowMs - recordCount + index, value: Buffer.from(value) }
    })
    await appendRecords(log, topic, records)
  }
  sql = createSqlService({ logs })
})

after(async () => {
  await sql.close()
})

/** country → [count, sum of amount] over the records with offsets in [from, to]. */
function expectedTotals(from: number, to: number): Array<[string, number, number]> {
  const totals = new Map<string, [number, number]>()
  for (let index = from; index <= to; index++) {
    const country = countries[index % 3]
    const [count, sum] = totals.get(country) ?? [0, 0]
    totals.set(country, [count + 1, sum + index])
  }
  return [...totals].map(([country, [count, sum]]) => [country, count, sum])
}

const groupBy = (where: string) =>
  `SELECT value->>'$.country' AS country, count(*), sum((value->>'$.amount')::INT) FROM streamline_topic('ahead') ${where} GROUP BY ALL ORDER BY country`

function totalsOf(rows: unknown[][]): Array<[string, number, number]> {
  return rows.map(([country, count, sum]) => [String(country), Number(count), Number(sum)])
}

test('a parallel GROUP BY over many batches counts every record once', async () => {
  const result = await sql.query({ sql: groupBy('') })
  assert.deepEqual(totalsOf(result.rows), sortedByCountry(expectedTotals(0, recordCount - 1)))
})

test('after a LIMIT query stopped early, the next GROUP BY is exact', async () => {
  const limited = await sql.query({ sql: `SELECT "offset" FROM streamline_topic('ahead') LIMIT 3` })
  assert.deepEqual(
    limited.rows.map(([offset]) => Number(offset)),
    [0, 1, 2],
  )
  const result = await sql.query({ sql: groupBy('') })
  assert.deepEqual(totalsOf(result.rows), sortedByCountry(expectedTotals(0, recordCount - 1)))
})

test('several queries at once, with and without an offset range, are each exact', async () => {
  const [whole, ranged, again] = await Promise.all([
    sql.query({ sql: groupBy('') }),
    sql.query({ sql: groupBy(`WHERE "offset" BETWEEN 150 AND 4321`) }),
    sql.query({ sql: groupBy('') }),
  ])
  const all = sortedByCountry(expectedTotals(0, recordCount - 1))
  assert.deepEqual(totalsOf(whole.rows), all)
  assert.deepEqual(totalsOf(ranged.rows), sortedByCountry(expectedTotals(150, 4321)))
  assert.deepEqual(totalsOf(again.rows), all)
})

function sortedByCountry(totals: Array<[string, number, number]>): Array<[string, number, number]> {
  return [...totals].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
}
