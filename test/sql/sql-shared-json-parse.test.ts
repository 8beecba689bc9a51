// Goal: a query whose `value->>'<path>'` extractions are rewritten to share one JSON parse per row
// (src/sql/shared-json-parse.ts) answers exactly as DuckDB answers the query as written: the same
// rows, column names, column types and errors, over tricky JSON (numbers as 1.0 / 1e3 / -0 / beyond
// 2^64, unicode escapes and surrogate pairs, escapes, nested objects and arrays, missing keys, JSON
// null, top-level arrays, scalars and strings, duplicate keys, whitespace, NUL characters, a null
// value, bytes that are not UTF-8) and over malformed JSON and failing casts.
// Method: the same SQL text runs (a) through the SQL service over a memory-log topic and (b) in a
// plain DuckDB instance where `streamline_topic` is a table macro over a table of the same values
// (so DuckDB's messages, which quote the SQL, compare as they are). The service's debug log says
// whether the rewrite ran, and with which paths, so each case also proves which path it took.

import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api'
import { pino } from 'pino'
import { appendRecords } from '../../src/http/messages.ts'
import { createSqlService, type SqlService } from '../../src/sql/index.ts'
import { jsonValueConverter } from '../../src/sql/result-json.ts'
import { createMemoryLogManager } from '../../src/storage/memory/memory-log-manager.ts'

const tricky: Array<string | Buffer | null> = [
  '{"a":1.0,"b":"x","c":{"d":"deep"}}',
  '{"a":1e3,"b":"\\u00e9\\ud83d\\ude00 \\"q\\" \\\\ \\t","c":{"d":[1,2,{"e":null}]}}',
  '{"a":-0,"b":null,"c":[]}',
  '{"a":12345678901234567890123,"b":true,"c":{}}',
  '{"a":0.1,"b":false,"c":[1.50,"2",null]}',
  '{"a":-12.0e-2,"b":1.5e-7}',
  '{}',
  '{"a":{"x":1,"y":[1.50,"2"]},"b":[{"c":1}],"c":"plain"}',
  '[1,{"a":2},3]',
  '"just a string"',
  '42',
  'null',
  '{"a":"dup","a":"second","b":"é"}',
  '  { "a" : 1 , "b" : 2 ,"c" : { "d" : "spaced" } }  ',
  '{"a":"\\u0000nul","b":"🙂","c":{"d":true}}',
  '{"A":"upper","a":"lower","b":"x"}',
  null,
  Buffer.from([0xc3, 0x28]),
  '{"a":"DE","b":"7"}',
  '{"a":"DE","b":"8"}',
  '{"a":"FR","b":"9"}',
]
/** Valid rows, one malformed, one whose `b` is no integer. */
const bad: string[] = ['{"a":"x","b":"1"}', '{"a":"y","b":"2"}', '{"a":', '{"a":"z","b":"three"}']
const numbers: string[] = ['{"a":"x","b":"1"}', '{"a":"y","b":"two"}', '{"a":"z","b":"3"}']

let sql: SqlService
let reference: DuckDBInstance
let connection: DuckDBConnection
const logLines: Array<Record<string, unknown>> = []

function sqlOfValue(value: string | Buffer | null): string {
  if (value === null) return 'NULL'
  // Not valid UTF-8: the topic's `value` is NULL for it (the table's rule).
  if (Buffer.isBuffer(value)) return 'NULL'
  return `'${value.replaceAll("'", "''")}'`
}

before(async () => {
  const logs = createMemoryLogManager({})
  for (const [name, values] of [
    ['j', tricky],
    ['bad', bad],
    ['numbers', numbers],
  ] as const) {
    const topic = await logs.createTopic(name, { partitionCount: 1 })
    const log = logs.partition(name, 0)
    if (log === undefined) throw new Error('no partition')
    const records = values.map((value) => ({
      timestamp: 1_700_000_000_000,
      value: value === null ? null : Buffer.isBuffer(value) ? value : Buffer.from(value),
    }))
    await appendRecords(log, topic, records)
  }
  const log = pino({ level: 'debug' }, { write: (line: string) => logLines.push(JSON.parse(line)) })
  sql = createSqlService({ logs, log })
  reference = await DuckDBInstance.create(':memory:', { threads: '1' })
  connection = await reference.connect()
  await connection.run('CREATE TABLE vals (topic VARCHAR, i INTEGER, value VARCHAR)')
  for (const [name, values] of [
    ['j', tricky],
    ['bad', bad],
    ['numbers', numbers],
  ] as const) {
    const rows = values.map((value, index) => `('${name}', ${index}, ${sqlOfValue(value)})`)
    await connection.run(`INSERT INTO vals VALUES ${rows.join(', ')}`)
  }
  await connection.run(
    'CREATE MACRO streamline_topic(name) AS TABLE SELECT value FROM vals WHERE topic = name ORDER BY i',
  )
})

after(async () => {
  connection.closeSync()
  reference.closeSync()
  await sql.close()
})

/** The SQL the service ran shared (null: it ran the query as written). */
function sharedSqlSince(mark: number): string | null {
  const line = logLines
    .slice(mark)
    .find((entry) => entry.msg === 'sql: JSON extractions share one parse per row')
  return line === undefined ? null : String(line.sql)
}

type Answer = { columns: Array<{ name: string; type: string }>; rows: unknown[] } | { error: string }

async function serviceAnswer(query: string): Promise<Answer> {
  try {
    const result = await sql.query({ sql: query })
    return { columns: result.columns, rows: result.rows }
  } catch (error) {
    return { error: (error as Error).message }
  }
}

async function referenceAnswer(query: string): Promise<Answer> {
  try {
    const reader = await connection.runAndReadAll(query)
    const types = reader.columnTypes()
    const columns = reader.columnNames().map((name, index) => ({
      name,
      type: types[index].alias ?? types[index].toString(),
    }))
    return { columns, rows: reader.convertRows(jsonValueConverter) }
  } catch (error) {
    return { error: (error as Error).message }
  }
}

/** Runs `query` both ways; `sorted`: compare rows as a multiset (a GROUP BY has no order). */
async function same(query: string, sorted: boolean): Promise<{ shared: string | null; answer: Answer }> {
  const mark = logLines.length
  const got = await serviceAnswer(query)
  const shared = sharedSqlSince(mark)
  const want = await referenceAnswer(query)
  const order = (answer: Answer): Answer =>
    'rows' in answer && sorted
      ? { ...answer, rows: answer.rows.map((row) => JSON.stringify(row)).sort() }
      : answer
  assert.deepEqual(order(got), order(want), query)
  return { shared, answer: got }
}

test('projections of tricky JSON: the shared parse answers as DuckDB does', async () => {
  const { shared, answer } = await same(
    "SELECT value->>'$.a', value->>'$.b', value->>'$.c', value ->> 'a', value->>'$.c.d', value->>'$.c.d[2]', value->>'$[1]', json_extract_string(value, '$.A'), value->>'$.a' AS again FROM streamline_topic('j')",
    false,
  )
  assert.equal('rows' in answer && answer.rows.length, tricky.length)
  assert.match(
    String(shared),
    /json_extract_string\("value", main\.list_value\('\$\.A', '\$\.a', '\$\.b', '\$\.c', '\$\.c\.d', '\$\.c\.d\[2\]', '\$\[1\]', 'a'\)\)\[2\]/,
  )
})

test('constants JS cannot hold exactly survive the rewrite digit for digit', async () => {
  const { shared } = await same(
    "SELECT value->>'$.a', value->>'$.b', 9007199254740993 AS over53, 18446744073709551615 AS u64, 123456789012345678901234567890 AS huge, 0.1 AS tenth, -0.0 AS negzero FROM streamline_topic('j')",
    false,
  )
  assert.notEqual(shared, null)
  // DuckDB writes the DOUBLE 1.1e0 as 1.1, which parses back as a DECIMAL (3.3 against
  // 3.3000000000000003 here): a tree whose SQL text does not parse back to it runs as written.
  const double = await same(
    "SELECT value->>'$.a', value->>'$.b', (1.1e0 + 2.2e0)::VARCHAR AS sum FROM streamline_topic('j')",
    false,
  )
  assert.equal(double.shared, null)
  // Text that looks like lossless-json.ts's number marker is never mistaken for one.
  await same(
    "SELECT value->>'$.a', value->>'$.b', '\\u0000number:0' AS marker FROM streamline_topic('j')",
    false,
  )
})

test('the GROUP BY of the benchmark and other aggregates: same groups, values, names and types', async () => {
  const first = await same(
    "SELECT value->>'$.a' AS a, count(*), max(value->>'$.b'), min(length(value->>'$.c')), count(DISTINCT value->>'$.c.d') FROM streamline_topic('j') GROUP BY ALL",
    true,
  )
  assert.notEqual(first.shared, null)
  const second = await same(
    "SELECT value->>'$.a' AS country, count(*), avg((value->>'$.b')::INT) FROM streamline_topic('j') WHERE value->>'$.a' IN ('DE', 'FR') GROUP BY ALL",
    true,
  )
  assert.notEqual(second.shared, null)
  // Unaliased expressions: the columns keep DuckDB's names for the expressions as written.
  const third = await same(
    "SELECT value->>'$.b', count(*) AS n, sum(length(value->>'$.a')) FROM streamline_topic('j') GROUP BY value->>'$.b', value->>'$.a' HAVING count(*) > 0 ORDER BY value->>'$.b' NULLS FIRST, value->>'$.a' NULLS FIRST, n",
    false,
  )
  assert.notEqual(third.shared, null)
  assert.deepEqual('columns' in third.answer && third.answer.columns.map((column) => column.name), [
    '("value" ->> \'$.b\')',
    'n',
    'sum(length(("value" ->> \'$.a\')))',
  ])
})

test('more shapes: an alias-qualified value, ROLLUP, DISTINCT, ORDER BY an alias, LIMIT', async () => {
  for (const [query, sorted] of [
    [
      "SELECT t.value->>'$.a' AS a, value->>'$.b' AS b FROM streamline_topic('j') AS t ORDER BY a NULLS FIRST, b NULLS FIRST",
      false,
    ],
    [
      "SELECT value->>'$.a' AS a, value->>'$.b' AS b, count(*) FROM streamline_topic('j') GROUP BY ROLLUP (a, b)",
      true,
    ],
    ["SELECT DISTINCT value->>'$.a', value->>'$.c.d' FROM streamline_topic('j')", true],
    ["SELECT value->>'$.a', value->>'$.b' FROM streamline_topic('j') LIMIT 3", false],
  ] as const) {
    const { shared } = await same(query, sorted)
    assert.notEqual(shared, null, query)
  }
})

test('SELECT * with extractions (the decoded columns are prepared and the query runs again): shared, same values', async () => {
  const mark = logLines.length
  const result = await sql.query({ sql: "SELECT *, value->>'$.a', value->>'$.b' FROM streamline_topic('j')" })
  assert.notEqual(sharedSqlSince(mark), null)
  const want = await referenceAnswer("SELECT value->>'$.a', value->>'$.b' FROM streamline_topic('j')")
  assert.ok('rows' in want)
  assert.deepEqual(
    result.columns.slice(-2).map((column) => column.name),
    want.columns.map((column) => column.name),
  )
  assert.deepEqual(
    result.rows.map((row) => row.slice(-2)),
    want.rows,
  )
})

test('an extraction that not every row evaluates (CASE, COALESCE, AND/OR, TRY) keeps its path out of the shared parse', async () => {
  const { shared } = await same(
    "SELECT CASE WHEN value LIKE '{%' THEN value->>'$.a' END, coalesce(value->>'$.x', 'none'), value->>'$.b', value->>'$.c', (value->>'$.y') IS NULL OR value->>'$.z' = '1' FROM streamline_topic('j')",
    false,
  )
  assert.match(String(shared), /list_value\('\$\.b', '\$\.c'\)/)
  // A single path: nothing to share, the query runs as written.
  const single = await same("SELECT value->>'$.a', count(*) FROM streamline_topic('j') GROUP BY ALL", true)
  assert.equal(single.shared, null)
})

test('malformed JSON and failing casts: the errors are the query-as-written ones', async () => {
  const malformed = await same("SELECT value->>'$.a', value->>'$.b' FROM streamline_topic('bad')", false)
  assert.notEqual(malformed.shared, null)
  assert.match(
    'error' in malformed.answer ? malformed.answer.error : '',
    /^Invalid Input Error: Malformed JSON/,
  )
  // The cast error quotes the SQL as written (the shared query failed, the original ran for it).
  const cast = await same(
    "SELECT value->>'$.a', sum((value->>'$.b')::INT) FROM streamline_topic('numbers') GROUP BY ALL",
    true,
  )
  assert.notEqual(cast.shared, null)
  assert.match(
    'error' in cast.answer ? cast.answer.error : '',
    /^Conversion Error: .*\n\nLINE 1: SELECT value->>'\$\.a', sum\(\(value->>'\$\.b'\)::INT\)/s,
  )
  // Rows a WHERE leaves out are not parsed: no error, as written.
  const filtered = await same(
    "SELECT value->>'$.a', value->>'$.b' FROM streamline_topic('bad') WHERE value <> '{\"a\":'",
    false,
  )
  assert.notEqual(filtered.shared, null)
  assert.ok('rows' in filtered.answer)
})

test('a streamed answer (the HTTP API) names and holds the same rows; the service keeps serving', async () => {
  const query = "SELECT value->>'$.a', value->>'$.b' FROM streamline_topic('j')"
  const want = await referenceAnswer(query)
  const columns: unknown[] = []
  const rows: unknown[] = []
  const result = await sql.query({
    sql: query,
    sink: {
      columns: (names) => columns.push(names),
      rows: async (batch) => {
        rows.push(...batch)
      },
    },
  })
  assert.ok('rows' in want)
  assert.deepEqual(columns, [want.columns])
  assert.deepEqual(rows, want.rows)
  assert.equal(result.rowCount, tricky.length)
  const failed = await serviceAnswer("SELECT value->>'$.a', value->>'$.b' FROM streamline_topic('bad')")
  assert.ok('error' in failed)
  assert.deepEqual((await sql.query({ sql: 'SELECT 1 AS one' })).rows, [[1]])
})
