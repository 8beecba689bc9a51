// Goal: a broker process killed with SIGKILL while a partition moves between log dirs
// (AlterReplicaLogDirs) loses nothing that was acknowledged: after the restart every acked record is
// there exactly once, the partition lives in exactly one log dir, and a move that had not committed is
// started again and finishes (the future directory on disk is the durable mark of the request).
// Method: `streamline --data-dir a --log-dirs b` as a child process; kafkajs produces with acks=all
// (an idempotent producer) before and while AlterReplicaLogDirs (@platformatic/kafka's v2 encoder)
// moves the partition; the process is killed right after the answer (round 1, the copy not
// committed yet) and a few milliseconds later (round 2, moving back); after each restart a kafkajs
// consumer reads the partition from the start up to its high watermark and DescribeLogDirs is polled until the move is done.
import assert from 'node:assert/strict'
import { existsSync } from 'node:fs'
import { readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { after, test } from 'node:test'
import { Admin, alterReplicaLogDirsV2, Connection } from '@platformatic/kafka'
import { Kafka, logLevel } from 'kafkajs'
import {
  type BrokerProcess,
  makeTempDir,
  removeTempDir,
  startBrokerProcess,
} from '../helpers/broker-process.ts'

const topic = 'moving'
let root: string | undefined
let broker: BrokerProcess | undefined

after(async () => {
  await broker?.kill()
  if (root !== undefined) await removeTempDir(root)
})

async function waitUntil(condition: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`condition not met in ${timeoutMs} ms`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

function kafkaOf(process: BrokerProcess): Kafka {
  return new Kafka({
    clientId: 'move-crash',
    brokers: [process.bootstrap],
    logLevel: logLevel.NOTHING,
    connectionTimeout: 1000,
    requestTimeout: 5000,
  })
}

/** Sends batches with acks=all until stopped; returns the values the broker acknowledged. */
function produceUntilStopped(kafka: Kafka, prefix: string) {
  const acked: string[] = []
  let stopped = false
  const producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    retry: { retries: 1, initialRetryTime: 50, maxRetryTime: 200 },
  })
  const done = (async () => {
    await producer.connect()
    for (let batch = 0; !stopped; batch += 1) {
      const values = Array.from({ length: 20 }, (_, index) => `${prefix}-${batch}-${index}`)
      try {
        await producer.send({ topic, acks: -1, messages: values.map((value) => ({ value, partition: 0 })) })
        acked.push(...values)
      } catch {
        return // the broker died under the producer: what was not acknowledged may or may not be there
      }
    }
  })()
  return {
    acked,
    stop: async () => {
      stopped = true
      await done
      await producer.disconnect().catch(() => {})
    },
  }
}

async function readAll(kafka: Kafka, groupId: string, count: number): Promise<string[]> {
  const consumer = kafka.consumer({ groupId })
  await consumer.connect()
  await consumer.subscribe({ topic, fromBeginning: true })
  const received: string[] = []
  await new Promise<void>((resolve, reject) => {
    consumer
      .run({
        eachMessage: async ({ message }) => {
          received.push(message.value?.toString() ?? '')
          if (received.length >= count) resolve()
        },
      })
      .catch(reject)
  })
  await consumer.disconnect()
  return received
}

async function logDirHolding(admin: Admin): Promise<{ live: string[]; future: string[] }> {
  const [described] = await admin.describeLogDirs({ topics: [{ name: topic, partitions: [0] }] })
  const holders = { live: [] as string[], future: [] as string[] }
  for (const result of described?.results ?? []) {
    for (const partition of result.topics.flatMap((entry) => entry.partitions)) {
      ;(partition.isFutureKey ? holders.future : holders.live).push(result.logDir)
    }
  }
  return holders
}

test('SIGKILL during a move between log dirs loses no acknowledged record', async () => {
  root = await makeTempDir('streamline-move-crash-')
  const dirA = join(root, 'a')
  const dirB = join(root, 'b')
  const start = () =>
    startBrokerProcess({
      dataDir: dirA,
      args: ['--log-dirs', dirB, '--groups-initial-rebalance-delay-ms', '0'],
    })
  broker = await start()
  const setup = kafkaOf(broker).admin()
  await setup.connect()
  await setup.createTopics({ topics: [{ topic, numPartitions: 1 }] })
  await setup.disconnect()

  const acked: string[] = []
  const stopping: Promise<void>[] = []
  for (const [round, killDelayMs] of [
    [1, 0],
    [2, 5],
  ] as const) {
    const kafka = kafkaOf(broker)
    const admin = new Admin({ clientId: 'move-crash', bootstrapBrokers: [broker.bootstrap], retries: 0 })
    const { live } = await logDirHolding(admin)
    assert.equal(live.length, 1)
    const destination = live[0] === dirA ? dirB : dirA
    const writer = produceUntilStopped(kafka, `r${round}`)
    await waitUntil(async () => writer.acked.length >= 400)
    const connection = new Connection('move-crash')
    await connection.connect(broker.host, broker.port)
    const answer = await alterReplicaLogDirsV2.api.async(connection, [
      { path: destination, topics: [{ name: topic, partitions: [0] }] },
    ])
    assert.equal(answer.results[0]?.partitions[0]?.errorCode, 0)
    // The move is marked on disk before the answer.
    assert.ok(
      (await readdir(destination)).some((name) => name.startsWith(`${topic}-0.`) && name.endsWith('-future')),
    )
    if (killDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, killDelayMs))
    await broker.kill()
    // Nothing is acknowledged after the kill; the producer gives up in the background.
    stopping.push(writer.stop())
    await connection.close().catch(() => {})
    await admin.close().catch(() => {})
    acked.push(...writer.acked)

    broker = await start()
    const restarted = new Admin({ clientId: 'move-crash', bootstrapBrokers: [broker.bootstrap], retries: 0 })
    // A move that had not committed starts again; either way it ends in the destination, and only there.
    await waitUntil(async () => {
      const holders = await logDirHolding(restarted)
      return holders.live.length === 1 && holders.live[0] === destination && holders.future.length === 0
    })
    await restarted.close()
    assert.equal(existsSync(join(destination, `${topic}-0`)), true)
    assert.equal(existsSync(join(destination === dirA ? dirB : dirA, `${topic}-0`)), false)
    const offsetsAdmin = kafkaOf(broker).admin()
    await offsetsAdmin.connect()
    const [offsets] = await offsetsAdmin.fetchTopicOffsets(topic)
    await offsetsAdmin.disconnect()
    const highWatermark = Number(offsets?.high)
    assert.ok(highWatermark >= acked.length)
    const received = await readAll(kafkaOf(broker), `check-${round}`, highWatermark)
    const seen = new Set(received)
    assert.equal(seen.size, received.length, 'no record twice')
    const missing = acked.filter((value) => !seen.has(value))
    assert.deepEqual(missing, [], `round ${round}: acknowledged records lost`)
  }
  await Promise.all(stopping)
  await broker.stop()
})
