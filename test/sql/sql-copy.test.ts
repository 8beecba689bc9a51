// Goal: COPY (<query>) TO '<file>' writes a query's exact rows over topics as Parquet, CSV or
// newline-delimited JSON inside the export directory (<data dir>/sql-export by default) and nowhere
// else: `..`, absolute paths and other COPY forms answer 400 and write nothing; file reads outside the
// directory stay refused (403); the broker keeps serving.
// Method: an embedded broker on a temporary data dir (free ports); kafkajs (a client we did not write)
// produces JSON orders; statements go through POST /api/v1/query; the CSV and JSON files are read
// with node:fs and compared with literal text, the Parquet file is read back by DuckDB (read_parquet
// may read inside the export directory).

import assert from 'node:assert/strict'
import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { Kafka, logLevel } from 'kafkajs'
import { type Streamline, startStreamline } from '../../src/embedded/index.ts'
import { makeTempDir, removeTempDir } from '../helpers/broker-process.ts'
import { type ApiAnswer, call, fields } from '../operability/http-client.ts'

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

before(async () => {
  dataDir = await makeTempDir('streamline-sql-copy-')
  streamline = await startStreamline({ dataDir })
  const kafka = new Kafka({
    clientId: 'sql-copy',
    brokers: [streamline.bootstrap],
    logLevel: logLevel.NOTHING,
  })
  const admin = kafka.admin()
  await admin.connect()
  await admin.createTopics({ topics: [{ topic: 'orders', numPartitions: 1 }] })
  await admin.disconnect()
  const producer = kafka.producer({ allowAutoTopicCreation: false })
  await producer.connect()
  await producer.send({
    topic: 'orders',
    messages: [
      ['DE', 10],
      ['FR', 5],
      ['DE', 7],
      ['US', 1],
    ].map(([country, total], index) => ({ key: `o${index}`, value: JSON.stringify({ country, total }) })),
  })
  await producer.disconnect()
})

after(async () => {
  await streamline.close()
  await removeTempDir(dataDir)
})

const perCountry = `SELECT value->>'$.country' AS country, count(*) AS orders, sum((value->>'$.total')::INT) AS total
  FROM streamline_topic('orders') GROUP BY ALL ORDER BY country`
const exportDir = () => join(dataDir, 'sql-export')

test('COPY writes Parquet, CSV and JSON files of the exact rows inside the export directory', async () => {
  assert.deepEqual(await rows(`COPY (${perCountry}) TO 'per-country.csv'`), [['per-country.csv', 3]])
  assert.equal(
    await readFile(join(exportDir(), 'per-country.csv'), 'utf8'),
    'country,orders,total\nDE,2,17\nFR,1,5\nUS,1,1\n',
  )
  assert.deepEqual(await rows(`COPY (${perCountry}) TO 'daily/per-country.out' (FORMAT json)`), [
    ['daily/per-country.out', 3],
  ])
  assert.equal(
    await readFile(join(exportDir(), 'daily', 'per-country.out'), 'utf8'),
    '{"country":"DE","orders":2,"total":17}\n{"country":"FR","orders":1,"total":5}\n{"country":"US","orders":1,"total":1}\n',
  )
  assert.deepEqual(
    await rows(`COPY (SELECT key, "offset", value FROM streamline_topic('orders')) TO 'orders.parquet'`),
    [['orders.parquet', 4]],
  )
  const parquet = join(exportDir(), 'orders.parquet').replaceAll("'", "''")
  assert.deepEqual(
    await rows(`SELECT key, "offset", value->>'$.country' FROM read_parquet('${parquet}') ORDER BY 2`),
    [
      ['o0', 0, 'DE'],
      ['o1', 1, 'FR'],
      ['o2', 2, 'DE'],
      ['o3', 3, 'US'],
    ],
  )
  // Written again: the file is replaced.
  assert.deepEqual(await rows(`COPY (SELECT 1 AS one) TO 'per-country.csv'`), [['per-country.csv', 1]])
  assert.equal(await readFile(join(exportDir(), 'per-country.csv'), 'utf8'), 'one\n1\n')
})

test('COPY outside the export directory, other COPY forms and bad SQL answer 400; nothing is written', async () => {
  const cases: Array<[string, number, string, RegExp]> = [
    [`COPY (SELECT 1) TO '../escape.csv'`, 400, 'INVALID_SQL', /must be a relative name/],
    [`COPY (SELECT 1) TO 'a/../../escape.csv'`, 400, 'INVALID_SQL', /without \.\./],
    [`COPY (SELECT 1) TO '/tmp/escape.csv'`, 400, 'INVALID_SQL', /must be a relative name/],
    [`COPY (SELECT 1) TO 'noformat'`, 400, 'INVALID_SQL', /COPY needs a format/],
    [`COPY (SELECT 1) TO 'x.csv' (FORMAT xlsx)`, 400, 'INVALID_SQL', /unknown COPY format xlsx/],
    [`COPY (SELECT 1) TO 'x.bin' (FORMAT arrow)`, 400, 'INVALID_SQL', /unknown COPY format arrow/],
    [`COPY orders TO 'x.csv'`, 400, 'UNSUPPORTED_STATEMENT', /COPY \(<SELECT>\) TO/],
    [`COPY (SELECT 1) TO 'x.csv' (FORMAT csv, DELIMITER ';')`, 400, 'UNSUPPORTED_STATEMENT', /COPY/],
    [`COPY (SELEC 1) TO 'x.csv'`, 400, 'INVALID_SQL', /Parser Error/],
    [`COPY (SELECT 1; SELECT 2) TO 'x.csv'`, 400, 'UNSUPPORTED_STATEMENT', /one statement/],
    [`COPY (SELECT * FROM read_csv('/etc/passwd')) TO 'x.csv'`, 403, 'SQL_ACCESS_DENIED', /.+/],
    [`COPY (SELECT * FROM streamline_topic('nope')) TO 'x.csv'`, 404, 'UNKNOWN_TOPIC_OR_PARTITION', /nope/],
  ]
  for (const [sql, status, code, message] of cases) {
    const answer = await query(sql)
    assert.equal(answer.status, status, `${sql}: ${JSON.stringify(answer.body)}`)
    assert.equal(fields(answer).code, code, sql)
    assert.match(String(fields(answer).message), message, sql)
  }
  assert.equal(existsSync(join(dataDir, 'escape.csv')), false)
  assert.equal(existsSync('/tmp/escape.csv'), false)
  assert.equal(existsSync(join(exportDir(), 'x.csv')), false)
  // Reading beside the export directory (the data dir itself) stays refused.
  const outside = await query(`SELECT * FROM read_csv('${join(dataDir, 'meta.properties')}')`)
  assert.equal(outside.status, 403)
  assert.deepEqual(await rows('SELECT 1 AS one'), [[1]])
})
