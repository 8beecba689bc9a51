// Goal: client quotas are enforced as Kafka enforces them (KIP-219, KIP-599): a kafkajs producer with
// a 1 MB/s producer_byte_rate is told to wait (throttle_time_ms > 0, which kafkajs honours) and its
// measured rate stays near the quota; a consumer over consumer_byte_rate gets throttle_time_ms and a
// muted connection; CreateTopics over controller_mutation_rate gets THROTTLING_QUOTA_EXCEEDED from
// v6 and is only throttled before v6.
// Method: the broker runs as a CLI child process with quota.window.num 2 (a 2-second window instead
// of Kafka's 11, so a quota shows within seconds and the test stays short). Quotas are set with
// AlterClientQuotas from @platformatic/kafka's Admin (controller_mutation_rate, which it does not
// know, through the generated codecs). kafkajs produces 6 MB in 100 KB records, 5 per request; its
// debug log lines "Client side throttling in effect" are the client-side evidence, and the elapsed
// time gives the rate (wide tolerance: 0.3 to 3 MB/s). Then every record is counted by the log end
// offset. Raw Fetch and CreateTopics requests check the exact fields. Timing assertions are lower
// bounds only (a slow machine only adds time).
import assert from 'node:assert/strict'
import { performance } from 'node:perf_hooks'
import { after, before, test } from 'node:test'
import { Admin } from '@platformatic/kafka'
import { Kafka, type LogEntry, logLevel } from 'kafkajs'
import { ApiKey } from '../../src/protocol/generated/index.ts'
import { type BrokerProcess, startBrokerProcess } from '../helpers/broker-process.ts'
import { CodecClient, createTopicsRequestBody, fetchRequestBody } from '../helpers/kafka-codec-client.ts'

const THROTTLING_QUOTA_EXCEEDED = 89
const producerClientId = 'throttled-producer'
/** CodecClient's client id. */
const rawClientId = 'sl-test'
const quotaBytesPerSecond = 1024 * 1024
const recordBytes = 100 * 1024
const recordsPerRequest = 5
const totalBytes = 6 * 1024 * 1024
const topic = 'quota-throttle'

type ByteRateKey = 'producer_byte_rate' | 'consumer_byte_rate'

/** Sets (or with null removes) a client-id quota through @platformatic/kafka's admin API. */
async function setQuota(clientId: string, key: ByteRateKey, value: number | null): Promise<void> {
  const results = await admin.alterClientQuotas({
    entries: [
      {
        entities: [{ entityType: 'client-id', entityName: clientId }],
        ops: [value === null ? { key, remove: true } : { key, value, remove: false }],
      },
    ],
  })
  assert.deepEqual(
    results.map((entry) => entry.errorCode),
    [0],
  )
}

let broker: BrokerProcess
let admin: Admin

before(async () => {
  broker = await startBrokerProcess({ args: ['--limits-quota-window-num', '2'] })
  admin = new Admin({
    clientId: 'quota-admin',
    bootstrapBrokers: [broker.bootstrap],
    timeout: 10_000,
    retries: 0,
  })
})
after(async () => {
  await admin?.close()
  await broker?.stop()
})

test('a kafkajs producer over producer_byte_rate is throttled to about the quota', async (t) => {
  await setQuota(producerClientId, 'producer_byte_rate', quotaBytesPerSecond)
  const throttleLines: string[] = []
  const kafka = new Kafka({
    clientId: producerClientId,
    brokers: [broker.bootstrap],
    connectionTimeout: 10_000,
    requestTimeout: 30_000,
    logLevel: logLevel.DEBUG,
    logCreator:
      () =>
      ({ log }: LogEntry) => {
        if (log.message.includes('Client side throttling in effect')) throttleLines.push(log.message)
      },
  })
  const producer = kafka.producer({ allowAutoTopicCreation: true })
  await producer.connect()
  const value = Buffer.alloc(recordBytes, 7)
  const requests = Math.ceil(totalBytes / (recordBytes * recordsPerRequest))
  const startedMs = performance.now()
  try {
    for (let request = 0; request < requests; request++) {
      await producer.send({
        topic,
        acks: 1,
        messages: Array.from({ length: recordsPerRequest }, (_, index) => ({
          key: `${request}-${index}`,
          value,
        })),
      })
    }
  } finally {
    await producer.disconnect()
  }
  const seconds = (performance.now() - startedMs) / 1000
  const sentBytes = requests * recordsPerRequest * recordBytes
  const rate = sentBytes / seconds
  t.diagnostic(
    `${(sentBytes / 1048576).toFixed(1)} MB in ${seconds.toFixed(2)} s = ${(rate / 1048576).toFixed(2)} MB/s; ` +
      `${throttleLines.length} throttled responses, first: ${throttleLines[0] ?? 'none'}`,
  )
  assert.ok(throttleLines.length > 0, 'kafkajs never saw throttle_time_ms > 0')
  const throttleMs = Number(/(\d+)ms/.exec(throttleLines[0])?.[1])
  assert.ok(throttleMs > 0, throttleLines[0])
  assert.ok(
    rate >= 0.3 * quotaBytesPerSecond && rate <= 3 * quotaBytesPerSecond,
    `measured ${(rate / 1048576).toFixed(2)} MB/s over ${seconds.toFixed(1)} s, quota 1 MB/s`,
  )
  // Every record arrived: the log end offset is the record count.
  const offsets = await kafka.admin()
  await offsets.connect()
  try {
    const [partition] = await offsets.fetchTopicOffsets(topic)
    assert.equal(partition.high, String(requests * recordsPerRequest))
  } finally {
    await offsets.disconnect()
  }
})

test('a fetch over consumer_byte_rate gets throttle_time_ms and a muted connection', async () => {
  await setQuota(rawClientId, 'consumer_byte_rate', 1024)
  const consumer = await CodecClient.open(broker.host, broker.port)
  try {
    const body = fetchRequestBody(topic, 0, 0n, { partitionMaxBytes: 512 * 1024 })
    const first = await consumer.request(ApiKey.Fetch, 11, body)
    const records = first.responses[0].partitions[0].records
    assert.ok(records !== null && records.length > 0)
    // 512 KB against 1 KB/s: throttled for the longest a window allows (2 × 1 s here).
    assert.equal(first.throttleTimeMs, 2000)
    // The broker stops reading this connection meanwhile: the next answer cannot come sooner.
    const sentMs = performance.now()
    await consumer.request(ApiKey.Fetch, 11, body, 30_000)
    assert.ok(performance.now() - sentMs >= 1500, 'the connection was not muted')
  } finally {
    consumer.close()
    await setQuota(rawClientId, 'consumer_byte_rate', null)
  }
})

test('CreateTopics over controller_mutation_rate: THROTTLING_QUOTA_EXCEEDED from v6, throttled before', async () => {
  const client = await CodecClient.open(broker.host, broker.port)
  try {
    // @platformatic/kafka's admin does not know this key: set it with the generated codecs.
    const set = await client.request(ApiKey.AlterClientQuotas, 1, {
      entries: [
        {
          entity: [{ entityType: 'client-id', entityName: rawClientId }],
          ops: [{ key: 'controller_mutation_rate', value: 1, remove: false }],
        },
      ],
      validateOnly: false,
    })
    assert.equal(set.entries[0].errorCode, 0)
    // The bucket holds rate × window (2 partitions); a burst may take more, then the client waits.
    const burst = await client.request(
      ApiKey.CreateTopics,
      6,
      createTopicsRequestBody([{ name: 'burst', numPartitions: 20 }]),
    )
    assert.equal(burst.topics[0].errorCode, 0)
    assert.ok(burst.throttleTimeMs > 0)
    const refused = await client.request(
      ApiKey.CreateTopics,
      6,
      createTopicsRequestBody([{ name: 'refused', numPartitions: 1 }]),
      30_000,
    )
    assert.deepEqual(
      { errorCode: refused.topics[0].errorCode, errorMessage: refused.topics[0].errorMessage },
      { errorCode: THROTTLING_QUOTA_EXCEEDED, errorMessage: 'The throttling quota has been exceeded.' },
    )
    assert.ok(refused.throttleTimeMs > 0)
    // v5 predates KIP-599's error: the topic is created and the answer only carries the throttle.
    const permissive = await client.request(
      ApiKey.CreateTopics,
      5,
      createTopicsRequestBody([{ name: 'permissive', numPartitions: 1 }]),
      30_000,
    )
    assert.equal(permissive.topics[0].errorCode, 0)
    assert.ok(permissive.throttleTimeMs > 0)
  } finally {
    client.close()
  }
})
