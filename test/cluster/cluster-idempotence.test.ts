// Goal: idempotent producers in cluster mode: producer ids are unique across brokers (PostgreSQL), and
// with a broker SIGKILLed while an idempotent kafkajs producer sends with acks=all, every acknowledged
// record is in the topic exactly once and in send order per partition (a batch resent to the new
// leader after its first answer was lost is found in the producer state committed with the data).
// Method: real processes (cluster-helpers.ts: PostgreSQL 15, s3rver, three brokers, 1.5 s leases);
// kafkajs idempotent producers (one per broker for the ids, one sending 300 records one at a time
// while the leader of partition 0 is killed); kcat reads everything back; producer_state rows read
// from PostgreSQL. Then a raw Produce (our codec client, to choose the producer id and sequence) is
// written to a leader, the leader is killed, and the same batch resent to the new leader.

import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { Kafka, logLevel, Partitioners } from 'kafkajs'
import pg from 'pg'
import { buildBatch } from '../../src/protocol/records/batch-v2.ts'
import { httpUrlOf } from '../helpers/broker-process.ts'
import { requireClient } from '../helpers/clients.ts'
import { CodecClient, produceRequestBody } from '../helpers/kafka-codec-client.ts'
import { requirePostgres } from '../helpers/postgres-cluster-server.ts'
import { readTopic, startCluster, type TestCluster, waitFor } from './cluster-helpers.ts'

const skip = requirePostgres() || requireClient('kcat')
const topic = 'idempotent'
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

function kafkaClient(brokers: string[]): Kafka {
  return new Kafka({
    clientId: 'cluster-idempotence',
    brokers,
    logLevel: logLevel.NOTHING,
    retry: { retries: 20, initialRetryTime: 100, maxRetryTime: 1_000 },
  })
}

test('producer ids from PostgreSQL are unique across brokers; /metrics shows members and leases', {
  skip,
}, async () => {
  const admin = kafkaClient([cluster.brokers[0].bootstrap]).admin()
  await admin.connect()
  await admin.createTopics({ topics: [{ topic, numPartitions: partitionCount }] })
  await admin.disconnect()
  await waitFor('every partition led', async () => {
    const result = await database.query<{ led: number }>(
      `SELECT count(*)::int AS led FROM partitions p JOIN topics t USING (topic_id)
       WHERE t.name = $1 AND p.lease_expires_at > now()`,
      [topic],
    )
    return result.rows[0].led === partitionCount ? true : null
  })
  // One idempotent producer bootstrapped on each broker: InitProducerId answered by three brokers.
  for (const broker of cluster.brokers) {
    const producer = kafkaClient([broker.bootstrap]).producer({
      idempotent: true,
      maxInFlightRequests: 1,
      createPartitioner: Partitioners.DefaultPartitioner,
    })
    await producer.connect()
    await producer.send({
      topic,
      acks: -1,
      messages: [{ key: broker.bootstrap, value: `hello-${broker.port}` }],
    })
    await producer.disconnect()
  }
  const ids = await database.query<{ producer_id: string }>(
    'SELECT DISTINCT producer_id::text AS producer_id FROM producer_state',
  )
  assert.equal(ids.rows.length, 3, 'three producers, three distinct ids')
  // /metrics of each broker: members, its leases, and the write path's latencies.
  const scraped = await Promise.all(
    cluster.brokers.map(async (broker) => (await fetch(`${httpUrlOf(broker)}/metrics`)).text()),
  )
  const sample = (text: string, name: string) => {
    const line = text.split('\n').find((each) => each.startsWith(`${name} `))
    assert.ok(line, `${name} on /metrics`)
    return Number(line.split(' ')[1])
  }
  const sum = (name: string) => scraped.reduce((total, text) => total + sample(text, name), 0)
  for (const text of scraped) assert.equal(sample(text, 'streamline_cluster_live_brokers'), 3)
  assert.equal(sum('streamline_cluster_partition_leases'), partitionCount)
  assert.equal(sum('streamline_cluster_group_coordinator_leases'), 50)
  assert.ok(sum('streamline_cluster_objects_written_total') >= 3, 'three produces, at least three objects')
  assert.ok(sum('streamline_cluster_object_put_seconds_total') > 0)
  assert.ok(sum('streamline_cluster_metadata_commit_seconds_total') > 0)
})

test('SIGKILL of a leader under an idempotent producer: every acknowledged record exactly once, in order', {
  skip,
}, async (context) => {
  const producer = kafkaClient(cluster.bootstrap().split(',')).producer({
    idempotent: true,
    maxInFlightRequests: 1,
    createPartitioner: Partitioners.DefaultPartitioner,
  })
  await producer.connect()
  const acknowledged = new Map<number, string[]>()
  let failed = 0
  const total = 300
  const killAt = 100
  for (let index = 0; index < total; index++) {
    if (index === killAt) {
      const leaders = await database.query<{ port: number }>(
        `SELECT b.port FROM partitions p JOIN topics t USING (topic_id) JOIN brokers b ON b.broker_id = p.leader_broker
         WHERE t.name = $1 AND p.partition = 0`,
        [topic],
      )
      const victim = cluster.brokers.find(
        (broker) => broker.port === leaders.rows[0].port && broker.isAlive(),
      )
      assert.ok(victim)
      await victim.kill()
      context.diagnostic(`killed the leader of partition 0 (port ${victim.port}) after ${killAt} records`)
    }
    const value = `record-${index}`
    try {
      const [result] = await producer.send({
        topic,
        acks: -1,
        messages: [{ key: `key-${index % 12}`, value }],
      })
      assert.equal(result.errorCode, 0)
      acknowledged.set(result.partition, [...(acknowledged.get(result.partition) ?? []), value])
    } catch {
      failed++
    }
  }
  await producer.disconnect()
  context.diagnostic(`acknowledged ${total - failed} of ${total}; ${failed} failed after retries`)
  assert.ok(total - failed >= killAt, 'the producer got going again after the kill')
  const read = await readTopic(cluster.bootstrap(), topic)
  for (const [partition, values] of acknowledged) {
    const stored = (read.get(partition) ?? []).filter((value) => value.startsWith('record-'))
    const storedSet = new Set(stored)
    assert.equal(storedSet.size, stored.length, `partition ${partition}: no record twice`)
    assert.deepEqual(
      stored.filter((value) => values.includes(value)),
      values,
      `partition ${partition}: every acknowledged record, in send order`,
    )
  }
})

/** The port of the broker leading `partition` of the topic with a valid lease, from PostgreSQL. */
async function leaderPort(partition: number): Promise<{ port: number; brokerId: number } | null> {
  const result = await database.query<{ port: number; broker_id: number }>(
    `SELECT b.port, b.broker_id FROM partitions p JOIN topics t USING (topic_id)
     JOIN brokers b ON b.broker_id = p.leader_broker
     WHERE t.name = $1 AND p.partition = $2 AND p.lease_expires_at > now()`,
    [topic, partition],
  )
  const row = result.rows[0]
  return row === undefined ? null : { port: row.port, brokerId: row.broker_id }
}

async function produceRaw(port: number, batch: Buffer): Promise<{ errorCode: number; baseOffset: bigint }> {
  const client = await CodecClient.open('127.0.0.1', port)
  try {
    const response = await client.request(0, 7, produceRequestBody(topic, 1, batch))
    const answer = response.responses[0].partitionResponses[0]
    return { errorCode: answer.errorCode, baseOffset: answer.baseOffset }
  } finally {
    client.close()
  }
}

test('a batch resent to the new leader after a failover gets its original offset, once', {
  skip,
}, async () => {
  const producerId = 777_000_001n
  const batchOf = (baseSequence: number, value: string) =>
    buildBatch({
      records: [{ key: null, value: Buffer.from(value), timestamp: Date.now() }],
      producerId,
      producerEpoch: 0,
      baseSequence,
    })
  const first = await batchOf(0, 'resent-once')
  const before = await leaderPort(1)
  assert.ok(before)
  const written = await produceRaw(before.port, Buffer.from(first))
  assert.equal(written.errorCode, 0)
  const victim = cluster.brokers.find((broker) => broker.port === before.port && broker.isAlive())
  assert.ok(victim)
  await victim.kill()
  const after = await waitFor('partition 1 led elsewhere', async () => {
    const now = await leaderPort(1)
    return now !== null && now.brokerId !== before.brokerId ? now : null
  })
  const resent = await produceRaw(after.port, Buffer.from(first))
  assert.deepEqual(resent, written, 'the resend is answered with the original offset')
  const next = await produceRaw(after.port, await batchOf(1, 'next-in-sequence'))
  assert.deepEqual(next, { errorCode: 0, baseOffset: written.baseOffset + 1n })
  const gap = await produceRaw(after.port, await batchOf(5, 'out-of-order'))
  assert.equal(gap.errorCode, 45, 'OUT_OF_ORDER_SEQUENCE_NUMBER')
  const stored = (await readTopic(cluster.bootstrap(), topic)).get(1) ?? []
  assert.deepEqual(
    stored.filter(
      (value) => value === 'resent-once' || value === 'next-in-sequence' || value === 'out-of-order',
    ),
    ['resent-once', 'next-in-sequence'],
  )
})
