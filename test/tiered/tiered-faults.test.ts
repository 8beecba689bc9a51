// Goal: faults of the remote store never lose or corrupt data. (1) The s3rver process is stopped
// while producing and consuming: produce goes on into local disk until the configured bound, then
// fails with KAFKA_STORAGE_ERROR (a clear, retriable error, no crash); a consumer reading remote data
// gets retriable errors and, once the store is back, every record exactly. (2) SIGKILL of the broker
// while it uploads: after a restart every record reads back exactly from offset 0 and no object in
// the bucket lacks a COPY_SEGMENT_FINISHED entry (interrupted copies were cleaned up, never read).
// Method: real s3rver and broker processes, kafkajs producers and consumers, the bucket listed with
// the S3 client, the metadata file read from the partition directory.
import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { Kafka, logLevel } from 'kafkajs'
import {
  type BrokerProcess,
  makeTempDir,
  removeTempDir,
  startBrokerProcess,
} from '../helpers/broker-process.ts'
import { type S3Server, startS3Server } from '../helpers/s3-server.ts'
import { bucketClient, localSegmentBases, recordValue, tieredFlags, waitFor } from './tiered-helpers.ts'

const topicConfig = [
  { name: 'remote.storage.enable', value: 'true' },
  { name: 'segment.bytes', value: '16384' },
  { name: 'local.retention.bytes', value: '1' },
  { name: 'retention.ms', value: '-1' },
]

async function createTopic(kafka: Kafka, topic: string): Promise<void> {
  const admin = kafka.admin()
  await admin.connect()
  try {
    await admin.createTopics({ topics: [{ topic, numPartitions: 1, configEntries: topicConfig }] })
  } finally {
    await admin.disconnect()
  }
}

async function produceRange(kafka: Kafka, topic: string, from: number, to: number): Promise<void> {
  const producer = kafka.producer()
  await producer.connect()
  try {
    for (let start = from; start < to; start += 100) {
      const messages = Array.from({ length: Math.min(100, to - start) }, (_, index) => ({
        value: recordValue(start + index),
      }))
      await producer.send({ topic, acks: -1, messages })
    }
  } finally {
    await producer.disconnect()
  }
}

async function readAllExactly(kafka: Kafka, topic: string, count: number, groupId: string): Promise<void> {
  const consumer = kafka.consumer({ groupId, maxBytesPerPartition: 32 * 1024, retry: { retries: 100 } })
  await consumer.connect()
  const seen: string[] = []
  try {
    await consumer.subscribe({ topic, fromBeginning: true })
    await consumer.run({
      eachMessage: async ({ message }) => {
        seen.push(`${message.offset} ${message.value?.toString()}`)
      },
    })
    await waitFor(`${groupId} to read ${count} records`, async () => seen.length >= count, 90_000)
  } finally {
    await consumer.disconnect()
  }
  assert.ok(seen.length >= count)
  seen.slice(0, count).forEach((line, index) => {
    assert.equal(line, `${index} ${recordValue(index)}`)
  })
}

async function producedCount(kafka: Kafka, topic: string): Promise<number> {
  const admin = kafka.admin()
  await admin.connect()
  try {
    const [partition] = await admin.fetchTopicOffsets(topic)
    return Number(partition.high)
  } finally {
    await admin.disconnect()
  }
}

describe('tiered storage faults', () => {
  let server: S3Server
  before(async () => {
    server = await startS3Server()
  })
  after(async () => {
    await server?.dispose()
  })

  test('store outage during produce and consume loses nothing; the local bound refuses produce clearly', async () => {
    const broker = await startBrokerProcess({
      args: tieredFlags(server, ['--tiered-storage-local-pending-upload-bytes-max', '250000']),
    })
    try {
      const kafka = new Kafka({ brokers: [broker.bootstrap], logLevel: logLevel.NOTHING })
      const topic = 'tiered-outage'
      await createTopic(kafka, topic)
      await produceRange(kafka, topic, 0, 1000)
      await waitFor(
        'first segments to move remote',
        async () => (await localSegmentBases(broker.dataDir, topic))[0] > 0,
      )
      await server.stop()
      await produceRange(kafka, topic, 1000, 1800)
      const strict = kafka.producer({ retry: { retries: 0 } })
      await strict.connect()
      let refusal: unknown = null
      try {
        for (let round = 0; round < 40 && refusal === null; round += 1) {
          await strict
            .send({
              topic,
              acks: -1,
              messages: Array.from({ length: 100 }, (_, index) => ({ value: recordValue(index) })),
            })
            .catch((error: unknown) => {
              refusal = error
            })
        }
      } finally {
        await strict.disconnect()
      }
      assert.ok(refusal !== null, 'produce beyond the local bound must fail')
      // kafkajs's text for KAFKA_STORAGE_ERROR (56).
      assert.equal((refusal as Error).message, 'Disk error when trying to access log file on the disk')
      assert.ok(broker.isAlive())
      const accepted = await producedCount(kafka, topic)
      const reading = readAllExactly(kafka, topic, 1800, 'outage-reader')
      await new Promise((resolve) => setTimeout(resolve, 2_000))
      await server.start()
      await reading
      assert.ok(accepted >= 1800)
    } finally {
      await server.start()
      await broker.stop()
    }
  })

  test('SIGKILL during uploads: after restart every record reads back, no unfinished object is referenced', async () => {
    const dataDir = await makeTempDir()
    let broker: BrokerProcess | null = null
    const topic = 'tiered-crash'
    try {
      broker = await startBrokerProcess({ dataDir, args: tieredFlags(server) })
      const kafka = new Kafka({ brokers: [broker.bootstrap], logLevel: logLevel.NOTHING })
      await createTopic(kafka, topic)
      await produceRange(kafka, topic, 0, 3000)
      const store = await bucketClient(server)
      try {
        await waitFor('uploads to start', async () => (await store.list(`${topic}-`)).length > 0)
        await broker.kill()
        broker = await startBrokerProcess({ dataDir, args: tieredFlags(server) })
        const restarted = new Kafka({ brokers: [broker.bootstrap], logLevel: logLevel.NOTHING })
        await waitFor(
          'uploads to finish after restart',
          async () => (await localSegmentBases(dataDir, topic))[0] >= 2800,
        )
        await readAllExactly(restarted, topic, 3000, 'crash-reader')
        const metadata = JSON.parse(
          await readFile(join(dataDir, `${topic}-0`, 'remote-log-segment-metadata.json'), 'utf8'),
        ) as { segments: { id: string; state: string }[] }
        const finished = new Set(
          metadata.segments
            .filter((segment) => segment.state === 'COPY_SEGMENT_FINISHED')
            .map((segment) => segment.id),
        )
        for (const object of await store.list(`${topic}-`)) {
          const id = /-([0-9a-f-]{36})\.[a-z-]+$/.exec(object.key)?.[1]
          assert.ok(id !== undefined && finished.has(id), `object ${object.key} has no finished copy`)
        }
      } finally {
        store.close()
      }
    } finally {
      await broker?.stop()
      await removeTempDir(dataDir)
    }
  })
})
