// Goal: Kafka 3.9's ways to stop using remote storage on a topic, with real clients and a real S3 API:
// - a validate_only request that turns remote.storage.enable off without remote.log.delete.on.disable
//   is refused with Kafka's INVALID_CONFIG message, like the real change (kafkajs AlterConfigs and
//   @platformatic/kafka IncrementalAlterConfigs);
// - remote.log.copy.disable=true: nothing more is copied (across a SIGKILL and restart too), the remote
//   data stays readable, and every record reads back from offset 0 exactly (kafkajs);
// - remote.storage.enable=false with remote.log.delete.on.disable=true: accepted; the broker is killed
//   (SIGKILL) right after the answer; after the restart every remote object of the topic is gone, the
//   log start is the first local offset, and the local records read back exactly from there.
// Method: an s3rver process and a broker process (200 ms remote log manager task), kafkajs producing
// 100-byte records into 16 KiB segments, the bucket listed with the S3 client, the partition's
// metadata file and directory read from disk.
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { Connection, incrementalAlterConfigsV1 } from '@platformatic/kafka'
import { Kafka, logLevel } from 'kafkajs'
import {
  type BrokerProcess,
  makeTempDir,
  removeTempDir,
  startBrokerProcess,
} from '../helpers/broker-process.ts'
import { type S3Server, startS3Server } from '../helpers/s3-server.ts'
import {
  bucketClient,
  localSegmentBases,
  recordValue,
  remoteEntries,
  tieredFlags,
  waitFor,
} from './tiered-helpers.ts'

const turnOffRefusal =
  'It is invalid to disable remote storage without deleting remote data. ' +
  'If you want to keep the remote data and turn to read only, please set `remote.storage.enable=true,remote.log.copy.disable=true`. ' +
  'If you want to disable remote storage and delete all remote data, please set `remote.storage.enable=false,remote.log.delete.on.disable=true`.'

const tieredTopicConfigs = [
  { name: 'remote.storage.enable', value: 'true' },
  { name: 'segment.bytes', value: '16384' },
  { name: 'local.retention.bytes', value: '1' },
  { name: 'retention.ms', value: '-1' },
]

async function produceRange(kafka: Kafka, topic: string, from: number, to: number): Promise<void> {
  const producer = kafka.producer()
  await producer.connect()
  try {
    for (let start = from; start < to; start += 100) {
      const messages = Array.from({ length: Math.min(100, to - start) }, (_, offset) => ({
        value: recordValue(start + offset),
      }))
      await producer.send({ topic, acks: -1, messages })
    }
  } finally {
    await producer.disconnect()
  }
}

/** Every record from `from` up to `to` (exclusive), read by a fresh kafkajs consumer group. */
async function readExactly(
  kafka: Kafka,
  topic: string,
  from: number,
  to: number,
  groupId: string,
): Promise<void> {
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
    await waitFor(`${groupId} to read ${to - from} records`, async () => seen.length >= to - from, 60_000)
  } finally {
    await consumer.disconnect()
  }
  assert.equal(seen.length, to - from)
  seen.forEach((line, index) => {
    assert.equal(line, `${from + index} ${recordValue(from + index)}`)
  })
}

async function finishedCopies(dataDir: string, topic: string): Promise<number> {
  return (await remoteEntries(dataDir, topic)).filter((entry) => entry.state === 'COPY_SEGMENT_FINISHED')
    .length
}

async function alterConfigs(
  kafka: Kafka,
  topic: string,
  configEntries: { name: string; value: string }[],
  validateOnly: boolean,
): Promise<[number, string | null][]> {
  const admin = kafka.admin()
  await admin.connect()
  try {
    const answer = await admin
      .alterConfigs({ validateOnly, resources: [{ type: 2, name: topic, configEntries }] })
      .then(
        (response) =>
          response.resources.map((resource: { errorCode: number; errorMessage: string | null }) => [
            resource.errorCode,
            resource.errorMessage,
          ]),
        // kafkajs throws its own text for a failed resource; its type is the Kafka error's name.
        (error: { type?: string }) => [[-1, error.type ?? null]],
      )
    return answer as [number, string | null][]
  } finally {
    await admin.disconnect()
  }
}

describe('remote.log.copy.disable and remote.log.delete.on.disable', () => {
  let server: S3Server
  let broker: BrokerProcess
  let dataDir: string
  const topic = 'tiered-disable'
  const kafkaOf = (): Kafka =>
    new Kafka({ brokers: [broker.bootstrap], logLevel: logLevel.NOTHING, clientId: 'tiered-disable' })
  before(async () => {
    server = await startS3Server()
    dataDir = await makeTempDir()
    broker = await startBrokerProcess({ dataDir, args: tieredFlags(server) })
    const admin = kafkaOf().admin()
    await admin.connect()
    try {
      await admin.createTopics({ topics: [{ topic, numPartitions: 1, configEntries: tieredTopicConfigs }] })
    } finally {
      await admin.disconnect()
    }
    await produceRange(kafkaOf(), topic, 0, 1000)
    await waitFor('segments to be copied', async () => (await finishedCopies(dataDir, topic)) >= 4)
  })
  after(async () => {
    await broker?.stop()
    await server?.dispose()
    await removeTempDir(dataDir)
  })

  test('validate_only that turns remote storage off is refused like the change (AlterConfigs, IncrementalAlterConfigs)', async () => {
    assert.deepEqual(
      await alterConfigs(kafkaOf(), topic, [{ name: 'remote.storage.enable', value: 'false' }], true),
      [[-1, 'INVALID_CONFIG']],
    )
    const connection = new Connection('tiered-disable')
    await connection.connect(broker.host, broker.port)
    try {
      const resources = [
        {
          resourceType: 2 as const,
          resourceName: topic,
          configs: [{ name: 'remote.storage.enable', configOperation: 0 as const, value: 'false' }],
        },
      ]
      const answer = await incrementalAlterConfigsV1.api.async(connection, resources, true).then(
        (response) => response,
        (error: { response?: incrementalAlterConfigsV1.IncrementalAlterConfigsResponse }) => error.response,
      )
      assert.deepEqual(
        answer?.responses.map(({ errorCode, errorMessage }) => [errorCode, errorMessage]),
        [[40, turnOffRefusal]],
      )
    } finally {
      await connection.close()
    }
    // Nothing changed: still copying, still readable from 0.
    assert.ok((await finishedCopies(dataDir, topic)) >= 4)
  })

  test('remote.log.copy.disable: nothing more is copied, across SIGKILL; every record reads back from 0', async () => {
    assert.deepEqual(
      await alterConfigs(
        kafkaOf(),
        topic,
        [
          ...tieredTopicConfigs.filter((config) => config.name !== 'local.retention.bytes'),
          { name: 'remote.log.copy.disable', value: 'true' },
        ],
        false,
      ),
      [[0, null]],
    )
    // A task that was copying when the change came may still finish its copies: take the count once
    // a whole task interval has passed without a change.
    let copied = await finishedCopies(dataDir, topic)
    await waitFor('copies in flight to settle', async () => {
      const before = copied
      await new Promise((resolve) => setTimeout(resolve, 600))
      copied = await finishedCopies(dataDir, topic)
      return copied === before
    })
    const localBefore = (await localSegmentBases(dataDir, topic)).length
    await produceRange(kafkaOf(), topic, 1000, 2000)
    await waitFor('new segments to roll locally', async () => {
      return (await localSegmentBases(dataDir, topic)).length >= localBefore + 4
    })
    await broker.kill()
    broker = await startBrokerProcess({ dataDir, args: tieredFlags(server) })
    await readExactly(kafkaOf(), topic, 0, 2000, 'copy-disabled-reader')
    // Several task intervals after the restart: still nothing new copied, and no local segment deleted
    // (local data follows retention.ms = -1 now).
    assert.equal(await finishedCopies(dataDir, topic), copied)
    assert.ok((await localSegmentBases(dataDir, topic)).length >= localBefore + 4)
  })

  test('remote.storage.enable=false with remote.log.delete.on.disable: remote data deleted, finished after SIGKILL', async () => {
    const localStart = (await localSegmentBases(dataDir, topic))[0]
    assert.ok(localStart > 0, 'some data is only remote')
    assert.deepEqual(
      await alterConfigs(
        kafkaOf(),
        topic,
        [
          { name: 'remote.storage.enable', value: 'false' },
          { name: 'remote.log.delete.on.disable', value: 'true' },
          { name: 'segment.bytes', value: '16384' },
          { name: 'retention.ms', value: '-1' },
        ],
        false,
      ),
      [[0, null]],
    )
    await broker.kill()
    broker = await startBrokerProcess({ dataDir, args: tieredFlags(server) })
    const store = await bucketClient(server)
    try {
      await waitFor('the remote objects of the topic to be deleted', async () => {
        return (
          (await store.list(`${topic}-`)).length === 0 && (await remoteEntries(dataDir, topic)).length === 0
        )
      })
    } finally {
      store.close()
    }
    const admin = kafkaOf().admin()
    await admin.connect()
    try {
      const [offsets] = await admin.fetchTopicOffsets(topic)
      assert.deepEqual([offsets.low, offsets.high], [String(localStart), '2000'])
    } finally {
      await admin.disconnect()
    }
    await readExactly(kafkaOf(), topic, localStart, 2000, 'after-delete-reader')
  })
})
