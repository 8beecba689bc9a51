// Goal: exactly-once source (KIP-618). With `exactly.once.source.support=enabled` on the worker, a
// source task's records and their connect-offsets entries are written in one transaction, so a
// SIGKILL of the whole process in the middle of the flow neither loses nor duplicates a record for a
// read_committed consumer; and the KIP-618 connector options are validated as Kafka does.
// Method: the real CLI (`--connect-exactly-once-source-support enabled`) on a kept data dir; curl
// creates a FileStreamSource (`exactly.once.support=required`, `transaction.boundary=poll`, small
// batches so many transactions run) over a file the test keeps appending to; kill -9 while lines
// flow; restart (no REST call: the stored connector resumes); append the rest. Then kafkajs (a client
// no one here wrote) reads the topic read_committed and must see every line exactly once, in order;
// GET …/offsets must give the file's whole length.
import assert from 'node:assert/strict'
import { appendFile, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { Kafka, logLevel } from 'kafkajs'
import {
  type BrokerProcess,
  makeTempDir,
  removeTempDir,
  startBrokerProcess,
} from '../helpers/broker-process.ts'
import { connectUrlOf, curl, waitFor, waitForState } from '../helpers/connect.ts'

const topic = 'eos-lines'
const totalLines = 3000
const line = (index: number): string => `line-${String(index).padStart(5, '0')}`

let dir = ''
let broker: BrokerProcess | null = null
after(async () => {
  await broker?.kill()
  if (dir !== '') await removeTempDir(dir)
})

/** Appends lines [from, to) in small slices, as a log file grows, while `keepGoing()` holds. */
async function appendLines(
  file: string,
  from: number,
  to: number,
  keepGoing: () => boolean,
): Promise<number> {
  let next = from
  while (next < to && keepGoing()) {
    const end = Math.min(to, next + 40)
    const slice = Array.from({ length: end - next }, (_, index) => `${line(next + index)}\n`).join('')
    await appendFile(file, slice)
    next = end
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
  return next
}

async function readCommitted(kafka: Kafka, expected: number): Promise<string[]> {
  const consumer = kafka.consumer({ groupId: `eos-check-${Date.now()}`, readUncommitted: false })
  const values: string[] = []
  await consumer.connect()
  try {
    await consumer.subscribe({ topic, fromBeginning: true })
    await consumer.run({
      eachMessage: async ({ message }) => {
        values.push(message.value?.toString() ?? '')
      },
    })
    await waitFor(
      `${expected} committed records`,
      async () => (values.length >= expected ? true : undefined),
      60_000,
    )
    // A duplicate would arrive after the expected count: give it time to show.
    await new Promise((resolve) => setTimeout(resolve, 1_500))
  } finally {
    await consumer.disconnect()
  }
  return values
}

let dataDir = ''
let input = ''
let base = ''
const args = ['--connect-exactly-once-source-support', 'enabled']
const kafkaOf = (running: BrokerProcess) =>
  new Kafka({ clientId: 'connect-eos-test', brokers: [running.bootstrap], logLevel: logLevel.NOTHING })
const fileSource = () => ({
  'connector.class': 'FileStreamSource',
  file: input,
  topic,
  'batch.size': '25',
  'value.converter': 'org.apache.kafka.connect.storage.StringConverter',
  'exactly.once.support': 'required',
  'transaction.boundary': 'poll',
})

before(async () => {
  dir = await makeTempDir('streamline-connect-eos-')
  dataDir = join(dir, 'data')
  input = join(dir, 'input.txt')
  await writeFile(input, '')
  broker = await startBrokerProcess({ dataDir, args })
  base = connectUrlOf(broker)
  const admin = kafkaOf(broker).admin()
  await admin.connect()
  await admin.createTopics({ topics: [{ topic, numPartitions: 1 }] })
  await admin.disconnect()
})

/** PUT …/config/validate: the fields with errors and their messages. */
async function validate(config: Record<string, string>): Promise<Record<string, string[]>> {
  const answer = await curl('PUT', `${base}/connector-plugins/${config['connector.class']}/config/validate`, {
    name: 'eos-check',
    ...config,
  })
  assert.equal(answer.status, 200)
  const body = answer.body as { configs: Array<{ value: { name: string; errors: string[] } }> }
  return Object.fromEntries(
    body.configs
      .filter((entry) => entry.value.errors.length > 0)
      .map((entry) => [entry.value.name, entry.value.errors]),
  )
}

test('KIP-618 preflight validation: exactly.once.support=required and transaction.boundary', async () => {
  assert.deepEqual(await validate(fileSource()), {})
  assert.deepEqual(await validate({ ...fileSource(), 'transaction.boundary': 'connector' }), {
    'transaction.boundary': [
      'The connector does not support connector-defined transaction boundaries with the given configuration. Please reconfigure it to use a different transaction boundary definition.',
    ],
  })
  const datagenErrors = await validate({
    'connector.class': 'DatagenConnector',
    'kafka.topic': 'eos-datagen',
    quickstart: 'users',
    'exactly.once.support': 'required',
  })
  assert.match(
    datagenErrors['exactly.once.support']?.[0] ?? '',
    /^The connector does not implement the API required for preflight validation of exactly-once source support/,
  )
  assert.deepEqual(Object.keys(await validate({ ...fileSource(), 'transaction.boundary': 'sometimes' })), [
    'transaction.boundary',
  ])
})

test('exactly-once source: SIGKILL mid-flow, a read_committed consumer sees every record once', {
  timeout: 180_000,
}, async () => {
  assert.ok(broker !== null)
  const created = await curl('POST', `${base}/connectors`, { name: 'eos-source', config: fileSource() })
  assert.equal(created.status, 201, created.text)
  await waitForState(base, 'eos-source', 'RUNNING')

  // Lines flow in many small transactions; kill -9 while they do.
  let appending = true
  const appended = appendLines(input, 0, totalLines, () => appending)
  const probe = kafkaOf(broker).admin()
  await probe.connect()
  const endAtKill = await waitFor('1000 records written', async () => {
    const end = Number((await probe.fetchTopicOffsets(topic))[0]?.high ?? 0)
    return end >= 1000 ? end : undefined
  })
  await probe.disconnect()
  await broker.kill()
  appending = false
  const writtenBeforeKill = await appended
  // The end offset counts records and transaction markers: below the total, the task was mid-flow.
  assert.ok(endAtKill < totalLines, `killed mid-flow (end offset ${endAtKill})`)

  broker = await startBrokerProcess({ dataDir, args })
  base = connectUrlOf(broker)
  await appendLines(input, writtenBeforeKill, totalLines, () => true)
  const fileLength = (await stat(input)).size

  const values = await readCommitted(kafkaOf(broker), totalLines)
  assert.equal(values.length, totalLines, 'no duplicates for a read_committed consumer')
  assert.deepEqual(
    values,
    Array.from({ length: totalLines }, (_, index) => line(index)),
  )

  // The committed source offset is the whole file (it came back from connect-offsets, read committed).
  await curl('PUT', `${base}/connectors/eos-source/stop`)
  await waitFor('eos-source STOPPED', async () => {
    const status = await curl('GET', `${base}/connectors/eos-source/status`)
    return (status.body as { connector?: { state: string } }).connector?.state === 'STOPPED'
      ? true
      : undefined
  })
  const offsets = await curl('GET', `${base}/connectors/eos-source/offsets`)
  assert.deepEqual(offsets.body, {
    offsets: [{ partition: { filename: input }, offset: { position: fileLength } }],
  })
})
