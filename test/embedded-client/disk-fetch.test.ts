// Goal: the in-process consumer of an embedded broker on a data dir reads large partitions exactly.
// Fetch reads of at least limits.fetch_stream_bytes_min are streamed from the log to a Kafka
// connection's socket (docs/fetch-streaming.md); an in-process call has no socket and must get the
// records themselves (a regression: it got the stream's stand-in and the consumer failed to decode
// it). A kafkajs consumer over the socket reads the same topic through the streamed path.
// Method: one embedded broker (startStreamline with a temporary data dir); 1,000 records of 1,000
// bytes (about 1 MB on one partition, so reads are far above the 64 KiB streaming threshold) written
// by the in-process producer, read back by the in-process consumer and by kafkajs.

import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { Kafka, logLevel } from 'kafkajs'
import { type Streamline, startStreamline } from '../../src/embedded/index.ts'
import { makeTempDir, removeTempDir } from '../helpers/broker-process.ts'

const topic = 'large-reads'
const recordCount = 1_000
const recordValue = (index: number) => Buffer.alloc(1_000, index % 251)
let dir: string
let streamline: Streamline

before(async () => {
  dir = await makeTempDir('streamline-disk-fetch-')
  streamline = await startStreamline({ dataDir: dir })
  await streamline.admin().createTopics([{ name: topic, partitions: 1 }])
  const producer = streamline.producer({})
  for (let start = 0; start < recordCount; start += 200) {
    await producer.send(
      topic,
      Array.from({ length: 200 }, (_, offset) => ({ value: recordValue(start + offset) })),
    )
  }
  await producer.close()
})

after(async () => {
  await streamline?.close()
  await removeTempDir(dir)
})

test('the in-process consumer reads every record of a large partition on disk exactly', async () => {
  const consumer = streamline.consumer({ fromBeginning: true })
  await consumer.subscribe(topic)
  const offsets: number[] = []
  try {
    for await (const batch of consumer.batches()) {
      for (const record of batch.records) {
        assert.ok(record.value?.equals(recordValue(record.offset)), `value of offset ${record.offset}`)
        offsets.push(record.offset)
      }
      if (offsets.length >= recordCount) break
    }
  } finally {
    await consumer.close()
  }
  assert.deepEqual(
    offsets,
    Array.from({ length: recordCount }, (_, index) => index),
  )
})

test('kafkajs reads the same partition through the streamed path', async () => {
  const kafka = new Kafka({
    brokers: [streamline.bootstrap],
    clientId: 'disk-fetch',
    logLevel: logLevel.NOTHING,
  })
  const consumer = kafka.consumer({ groupId: 'disk-fetch' })
  await consumer.connect()
  await consumer.subscribe({ topic, fromBeginning: true })
  const offsets: number[] = []
  const done = new Promise<void>((resolve, reject) => {
    void consumer
      .run({
        eachMessage: async ({ message }) => {
          const offset = Number(message.offset)
          if (!message.value?.equals(recordValue(offset))) reject(new Error(`value of offset ${offset}`))
          offsets.push(offset)
          if (offsets.length >= recordCount) resolve()
        },
      })
      .catch(reject)
  })
  try {
    await done
  } finally {
    await consumer.disconnect()
  }
  assert.deepEqual(
    offsets,
    Array.from({ length: recordCount }, (_, index) => index),
  )
})
