// Goal: CREATE STREAM <name> AS SELECT … FROM streamline_topic('<topic>') WHERE … runs continuously:
// every record of the source that matches (those produced before the statement and after it) arrives
// in the topic <name>, projected as the SELECT says, with its key and its source timestamp; SHOW
// QUERIES lists it; after a restart on the same data dir it resumes from its checkpoint (records
// produced while it was down arrive, none twice); DROP STREAM stops it; bad statements answer
// 400/404 with a clear message.
// Method: an embedded broker on a temporary data dir (free ports); kafkajs (a client we did not write)
// produces JSON orders into 2 partitions and consumes the stream's topic; statements go through
// POST /api/v1/query.

import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { Kafka, logLevel } from 'kafkajs'
import { type Streamline, startStreamline } from '../../src/embedded/index.ts'
import { makeTempDir, removeTempDir } from '../helpers/broker-process.ts'
import { type ApiAnswer, call, fields } from '../operability/http-client.ts'

const baseMs = Date.UTC(2026, 0, 15, 10, 0, 0)
const countries = ['DE', 'FR', 'US']
let dataDir: string
let streamline: Streamline

function order(index: number) {
  return {
    partition: index % 2,
    key: `user-${index % 4}`,
    value: JSON.stringify({ id: index, country: countries[index % 3], total: index * 10 }),
    timestamp: String(baseMs + index * 1000),
  }
}

function expected(indexes: number[]): Array<{ key: string; value: string; timestamp: string }> {
  return indexes
    .filter((index) => index % 3 === 0)
    .map((index) => ({
      key: `user-${index % 4}`,
      value: JSON.stringify({ id: index, country: 'DE', doubled: index * 20 }),
      timestamp: String(baseMs + index * 1000),
    }))
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from }, (_, offset) => from + offset)
}

function kafkaOf(broker: Streamline): Kafka {
  return new Kafka({ clientId: 'sql-stream-test', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING })
}

function query(sql: string): Promise<ApiAnswer> {
  return call(streamline.httpUrl ?? assert.fail('http disabled'), 'POST', '/api/v1/query', { sql })
}

async function produce(indexes: number[]): Promise<void> {
  const producer = kafkaOf(streamline).producer({ allowAutoTopicCreation: false })
  await producer.connect()
  await producer.send({ topic: 'orders', messages: indexes.map(order) })
  await producer.disconnect()
}

/** Reads the whole stream topic with a kafkajs consumer until `count` records came (or 20 s). */
async function consumeStream(
  count: number,
): Promise<Array<{ key: string; value: string; timestamp: string }>> {
  const consumer = kafkaOf(streamline).consumer({ groupId: `check-${Date.now()}-${Math.random()}` })
  const seen: Array<{ key: string; value: string; timestamp: string }> = []
  await consumer.connect()
  await consumer.subscribe({ topic: 'de_orders', fromBeginning: true })
  const deadline = Date.now() + 20_000
  await consumer.run({
    eachMessage: async ({ message }) => {
      seen.push({
        key: String(message.key),
        value: String(message.value),
        timestamp: message.timestamp,
      })
    },
  })
  while (seen.length < count && Date.now() < deadline)
    await new Promise((resolve) => setTimeout(resolve, 100))
  // A little longer: a duplicate would arrive now.
  await new Promise((resolve) => setTimeout(resolve, 1500))
  await consumer.disconnect()
  return seen.sort((a, b) => Number(a.timestamp) - Number(b.timestamp))
}

before(async () => {
  dataDir = await makeTempDir('streamline-sql-stream-')
  streamline = await startStreamline({ dataDir })
  const admin = kafkaOf(streamline).admin()
  await admin.connect()
  await admin.createTopics({ topics: [{ topic: 'orders', numPartitions: 2 }] })
  await admin.disconnect()
})

after(async () => {
  await streamline.close()
  await removeTempDir(dataDir)
})

test('a stream filters and projects every matching record, before and after its creation, and survives a restart', async () => {
  await produce(range(0, 10))
  const created = await query(`CREATE STREAM de_orders AS
    SELECT key, json_object('id', (value->>'$.id')::INT, 'country', value->>'$.country', 'doubled', (value->>'$.total')::INT * 2) AS value
    FROM streamline_topic('orders')
    WHERE value->>'$.country' = 'DE'`)
  assert.equal(created.status, 200, JSON.stringify(created.body))
  assert.deepEqual(fields(created).rows, [['de_orders', 'de_orders']])
  await produce(range(10, 20))
  assert.deepEqual(await consumeStream(7), expected(range(0, 20)))

  const shown = fields(await query('SHOW QUERIES')).rows as unknown[][]
  const row = shown.find((candidate) => candidate[0] === 'de_orders')
  assert.ok(row !== undefined)
  assert.deepEqual(row.slice(0, 5), ['de_orders', 'STREAM', 'orders', 'de_orders', 'RUNNING'])

  // A restart on the same data dir: the stream resumes from its checkpoint.
  await streamline.close()
  streamline = await startStreamline({ dataDir })
  await produce(range(20, 30))
  assert.deepEqual(await consumeStream(10), expected(range(0, 30)))

  const dropped = await query('DROP STREAM de_orders')
  assert.equal(dropped.status, 200)
  assert.equal((await query('DROP STREAM de_orders')).status, 404)
  assert.equal((await query('DROP STREAM IF EXISTS de_orders')).status, 200)
  await produce(range(30, 33))
  await new Promise((resolve) => setTimeout(resolve, 2000))
  assert.deepEqual(await consumeStream(10), expected(range(0, 30)), 'a dropped stream writes nothing')
})

test('bad CREATE STREAM statements answer 400/404; the broker keeps answering', async () => {
  const columns = await query(`CREATE STREAM bad AS SELECT "offset" FROM streamline_topic('orders')`)
  assert.equal(columns.status, 400)
  assert.equal(fields(columns).code, 'INVALID_SQL')
  assert.match(String(fields(columns).message), /value \(required\).*got offset/)
  const missing = await query(`CREATE STREAM bad AS SELECT value FROM streamline_topic('missing')`)
  assert.equal(missing.status, 404)
  const grouped = await query(
    `CREATE STREAM bad AS SELECT value FROM streamline_topic('orders') GROUP BY value`,
  )
  assert.equal(grouped.status, 400)
  assert.equal(fields(grouped).code, 'UNSUPPORTED_STATEMENT')
  const syntax = await query(
    `CREATE STREAM bad AS SELECT value FROM streamline_topic('orders') WHERE value ==== 1`,
  )
  assert.equal(syntax.status, 400)
  assert.equal(fields(syntax).code, 'INVALID_SQL')
  const rows = fields(await query('SHOW QUERIES')).rows as unknown[][]
  assert.equal(rows.filter((row) => row[0] === 'bad').length, 0, 'no bad stream was created')
  assert.equal((await query('SELECT 1')).status, 200)
})
