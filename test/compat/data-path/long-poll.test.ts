// Goal: a consumer long-polling an empty partition with max_wait_ms = 30 s is woken by a newly
// produced record and gets it within a few seconds (issue 4 asks for "within a second"; the bound
// asserted here is 5 s so a loaded CI machine does not flake, and the measured latency is logged),
// and an empty long poll waits out its max_wait_ms instead of answering at once.
// Method: the broker runs as the CLI. A kafkajs consumer (maxWaitTimeInMs 30,000) and a raw Fetch
// v12 built with our codecs (maxWaitMs 30,000) each wait at the end of an empty partition; a second
// after their fetch started, a kafkajs producer appends one record with acks=all; the record must
// arrive soon after the produce, the raw fetch must not answer before it, and the consumer must not
// have spun through empty fetches meanwhile.
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { Kafka, logLevel } from 'kafkajs'
import { ErrorCode } from '../../../src/protocol/generated/index.ts'
import { decodeBatches } from '../../../src/protocol/records/batch-v2.ts'
import { type BrokerProcess, startBrokerProcess } from '../../helpers/broker-process.ts'
import { CodecClient, createTopicsRequestBody, fetchRequestBody } from '../../helpers/kafka-codec-client.ts'

const maxWaitMs = 30_000
const produceAfterMs = 1_000
/** How long after the produce is acknowledged the fetch may take to answer. */
const wakeLatencyMaxMs = 5_000

let broker: BrokerProcess
let kafka: Kafka

before(async () => {
  broker = await startBrokerProcess()
  kafka = new Kafka({ clientId: 'long-poll', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING })
  const client = await CodecClient.open(broker.host, broker.port)
  try {
    const created = await client.request(
      19,
      7,
      createTopicsRequestBody([
        { name: 'long-poll-kafkajs' },
        { name: 'long-poll-raw' },
        { name: 'long-poll-idle' },
      ]),
    )
    assert.deepEqual(
      created.topics.map((topic) => topic.errorCode),
      [0, 0, 0],
    )
  } finally {
    client.close()
  }
})

after(async () => {
  await broker?.stop()
})

/** Produces one record after `produceAfterMs`; resolves with the time the ack arrived. */
async function produceLater(topic: string, value: string): Promise<number> {
  await sleep(produceAfterMs)
  const producer = kafka.producer({ allowAutoTopicCreation: false })
  await producer.connect()
  try {
    await producer.send({ topic, acks: -1, messages: [{ key: 'k', value }] })
    return Date.now()
  } finally {
    await producer.disconnect()
  }
}

test('a kafkajs consumer with maxWaitTimeInMs 30000 is woken by a new record', async (context) => {
  const consumer = kafka.consumer({
    groupId: 'long-poll',
    maxWaitTimeInMs: maxWaitMs,
    sessionTimeout: 45_000,
    heartbeatInterval: 3_000,
  })
  let fetches = 0
  let firstFetchStarted: () => void = () => {}
  const fetchStarted = new Promise<void>((resolvePromise) => {
    firstFetchStarted = resolvePromise
  })
  consumer.on(consumer.events.FETCH_START, () => firstFetchStarted())
  consumer.on(consumer.events.FETCH, () => {
    fetches++
  })
  let received: (value: [string, string | undefined, number]) => void = () => {}
  const arrival = new Promise<[string, string | undefined, number]>((resolvePromise) => {
    received = resolvePromise
  })
  try {
    await consumer.connect()
    await consumer.subscribe({ topics: ['long-poll-kafkajs'], fromBeginning: true })
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ message }) => received([message.offset, message.value?.toString(), Date.now()]),
    })
    await fetchStarted
    const fetchesBefore = fetches
    const acknowledgedAt = await produceLater('long-poll-kafkajs', 'wake up')
    const [offset, value, arrivedAt] = await arrival
    assert.deepEqual([offset, value], ['0', 'wake up'])
    const latency = arrivedAt - acknowledgedAt
    context.diagnostic(`record arrived ${latency} ms after the produce was acknowledged`)
    assert.ok(latency < wakeLatencyMaxMs, `the consumer got the record ${latency} ms after the produce`)
    // A 30 s long poll answers once (with the record), not in a loop of empty answers.
    assert.ok(fetches - fetchesBefore <= 2, `${fetches - fetchesBefore} fetches completed while waiting`)
  } finally {
    await consumer.disconnect()
  }
})

test('raw Fetch v12 (maxWaitMs 30000) is woken by a new record', async (context) => {
  const client = await CodecClient.open(broker.host, broker.port)
  try {
    const started = Date.now()
    const fetching = client.request(
      1,
      12,
      fetchRequestBody('long-poll-raw', 0, 0n, { maxWaitMs }),
      maxWaitMs + 10_000,
    )
    let answeredAt = 0
    fetching.then(
      () => {
        answeredAt = Date.now()
      },
      () => {},
    )
    const acknowledgedAt = await produceLater('long-poll-raw', 'raw wake up')
    const response = await fetching
    const partition = response.responses[0].partitions[0]
    assert.equal(partition.errorCode, ErrorCode.NONE)
    assert.equal(partition.highWatermark, 1n)
    const batches = await decodeBatches(partition.records ?? Buffer.alloc(0))
    assert.deepEqual(
      batches.flatMap((batch) => batch.records.map((record) => [record.offset, record.value?.toString()])),
      [[0, 'raw wake up']],
    )
    assert.ok(
      answeredAt >= started + produceAfterMs - 50,
      `the fetch answered after ${answeredAt - started} ms, before the produce`,
    )
    const latency = answeredAt - acknowledgedAt
    context.diagnostic(`record arrived ${latency} ms after the produce was acknowledged`)
    assert.ok(latency < wakeLatencyMaxMs, `the fetch answered ${latency} ms after the produce`)
  } finally {
    client.close()
  }
})

test('an empty long poll waits out max_wait_ms (1.5 s) and answers with no records', async () => {
  const client = await CodecClient.open(broker.host, broker.port)
  try {
    const started = Date.now()
    const response = await client.request(
      1,
      12,
      fetchRequestBody('long-poll-idle', 0, 0n, { maxWaitMs: 1_500 }),
    )
    const elapsed = Date.now() - started
    const partition = response.responses[0].partitions[0]
    assert.equal(partition.errorCode, ErrorCode.NONE)
    assert.equal(partition.records?.length ?? 0, 0)
    assert.ok(
      elapsed >= 1_400 && elapsed < 6_000,
      `an empty fetch with maxWaitMs 1500 answered after ${elapsed} ms`,
    )
  } finally {
    client.close()
  }
})
