// Goal: the SQL bounds are configuration options (the [sql] section): flags, STREAMLINE_SQL_*
// variables and the TOML file set them, bad values stop start-up with the key named, and a broker
// started with them applies them (rows, time limit) while its defaults stay src/sql/limits.ts's.
// Method: loadConfig with an in-memory argv, env and file; then an embedded broker (free ports,
// in memory) started with small bounds answers POST /api/v1/query accordingly.

import assert from 'node:assert/strict'
import { test } from 'node:test'
import { loadConfig } from '../../src/config/load.ts'
import { startStreamline } from '../../src/embedded/index.ts'
import { ConfigError } from '../../src/errors.ts'
import { defaultSqlLimits } from '../../src/sql/limits.ts'
import { call, fields } from '../operability/http-client.ts'

function load(argv: string[], env: Record<string, string> = {}, file = '') {
  return loadConfig({ argv, env, readFile: () => file }).config
}

test('[sql] options come from flags, environment and the file; defaults are limits.ts', () => {
  assert.deepEqual(load([]).sql, defaultSqlLimits)
  const config = load(
    ['-c', 'server.toml', '--sql-max-rows-max', '5000'],
    { STREAMLINE_SQL_CONTINUOUS_INTERVAL_MS: '250' },
    '[sql]\nconcurrent_queries_max = 4\nmax_rows_max = 2000\nquery_memory_bytes = 134217728\n',
  )
  assert.equal(config.sql.maxRowsMax, 5000, 'a flag wins over the file')
  assert.equal(config.sql.continuousIntervalMs, 250)
  assert.equal(config.sql.concurrentQueriesMax, 4)
  assert.equal(config.sql.queryMemoryBytes, 134217728)
  assert.equal(config.sql.timeoutMsMax, defaultSqlLimits.timeoutMsMax)
  for (const [argv, message] of [
    [['--sql-concurrent-queries-max', '0'], /sql\.concurrent_queries_max/],
    [['--sql-max-rows-max', '5'], /sql\.max_rows_default.*above sql\.max_rows_max \(5\)/],
    [['--sql-timeout-ms-default', 'soon'], /sql\.timeout_ms_default/],
  ] as const) {
    assert.throws(
      () => load([...argv]),
      (error: unknown) => error instanceof ConfigError && message.test(error.message),
    )
  }
})

test('a broker applies its [sql] bounds', async () => {
  const streamline = await startStreamline({
    inMemory: true,
    sql: { maxRowsDefault: 3, maxRowsMax: 5, timeoutMsMax: 2000, timeoutMsDefault: 2000 },
  })
  try {
    const url = streamline.httpUrl ?? assert.fail('http disabled')
    const rows = await call(url, 'POST', '/api/v1/query', { sql: 'SELECT * FROM range(10)' })
    assert.equal(rows.status, 200)
    assert.deepEqual(fields(rows).rows, [[0], [1], [2]])
    assert.equal(fields(rows).truncated, true)
    const tooMany = await call(url, 'POST', '/api/v1/query', { sql: 'SELECT 1', maxRows: 6 })
    assert.equal(tooMany.status, 400)
    assert.match(String(fields(tooMany).message), /maxRows must be an integer from 0 to 5/)
    const tooLong = await call(url, 'POST', '/api/v1/query', { sql: 'SELECT 1', timeoutMs: 2001 })
    assert.equal(tooLong.status, 400)
    assert.match(String(fields(tooLong).message), /timeoutMs must be an integer from 1 to 2000/)
  } finally {
    await streamline.close()
  }
})
