// Goal: `streamline-cli query` runs SQL over topics through the broker's HTTP API and prints the exact
// rows as a table, JSON or CSV; bad SQL and bad option values fail with the documented exit codes.
// Method: one broker process on a known free HTTP port; records produced with kafkajs (an independent
// client); the CLI run as a child process (cli-harness.ts); stdout, stderr and exit codes asserted.
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { Kafka, logLevel } from 'kafkajs'
import { type BrokerProcess, startBrokerProcess } from '../helpers/broker-process.ts'
import { freePort } from '../helpers/free-port.ts'
import { type CliHarness, startCliHarness } from './cli-harness.ts'

describe('streamline-cli query', () => {
  let broker: BrokerProcess
  let cli: CliHarness
  let httpUrl: string
  const run = (args: string[]) => cli.run(['-b', broker.bootstrap, '--http', httpUrl, ...args])
  const sql =
    "SELECT value->>'$.country' AS country, count(*) AS orders FROM streamline_topic('orders') GROUP BY ALL ORDER BY country"

  before(async () => {
    const httpPort = await freePort()
    httpUrl = `http://127.0.0.1:${httpPort}`
    ;[broker, cli] = await Promise.all([
      startBrokerProcess({ args: ['--http-addr', `127.0.0.1:${httpPort}`] }),
      startCliHarness(),
    ])
    const kafka = new Kafka({
      clientId: 'cli-query-test',
      brokers: [broker.bootstrap],
      logLevel: logLevel.NOTHING,
    })
    const admin = kafka.admin()
    await admin.connect()
    await admin.createTopics({ topics: [{ topic: 'orders', numPartitions: 1 }] })
    await admin.disconnect()
    const producer = kafka.producer()
    await producer.connect()
    await producer.send({
      topic: 'orders',
      messages: ['fr', 'de', 'fr', 'it, "north"', 'fr'].map((country) => ({
        value: JSON.stringify({ country }),
      })),
    })
    await producer.disconnect()
  })

  after(async () => {
    await Promise.all([broker?.stop(), cli?.close()])
  })

  it('prints the rows as an aligned table with a row count on stderr', async () => {
    const result = await run(['query', sql])
    assert.equal(result.code, 0, result.stderr)
    assert.equal(
      result.stdout,
      'COUNTRY      ORDERS\nde                1\nfr                3\nit, "north"       1\n',
    )
    assert.match(result.stderr, /^3 rows in \d+ ms\n$/)
  })

  it('prints CSV with quoting and the endpoint answer as JSON', async () => {
    const csv = await run(['query', sql, '--output-format', 'csv'])
    assert.equal(csv.code, 0, csv.stderr)
    assert.equal(csv.stdout, 'country,orders\nde,1\nfr,3\n"it, ""north""",1\n')
    const json = await run(['--format', 'json', 'query', sql, '--max-rows', '2'])
    assert.equal(json.code, 0, json.stderr)
    const answer = JSON.parse(json.stdout) as {
      columns: unknown
      rows: unknown
      rowCount: number
      truncated: boolean
    }
    assert.deepEqual(answer.columns, [
      { name: 'country', type: 'VARCHAR' },
      { name: 'orders', type: 'BIGINT' },
    ])
    assert.deepEqual(answer.rows, [
      ['de', 1],
      ['fr', 3],
    ])
    assert.equal(answer.truncated, true)
    assert.match(json.stderr, /^2 rows in \d+ ms \(truncated: more rows exist; raise --max-rows\)\n$/)
  })

  it('bad SQL exits 1 with the server code and message; bad options exit 2', async () => {
    const bad = await run(['query', 'SELEC 1'])
    assert.equal(bad.code, 1)
    assert.equal(bad.stdout, '')
    assert.match(
      bad.stderr,
      /^error: query failed \(HTTP 400\) INVALID_SQL: Parser Error: syntax error at or near "SELEC"/,
    )
    const format = await run(['query', 'SELECT 1', '--output-format', 'xml'])
    assert.equal(format.code, 2)
    assert.match(format.stderr, /--output-format must be one of table, json, csv, not 'xml'/)
    const rows = await run(['query', 'SELECT 1', '--max-rows', '0'])
    assert.equal(rows.code, 2)
  })
})
