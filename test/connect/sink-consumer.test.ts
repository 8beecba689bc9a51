// Goal: a sink task's consumer behaves as Kafka's consumer in a Connect worker: (a) a sink whose topic
// does not exist yet does not fail — its consumer's metadata request creates the topic (the broker
// auto-creates topics) and the task reads what is produced there later; (c) a sink that read everything
// and sat idle sees records produced later within a few long polls (not after a minute).
// Method: a broker process with its Connect worker; curl creates a FileStreamSink on a topic nobody
// created; kafkajs (a real client) checks the topic appears and produces to it; the file must hold
// exactly the produced lines, in order, within bounded waits after each idle period.
import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { after, test } from 'node:test'
import { Kafka, logLevel } from 'kafkajs'
import {
  type BrokerProcess,
  makeTempDir,
  removeTempDir,
  startBrokerProcess,
} from '../helpers/broker-process.ts'
import { connectUrlOf, curl, waitFor, waitForState } from '../helpers/connect.ts'

let broker: BrokerProcess | null = null
let dir = ''
after(async () => {
  await broker?.stop()
  if (dir !== '') await removeTempDir(dir)
})

async function fileLines(path: string): Promise<string[]> {
  const text = await readFile(path, 'utf8').catch(() => '')
  return text.split('\n').filter((line) => line !== '')
}

test('a sink on a missing topic waits for it, and an idle sink sees later records at once', {
  timeout: 120_000,
}, async () => {
  dir = await makeTempDir('streamline-connect-sink-consumer-')
  broker = await startBrokerProcess()
  const base = connectUrlOf(broker)
  const output = join(dir, 'late.txt')
  const kafka = new Kafka({
    clientId: 'sink-consumer-test',
    brokers: [broker.bootstrap],
    logLevel: logLevel.NOTHING,
  })
  const admin = kafka.admin()
  await admin.connect()
  assert.equal((await admin.listTopics()).includes('late-topic'), false)

  const created = await curl('POST', `${base}/connectors`, {
    name: 'late',
    config: {
      'connector.class': 'FileStreamSink',
      file: output,
      topics: 'late-topic',
      'value.converter': 'org.apache.kafka.connect.storage.StringConverter',
    },
  })
  assert.equal(created.status, 201, created.text)
  await waitForState(base, 'late', 'RUNNING')
  // (a) The consumer's metadata request made the broker create the topic (auto-creation is on).
  await waitFor('late-topic created by the sink consumer', async () =>
    (await admin.listTopics()).includes('late-topic') ? true : undefined,
  )
  await admin.disconnect()

  const producer = kafka.producer()
  await producer.connect()
  const expected: string[] = []
  try {
    for (let round = 0; round < 3; round++) {
      const lines = Array.from({ length: 5 }, (_, index) => `round ${round} line ${index}`)
      await producer.send({ topic: 'late-topic', messages: lines.map((value) => ({ value })) })
      expected.push(...lines)
      // (c) Each round lands within a few long polls, also after the sink sat idle.
      const started = Date.now()
      const seen = await waitFor(
        `round ${round} in the file`,
        async () => {
          const found = await fileLines(output)
          return found.length >= expected.length ? found : undefined
        },
        10_000,
      )
      assert.deepEqual(seen, expected)
      assert.ok(Date.now() - started < 10_000)
      const status = await curl('GET', `${base}/connectors/late/status`)
      assert.deepEqual(
        (status.body as { tasks: Array<{ state: string }> }).tasks.map((task) => task.state),
        ['RUNNING'],
      )
      // Idle: nothing is produced for a while (several long polls and heartbeats).
      await new Promise((resolve) => setTimeout(resolve, 2_000))
    }
  } finally {
    await producer.disconnect()
  }
  assert.deepEqual(await fileLines(output), expected)
})
