// Goal: kafkajs reads partition offsets (ListOffsets v2: earliest, latest, by timestamp) and deletes
// records (DeleteRecords v1) with Kafka's semantics: the first offset whose timestamp is at or after
// T, the high watermark when no record is that late, the low watermark moving with DeleteRecords,
// offset -1 meaning the high watermark, and OFFSET_OUT_OF_RANGE beyond it.
// Method: an in-process broker; a kafkajs producer sends three single-record batches with explicit
// timestamps 1000, 2000, 3000 to partition 0 (batch granularity then equals record granularity);
// the kafkajs admin client reads offsets and deletes records, and each answer is compared exactly.
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { Kafka, logLevel, type Producer } from 'kafkajs'
import { type InProcessBroker, startInProcessBroker } from '../../helpers/in-process-broker.ts'
import { connectKafkajsAdmin, type TestAdmin } from '../../helpers/kafkajs.ts'

const topic = 'timeline'

interface DeleteRecordsError {
  name: string
  partitions: { partition: number; error: { type: string } }[]
}

// Suite: kafkajs admin: offsets and record deletion.
let server: InProcessBroker
let client: TestAdmin
let producer: Producer | undefined

before(async () => {
  server = await startInProcessBroker()
  client = await connectKafkajsAdmin(server.bootstrap)
  await client.admin.createTopics({ topics: [{ topic, numPartitions: 2 }] })
  const kafka = new Kafka({
    clientId: 'streamline-compat',
    brokers: [server.bootstrap],
    logLevel: logLevel.NOTHING,
  })
  producer = kafka.producer()
  await producer.connect()
  for (const timestamp of ['1000', '2000', '3000']) {
    await producer.send({ topic, messages: [{ partition: 0, value: `at ${timestamp}`, timestamp }] })
  }
})

after(async () => {
  await producer?.disconnect()
  await client?.admin.disconnect()
  await server?.stop()
})

test('fetchTopicOffsets gives the low and high watermarks of each partition', async () => {
  assert.deepEqual(await client.admin.fetchTopicOffsets(topic), [
    { partition: 0, offset: '3', high: '3', low: '0' },
    { partition: 1, offset: '0', high: '0', low: '0' },
  ])
})

test('fetchTopicOffsetsByTimestamp finds the first offset at or after the timestamp', async () => {
  const at = async (timestamp: number) =>
    (await client.admin.fetchTopicOffsetsByTimestamp(topic, timestamp)).find((p) => p.partition === 0)?.offset
  assert.equal(await at(0), '0')
  assert.equal(await at(1000), '0')
  assert.equal(await at(1001), '1')
  assert.equal(await at(2000), '1')
  assert.equal(await at(3000), '2')
  // No record is that late: the broker answers -1 and kafkajs substitutes the high watermark.
  assert.equal(await at(3001), '3')
})

test('deleteTopicRecords advances the low watermark; -1 means the high watermark', async () => {
  const { admin } = client
  await admin.deleteTopicRecords({ topic, partitions: [{ partition: 0, offset: '2' }] })
  assert.deepEqual((await admin.fetchTopicOffsets(topic))[0], {
    partition: 0,
    offset: '3',
    high: '3',
    low: '2',
  })
  assert.equal((await admin.fetchTopicOffsetsByTimestamp(topic, 0))[0].offset, '2')
  await admin.deleteTopicRecords({ topic, partitions: [{ partition: 0, offset: '-1' }] })
  assert.deepEqual((await admin.fetchTopicOffsets(topic))[0], {
    partition: 0,
    offset: '3',
    high: '3',
    low: '3',
  })
  assert.equal(server.broker.logs.partition(topic, 0)?.logStartOffset, 3)
})

test('deleteTopicRecords beyond the high watermark is OFFSET_OUT_OF_RANGE', async () => {
  try {
    await client.admin.deleteTopicRecords({ topic, partitions: [{ partition: 0, offset: '10' }] })
    assert.fail('expected OFFSET_OUT_OF_RANGE')
  } catch (error) {
    // kafkajs gives up at once (not retriable) and keeps the broker's per-partition errors as the cause.
    const { name, cause } = error as { name: string; cause?: DeleteRecordsError }
    assert.equal(name, 'KafkaJSNonRetriableError')
    assert.equal(cause?.name, 'KafkaJSDeleteTopicRecordsError')
    assert.deepEqual(
      cause?.partitions.map((p) => ({ partition: p.partition, type: p.error.type })),
      [{ partition: 0, type: 'OFFSET_OUT_OF_RANGE' }],
    )
  }
  assert.equal(server.broker.logs.partition(topic, 0)?.logStartOffset, 3)
})
