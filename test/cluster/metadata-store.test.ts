// Goal: the cluster's metadata layer on a real PostgreSQL: migrations are applied once even when
// brokers start together and change nothing the second time; every broker reads the same cluster id;
// membership follows heartbeats; a lease that lapses is taken by another broker with epoch + 1; and a
// commit from the old leader (its epoch fenced) changes nothing, while the new leader's commits land.
// Method: Debian's PostgreSQL 15 started by test/helpers/postgres-cluster-server.ts, several pools (as
// several brokers would hold), the functions of src/cluster called directly; assertions on the rows.

import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { after, before, test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { insertTopic, loadPartitions } from '../../src/cluster/catalog.ts'
import { commitObject, partitionKey } from '../../src/cluster/commit.ts'
import { type MetadataDatabase, openMetadataDatabase } from '../../src/cluster/database.ts'
import { acquireLeases, renewLeases } from '../../src/cluster/leases.ts'
import { clusterIdOf, heartbeat, liveBrokers, registerBroker } from '../../src/cluster/membership.ts'
import { migrate } from '../../src/cluster/migrations.ts'
import {
  type PostgresServer,
  requirePostgres,
  startPostgresServer,
} from '../helpers/postgres-cluster-server.ts'

const skip = requirePostgres()
const leaseTimeoutMs = 400
let server: PostgresServer
const databases: MetadataDatabase[] = []

async function open(): Promise<MetadataDatabase> {
  const database = await openMetadataDatabase({ url: server.url, poolSize: 2, onError: () => {} })
  databases.push(database)
  return database
}

before(async () => {
  if (skip === false) server = await startPostgresServer()
})

after(async () => {
  for (const database of databases) await database.close()
  await server?.dispose()
})

test('migrations: applied once by concurrent brokers, nothing the second time', { skip }, async () => {
  const [a, b, c] = await Promise.all([open(), open(), open()])
  const applied = await Promise.all([migrate(a), migrate(b), migrate(c)])
  assert.deepEqual(applied.flat(), [1])
  assert.deepEqual(await migrate(a), [])
  const rows = await a.query<{ version: number }>('SELECT version FROM schema_migrations')
  assert.deepEqual(rows, [{ version: 1 }])
  const ids = await Promise.all([clusterIdOf(a), clusterIdOf(b), clusterIdOf(c)])
  assert.equal(new Set(ids).size, 1)
  assert.match(ids[0], /^[A-Za-z0-9_-]{22}$/)
})

test('membership: registered brokers are live while they heartbeat', { skip }, async () => {
  const database = await open()
  const first = await registerBroker(database, { host: '127.0.0.1', port: 1001, rack: null, leaseTimeoutMs })
  const second = await registerBroker(database, { host: '127.0.0.1', port: 1002, rack: 'r2', leaseTimeoutMs })
  assert.notEqual(first.brokerId, second.brokerId)
  assert.deepEqual(
    (await liveBrokers(database, leaseTimeoutMs)).map((broker) => [broker.port, broker.rack]),
    [
      [1001, null],
      [1002, 'r2'],
    ],
  )
  await sleep(leaseTimeoutMs / 2)
  assert.equal(await heartbeat(database, second), true)
  await sleep(leaseTimeoutMs / 2 + 100)
  assert.deepEqual(
    (await liveBrokers(database, leaseTimeoutMs)).map((broker) => broker.brokerId),
    [second.brokerId],
  )
  // A broker restarted on the address of a dead one takes its id back with a new epoch.
  const again = await registerBroker(database, { host: '127.0.0.1', port: 1001, rack: null, leaseTimeoutMs })
  assert.deepEqual(again, { brokerId: first.brokerId, epoch: first.epoch + 1 })
  assert.equal(await heartbeat(database, first), false, 'the old registration is fenced')
})

test('leases: a lapsed lease moves with epoch + 1 and the old leader commits nothing', { skip }, async () => {
  const database = await open()
  const topicId = randomUUID()
  await insertTopic(database, { topicId, name: 'fenced', partitionCount: 2, configOverrides: {} })
  const a = await registerBroker(database, { host: '127.0.0.1', port: 2001, rack: null, leaseTimeoutMs })
  const b = await registerBroker(database, { host: '127.0.0.1', port: 2002, rack: null, leaseTimeoutMs })
  const taken = (await acquireLeases(database, a.brokerId, leaseTimeoutMs, 10)).filter(
    (lease) => lease.topicId === topicId,
  )
  assert.deepEqual(
    taken.map((lease) => [lease.partition, lease.leaderEpoch, lease.highWatermark]),
    [
      [0, 1, 0],
      [1, 1, 0],
    ],
  )
  assert.deepEqual(
    await acquireLeases(database, b.brokerId, leaseTimeoutMs, 10),
    [],
    'held leases are not free',
  )
  const part = (leaderEpoch: number, baseOffset: number, lastOffset: number) => ({
    topicId,
    partition: 0,
    leaderEpoch,
    baseOffset,
    lastOffset,
    byteStart: 0,
    byteEnd: 100,
    maxTimestamp: 1,
  })
  const committedByA = await commitObject(database, a.brokerId, 'objects/a-1', [part(1, 0, 4)])
  assert.deepEqual([...committedByA], [partitionKey(topicId, 0)])
  assert.equal((await renewLeases(database, a.brokerId, leaseTimeoutMs)).length, 2)
  // A pauses: no renewal. After the timeout B takes both partitions at epoch 2.
  await sleep(leaseTimeoutMs + 150)
  const moved = await acquireLeases(database, b.brokerId, leaseTimeoutMs, 10)
  assert.deepEqual(
    moved.map((lease) => [lease.partition, lease.leaderEpoch, lease.highWatermark]),
    [
      [0, 2, 5],
      [1, 2, 0],
    ],
  )
  // A comes back and commits what it had in flight: fenced, nothing changes.
  assert.deepEqual([...(await commitObject(database, a.brokerId, 'objects/a-2', [part(1, 5, 9)]))], [])
  assert.deepEqual(await renewLeases(database, a.brokerId, leaseTimeoutMs), [], 'A leads nothing now')
  // B's commit must start at the high watermark: a gap or an overlap is refused too.
  assert.deepEqual([...(await commitObject(database, b.brokerId, 'objects/b-0', [part(2, 6, 9)]))], [])
  assert.deepEqual(
    [...(await commitObject(database, b.brokerId, 'objects/b-1', [part(2, 5, 9)]))],
    [partitionKey(topicId, 0)],
  )
  const objects = await database.query<{ object_key: string; base_offset: number; last_offset: number }>(
    'SELECT object_key, base_offset, last_offset FROM partition_objects WHERE topic_id = $1 ORDER BY base_offset',
    [topicId],
  )
  assert.deepEqual(objects, [
    { object_key: 'objects/a-1', base_offset: 0, last_offset: 4 },
    { object_key: 'objects/b-1', base_offset: 5, last_offset: 9 },
  ])
  const partition0 = (await loadPartitions(database)).find(
    (row) => row.topicId === topicId && row.partition === 0,
  )
  assert.deepEqual(partition0, {
    topicId,
    partition: 0,
    leaderBroker: b.brokerId,
    leaderEpoch: 2,
    highWatermark: 10,
    logStartOffset: 0,
  })
})
