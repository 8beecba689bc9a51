// Goal: a broker with several log dirs (`log.dirs` = data dir + one more) places new partitions across
// them (the one with the fewest first), DescribeLogDirs lists each dir with its partitions, and
// AlterReplicaLogDirs (v0-2) moves a live partition to the other dir with every record, the producer's
// idempotence state and the consumer's offsets intact, while clients keep producing. Kafka's per-partition
// answers: LOG_DIR_NOT_FOUND for a path that is not a log dir, REPLICA_NOT_AVAILABLE for an unknown
// partition, CLUSTER_AUTHORIZATION_FAILED without ALTER on the cluster; a truncated request closes
// its connection and the broker keeps serving.
// Method: an in-process broker on two temporary dirs. @platformatic/kafka's Admin (DescribeLogDirs v4)
// and its own AlterReplicaLogDirs v2 encoder; v0 and v1 through the generated codecs; kafkajs
// (idempotent producer, acks=all, producing during the move) and a kafkajs consumer reading everything
// back; the directories on disk checked after the move.
import assert from 'node:assert/strict'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { Admin, alterReplicaLogDirsV2, Connection } from '@platformatic/kafka'
import { Kafka, logLevel } from 'kafkajs'
import { type RunningBroker, startBroker } from '../../src/broker/start.ts'
import { ApiKey } from '../../src/protocol/generated/index.ts'
import { makeTempDir, removeTempDir } from '../helpers/broker-process.ts'
import { CodecClient, encodeRequest } from '../helpers/kafka-codec-client.ts'
import { Op, Res, startAclRawBroker } from '../security/acl-raw-broker.ts'

const LOG_DIR_NOT_FOUND = 57
const REPLICA_NOT_AVAILABLE = 9
const CLUSTER_AUTHORIZATION_FAILED = 31

async function waitUntil(condition: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met in ${timeoutMs} ms`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

describe('several log dirs', () => {
  let root: string
  let dirA: string
  let dirB: string
  let broker: RunningBroker
  let admin: Admin
  let connection: Connection
  let kafka: Kafka

  const placement = async () => {
    const [described] = await admin.describeLogDirs({ topics: null as unknown as [] })
    return Object.fromEntries(
      (described?.results ?? []).map((result) => [
        result.logDir,
        result.topics.flatMap((topic) =>
          topic.partitions.map(
            (partition) =>
              `${topic.name}-${partition.partitionIndex}${partition.isFutureKey ? ' future' : ''}`,
          ),
        ),
      ]),
    )
  }

  before(async () => {
    root = await makeTempDir('streamline-log-dirs-')
    dirA = join(root, 'a')
    dirB = join(root, 'b')
    broker = await startBroker({
      dataDir: dirA,
      logDirs: [dirB],
      httpAddr: null,
      logLevel: 'silent',
      listenAddr: '127.0.0.1:0',
      groups: { classic: { initialRebalanceDelayMs: 0 } },
    })
    admin = new Admin({
      clientId: 'log-dirs-test',
      bootstrapBrokers: [`${broker.host}:${broker.port}`],
      timeout: 10_000,
      retries: 0,
    })
    connection = new Connection('log-dirs-test')
    await connection.connect(broker.host, broker.port)
    kafka = new Kafka({ brokers: [`${broker.host}:${broker.port}`], logLevel: logLevel.NOTHING })
  })

  after(async () => {
    await connection?.close()
    await admin?.close()
    await broker?.close()
    if (root !== undefined) await removeTempDir(root)
  })

  test('new partitions go to the log dir holding the fewest; DescribeLogDirs lists both dirs', async () => {
    await admin.createTopics({ topics: ['spread'], partitions: 4, replicas: 1 })
    assert.deepEqual(await placement(), {
      [dirA]: ['spread-0', 'spread-2'],
      [dirB]: ['spread-1', 'spread-3'],
    })
    for (const [dir, partition] of [
      [dirA, 0],
      [dirB, 1],
      [dirA, 2],
      [dirB, 3],
    ] as const) {
      assert.equal(existsSync(join(dir, `spread-${partition}`)), true)
    }
  })

  test('AlterReplicaLogDirs moves a live partition with every record, while producing', async () => {
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 })
    await producer.connect()
    const sent: string[] = []
    const send = async (count: number) => {
      for (let index = 0; index < count; index += 1) {
        const value = `v${sent.length}`
        await producer.send({ topic: 'spread', acks: -1, messages: [{ partition: 0, value }] })
        sent.push(value)
      }
    }
    await send(100)
    const moved = await alterReplicaLogDirsV2.api.async(connection, [
      { path: dirB, topics: [{ name: 'spread', partitions: [0] }] },
    ])
    assert.deepEqual(moved.results, [
      { topicName: 'spread', partitions: [{ partitionIndex: 0, errorCode: 0 }] },
    ])
    await send(25) // during and after the move (a refused append is retried by the producer)
    await waitUntil(() => existsSync(join(dirB, 'spread-0')) && !existsSync(join(dirA, 'spread-0')))
    await send(25)
    await producer.disconnect()
    assert.deepEqual(await placement(), {
      [dirA]: ['spread-2'],
      [dirB]: ['spread-0', 'spread-1', 'spread-3'],
    })
    const consumer = kafka.consumer({ groupId: 'log-dirs-reader' })
    await consumer.connect()
    await consumer.subscribe({ topic: 'spread', fromBeginning: true })
    const received: string[] = []
    await new Promise<void>((resolve, reject) => {
      consumer
        .run({
          eachMessage: async ({ message }) => {
            received.push(message.value?.toString() ?? '')
            if (received.length === sent.length) resolve()
          },
        })
        .catch(reject)
    })
    await consumer.disconnect()
    assert.deepEqual(received, sent)
    assert.equal(broker.logs.partition('spread', 0)?.logEndOffset, 150)
  })

  test('moving to the dir it is in is a no-op; an unknown dir or partition gets Kafka codes (v0, v1)', async () => {
    const client = await CodecClient.open(broker.host, broker.port)
    try {
      for (const version of [0, 1]) {
        const answer = await client.request(ApiKey.AlterReplicaLogDirs, version, {
          dirs: [
            { path: dirB, topics: [{ name: 'spread', partitions: [0, 9] }] },
            { path: join(root, 'elsewhere'), topics: [{ name: 'spread', partitions: [1] }] },
            { path: dirA, topics: [{ name: 'missing', partitions: [0] }] },
          ],
        })
        assert.deepEqual(
          answer.results.map((result) => [
            result.topicName,
            result.partitions.map((partition) => [partition.partitionIndex, partition.errorCode]),
          ]),
          [
            [
              'spread',
              [
                [0, 0],
                [9, REPLICA_NOT_AVAILABLE],
                [1, LOG_DIR_NOT_FOUND],
              ],
            ],
            ['missing', [[0, REPLICA_NOT_AVAILABLE]]],
          ],
        )
      }
      assert.equal(existsSync(join(dirB, 'spread-1')), true)
    } finally {
      client.close()
    }
  })

  test('a truncated AlterReplicaLogDirs closes its connection; the broker keeps serving', async () => {
    const frame = encodeRequest(ApiKey.AlterReplicaLogDirs, 2, 7, {
      dirs: [{ path: dirA, topics: [{ name: 'spread', partitions: [1] }] }],
    })
    const cut = Buffer.from(frame.subarray(0, frame.length - 6))
    cut.writeInt32BE(cut.length - 4, 0)
    const bad = await CodecClient.open(broker.host, broker.port)
    await bad.connection.write(cut)
    assert.equal(await bad.connection.waitForClose(10_000), true)
    assert.equal(existsSync(join(dirB, 'spread-1')), true)
    const after = await placement()
    assert.deepEqual([after[dirA]?.includes('spread-1'), after[dirB]?.includes('spread-1')], [false, true])
  })
})

test('AlterReplicaLogDirs needs ALTER on the cluster', async () => {
  const acl = await startAclRawBroker()
  try {
    const bob = await acl.login('bob')
    const request = { dirs: [{ path: '/nowhere', topics: [{ name: 'any', partitions: [0, 1] }] }] }
    const refused = await bob.request(ApiKey.AlterReplicaLogDirs, 2, request)
    assert.deepEqual(
      refused.results.map((result) => result.partitions.map((partition) => partition.errorCode)),
      [[CLUSTER_AUTHORIZATION_FAILED, CLUSTER_AUTHORIZATION_FAILED]],
    )
    await acl.grant([{ resourceType: Res.CLUSTER, resourceName: 'kafka-cluster', operation: Op.ALTER }])
    const allowed = await bob.request(ApiKey.AlterReplicaLogDirs, 2, request)
    assert.deepEqual(
      allowed.results.map((result) => result.partitions.map((partition) => partition.errorCode)),
      [[LOG_DIR_NOT_FOUND, LOG_DIR_NOT_FOUND]],
    )
  } finally {
    await acl.stop()
  }
})
