// Goal: streamline_topic hands keys and values to DuckDB exactly (src/sql/string-vector.ts writes a
// whole chunk's strings with one native call and DuckDB's string entries): every length around the
// 12-byte inline limit, multi-byte characters at the edges, empty and null values, large values,
// invalid UTF-8 (NULL as text, the bytes as BLOB; a chunk holding one goes the per-row way, the next
// chunk the bulk way), chunks spanning several batches, and the parallel GROUP BY path. And the CRC:
// the in-memory log's reads are marked as checked at append (the scan skips a second CRC), while a
// batch corrupted in a segment file fails the query with the CRC error and the service keeps serving.
// Method: a memory log (no broker: the scan is what is tested) filled through the same append path a
// produce takes; DuckDB's answers compared with the literal values. A disk log on a temporary
// directory for the CRC case, one byte of a value flipped in its segment file.

import assert from 'node:assert/strict'
import { readdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { appendRecords } from '../../src/http/messages.ts'
import { createSqlService, type SqlService } from '../../src/sql/index.ts'
import { openLogManager } from '../../src/storage/log-manager.ts'
import { createMemoryLogManager } from '../../src/storage/memory/memory-log-manager.ts'
import { makeTempDir, removeTempDir } from '../helpers/broker-process.ts'

/** Values cycled through (null: a null value); lengths 0-13 and 5000 with 2- and 4-byte characters. */
const shapes: Array<Buffer | null> = [
  null,
  Buffer.from(''),
  Buffer.from('a'),
  Buffer.from('twelve bytes'),
  Buffer.from('thirteen byte'),
  Buffer.from('élévé 😀 é'),
  Buffer.from('😀😀😀'),
  Buffer.from(`${'x'.repeat(4999)}é`),
  Buffer.from('{"country":"DE","amount":7}'),
]
/** Not valid UTF-8 alone (the second would continue the first if they were adjacent). */
const invalid = [Buffer.from([0xc3]), Buffer.from([0xa9, 0x41]), Buffer.from([0xc3, 0x28, 0x61, 0x62])]
const recordCount = 3000
const invalidAt = new Map([
  [5, invalid[0]],
  [6, invalid[1]],
  [1500, invalid[2]],
])

function valueAt(index: number): Buffer | null {
  return invalidAt.get(index) ?? shapes[index % shapes.length]
}

function keyAt(index: number): Buffer | null {
  return index % 3 === 0 ? null : Buffer.from(`k${index}`)
}

let sql: SqlService
let memoryLogs: ReturnType<typeof createMemoryLogManager>

before(async () => {
  const logs = createMemoryLogManager({})
  memoryLogs = logs
  const topic = await logs.createTopic('strings', { partitionCount: 1 })
  const log = logs.partition('strings', 0)
  if (log === undefined) throw new Error('no partition')
  // Batches of 700: a 2048-row chunk spans several.
  for (let start = 0; start < recordCount; start += 700) {
    const records = []
    for (let index = start; index < Math.min(start + 700, recordCount); index++)
      records.push({ key: keyAt(index), value: valueAt(index), timestamp: 1_700_000_000_000 + index })
    await appendRecords(log, topic, records)
  }
  sql = createSqlService({ logs })
})

after(async () => {
  await sql.close()
})

function textOrNull(bytes: Buffer | null): string | null {
  if (bytes === null) return null
  return invalid.some((bad) => bad.equals(bytes)) ? null : bytes.toString('utf8')
}

test('every value and key comes back exactly, text and bytes', async () => {
  const result = await sql.query({
    sql: `SELECT "offset", value, value_bytes, key, key_bytes, length(value) FROM streamline_topic('strings') ORDER BY "offset"`,
    maxRows: recordCount,
  })
  assert.equal(result.rows.length, recordCount)
  for (const [offset, value, valueBytes, key, keyBytes, length] of result.rows) {
    const index = Number(offset)
    const expected = valueAt(index)
    assert.equal(value, textOrNull(expected), `value at ${index}`)
    assert.equal(
      valueBytes,
      expected === null ? null : expected.toString('base64'),
      `value_bytes at ${index}`,
    )
    assert.equal(key, textOrNull(keyAt(index)), `key at ${index}`)
    assert.equal(keyBytes, keyAt(index)?.toString('base64') ?? null, `key_bytes at ${index}`)
    const text = textOrNull(expected)
    assert.equal(length, text === null ? null : [...text].length, `length at ${index}`)
  }
})

test('a parallel GROUP BY over the values counts each exactly', async () => {
  const result = await sql.query({
    sql: `SELECT value, count(*), min(value_bytes = encode(value)) FROM streamline_topic('strings') GROUP BY ALL`,
    maxRows: 100,
  })
  const expected = new Map<string | null, number>()
  for (let index = 0; index < recordCount; index++) {
    const text = textOrNull(valueAt(index))
    expected.set(text, (expected.get(text) ?? 0) + 1)
  }
  const counted = new Map(result.rows.map(([value, count]) => [value as string | null, Number(count)]))
  assert.deepEqual(counted, expected)
  for (const [value, , same] of result.rows) if (value !== null) assert.equal(same, true)
})

test('JSON values extract as text', async () => {
  const result = await sql.query({
    sql: `SELECT value->>'$.country', sum((value->>'$.amount')::INT) FROM streamline_topic('strings') WHERE json_valid(value) AND value LIKE '{%' GROUP BY ALL`,
  })
  const jsonCount = Array.from({ length: recordCount }, (_, index) => index).filter(
    (index) => !invalidAt.has(index) && index % shapes.length === shapes.length - 1,
  ).length
  assert.deepEqual(result.rows, [['DE', jsonCount * 7]])
})

test('memory reads skip the second CRC; a corrupted batch in a segment file fails with the CRC error', async () => {
  const read = await memoryLogs.partition('strings', 0)?.read(0, 1024, { isolation: 'read_committed' })
  assert.equal(read?.crcVerified, true)
  const dataDir = await makeTempDir('sql-crc-')
  const logs = await openLogManager({
    dataDir,
    maintenanceIntervalMs: 0,
    recoveryPointCheckpointIntervalMs: 0,
  })
  const disk = createSqlService({ logs })
  try {
    const topic = await logs.createTopic('disk', { partitionCount: 1 })
    const log = logs.partition('disk', 0)
    if (log === undefined) throw new Error('no partition')
    await appendRecords(log, topic, [{ value: Buffer.from('a payload to corrupt'), timestamp: Date.now() }])
    assert.equal((await log.read(0, 1024, {})).crcVerified, undefined)
    assert.deepEqual((await disk.query({ sql: `SELECT value FROM streamline_topic('disk')` })).rows, [
      ['a payload to corrupt'],
    ])
    const directory = join(dataDir, (await readdir(dataDir)).find((name) => name.startsWith('disk-')) ?? '')
    const segment = join(directory, (await readdir(directory)).find((name) => name.endsWith('.log')) ?? '')
    const bytes = await readFile(segment)
    const at = bytes.indexOf('payload')
    assert.ok(at > 0)
    bytes[at] = 'P'.charCodeAt(0)
    await writeFile(segment, bytes)
    await assert.rejects(disk.query({ sql: `SELECT value FROM streamline_topic('disk')` }), /CRC/)
    assert.deepEqual((await disk.query({ sql: 'SELECT 42' })).rows, [[42]])
  } finally {
    await disk.close()
    await logs.close()
    await removeTempDir(dataDir)
  }
})
