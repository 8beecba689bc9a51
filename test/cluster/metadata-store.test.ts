// Goal: the cluster's metadata layer on a real PostgreSQL: migrations are applied once even when
// brokers start together and change nothing the second time; every broker reads the same cluster id;
// membership follows heartbeats; a lease that lapses is taken by another broker with epoch + 1; and a
// commit from the old leader (its epoch fenced) changes nothing, while the new leader's commits land;
// likewise for group coordinator leases: the new coordinator reads the committed offsets back and a
// write of the old one (its epoch fenced in PostgreSQL) changes nothing.
// Method: Debian's PostgreSQL 15 started by test/helpers/postgres-cluster-server.ts, several pools (as
// several brokers would hold), the functions of src/cluster called directly; assertions on the rows.

import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { after, before, test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { insertTopic, loadPartitions } from '../../src/cluster/catalog.ts'
import { commitObject, partitionKey } from '../../src/cluster/commit.ts'
import { groupSlotOf } from '../../src/cluster/coordinator-leases.ts'
import { type MetadataDatabase, openMetadataDatabase } from '../../src/cluster/database.ts'
import { ClusterGroupStore } from '../../src/cluster/group-store.ts'
import { acquireLeases, renewLeases } from '../../src/cluster/leases.ts'
import { clusterIdOf, heartbeat, liveBrokers, registerBroker } from '../../src/cluster/membership.ts'
import { migrate, migrations } from '../../src/cluster/migrations.ts'
import type { GroupStateHost } from '../../src/coordinator/group/group-state-log.ts'
import type { CommittedOffset } from '../../src/coordinator/group/offset-store.ts'
import { encodeOffsetCommitRecord } from '../../src/coordinator/group/offsets-topic-records.ts'
import { KafkaError } from '../../src/errors.ts'
import { ErrorCode } from '../../src/protocol/generated/index.ts'
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
  const versions = migrations.map((migration) => migration.version).sort((x, y) => x - y)
  assert.deepEqual(applied.flat(), versions)
  assert.deepEqual(await migrate(a), [])
  const rows = await a.query<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version')
  assert.deepEqual(
    rows,
    versions.map((version) => ({ version })),
  )
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

/** Records what a store loads into its coordinator (the group coordinator's side of the interface). */
class LoadedOffsets implements GroupStateHost {
  readonly offsets = new Map<string, number>()
  replay(): void {}
  restoreOffset(groupId: string, topic: string, partition: number, committed: CommittedOffset): void {
    this.offsets.set(`${groupId}/${topic}/${partition}`, committed.offset)
  }
  forgetGroups(matches: (groupId: string) => boolean): void {
    for (const key of [...this.offsets.keys()]) if (matches(key.split('/')[0])) this.offsets.delete(key)
  }
  readonly transactionalOffsets = { add(): void {}, applyOutcome(): void {} }
}

function offsetCommit(groupId: string, offset: number) {
  return encodeOffsetCommitRecord(
    { group: groupId, topic: 'orders', partition: 0 },
    { offset: BigInt(offset), leaderEpoch: -1, metadata: '', commitTimestamp: 1n, expireTimestamp: -1n },
  )
}

test('group coordinator leases: the new coordinator reads the offsets, the old one writes nothing', {
  skip,
}, async () => {
  const database = await open()
  const a = await registerBroker(database, { host: '127.0.0.1', port: 3001, rack: null, leaseTimeoutMs })
  const b = await registerBroker(database, { host: '127.0.0.1', port: 3002, rack: null, leaseTimeoutMs })
  const hostA = new LoadedOffsets()
  const hostB = new LoadedOffsets()
  const storeA = new ClusterGroupStore(database, 60_000)
  const storeB = new ClusterGroupStore(await open(), 60_000)
  storeA.attach(hostA)
  storeB.attach(hostB)
  await storeA.sync(a.brokerId, 1)
  assert.equal(storeA.leases().length, 50, 'alone, a broker coordinates every slot')
  const groupId = 'payments'
  assert.equal(storeA.refuse(groupId), ErrorCode.NONE)
  assert.equal(storeB.refuse(groupId), ErrorCode.NOT_COORDINATOR)
  await storeA.append(groupId, [offsetCommit(groupId, 41)], 0)
  await storeA.append(groupId, [offsetCommit(groupId, 42)], 0)
  // A pauses: its leases lapse in PostgreSQL while its own clock still trusts them.
  await database.query("UPDATE coordinator_leases SET lease_expires_at = now() - interval '1 second'")
  await storeB.sync(b.brokerId, 1)
  assert.equal(storeB.coordinatorOf(groupId), b.brokerId)
  assert.equal(hostB.offsets.get(`${groupId}/orders/0`), 42, 'the committed offset read back')
  const [epoch] = await database.query<{ epoch: number }>(
    'SELECT epoch FROM coordinator_leases WHERE key_type = 0 AND slot = $1',
    [groupSlotOf(groupId)],
  )
  assert.equal(epoch.epoch, 2)
  await assert.rejects(storeA.append(groupId, [offsetCommit(groupId, 99)], 0), (error: unknown) => {
    assert.ok(error instanceof KafkaError || (error as { cause?: unknown }).cause instanceof KafkaError)
    return true
  })
  const [row] = await database.query<{ committed_offset: number }>(
    'SELECT committed_offset FROM group_offsets WHERE group_id = $1',
    [groupId],
  )
  assert.equal(row.committed_offset, 42, 'the fenced write changed nothing')
  // A's next sync finds its leases gone: it forgets the groups and refuses them.
  await storeA.sync(a.brokerId, 2)
  assert.equal(storeA.refuse(groupId), ErrorCode.NOT_COORDINATOR)
  await storeB.append(groupId, [offsetCommit(groupId, 43)], 0)
})
