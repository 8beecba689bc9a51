// Goal: tiered storage end to end against a real S3 API server: closed segments are copied to the
// bucket and their local copies deleted per local.retention.bytes, and every record stays readable
// from offset 0 by three real clients (kafkajs, kcat, confluent-kafka) exactly; ListOffsets earliest
// stays 0 while earliest-local moves; ListOffsets by timestamp finds records in remote segments;
// total retention (retention.bytes) deletes remote objects; deleting the topic deletes its objects;
// a compacted topic is refused with Kafka's INVALID_CONFIG message, and so is turning remote storage
// off; the HTTP API and `streamline-cli topics describe` show local vs remote offsets and sizes.
// Method: an s3rver process and a broker process (flags as a user passes them), kafkajs producing
// with explicit timestamps, the bucket inspected with the S3 client, the partition dir with readdir.
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { after, before, describe, test } from 'node:test'
import { promisify } from 'node:util'
import { Connection, incrementalAlterConfigsV1, listOffsetsV9 } from '@platformatic/kafka'
import { Kafka, logLevel } from 'kafkajs'
import { type CliHarness, startCliHarness } from '../cli/cli-harness.ts'
import { type BrokerProcess, startBrokerProcess } from '../helpers/broker-process.ts'
import { requireClient } from '../helpers/clients.ts'
import { freePort } from '../helpers/free-port.ts'
import { runPython } from '../helpers/python.ts'
import { type S3Server, startS3Server } from '../helpers/s3-server.ts'
import {
  bucketClient,
  localSegmentBases,
  recordValue,
  remoteEntries,
  tieredFlags,
  waitFor,
} from './tiered-helpers.ts'

const run = promisify(execFile)
const topic = 'tiered-orders'
const recordCount = 3000
const baseTimestamp = 1_700_000_000_000

describe('tiered storage on s3rver', () => {
  let server: S3Server
  let broker: BrokerProcess
  let kafka: Kafka
  let httpUrl: string
  before(async () => {
    server = await startS3Server()
    const httpPort = await freePort()
    httpUrl = `http://127.0.0.1:${httpPort}`
    broker = await startBrokerProcess({ args: tieredFlags(server, ['--http-addr', `127.0.0.1:${httpPort}`]) })
    kafka = new Kafka({ brokers: [broker.bootstrap], logLevel: logLevel.NOTHING, clientId: 'tiered-test' })
  })
  after(async () => {
    if (process.env.TIERED_DEBUG !== undefined) process.stderr.write(broker.output())
    await broker?.stop()
    await server?.dispose()
  })

  test('produce beyond local retention: segments move to the bucket, local copies go', async () => {
    const admin = kafka.admin()
    await admin.connect()
    try {
      await admin.createTopics({
        topics: [
          {
            topic,
            numPartitions: 1,
            configEntries: [
              { name: 'remote.storage.enable', value: 'true' },
              { name: 'segment.bytes', value: '16384' },
              { name: 'local.retention.bytes', value: '1' },
              { name: 'retention.ms', value: '-1' },
            ],
          },
        ],
      })
    } finally {
      await admin.disconnect()
    }
    const producer = kafka.producer()
    await producer.connect()
    for (let start = 0; start < recordCount; start += 100) {
      await producer.send({
        topic,
        acks: -1,
        messages: Array.from({ length: 100 }, (_, offset) => ({
          value: recordValue(start + offset),
          timestamp: String(baseTimestamp + (start + offset) * 1000),
        })),
      })
    }
    await producer.disconnect()
    const store = await bucketClient(server)
    try {
      await waitFor('local segments below offset 2000 to be deleted', async () => {
        const bases = await localSegmentBases(broker.dataDir, topic)
        return bases[0] >= 2000
      })
      const objects = await store.list('')
      const logs = objects.filter((object) => object.key.endsWith('.segment'))
      assert.ok(logs.length >= 10, `expected copied segments, found ${logs.length}`)
      // One object per segment: the log bytes and its indexes together (no per-index objects).
      assert.deepEqual(
        objects.filter((object) => !object.key.endsWith('.segment')).map((object) => object.key),
        [],
      )
      assert.ok(logs.every((object) => object.key.startsWith(`${topic}-`) && object.key.includes('/0/')))
    } finally {
      store.close()
    }
  })

  test('kafkajs reads every record from offset 0 exactly', async () => {
    const consumer = kafka.consumer({ groupId: 'tiered-kafkajs', maxBytesPerPartition: 64 * 1024 })
    await consumer.connect()
    const seen: string[] = []
    try {
      await consumer.subscribe({ topic, fromBeginning: true })
      await consumer.run({
        eachMessage: async ({ message }) => {
          seen.push(`${message.offset}:${message.value?.toString()}:${message.timestamp}`)
        },
      })
      await waitFor('kafkajs to read every record', async () => seen.length >= recordCount, 60_000)
    } finally {
      await consumer.disconnect()
    }
    assert.equal(seen.length, recordCount)
    seen.forEach((entry, index) => {
      assert.equal(entry, `${index}:${recordValue(index)}:${baseTimestamp + index * 1000}`)
    })
  })

  test('kcat reads every record from offset 0 exactly', { skip: requireClient('kcat') }, async () => {
    const { stdout } = await run(
      'kcat',
      ['-b', broker.bootstrap, '-C', '-t', topic, '-p', '0', '-o', 'beginning', '-e', '-q', '-f', '%o %s\\n'],
      { maxBuffer: 64 * 1024 * 1024, timeout: 60_000 },
    )
    const lines = stdout.trim().split('\n')
    assert.equal(lines.length, recordCount)
    lines.forEach((line, index) => {
      assert.equal(line, `${index} ${recordValue(index)}`)
    })
  })

  test('confluent-kafka reads every record from offset 0 exactly', {
    skip: requireClient('confluent-kafka'),
  }, async () => {
    const script = `
import json, sys
from confluent_kafka import Consumer, TopicPartition
c = Consumer({'bootstrap.servers': sys.argv[1], 'group.id': 'tiered-python', 'enable.auto.commit': False})
c.assign([TopicPartition(sys.argv[2], 0, 0)])
out = []
while len(out) < int(sys.argv[3]):
    m = c.poll(10)
    if m is None:
        break
    if m.error():
        continue
    out.append('%d %s' % (m.offset(), m.value().decode()))
c.close()
print(json.dumps(out))
`
    const lines = (await runPython(script, {
      args: [broker.bootstrap, topic, String(recordCount)],
      timeoutMs: 90_000,
    })) as string[]
    assert.equal(lines.length, recordCount)
    lines.forEach((line, index) => {
      assert.equal(line, `${index} ${recordValue(index)}`)
    })
  })

  test('ListOffsets: earliest is 0, by timestamp lands in remote segments', async () => {
    const admin = kafka.admin()
    await admin.connect()
    try {
      const [earliest] = await admin.fetchTopicOffsets(topic)
      assert.equal(earliest.low, '0')
      assert.equal(earliest.high, String(recordCount))
      for (const index of [0, 1, 777, 1500, 2999]) {
        const [found] = await admin.fetchTopicOffsetsByTimestamp(topic, baseTimestamp + index * 1000)
        assert.equal(found.offset, String(index), `timestamp of record ${index}`)
      }
      const [between] = await admin.fetchTopicOffsetsByTimestamp(topic, baseTimestamp + 1234 * 1000 - 500)
      assert.equal(between.offset, '1234')
    } finally {
      await admin.disconnect()
    }
  })

  test('ListOffsets v9 (@platformatic/kafka): -4 earliest-local is past the copied segments, -5 the last copied offset', async () => {
    const connection = new Connection('tiered-test')
    await connection.connect(broker.host, broker.port)
    try {
      const lookUp = async (timestamp: bigint): Promise<bigint> => {
        const partitions = [{ partitionIndex: 0, currentLeaderEpoch: -1, timestamp }]
        const answer = await listOffsetsV9.api.async(connection, -1, 0, [{ name: topic, partitions }])
        const [partition] = answer.topics[0].partitions
        assert.equal(partition.errorCode, 0)
        return partition.offset
      }
      const earliestLocal = await lookUp(-4n)
      const latestTiered = await lookUp(-5n)
      const localBases = await localSegmentBases(broker.dataDir, topic)
      assert.equal(await lookUp(-2n), 0n)
      assert.equal(earliestLocal, BigInt(localBases[0]))
      assert.ok(earliestLocal > 0n)
      assert.ok(latestTiered >= earliestLocal - 1n && latestTiered < BigInt(recordCount))
    } finally {
      await connection.close()
    }
  })

  test('HTTP API and streamline-cli topics describe show local vs remote offsets and sizes', async () => {
    const response = await fetch(`${httpUrl}/api/v1/topics/${topic}`)
    assert.equal(response.status, 200)
    const body = (await response.json()) as {
      partitionDetails: {
        logStartOffset: number
        logEndOffset: number
        sizeBytes: number
        remoteStorage: {
          localLogStartOffset: number
          latestTieredOffset: number
          localSizeBytes: number
          remoteSizeBytes: number
          remoteSegments: number
          pendingUploadBytes: number
        }
      }[]
    }
    const [detail] = body.partitionDetails
    const state = detail.remoteStorage
    const localBases = await localSegmentBases(broker.dataDir, topic)
    assert.equal(detail.logStartOffset, 0)
    assert.equal(detail.logEndOffset, recordCount)
    assert.equal(state.localLogStartOffset, localBases[0])
    assert.equal(state.localSizeBytes, detail.sizeBytes)
    assert.ok(state.latestTieredOffset >= state.localLogStartOffset - 1, JSON.stringify(state))
    const store = await bucketClient(server)
    try {
      const objects = await store.list(`${topic}-`)
      const objectBytes = objects
        .filter((object) => object.key.endsWith('.segment'))
        .reduce((total, object) => total + object.sizeBytes, 0)
      // Remote size is the log bytes (as Kafka's); each object is its log bytes then its indexes.
      const copied = (await remoteEntries(broker.dataDir, topic)).filter(
        (entry) => entry.state === 'COPY_SEGMENT_FINISHED',
      )
      const logBytes = copied.reduce((total, entry) => total + entry.sizeBytes, 0)
      const indexBytes = copied.reduce(
        (total, entry) =>
          total + Math.max(...Object.values(entry.indexRanges ?? {}).map(([, end]) => end)) - entry.sizeBytes,
        0,
      )
      assert.equal(state.remoteSizeBytes, logBytes)
      assert.equal(objectBytes, logBytes + indexBytes)
      assert.equal(state.remoteSegments, objects.filter((object) => object.key.endsWith('.segment')).length)
    } finally {
      store.close()
    }
    let cli: CliHarness | null = null
    try {
      cli = await startCliHarness()
      const connection = ['-b', broker.bootstrap, '--http', httpUrl]
      const described = await cli.run([...connection, '--format', 'json', 'topics', 'describe', topic])
      assert.equal(described.code, 0, described.stderr)
      const [partition] = (JSON.parse(described.stdout) as { partitions: Record<string, unknown>[] })
        .partitions
      assert.equal(partition.localLogStartOffset, state.localLogStartOffset)
      assert.equal(partition.remoteSizeBytes, state.remoteSizeBytes)
      assert.equal(partition.localSizeBytes, state.localSizeBytes)
      const text = await cli.run([...connection, 'topics', 'describe', topic])
      assert.equal(text.code, 0, text.stderr)
      const header = text.stdout.split('\n').find((line) => line.startsWith('PARTITION'))
      assert.match(header ?? '', /LOCAL-START +TIERED-END +LOCAL-SIZE +REMOTE-SIZE$/)
    } finally {
      await cli?.close()
    }
  })

  test("turning remote.storage.enable off is refused with Kafka's INVALID_CONFIG message", async () => {
    const connection = new Connection('tiered-test')
    await connection.connect(broker.host, broker.port)
    try {
      const resources = [
        {
          resourceType: 2 as const,
          resourceName: topic,
          configs: [{ name: 'remote.storage.enable', configOperation: 0 as const, value: 'false' }],
        },
      ]
      const answer = await incrementalAlterConfigsV1.api.async(connection, resources, false).then(
        (response) => response,
        (error: { response?: incrementalAlterConfigsV1.IncrementalAlterConfigsResponse }) => error.response,
      )
      assert.deepEqual(
        answer?.responses.map(({ errorCode, errorMessage }) => [errorCode, errorMessage]),
        [
          [
            40,
            'It is invalid to disable remote storage without deleting remote data. ' +
              'If you want to keep the remote data and turn to read only, please set `remote.storage.enable=true,remote.log.copy.disable=true`. ' +
              'If you want to disable remote storage and delete all remote data, please set `remote.storage.enable=false,remote.log.delete.on.disable=true`.',
          ],
        ],
      )
    } finally {
      await connection.close()
    }
    const admin = kafka.admin()
    await admin.connect()
    try {
      const [earliest] = await admin.fetchTopicOffsets(topic)
      assert.equal(earliest.low, '0')
    } finally {
      await admin.disconnect()
    }
  })

  test('total retention (retention.bytes) deletes remote segments and moves the log start', async () => {
    const store = await bucketClient(server)
    const admin = kafka.admin()
    await admin.connect()
    try {
      const before = (await store.list('')).filter((object) => object.key.endsWith('.segment')).length
      const altered = await admin.alterConfigs({
        validateOnly: false,
        resources: [
          {
            type: 2,
            name: topic,
            configEntries: [
              { name: 'remote.storage.enable', value: 'true' },
              { name: 'segment.bytes', value: '16384' },
              { name: 'local.retention.bytes', value: '1' },
              { name: 'retention.ms', value: '-1' },
              { name: 'retention.bytes', value: '100000' },
            ],
          },
        ],
      })
      assert.deepEqual(
        altered.resources.map((resource: { errorCode: number; errorMessage: string | null }) => [
          resource.errorCode,
          resource.errorMessage,
        ]),
        [[0, null]],
      )
      await waitFor('remote segments to be deleted by retention.bytes', async () => {
        const logs = (await store.list('')).filter((object) => object.key.endsWith('.segment')).length
        return logs <= before - 10
      })
      const [offsets] = await admin.fetchTopicOffsets(topic)
      assert.ok(Number(offsets.low) > 0, `log start ${offsets.low}`)
      const consumer = kafka.consumer({ groupId: 'tiered-after-retention' })
      await consumer.connect()
      const seen: number[] = []
      try {
        await consumer.subscribe({ topic, fromBeginning: true })
        await consumer.run({
          eachMessage: async ({ message }) => {
            assert.equal(message.value?.toString(), recordValue(Number(message.offset)))
            seen.push(Number(message.offset))
          },
        })
        await waitFor('reading after retention', async () => seen.length >= recordCount - Number(offsets.low))
      } finally {
        await consumer.disconnect()
      }
      assert.equal(seen[0], Number(offsets.low))
    } finally {
      await admin.disconnect()
      store.close()
    }
  })

  test('a compacted topic is refused for remote storage with INVALID_CONFIG', async () => {
    const admin = kafka.admin()
    await admin.connect()
    try {
      await assert.rejects(
        admin.createTopics({
          topics: [
            {
              topic: 'tiered-compacted',
              configEntries: [
                { name: 'remote.storage.enable', value: 'true' },
                { name: 'cleanup.policy', value: 'compact' },
              ],
            },
          ],
        }),
        (error: Error & { errors?: { type: string; message?: string }[] }) => {
          const first = error.errors?.[0]
          assert.equal(first?.type, 'INVALID_CONFIG')
          return true
        },
      )
    } finally {
      await admin.disconnect()
    }
  })

  test('deleting the topic deletes its remote objects', async () => {
    const store = await bucketClient(server)
    const admin = kafka.admin()
    await admin.connect()
    try {
      assert.ok((await store.list(`${topic}-`)).length > 0)
      await admin.deleteTopics({ topics: [topic] })
      await waitFor(
        'remote objects of the deleted topic to go',
        async () => (await store.list(`${topic}-`)).length === 0,
      )
    } finally {
      await admin.disconnect()
      store.close()
    }
  })
})
