// Goal: a sink task's consumer behaves as Kafka's consumer in a Connect worker: (a) a sink whose topic
// does not exist yet does not fail — its consumer's metadata request creates the topic (the broker
// auto-creates topics) and the task reads what is produced there later; (c) a sink that read everything
// and sat idle sees records produced later within a few long polls (not after a minute).
// Method: a broker process with its Connect worker; curl creates a FileStreamSink on a topic nobody
// created; kafkajs (a real client) checks the topic appears and produces to it; the file must hold
// exactly the produced lines, in order, within bounded waits after each idle period.
// Also `topics.regex` (Kafka's pattern subscription): validation answers Kafka's messages (exactly one
// of topics/topics.regex, an invalid regex, a DLQ topic the regex matches); a FileStreamSink on
// `regex-.*` reads the matching topic that exists, and a matching topic created after it started (picked
// up within the pattern's 5 s metadata refresh), never a topic the pattern does not match as a whole.
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

async function ensureBroker(): Promise<BrokerProcess> {
  if (dir === '') dir = await makeTempDir('streamline-connect-sink-consumer-')
  broker ??= await startBrokerProcess()
  return broker
}

test('a sink on a missing topic waits for it, and an idle sink sees later records at once', {
  timeout: 120_000,
}, async () => {
  const broker = await ensureBroker()
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

test('topics.regex: validated as Kafka, and a matching topic created later is read too', {
  timeout: 120_000,
}, async () => {
  const broker = await ensureBroker()
  const base = connectUrlOf(broker)
  const validate = async (config: Record<string, string>) => {
    const answer = await curl('PUT', `${base}/connector-plugins/FileStreamSink/config/validate`, {
      'connector.class': 'FileStreamSink',
      file: join(dir, 'x.txt'),
      ...config,
    })
    assert.equal(answer.status, 200, answer.text)
    const { configs } = answer.body as { configs: Array<{ value: { name: string; errors: string[] } }> }
    const errorsOf = (name: string) => configs.find((entry) => entry.value.name === name)?.value.errors
    return {
      topics: errorsOf('topics'),
      regex: errorsOf('topics.regex'),
      dlq: errorsOf('errors.deadletterqueue.topic.name'),
    }
  }
  const both = 'topics and topics.regex are mutually exclusive options, but both are set.'
  assert.deepEqual(await validate({ topics: 'a', 'topics.regex': 'a.*' }), {
    topics: [both],
    regex: [both],
    dlq: [],
  })
  const none = 'Must configure one of topics or topics.regex'
  assert.deepEqual(await validate({}), { topics: [none], regex: [none], dlq: [] })
  const invalid = await validate({ 'topics.regex': 'regex-(' })
  assert.equal(invalid.regex?.length, 1)
  assert.match(
    invalid.regex?.[0] ?? '',
    /^Invalid value regex-\( for configuration topics\.regex: Invalid regex: /,
  )
  assert.deepEqual(
    await validate({
      'topics.regex': 'regex-.*',
      'errors.deadletterqueue.topic.name': 'regex-dlq',
      'errors.tolerance': 'all',
    }),
    {
      topics: [],
      regex: [],
      dlq: [
        "The DLQ topic 'regex-dlq' may not be included in the regex matching the topics ('topics.regex=regex-.*') consumed by the connector",
      ],
    },
  )
  const refused = await curl('POST', `${base}/connectors`, {
    name: 'both',
    config: {
      'connector.class': 'FileStreamSink',
      file: join(dir, 'x.txt'),
      topics: 'a',
      'topics.regex': 'a.*',
    },
  })
  assert.equal(refused.status, 400)

  const kafka = new Kafka({
    clientId: 'sink-regex-test',
    brokers: [broker.bootstrap],
    logLevel: logLevel.NOTHING,
  })
  const producer = kafka.producer()
  await producer.connect()
  try {
    await producer.send({ topic: 'regex-a', messages: [{ value: 'a1' }, { value: 'a2' }] })
    // Matches the pattern only in part: never read.
    await producer.send({ topic: 'not-regex-a', messages: [{ value: 'other' }] })
    const output = join(dir, 'regex.txt')
    const created = await curl('POST', `${base}/connectors`, {
      name: 'regex-sink',
      config: {
        'connector.class': 'FileStreamSink',
        file: output,
        'topics.regex': 'regex-.*',
        'value.converter': 'org.apache.kafka.connect.storage.StringConverter',
      },
    })
    assert.equal(created.status, 201, created.text)
    await waitForState(base, 'regex-sink', 'RUNNING')
    await waitFor('regex-a in the file', async () =>
      (await fileLines(output)).length >= 2 ? true : undefined,
    )
    // A topic created after the connector started, matching the pattern.
    await producer.send({ topic: 'regex-b', messages: [{ value: 'b1' }, { value: 'b2' }, { value: 'b3' }] })
    const lines = await waitFor(
      'regex-b in the file',
      async () => {
        const found = await fileLines(output)
        return found.length >= 5 ? found : undefined
      },
      30_000,
    )
    assert.deepEqual(lines, ['a1', 'a2', 'b1', 'b2', 'b3'])
    const topics = await waitFor('both topics active', async () => {
      const answer = await curl('GET', `${base}/connectors/regex-sink/topics`)
      const found = (answer.body as { 'regex-sink': { topics: string[] } })['regex-sink'].topics
      return found.length === 2 ? found : undefined
    })
    assert.deepEqual(topics, ['regex-a', 'regex-b'])
  } finally {
    await producer.disconnect()
  }
})
