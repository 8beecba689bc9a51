// Goal: consumer groups work across a 3-broker cluster: FindCoordinator answers the broker holding the
// group's coordinator lease in PostgreSQL, committed offsets are rows of group_offsets, and after
// SIGKILL of the coordinator the group moves (epoch + 1) and resumes from its committed offsets with
// nothing lost (at-least-once; records committed before the kill are not delivered again).
// Method: real processes (cluster-helpers.ts: PostgreSQL 15, s3rver, three brokers, 1.5 s leases).
// A kafkajs consumer group keeps running while its coordinator is SIGKILLed and records are produced
// after the kill; a confluent-kafka (librdkafka) consumer commits part of a topic, its coordinator is
// killed, and a second confluent-kafka consumer of the same group reads exactly the rest. Leases and
// offsets are read from PostgreSQL.

import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { type Consumer, Kafka, logLevel, Partitioners } from 'kafkajs'
import pg from 'pg'
import type { BrokerProcess } from '../helpers/broker-process.ts'
import { requireClient } from '../helpers/clients.ts'
import { requirePostgres } from '../helpers/postgres-cluster-server.ts'
import { runPython } from '../helpers/python.ts'
import { startCluster, type TestCluster, waitFor } from './cluster-helpers.ts'

const skip = requirePostgres() || requireClient('confluent-kafka')
const partitionCount = 3
let cluster: TestCluster
let database: pg.Client

before(async () => {
  if (skip) return
  cluster = await startCluster(3)
  database = new pg.Client({ connectionString: cluster.postgres.url })
  await database.connect()
})

after(async () => {
  if (skip) return
  await database?.end()
  await cluster?.dispose()
})

function kafkaClient(clientId: string): Kafka {
  return new Kafka({
    clientId,
    brokers: cluster.bootstrap().split(','),
    logLevel: logLevel.NOTHING,
    retry: { retries: 30, initialRetryTime: 100, maxRetryTime: 1_000 },
  })
}

/** Creates the topic and waits (in PostgreSQL) until every partition has a leader with a valid lease. */
async function createTopic(topic: string): Promise<void> {
  const admin = kafkaClient('cluster-groups-admin').admin()
  await admin.connect()
  await admin.createTopics({ topics: [{ topic, numPartitions: partitionCount }] })
  await admin.disconnect()
  await waitFor(`every partition of ${topic} led`, async () => {
    const result = await database.query<{ led: number }>(
      `SELECT count(*)::int AS led FROM partitions p JOIN topics t USING (topic_id)
       WHERE t.name = $1 AND p.lease_expires_at > now()`,
      [topic],
    )
    return result.rows[0].led === partitionCount ? true : null
  })
}

/** Produces `values` with acks=all (keyed by value, so they spread over the partitions). */
async function produce(topic: string, values: readonly string[]): Promise<void> {
  const producer = kafkaClient('cluster-groups-producer').producer({
    createPartitioner: Partitioners.DefaultPartitioner,
  })
  await producer.connect()
  try {
    await producer.send({ topic, acks: -1, messages: values.map((value) => ({ key: value, value })) })
  } finally {
    await producer.disconnect()
  }
}

interface Coordinator {
  brokerId: number
  epoch: number
  port: number
}

/** The broker holding the group's coordinator lease, from PostgreSQL (slot by Kafka's hash). */
async function coordinatorOf(slot: number): Promise<Coordinator | null> {
  const result = await database.query<{ broker_id: number; epoch: number; port: number }>(
    `SELECT c.broker_id, c.epoch, b.port FROM coordinator_leases c JOIN brokers b USING (broker_id)
     WHERE c.key_type = 0 AND c.slot = $1 AND c.lease_expires_at > now()`,
    [slot],
  )
  const row = result.rows[0]
  return row === undefined ? null : { brokerId: row.broker_id, epoch: row.epoch, port: row.port }
}

/** Java's String.hashCode, abs, modulo the 50 coordinator slots (Kafka's partitionFor). */
function slotOf(groupId: string): number {
  let hash = 0
  for (let index = 0; index < groupId.length; index++)
    hash = (Math.imul(hash, 31) + groupId.charCodeAt(index)) | 0
  return (hash === -2147483648 ? 0 : Math.abs(hash)) % 50
}

/** Sum of the group's committed offsets in group_offsets (= records consumed when it starts at 0). */
async function committedTotal(groupId: string, topic: string): Promise<number> {
  const result = await database.query<{ total: string | null }>(
    'SELECT sum(committed_offset)::text AS total FROM group_offsets WHERE group_id = $1 AND topic = $2',
    [groupId, topic],
  )
  return Number(result.rows[0].total ?? 0)
}

function brokerOnPort(port: number): BrokerProcess {
  const broker = cluster.brokers.find((each) => each.port === port && each.isAlive())
  assert.ok(broker, `a live broker on port ${port}`)
  return broker
}

test('kafkajs group: coordinator SIGKILLed, the group moves and resumes from committed offsets', {
  skip,
}, async (context) => {
  const topic = 'group-events'
  const groupId = 'kafkajs-group'
  const startedMs = Date.now()
  const step = (what: string) => context.diagnostic(`${Date.now() - startedMs} ms: ${what}`)
  await createTopic(topic)
  step('topic created')
  const first = Array.from({ length: 150 }, (_, index) => `first-${index}`)
  await produce(topic, first)
  step('first produced')
  const received: string[] = []
  const consumer: Consumer = kafkaClient('cluster-groups-consumer').consumer({
    groupId,
    sessionTimeout: 6_000,
    heartbeatInterval: 500,
    maxWaitTimeInMs: 500,
    // Few retries: a consumer whose broker died crashes and restarts (rejoining) within seconds.
    retry: { retries: 4, initialRetryTime: 100, maxRetryTime: 500 },
  })
  await consumer.connect()
  await consumer.subscribe({ topic, fromBeginning: true })
  await consumer.run({
    eachMessage: async ({ message }) => {
      received.push(message.value?.toString() ?? '')
    },
  })
  try {
    await waitFor('every first record committed', async () =>
      (await committedTotal(groupId, topic)) === first.length ? true : null,
    )
    step('first committed')
    const before = await coordinatorOf(slotOf(groupId))
    assert.ok(before, 'a broker holds the group coordinator lease')
    assert.deepEqual([...received].sort(), [...first].sort(), 'each first record once')
    const killedAtMs = Date.now()
    await brokerOnPort(before.port).kill()
    const moved = await waitFor('the coordinator lease moved', async () => {
      const now = await coordinatorOf(slotOf(groupId))
      return now !== null && now.brokerId !== before.brokerId ? now : null
    })
    context.diagnostic(`coordinator moved ${Date.now() - killedAtMs} ms after the kill`)
    assert.equal(moved.epoch, before.epoch + 1)
    const second = Array.from({ length: 150 }, (_, index) => `second-${index}`)
    await produce(topic, second)
    step('second produced')
    await waitFor(
      'every second record consumed and committed',
      async () => {
        const committed = await committedTotal(groupId, topic)
        return committed === first.length + second.length && second.every((value) => received.includes(value))
          ? true
          : null
      },
      45_000,
    )
    const counts = new Map<string, number>()
    for (const value of received) counts.set(value, (counts.get(value) ?? 0) + 1)
    for (const value of first) assert.equal(counts.get(value), 1, `${value} committed before the kill, once`)
    for (const value of second) assert.ok((counts.get(value) ?? 0) >= 1, `${value} consumed`)
    context.diagnostic(
      `duplicates after the failover: ${received.length - first.length - second.length} of ${second.length}`,
    )
  } finally {
    await consumer.disconnect()
    step('consumer disconnected')
  }
})

/** A confluent-kafka consumer of `groupId`: reads `count` records, commits synchronously, closes. */
const pythonConsumer = `
import json, sys, time
from confluent_kafka import Consumer
bootstrap, group, topic, count = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
consumer = Consumer({'bootstrap.servers': bootstrap, 'group.id': group, 'auto.offset.reset': 'earliest',
                     'enable.auto.commit': False, 'session.timeout.ms': 6000})
consumer.subscribe([topic])
values = []
deadline = time.time() + 40
while len(values) < count and time.time() < deadline:
    message = consumer.poll(0.5)
    if message is None or message.error() is not None:
        continue
    values.append(message.value().decode())
    consumer.commit(message=message, asynchronous=False)
consumer.close()
from confluent_kafka.admin import AdminClient
# librdkafka 2.0's AdminClient lists a group from every broker: only its coordinator knows it.
listed = AdminClient({'bootstrap.servers': bootstrap}).list_groups(group, timeout=20)
print(json.dumps({'values': values, 'coordinator': [each.broker.id for each in listed if each.id == group]}))
`

interface PythonRun {
  values: string[]
  /** The brokers that list the group (its coordinator only). */
  coordinator: number[]
}

test('confluent-kafka: offsets committed on one coordinator are read back after it is SIGKILLed', {
  skip,
}, async () => {
  // The kafkajs test killed a broker: a third one keeps the cluster at three.
  if (cluster.brokers.filter((broker) => broker.isAlive()).length < 3) await cluster.addBroker()
  const topic = 'group-python'
  const groupId = 'python-group'
  await createTopic(topic)
  const values = Array.from({ length: 60 }, (_, index) => `value-${index}`)
  await produce(topic, values)
  const first = (await runPython(pythonConsumer, {
    args: [cluster.bootstrap(), groupId, topic, '30'],
  })) as PythonRun
  assert.equal(first.values.length, 30)
  assert.equal(await committedTotal(groupId, topic), 30, 'group_offsets holds the 30 commits')
  const before = await coordinatorOf(slotOf(groupId))
  assert.ok(before)
  assert.deepEqual(first.coordinator, [before.brokerId], 'FindCoordinator answers the lease holder')
  await brokerOnPort(before.port).kill()
  const moved = await waitFor('the coordinator lease moved', async () => {
    const now = await coordinatorOf(slotOf(groupId))
    return now !== null && now.brokerId !== before.brokerId ? now : null
  })
  const rest = (await runPython(pythonConsumer, {
    args: [cluster.bootstrap(), groupId, topic, '30'],
  })) as PythonRun
  assert.deepEqual(rest.coordinator, [moved.brokerId], 'FindCoordinator answers the new lease holder')
  assert.deepEqual([...first.values, ...rest.values].sort(), [...values].sort(), 'each record exactly once')
  assert.equal(await committedTotal(groupId, topic), 60)
})
