// Goal: DeleteRecords, retention.ms and topic deletion on cluster topics move the log start offset in
// PostgreSQL (ListOffsets earliest follows) and delete from the real S3 server the objects none of
// whose batches is still in the log; a consumer from the beginning starts at the new log start.
// Method: real processes (cluster-helpers.ts: PostgreSQL 15, s3rver, one broker with
// --cluster-object-delete-delay-ms 0). kafkajs produces one record per send (one object each),
// deletes records and reads offsets; the bucket is listed with the S3 SDK (S3ObjectStore).

import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { Kafka, logLevel } from 'kafkajs'
import { S3ObjectStore } from '../../src/storage/tiered/s3-object-store.ts'
import { requirePostgres } from '../helpers/postgres-cluster-server.ts'
import { s3rverAccessKey } from '../helpers/s3-server.ts'
import { startCluster, type TestCluster, waitFor } from './cluster-helpers.ts'

const skip = requirePostgres()
let cluster: TestCluster
let kafka: Kafka
let store: S3ObjectStore

before(async () => {
  if (skip) return
  cluster = await startCluster(1, ['--cluster-object-delete-delay-ms', '0'])
  kafka = new Kafka({
    clientId: 'cluster-retention',
    brokers: cluster.bootstrap().split(','),
    logLevel: logLevel.NOTHING,
    retry: { retries: 20, initialRetryTime: 100, maxRetryTime: 1_000 },
  })
  store = await S3ObjectStore.open({
    bucket: cluster.s3.bucket,
    prefix: 'cluster-test/',
    region: 'us-east-1',
    endpoint: cluster.s3.endpoint,
    forcePathStyle: true,
    accessKeyId: s3rverAccessKey,
    secretAccessKey: s3rverAccessKey,
    requestTimeoutMs: 10_000,
  })
})

after(async () => {
  if (skip) return
  store?.close()
  await cluster?.dispose()
})

async function objectCount(): Promise<number> {
  return (await store.list('objects/')).length
}

/** One send (so one object) per value. */
async function produceEach(topic: string, values: string[], timestamp?: number): Promise<void> {
  const producer = kafka.producer()
  await producer.connect()
  for (const value of values)
    await producer.send({
      topic,
      acks: -1,
      messages: [{ value, ...(timestamp === undefined ? {} : { timestamp: String(timestamp) }) }],
    })
  await producer.disconnect()
}

test('DeleteRecords, retention.ms and DeleteTopics: log start offset moves and the objects leave S3', {
  skip,
}, async () => {
  const admin = kafka.admin()
  await admin.connect()
  try {
    await admin.createTopics({
      topics: [
        { topic: 'trimmed', numPartitions: 1 },
        { topic: 'aged', numPartitions: 1, configEntries: [{ name: 'retention.ms', value: '600000' }] },
      ],
    })
    await produceEach('trimmed', ['t0', 't1', 't2'])
    // An hour old: beyond aged's ten minutes of retention at the next retention pass.
    await produceEach('aged', ['a0', 'a1'], Date.now() - 3_600_000)
    // Not yet due (retention runs every 5 s on the leader): aged's objects may still be there.
    assert.ok((await objectCount()) >= 3)

    // kafkajs's deleteTopicRecords uses the admin's cached metadata, fetched by createTopics before the
    // partitions had a leader (in cluster mode a new partition is taken at the next heartbeat): it would
    // look for broker -1 (KafkaJSBrokerNotFound). Fresh metadata first, as after any leader change.
    await admin.fetchTopicMetadata({ topics: ['trimmed'] })
    await admin.deleteTopicRecords({ topic: 'trimmed', partitions: [{ partition: 0, offset: '2' }] })
    assert.deepEqual(await admin.fetchTopicOffsets('trimmed'), [
      { partition: 0, offset: '3', high: '3', low: '2' },
    ])
    const aged = await waitFor('retention of aged', async () => {
      const offsets = await admin.fetchTopicOffsets('aged')
      return offsets[0].low === '2' ? offsets : null
    })
    assert.deepEqual(aged, [{ partition: 0, offset: '2', high: '2', low: '2' }])
    // trimmed keeps the object of offset 2; the others are deleted.
    await waitFor('one object left', async () => ((await objectCount()) === 1 ? true : null))

    const consumer = kafka.consumer({ groupId: 'retention-reader' })
    await consumer.connect()
    await consumer.subscribe({ topic: 'trimmed', fromBeginning: true })
    const read: string[] = []
    await consumer.run({
      eachMessage: async ({ message }) => {
        read.push(`${message.offset}:${message.value?.toString()}`)
      },
    })
    await waitFor('trimmed read from its log start', async () => (read.length >= 1 ? true : null))
    await consumer.disconnect()
    assert.deepEqual(read, ['2:t2'])

    await admin.deleteTopics({ topics: ['trimmed'] })
    await waitFor('no object left', async () => ((await objectCount()) === 0 ? true : null))
  } finally {
    await admin.disconnect()
  }
})
