// Goal: the PostgreSQL CDC source (Debezium's PostgresConnector options and envelope) snapshots a
// table, then streams inserts, updates, deletes (with tombstones) and multi-row transactions in commit
// order through logical replication (pgoutput), and after a SIGKILL of the broker resumes from the
// stored LSN: every change committed in PostgreSQL reaches Kafka, also those made while it was down.
// Method: a real PostgreSQL 15 (Debian's package, wal_level=logical) and a real broker process with
// its Connect worker; the connector is created with curl; kafkajs reads the topic; the slot's
// confirmed_flush_lsn shows the standby status updates.
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { parseLsn } from '../../src/connect/connectors/postgres/pgoutput.ts'
import {
  type BrokerProcess,
  makeTempDir,
  removeTempDir,
  startBrokerProcess,
} from '../helpers/broker-process.ts'
import { connectUrlOf, curl, waitFor, waitForState } from '../helpers/connect.ts'
import { type PostgresServer, requirePostgres, startPostgres } from '../helpers/postgres-server.ts'
import { type ReadRecord, readTopic } from './topic-reader.ts'

const skip = requirePostgres()
let postgres: PostgresServer | null = null
let broker: BrokerProcess | null = null
let dataDir = ''

before(async () => {
  if (skip !== false) return
  postgres = await startPostgres()
  dataDir = await makeTempDir('streamline-cdc-')
})
after(async () => {
  await broker?.stop()
  await postgres?.stop()
  if (dataDir !== '') await removeTempDir(dataDir)
})

interface Envelope {
  before: Record<string, unknown> | null
  after: Record<string, unknown> | null
  source: Record<string, unknown>
  op: string
  ts_ms: number
}

const topic = 'dbserver1.public.customers'

/** One line per event: "op id name" for changes, "tombstone id" for tombstones. */
function summary(record: ReadRecord): string {
  const key = JSON.parse(record.key ?? 'null') as { id: number }
  if (record.value === null) return `tombstone ${key.id}`
  const { payload } = JSON.parse(record.value) as { payload: Envelope }
  const row = payload.after ?? payload.before
  return `${payload.op} ${key.id} ${String(row?.name)}`
}

test('PostgreSQL CDC: snapshot, streamed changes in commit order, resume after SIGKILL', {
  skip,
  timeout: 180_000,
}, async () => {
  const pg = postgres as PostgresServer
  await pg.query(
    `CREATE TABLE customers (id int PRIMARY KEY, name text NOT NULL, score numeric(6,2), born date,
     seen timestamp, active boolean, big bigint)`,
  )
  await pg.query(
    `INSERT INTO customers VALUES (1, 'ada', 12.50, '1815-12-10', '2024-01-02 03:04:05.123456', true, 9007199254740991),
     (2, 'bob', NULL, NULL, NULL, false, -1)`,
  )
  broker = await startBrokerProcess({ dataDir })
  const base = connectUrlOf(broker)
  const config = {
    'connector.class': 'io.debezium.connector.postgresql.PostgresConnector',
    'database.hostname': pg.host,
    'database.port': String(pg.port),
    'database.user': pg.user,
    'database.dbname': pg.database,
    'topic.prefix': 'dbserver1',
    'table.include.list': 'public.customers',
    'status.update.interval.ms': '200',
    'key.converter': 'org.apache.kafka.connect.json.JsonConverter',
    'key.converter.schemas.enable': 'false',
  }
  const created = await curl('POST', `${base}/connectors`, { name: 'pg-cdc', config })
  assert.equal(created.status, 201, created.text)
  await waitForState(base, 'pg-cdc', 'RUNNING')

  // Snapshot: op "r", the last one marked snapshot "last"; Debezium's types and schema names.
  const snapshot = await readTopic(broker.bootstrap, topic, 2)
  assert.deepEqual(snapshot.map(summary), ['r 1 ada', 'r 2 bob'])
  const first = JSON.parse(snapshot[0].value ?? '') as { schema: { name: string }; payload: Envelope }
  assert.equal(first.schema.name, 'dbserver1.public.customers.Envelope')
  assert.deepEqual(first.payload.after, {
    id: 1,
    name: 'ada',
    score: '12.50',
    born: -56_270,
    seen: 1_704_164_645_123_456,
    active: true,
    big: 9_007_199_254_740_991,
  })
  assert.equal(first.payload.before, null)
  assert.deepEqual(
    { ...first.payload.source, ts_ms: 0, lsn: 0, version: '' },
    {
      version: '',
      connector: 'postgresql',
      name: 'dbserver1',
      ts_ms: 0,
      snapshot: 'true',
      db: 'postgres',
      sequence: null,
      schema: 'public',
      table: 'customers',
      txId: null,
      lsn: 0,
      xmin: null,
    },
  )
  assert.equal((JSON.parse(snapshot[1].value ?? '') as { payload: Envelope }).payload.source.snapshot, 'last')
  assert.deepEqual(JSON.parse(snapshot[0].key ?? ''), { id: 1 })

  // Streaming: one statement per transaction, then one transaction with three changes.
  await pg.query("INSERT INTO customers (id, name) VALUES (3, 'cy')")
  await pg.query("UPDATE customers SET name = 'ada l.' WHERE id = 1")
  await pg.query('DELETE FROM customers WHERE id = 2')
  await pg.query(
    "BEGIN; INSERT INTO customers (id, name) VALUES (4, 'dee'); UPDATE customers SET name = 'dee2' WHERE id = 4; INSERT INTO customers (id, name) VALUES (5, 'eve'); COMMIT",
  )
  await pg.query("UPDATE customers SET id = 6, name = 'cy6' WHERE id = 3") // key change
  const expectedStreamed = [
    'r 1 ada',
    'r 2 bob',
    'c 3 cy',
    'u 1 ada l.',
    'd 2 null', // REPLICA IDENTITY DEFAULT: the old row holds only the key
    'tombstone 2',
    'c 4 dee',
    'u 4 dee2',
    'c 5 eve',
    'd 3 null',
    'tombstone 3',
    'c 6 cy6',
  ]
  const streamed = await readTopic(broker.bootstrap, topic, expectedStreamed.length)
  assert.deepEqual(streamed.map(summary), expectedStreamed)
  const update = (JSON.parse(streamed[3].value ?? '') as { payload: Envelope }).payload
  assert.equal(update.before, null) // REPLICA IDENTITY DEFAULT: no old row, as Debezium
  assert.equal(update.source.snapshot, 'false')
  assert.equal(typeof update.source.txId, 'number')
  const deleted = (JSON.parse(streamed[4].value ?? '') as { payload: Envelope }).payload
  assert.equal(deleted.before?.id, 2)
  const tx = streamed
    .slice(6, 9)
    .map((record) => (JSON.parse(record.value ?? '') as { payload: Envelope }).payload)
  assert.equal(new Set(tx.map((payload) => payload.source.txId)).size, 1, 'one transaction')

  // The slot's confirmed LSN follows what Kafka holds (standby status updates).
  const lastLsn = Number((JSON.parse(streamed[11].value ?? '') as { payload: Envelope }).payload.source.lsn)
  await waitFor(
    'the slot confirmed past the last change',
    async () => {
      const [slot] = await pg.query<{ confirmed_flush_lsn: string }>(
        "SELECT confirmed_flush_lsn FROM pg_replication_slots WHERE slot_name = 'debezium'",
      )
      return Number(parseLsn(slot.confirmed_flush_lsn)) > lastLsn ? true : undefined
    },
    20_000,
  )

  // SIGKILL the broker while changes are being made; more changes while it is down.
  const writer = (async () => {
    for (let id = 100; id < 130; id++) {
      await pg.query('INSERT INTO customers (id, name) VALUES ($1, $2)', [id, `n${id}`])
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
  })()
  await new Promise((resolve) => setTimeout(resolve, 250))
  await broker.kill()
  await writer
  await pg.query(
    "BEGIN; DELETE FROM customers WHERE id = 100; UPDATE customers SET name = 'eve2' WHERE id = 5; COMMIT",
  )
  broker = await startBrokerProcess({ dataDir })
  const restartedBase = connectUrlOf(broker)
  await waitForState(restartedBase, 'pg-cdc', 'RUNNING')
  const expectedAll = [
    ...expectedStreamed,
    ...Array.from({ length: 30 }, (_, index) => `c ${100 + index} n${100 + index}`),
    'd 100 null',
    'tombstone 100',
    'u 5 eve2',
  ]
  const all = await readTopic(broker.bootstrap, topic, expectedAll.length)
  // At-least-once: records after the last offset commit may repeat, never go missing or reorder.
  const firstSeen: string[] = []
  for (const line of all.map(summary)) if (!firstSeen.includes(line)) firstSeen.push(line)
  assert.deepEqual(firstSeen, expectedAll)
  const duplicates = all.length - expectedAll.length
  assert.ok(duplicates <= 30, `${duplicates} duplicates`)
  const offsets = await curl('GET', `${restartedBase}/connectors/pg-cdc/offsets`)
  const stored = (offsets.body as { offsets: Array<{ partition: unknown; offset: Record<string, unknown> }> })
    .offsets
  assert.deepEqual(stored[0].partition, { server: 'dbserver1' })
  assert.equal(typeof stored[0].offset.lsn, 'number')
  assert.equal(stored[0].offset.event_serial, stored[0].offset.events_total)
})
