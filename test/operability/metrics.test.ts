// Goal: /metrics reports what real client traffic did, exactly: Produce requests per API, records and
// bytes in and out per topic, partition offsets and sizes, error codes in responses, consumer group lag,
// plus process memory, event-loop lag and every GC pause (issue 5, "Done when": metrics after real
// traffic; issue 21: GC pauses beside the latency figures).
// Method: an embedded broker (in memory, free ports); kafkajs (a client we did not write) creates a
// topic twice (the second answer carries TOPIC_ALREADY_EXISTS), produces 3 sends of 2 records with
// acks=all to partition 0, consumes them in a group and leaves, then 2 more records are produced; the
// test then allocates garbage until its own GC observer has seen 3 pauses. The
// exposition is parsed (prometheus-text.ts) and each number compared with what the client did.

import assert from 'node:assert/strict'
import { PerformanceObserver } from 'node:perf_hooks'
import { after, before, test } from 'node:test'
import { Kafka, logLevel } from 'kafkajs'
import { type Streamline, startStreamline } from '../../src/embedded/index.ts'
import { scrape, sumOf } from './prometheus-text.ts'

let streamline: Streamline
let kafka: Kafka
const topic = 'metered'
const group = 'metered-readers'

before(async () => {
  streamline = await startStreamline()
  kafka = new Kafka({
    clientId: 'metrics-test',
    brokers: [streamline.bootstrap],
    logLevel: logLevel.NOTHING,
    retry: { retries: 3, initialRetryTime: 100 },
  })
})

after(async () => {
  await streamline.close()
})

async function produceRecords(count: { sends: number; perSend: number; first: number }): Promise<void> {
  const producer = kafka.producer({ allowAutoTopicCreation: false })
  await producer.connect()
  for (let send = 0; send < count.sends; send += 1) {
    const messages = Array.from({ length: count.perSend }, (_, index) => {
      const number = count.first + send * count.perSend + index
      return { partition: 0, key: `k${number}`, value: `value-${number}` }
    })
    await producer.send({ topic, acks: -1, messages })
  }
  await producer.disconnect()
}

async function consumeAll(expected: number): Promise<string[]> {
  const consumer = kafka.consumer({ groupId: group, retry: { retries: 3 } })
  await consumer.connect()
  await consumer.subscribe({ topic, fromBeginning: true })
  const values: string[] = []
  await new Promise<void>((resolve, reject) => {
    consumer
      .run({
        eachMessage: async ({ message }) => {
          values.push(message.value?.toString() ?? '')
          if (values.length === expected) resolve()
        },
      })
      .catch(reject)
  })
  await consumer.disconnect() // commits the consumed offsets and leaves the group
  return values
}

test('metrics after kafkajs traffic carry the exact counts', { timeout: 90_000 }, async () => {
  const admin = kafka.admin()
  await admin.connect()
  assert.equal(await admin.createTopics({ topics: [{ topic, numPartitions: 2 }] }), true)
  assert.equal(await admin.createTopics({ topics: [{ topic, numPartitions: 2 }] }), false)
  await admin.disconnect()

  await produceRecords({ sends: 3, perSend: 2, first: 0 })
  const values = await consumeAll(6)
  assert.deepEqual(values, ['value-0', 'value-1', 'value-2', 'value-3', 'value-4', 'value-5'])
  await produceRecords({ sends: 1, perSend: 2, first: 6 })
  const gcSeenHere = await causeGarbageCollections()

  const metrics = await scrape(streamline.httpUrl ?? assert.fail('http disabled'))
  const partition0 = { topic, partition: '0' }
  const partition1 = { topic, partition: '1' }
  // 4 sends of kafkajs = 4 Produce requests (one broker, one partition each).
  assert.equal(sumOf(metrics, 'streamline_requests_total', { api: 'Produce' }), 4)
  assert.equal(sumOf(metrics, 'streamline_request_duration_seconds_count', { api: 'Produce' }), 4)
  assert.equal(sumOf(metrics, 'streamline_requests_total', { api: 'CreateTopics' }), 2)
  assert.equal(
    sumOf(metrics, 'streamline_response_errors_total', {
      api: 'CreateTopics',
      error: 'TOPIC_ALREADY_EXISTS',
    }),
    1,
  )
  assert.equal(sumOf(metrics, 'streamline_topic_records_in_total', { topic }), 8)
  assert.equal(sumOf(metrics, 'streamline_partition_log_end_offset', partition0), 8)
  assert.equal(sumOf(metrics, 'streamline_partition_high_watermark', partition0), 8)
  assert.equal(sumOf(metrics, 'streamline_partition_log_end_offset', partition1), 0)
  assert.equal(sumOf(metrics, 'streamline_partition_log_start_offset', partition0), 0)
  const bytesIn = sumOf(metrics, 'streamline_topic_bytes_in_total', { topic })
  assert.ok(bytesIn > 0)
  assert.equal(sumOf(metrics, 'streamline_partition_size_bytes', partition0), bytesIn)
  // The consumer read the first 6 records once, in the batches of the first 3 sends.
  assert.equal(sumOf(metrics, 'streamline_topic_records_out_total', { topic }), 6)
  assert.equal(sumOf(metrics, 'streamline_durable_append_duration_seconds_count'), 4)
  // Committed 6, high watermark 8: lag 2 on partition 0.
  assert.equal(sumOf(metrics, 'streamline_consumer_group_lag', { group, ...partition0 }), 2)
  assert.ok(sumOf(metrics, 'streamline_requests_total', { api: 'JoinGroup' }) >= 1)
  assert.equal(sumOf(metrics, 'streamline_topics'), 2) // metered and __consumer_offsets
  assert.equal(sumOf(metrics, 'streamline_requests_in_flight'), 0) // every client has disconnected
  assert.equal(metrics.types.get('streamline_connections'), 'gauge')
  assert.ok(sumOf(metrics, 'process_resident_memory_bytes') > 0)
  assert.equal(metrics.types.get('nodejs_eventloop_lag_seconds'), 'gauge')
  assert.equal(metrics.types.get('streamline_request_duration_seconds'), 'histogram')
  // The broker's observer started before ours and takes every entry: it saw at least what we saw.
  assert.equal(metrics.types.get('streamline_gc_pause_seconds'), 'histogram')
  assert.ok(gcSeenHere > 0)
  assert.ok(
    sumOf(metrics, 'streamline_gc_pause_seconds_count') >= gcSeenHere,
    `broker counted ${sumOf(metrics, 'streamline_gc_pause_seconds_count')} GC pauses, this test saw ${gcSeenHere}`,
  )
})

/** Allocates short-lived garbage until this process (the embedded broker's too) has collected it. */
async function causeGarbageCollections(): Promise<number> {
  let seen = 0
  const observer = new PerformanceObserver((list) => {
    seen += list.getEntries().length
  })
  observer.observe({ entryTypes: ['gc'] })
  let keep = 0
  while (seen < 3) {
    for (let index = 0; index < 100_000; index++) keep += [index, index + 1].length
    await new Promise((resolve) => setImmediate(resolve))
  }
  observer.disconnect()
  return keep > 0 ? seen : 0
}
