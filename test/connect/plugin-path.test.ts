// Goal: Kafka's plugin.path for JavaScript connectors, and KIP-618's connector-defined transaction
// boundaries. A plugin directory's modules are loaded at worker start; GET /connector-plugins lists
// them with their versions; malformed plugins (a module that does not parse, one whose export is not
// a class, one missing the contract's methods) are skipped with an error in the log while the worker
// keeps serving. A plugin source with `transaction.boundary=connector` commits and aborts the
// transactions it chooses: a read_committed consumer sees exactly the committed records.
// Method: a broker process started with `--connect-plugin-path <dir>` and exactly-once source enabled;
// the plugin (test/connect/fixtures/plugin-path/counting, a package directory in plain JavaScript) is
// copied next to three malformed modules written by the test; curl for REST; kafkajs (read_committed)
// reads the topic and the connector's own offsets topic (`offsets.storage.topic`). Zombie fencing (KIP-618): a datagen source shrinks from 3 tasks to 1 while a
// kafkajs transactional producer holds task 2's transactional id with an open transaction; its commit
// must fail (PRODUCER_FENCED) and a read_committed consumer must never see its record.
import assert from 'node:assert/strict'
import { cp, mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { Kafka, logLevel } from 'kafkajs'
import {
  type BrokerProcess,
  makeTempDir,
  removeTempDir,
  repositoryRoot,
  startBrokerProcess,
} from '../helpers/broker-process.ts'
import { connectUrlOf, curl, waitFor, waitForState } from '../helpers/connect.ts'

let dir = ''
let broker: BrokerProcess | null = null
let base = ''

before(async () => {
  dir = await makeTempDir('streamline-plugin-path-')
  const plugins = join(dir, 'plugins')
  await mkdir(plugins)
  await cp(join(repositoryRoot, 'test/connect/fixtures/plugin-path/counting'), join(plugins, 'counting'), {
    recursive: true,
  })
  await writeFile(join(plugins, 'broken-syntax.mjs'), 'export default class {\n')
  await writeFile(join(plugins, 'not-a-connector.mjs'), 'export default 42\n')
  await writeFile(
    join(plugins, 'missing-methods.mjs'),
    "export const connectors = [class HalfConnector { type = 'source' }]\n",
  )
  await writeFile(join(plugins, 'README.txt'), 'not a module: ignored\n')
  broker = await startBrokerProcess({
    args: ['--connect-plugin-path', plugins, '--connect-exactly-once-source-support', 'enabled'],
  })
  base = connectUrlOf(broker)
})
after(async () => {
  await broker?.stop()
  if (dir !== '') await removeTempDir(dir)
})

test('plugin.path: the plugin is listed, malformed ones are reported and skipped, the worker serves', async () => {
  const plugins = await curl('GET', `${base}/connector-plugins`)
  assert.equal(plugins.status, 200)
  const classes = plugins.body as Array<{ class: string; type: string; version: string }>
  assert.deepEqual(
    classes.find((plugin) => plugin.class === 'com.example.CountingSource'),
    { class: 'com.example.CountingSource', type: 'source', version: '1.2.3' },
  )
  assert.equal(classes.filter((plugin) => plugin.class.includes('HalfConnector')).length, 0)
  const config = await curl('GET', `${base}/connector-plugins/CountingSource/config`)
  assert.deepEqual(
    (config.body as Array<{ name: string }>).map((key) => key.name),
    ['topic', 'count', 'abort.at'],
  )
  const log = broker?.output() ?? ''
  for (const [file, reason] of [
    ['broken-syntax.mjs', 'the module does not load'],
    ['not-a-connector.mjs', 'export 0 is number, not a connector class'],
    ['missing-methods.mjs', 'HalfConnector: missing version, config, start, taskConfigs, stop, createTask'],
  ]) {
    const line = log.split('\n').find((entry) => entry.includes(file))
    assert.ok(line?.includes('a Connect plugin could not be loaded; skipped'), `${file} reported`)
    assert.ok(line?.includes(reason), `${file}: ${line}`)
  }
  assert.equal((await curl('GET', `${base}/`)).status, 200)
  const refused = await curl('POST', `${base}/connectors`, {
    name: 'half',
    config: { 'connector.class': 'HalfConnector', topic: 'x' },
  })
  assert.equal(refused.status, 400)
  assert.match(
    (refused.body as { message: string }).message,
    /Failed to find any class that implements Connector and which name matches HalfConnector/,
  )
})

test('transaction.boundary=connector: only the transactions the task committed are visible', {
  timeout: 120_000,
}, async () => {
  assert.ok(broker !== null)
  const topic = 'counting'
  const kafka = new Kafka({
    clientId: 'plugin-path-test',
    brokers: [broker.bootstrap],
    logLevel: logLevel.NOTHING,
  })
  const admin = kafka.admin()
  await admin.connect()
  await admin.createTopics({ topics: [{ topic, numPartitions: 1 }] })
  const created = await curl('POST', `${base}/connectors`, {
    name: 'counting',
    config: {
      'connector.class': 'com.example.CountingSource',
      topic,
      count: '40',
      'abort.at': '17',
      'value.converter': 'org.apache.kafka.connect.storage.StringConverter',
      'exactly.once.support': 'required',
      'transaction.boundary': 'connector',
      'offsets.storage.topic': 'counting-offsets',
    },
  })
  assert.equal(created.status, 201, created.text)
  // Commits after 6, 13, (abort at 17: 14..17 dropped), 20, 27, 34; 35..39 stay in an open transaction.
  const expected = [
    ...Array.from({ length: 14 }, (_, n) => `n-${n}`),
    ...Array.from({ length: 17 }, (_, index) => `n-${18 + index}`),
  ]
  await waitFor("the connector's offsets topic", async () =>
    (await admin.listTopics()).includes('counting-offsets') ? true : undefined,
  )
  await admin.disconnect()
  const consumer = kafka.consumer({ groupId: 'plugin-path-check', readUncommitted: false })
  const values: string[] = []
  const storedOffsets: string[] = []
  await consumer.connect()
  try {
    await consumer.subscribe({ topics: [topic, 'counting-offsets'], fromBeginning: true })
    await consumer.run({
      eachMessage: async ({ topic: from, message }) => {
        if (from === topic) values.push(message.value?.toString() ?? '')
        else storedOffsets.push(`${message.key?.toString()} ${message.value?.toString()}`)
      },
    })
    await waitFor('the committed records', async () => (values.length >= expected.length ? true : undefined))
    await new Promise((resolve) => setTimeout(resolve, 1_500))
  } finally {
    await consumer.disconnect()
  }
  assert.deepEqual(values, expected)
  // The connector's own offsets topic (KIP-618's offsets.storage.topic) holds each committed
  // transaction's offset, in Kafka Connect's key format; the aborted one never shows.
  assert.deepEqual(
    storedOffsets,
    [6, 13, 20, 27, 34].map((n) => `["counting",{"counter":"c"}] {"n":${n}}`),
  )
  const offsets = await waitFor('the committed offset', async () => {
    await curl('PUT', `${base}/connectors/counting/stop`)
    const answer = await curl('GET', `${base}/connectors/counting/offsets`)
    return answer.status === 200 ? answer.body : undefined
  })
  assert.deepEqual(offsets, { offsets: [{ partition: { counter: 'c' }, offset: { n: 34 } }] })
})

test('zombie fencing: when the task count shrinks, a gone task id is fenced and its open transaction cannot commit', {
  timeout: 120_000,
}, async () => {
  assert.ok(broker !== null)
  const kafka = new Kafka({
    clientId: 'fencing-test',
    brokers: [broker.bootstrap],
    logLevel: logLevel.NOTHING,
  })
  const config = {
    'connector.class': 'io.confluent.kafka.connect.datagen.DatagenConnector',
    'kafka.topic': 'fenced-orders',
    quickstart: 'orders',
    'records.per.second': '5',
    'tasks.max': '3',
    'value.converter': 'org.apache.kafka.connect.json.JsonConverter',
    'value.converter.schemas.enable': 'false',
  }
  const created = await curl('POST', `${base}/connectors`, { name: 'fenced', config })
  assert.equal(created.status, 201, created.text)
  await waitForState(base, 'fenced', 'RUNNING', 3)

  // The zombie: task 2's transactional id (Kafka's `<group.id>-<connector>-<task>`) in a real client,
  // with a transaction left open, as a task on a worker cut off from the group would hold one.
  const zombie = kafka.producer({
    transactionalId: 'connect-cluster-fenced-2',
    idempotent: true,
    maxInFlightRequests: 1,
  })
  await zombie.connect()
  const transaction = await zombie.transaction()
  await transaction.send({ topic: 'zombie-out', messages: [{ value: 'zombie' }] })

  // A read_committed consumer of the zombie's topic and of connect-configs (Kafka's task count records,
  // written after each fencing), running before the shrink.
  const consumer = kafka.consumer({ groupId: 'zombie-check', readUncommitted: false })
  const values: string[] = []
  const taskCounts: unknown[] = []
  await consumer.connect()
  try {
    await consumer.subscribe({ topics: ['zombie-out', 'connect-configs'], fromBeginning: true })
    await consumer.run({
      eachMessage: async ({ topic, message }) => {
        if (topic === 'zombie-out') values.push(message.value?.toString() ?? '')
        else if (message.key?.toString() === 'tasks-fencing-fenced')
          taskCounts.push(JSON.parse(message.value?.toString() ?? 'null'))
      },
    })
    const updated = await curl('PUT', `${base}/connectors/fenced/config`, { ...config, 'tasks.max': '1' })
    assert.equal(updated.status, 200, updated.text)
    await waitFor('the fencing for one task', async () => (taskCounts.length >= 2 ? true : undefined))
    assert.deepEqual(taskCounts, [{ 'task-count': 3 }, { 'task-count': 1 }])
    const refused = await transaction.commit().then(
      () => null,
      (error: unknown) => error as { type?: string },
    )
    assert.ok(refused !== null, "the zombie's transaction committed")
    assert.ok(
      ['PRODUCER_FENCED', 'INVALID_PRODUCER_EPOCH'].includes(refused.type ?? ''),
      `error ${String(refused.type)}`,
    )
    await zombie.disconnect()
    // A record written after the zombie's is seen; the zombie's never is.
    const producer = kafka.producer()
    await producer.connect()
    await producer.send({ topic: 'zombie-out', messages: [{ value: 'after' }] })
    await producer.disconnect()
    await waitFor('the record after the zombie', async () => (values.includes('after') ? true : undefined))
  } finally {
    await consumer.disconnect()
  }
  assert.deepEqual(values, ['after'])
  await waitForState(base, 'fenced', 'RUNNING', 1)
  await curl('DELETE', `${base}/connectors/fenced`)
})
