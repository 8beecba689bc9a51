// Goal: Kafka's plugin.path for JavaScript connectors, and KIP-618's connector-defined transaction
// boundaries. A plugin directory's modules are loaded at worker start; GET /connector-plugins lists
// them with their versions; malformed plugins (a module that does not parse, one whose export is not
// a class, one missing the contract's methods) are skipped with an error in the log while the worker
// keeps serving. A plugin source with `transaction.boundary=connector` commits and aborts the
// transactions it chooses: a read_committed consumer sees exactly the committed records.
// Method: a broker process started with `--connect-plugin-path <dir>` and exactly-once source enabled;
// the plugin (test/connect/fixtures/plugin-path/counting, a package directory in plain JavaScript) is
// copied next to three malformed modules written by the test; curl for REST; kafkajs (read_committed)
// reads the topic.
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
import { connectUrlOf, curl, waitFor } from '../helpers/connect.ts'

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
  await admin.disconnect()
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
    },
  })
  assert.equal(created.status, 201, created.text)
  // Commits after 6, 13, (abort at 17: 14..17 dropped), 20, 27, 34; 35..39 stay in an open transaction.
  const expected = [
    ...Array.from({ length: 14 }, (_, n) => `n-${n}`),
    ...Array.from({ length: 17 }, (_, index) => `n-${18 + index}`),
  ]
  const consumer = kafka.consumer({ groupId: 'plugin-path-check', readUncommitted: false })
  const values: string[] = []
  await consumer.connect()
  try {
    await consumer.subscribe({ topic, fromBeginning: true })
    await consumer.run({
      eachMessage: async ({ message }) => {
        values.push(message.value?.toString() ?? '')
      },
    })
    await waitFor('the committed records', async () => (values.length >= expected.length ? true : undefined))
    await new Promise((resolve) => setTimeout(resolve, 1_500))
  } finally {
    await consumer.disconnect()
  }
  assert.deepEqual(values, expected)
  const offsets = await waitFor('the committed offset', async () => {
    await curl('PUT', `${base}/connectors/counting/stop`)
    const answer = await curl('GET', `${base}/connectors/counting/offsets`)
    return answer.status === 200 ? answer.body : undefined
  })
  assert.deepEqual(offsets, { offsets: [{ partition: { counter: 'c' }, offset: { n: 34 } }] })
})
