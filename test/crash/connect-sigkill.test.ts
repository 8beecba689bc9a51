// Goal: Connect's state lives in connect-configs/-offsets/-status (Kafka Connect's names, configs and
// record formats) and a SIGKILL of the process loses nothing: after a restart every connector resumes
// by itself (no REST call) from its committed offsets, and a file → topic → file pipeline ends with
// every input line in the output file, in order (duplicates only after the last commit, as Kafka's
// at-least-once delivery allows).
// Method: the real CLI on a kept data dir; FileStreamSource and FileStreamSink created with curl; kill
// -9 while lines flow; more lines appended while it is down; restart; then kafkajs (a client no one
// here wrote) reads the state topics and the data topic, and the output file is compared line by line.
import assert from 'node:assert/strict'
import { appendFile, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { after, test } from 'node:test'
import kafkajs, { Kafka, logLevel } from 'kafkajs'
import {
  type BrokerProcess,
  makeTempDir,
  removeTempDir,
  startBrokerProcess,
} from '../helpers/broker-process.ts'
import { connectUrlOf, curl, waitFor, waitForState } from '../helpers/connect.ts'

const lines = (from: number, to: number) =>
  Array.from({ length: to - from }, (_, index) => `line-${String(from + index).padStart(5, '0')}`)

async function outputLines(file: string): Promise<string[]> {
  const text = await readFile(file, 'utf8').catch(() => '')
  return text.split('\n').filter((line) => line !== '')
}

/** First occurrences in order: the output must be the input, each line once, with repeats allowed. */
function firstOccurrences(found: string[]): string[] {
  const seen = new Set<string>()
  return found.filter((line) => !seen.has(line) && seen.add(line) !== undefined)
}

const { ConfigResourceTypes } = kafkajs

let dir = ''
let broker: BrokerProcess | null = null
after(async () => {
  await broker?.kill()
  if (dir !== '') await removeTempDir(dir)
})

test('SIGKILL in the middle of a file → topic → file pipeline: everything arrives, state topics as Kafka Connect', {
  timeout: 240_000,
}, async () => {
  dir = await makeTempDir('streamline-connect-crash-')
  const dataDir = join(dir, 'data')
  const input = join(dir, 'input.txt')
  const output = join(dir, 'output.txt')
  await writeFile(input, `${lines(0, 3000).join('\n')}\n`)
  broker = await startBrokerProcess({ dataDir })
  let base = connectUrlOf(broker)
  const source = {
    'connector.class': 'FileStreamSource',
    file: input,
    topic: 'crash-lines',
    'batch.size': '100',
  }
  const sink = { 'connector.class': 'FileStreamSink', file: output, topics: 'crash-lines' }
  assert.equal(
    (await curl('POST', `${base}/connectors`, { name: 'crash-source', config: source })).status,
    201,
  )
  assert.equal((await curl('POST', `${base}/connectors`, { name: 'crash-sink', config: sink })).status, 201)
  await waitForState(base, 'crash-sink', 'RUNNING')
  await waitFor('some lines in the output', async () =>
    (await outputLines(output)).length >= 200 ? true : undefined,
  )

  await broker.kill()
  const before = await outputLines(output)
  await appendFile(input, `${lines(3000, 4000).join('\n')}\n`)
  broker = await startBrokerProcess({ dataDir })
  base = connectUrlOf(broker)

  // No REST call: the stored connectors must resume by themselves.
  const expected = lines(0, 4000)
  const found = await waitFor(
    'all 4000 lines in the output',
    async () => {
      const now = await outputLines(output)
      return new Set(now).size === expected.length ? now : undefined
    },
    150_000,
  )
  assert.deepEqual(firstOccurrences(found), expected)
  assert.ok(before.length >= 200)
  // Lines written twice are only those after the sink's last commit before the kill.
  assert.ok(found.length - expected.length <= before.length, `${found.length - expected.length} duplicates`)

  const kafka = new Kafka({
    clientId: 'connect-crash-test',
    brokers: [broker.bootstrap],
    logLevel: logLevel.NOTHING,
  })
  const admin = kafka.admin()
  await admin.connect()
  try {
    const metadata = await admin.fetchTopicMetadata({
      topics: ['connect-configs', 'connect-offsets', 'connect-status'],
    })
    assert.deepEqual(metadata.topics.map((topic) => [topic.name, topic.partitions.length]).sort(), [
      ['connect-configs', 1],
      ['connect-offsets', 25],
      ['connect-status', 5],
    ])
    const configs = await admin.describeConfigs({
      includeSynonyms: false,
      resources: ['connect-configs', 'connect-offsets', 'connect-status'].map((name) => ({
        type: ConfigResourceTypes.TOPIC,
        name,
        configNames: ['cleanup.policy'],
      })),
    })
    for (const resource of configs.resources)
      assert.equal(
        resource.configEntries.find((entry) => entry.configName === 'cleanup.policy')?.configValue,
        'compact',
      )
  } finally {
    await admin.disconnect()
  }

  const records = await readTopic(kafka, 'connect-configs', 'connect-crash-test-configs')
  const byKey = new Map(records.map((record) => [record.key, record.value]))
  assert.equal(
    byKey.get('connector-crash-source'),
    JSON.stringify({ properties: { ...source, name: 'crash-source' } }),
  )
  assert.equal(
    byKey.get('task-crash-source-0'),
    JSON.stringify({ properties: { ...source, name: 'crash-source' } }),
  )
  assert.equal(byKey.get('commit-crash-source'), '{"tasks":1}')
  assert.equal(byKey.get('target-state-crash-source'), '{"state":"STARTED"}')
  const data = await readTopic(kafka, 'crash-lines', 'connect-crash-test-data', 1)
  assert.equal(data[0].value, '{"schema":{"type":"string","optional":false},"payload":"line-00000"}')
  const offsets = await readTopic(kafka, 'connect-offsets', 'connect-crash-test-offsets', 1)
  assert.equal(offsets[0].key, JSON.stringify(['crash-source', { filename: input }]))
  assert.match(offsets[0].value ?? '', /^\{"position":\d+\}$/)
})

async function readTopic(
  kafka: Kafka,
  topic: string,
  groupId: string,
  atLeast = 4,
): Promise<Array<{ key: string | null; value: string | null }>> {
  const consumer = kafka.consumer({ groupId })
  const out: Array<{ key: string | null; value: string | null }> = []
  await consumer.connect()
  try {
    await consumer.subscribe({ topic, fromBeginning: true })
    await consumer.run({
      eachMessage: async ({ message }) => {
        out.push({ key: message.key?.toString() ?? null, value: message.value?.toString() ?? null })
      },
    })
    await waitFor(
      `${atLeast} records of ${topic}`,
      async () => (out.length >= atLeast ? true : undefined),
      60_000,
    )
    await new Promise((resolve) => setTimeout(resolve, 500))
  } finally {
    await consumer.disconnect()
  }
  return out
}
