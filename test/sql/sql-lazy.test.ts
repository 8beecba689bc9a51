// Goal: the SQL engine costs nothing until used: a started broker, probed and serving the admin API,
// has not loaded DuckDB's native library; the first query loads it and later queries reuse it.
// Method: an embedded broker in this test process (node:test runs each file in its own process);
// whether DuckDB is loaded is read from /proc/self/maps (the native addon is mapped once loaded).

import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import { test } from 'node:test'
import { startStreamline } from '../../src/embedded/index.ts'
import { call } from '../operability/http-client.ts'

async function duckDbMapped(): Promise<boolean> {
  return (await readFile('/proc/self/maps', 'utf8')).includes('duckdb')
}

test('DuckDB loads on the first query, not at start', { skip: process.platform !== 'linux' }, async () => {
  const streamline = await startStreamline()
  try {
    const baseUrl = streamline.httpUrl ?? assert.fail('no http')
    assert.equal((await call(baseUrl, 'GET', '/api/v1/topics')).status, 200)
    assert.equal(streamline.broker.sql.loaded, false)
    assert.equal(await duckDbMapped(), false)
    const answer = await call(baseUrl, 'POST', '/api/v1/query', { sql: 'SELECT 42 AS answer' })
    assert.deepEqual(answer.body, {
      columns: [{ name: 'answer', type: 'INTEGER' }],
      rows: [[42]],
      rowCount: 1,
      truncated: false,
      elapsedMs: (answer.body as { elapsedMs: number }).elapsedMs,
      stats: { bytesRead: 0, batchesRead: 0, recordsScanned: 0, topics: [] },
    })
    assert.equal(streamline.broker.sql.loaded, true)
    assert.equal(await duckDbMapped(), true)
  } finally {
    await streamline.close()
  }
})
