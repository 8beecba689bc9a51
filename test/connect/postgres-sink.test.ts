// Goal: the PostgreSQL sink (Confluent's JDBC sink options) upserts by the record key, deletes on
// tombstones, creates the table and adds a column for a new optional field, and after a SIGKILL of
// the broker in the middle the table holds exactly the expected rows.
// Method: a real PostgreSQL 15 and a real broker process; kafkajs produces JsonConverter envelopes
// (schemas.enable=true) before the connector starts; the connector is created with curl; the broker
// is killed as soon as the first rows land and restarted; the rows are compared with pg.
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { Kafka, logLevel } from 'kafkajs'
import {
  type BrokerProcess,
  makeTempDir,
  removeTempDir,
  startBrokerProcess,
} from '../helpers/broker-process.ts'
import { connectUrlOf, curl, waitFor } from '../helpers/connect.ts'
import { type PostgresServer, requirePostgres, startPostgres } from '../helpers/postgres-server.ts'

const skip = requirePostgres()
let postgres: PostgresServer | null = null
let broker: BrokerProcess | null = null
let dataDir = ''
before(async () => {
  if (skip !== false) return
  postgres = await startPostgres()
  dataDir = await makeTempDir('streamline-pg-sink-')
})
after(async () => {
  await broker?.stop()
  await postgres?.stop()
  if (dataDir !== '') await removeTempDir(dataDir)
})

const keySchema = {
  type: 'struct',
  optional: false,
  fields: [{ field: 'id', type: 'int32', optional: false }],
}
function valueSchema(withEmail: boolean) {
  const fields = [
    { field: 'id', type: 'int32', optional: false },
    { field: 'name', type: 'string', optional: false },
    { field: 'score', type: 'int64', optional: true },
  ]
  if (withEmail) fields.push({ field: 'email', type: 'string', optional: true })
  return { type: 'struct', optional: false, fields }
}
const key = (id: number) => JSON.stringify({ schema: keySchema, payload: { id } })
const value = (id: number, score: number, email?: string) =>
  JSON.stringify({
    schema: valueSchema(email !== undefined),
    payload: { id, name: `c${id}`, score, ...(email === undefined ? {} : { email }) },
  })

test('PostgreSQL sink: upserts, deletes, auto-create and auto-evolve, exact rows after a SIGKILL', {
  skip,
  timeout: 180_000,
}, async () => {
  const pg = postgres as PostgresServer
  broker = await startBrokerProcess({ dataDir })
  const kafka = new Kafka({
    clientId: 'pg-sink-test',
    brokers: [broker.bootstrap],
    logLevel: logLevel.NOTHING,
  })
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 })
  await producer.connect()
  const messages: Array<{ key: string; value: string | null }> = []
  for (let id = 1; id <= 100; id++) messages.push({ key: key(id), value: value(id, id) })
  for (let id = 1; id <= 50; id++) messages.push({ key: key(id), value: value(id, id * 10) })
  messages.push({ key: key(7), value: value(7, 70, 'seven@example.com') })
  for (let id = 90; id <= 100; id++) messages.push({ key: key(id), value: null })
  for (let start = 0; start < messages.length; start += 20)
    await producer.send({ topic: 'customers_out', messages: messages.slice(start, start + 20) })
  await producer.disconnect()
  const base = connectUrlOf(broker)
  const created = await curl('POST', `${base}/connectors`, {
    name: 'pg-sink',
    config: {
      'connector.class': 'io.confluent.connect.jdbc.JdbcSinkConnector',
      topics: 'customers_out',
      'connection.url': `jdbc:postgresql://${pg.host}:${pg.port}/${pg.database}`,
      'connection.user': pg.user,
      'insert.mode': 'upsert',
      'pk.mode': 'record_key',
      'auto.create': 'true',
      'auto.evolve': 'true',
      'delete.enabled': 'true',
      'batch.size': '25',
      'consumer.override.max.poll.records': '20',
    },
  })
  assert.equal(created.status, 201, created.text)
  await waitFor('the first rows', async () => {
    const rows = await pg.query('SELECT 1 FROM customers_out LIMIT 1').catch(() => [])
    return rows.length > 0 ? true : undefined
  })
  await broker.kill()
  broker = await startBrokerProcess({ dataDir })
  const expected = Array.from({ length: 89 }, (_, index) => {
    const id = index + 1
    return {
      id,
      name: `c${id}`,
      score: String(id <= 50 ? id * 10 : id),
      email: id === 7 ? 'seven@example.com' : null,
    }
  })
  const rows = await waitFor(
    'the final rows',
    async () => {
      const found = await pg
        .query<Record<string, unknown>>('SELECT id, name, score, email FROM customers_out ORDER BY id')
        .catch(() => [])
      return JSON.stringify(found) === JSON.stringify(expected) ? found : undefined
    },
    90_000,
  ).catch(async (error) => {
    console.log(await pg.query('SELECT count(*) FROM customers_out'))
    throw error
  })
  assert.deepEqual(rows, expected)
  const columns = await pg.query<{ column_name: string; data_type: string }>(
    "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 'customers_out' ORDER BY ordinal_position",
  )
  assert.deepEqual(
    columns.map((column) => `${column.column_name} ${column.data_type}`),
    ['id integer', 'name text', 'score bigint', 'email text'],
  )
  const [primaryKey] = await pg.query<{ definition: string }>(
    "SELECT pg_get_constraintdef(oid) AS definition FROM pg_constraint WHERE conrelid = 'customers_out'::regclass AND contype = 'p'",
  )
  assert.equal(primaryKey.definition, 'PRIMARY KEY (id)')
})
