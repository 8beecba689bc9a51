// Goal: a source task's records go where Kafka Connect's producer puts them and each one's place is
// told exactly: keyed records land on murmur2(key) partitions (the Java client's partitioner, as
// kafkajs's DefaultPartitioner computes it), keyless ones on partition 0, an explicit
// kafkaPartition is kept; SourceTask.commitRecord receives each record's real topic, partition and
// offset once acknowledged, and the committed source offset is the last record's. The records are
// encoded into the write's batches as they are polled (record-accumulator.ts), so this checks that
// bookkeeping against what a consumer reads. A poll larger than one write (sendRecordsMax) is split.
// Method: a plugin source written by the test (plain JavaScript in a plugin.path directory) that
// appends every commitRecord call to a file; a broker process; kafkajs creates the 3-partition topic
// and reads it back; curl for REST (GET /connectors/{name}/offsets).
import assert from 'node:assert/strict'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { Kafka, logLevel, Partitioners } from 'kafkajs'
import {
  type BrokerProcess,
  makeTempDir,
  removeTempDir,
  startBrokerProcess,
} from '../helpers/broker-process.ts'
import { connectUrlOf, curl, waitFor, waitForState } from '../helpers/connect.ts'

const total = 25_000 // more than one write holds (sendRecordsMax 20,000), in one poll

const plugin = `
const stringSchema = { type: 'string', optional: false }
import { appendFileSync } from 'node:fs'
class KeyedTask {
  start(properties) {
    this.topic = properties.topic
    this.log = properties['commit.log']
    this.done = false
    this.lines = []
  }
  async poll() {
    if (this.done) {
      await new Promise((resolve) => setTimeout(resolve, 100))
      if (this.lines.length > 0) appendFileSync(this.log, this.lines.splice(0).join(''))
      return []
    }
    this.done = true
    const records = []
    for (let n = 0; n < ${total}; n++) {
      const keyed = n % 3 === 0
      records.push({
        topic: this.topic,
        kafkaPartition: n % 3 === 1 ? 2 : null,
        keySchema: keyed ? stringSchema : null,
        key: keyed ? 'key-' + (n % 17) : null,
        valueSchema: stringSchema,
        value: 'n-' + n,
        timestamp: null,
        headers: [],
        sourcePartition: { source: 'keyed' },
        sourceOffset: { n },
      })
    }
    return records
  }
  commitRecord(record, written) {
    this.lines.push(JSON.stringify({ value: record.value, ...written }) + '\\n')
  }
  stop() {
    if (this.lines.length > 0) appendFileSync(this.log, this.lines.splice(0).join(''))
  }
}
export default class KeyedSource {
  static className = 'com.example.KeyedSource'
  type = 'source'
  version() { return '1.0.0' }
  config() {
    return [
      { name: 'topic', type: 'STRING', importance: 'HIGH', documentation: 'Where to write' },
      { name: 'commit.log', type: 'STRING', importance: 'HIGH', documentation: 'commitRecord calls' },
    ]
  }
  start(properties) { this.properties = properties }
  taskConfigs() { return [{ ...this.properties }] }
  stop() {}
  createTask() { return new KeyedTask() }
}
`

let dir = ''
let broker: BrokerProcess | null = null
before(async () => {
  dir = await makeTempDir('streamline-source-writes-')
  await mkdir(join(dir, 'plugins'))
  await writeFile(join(dir, 'plugins', 'keyed.mjs'), plugin)
  broker = await startBrokerProcess({ args: ['--connect-plugin-path', join(dir, 'plugins')] })
})
after(async () => {
  await broker?.stop()
  if (dir !== '') await removeTempDir(dir)
})

test('keyed, keyless and explicit partitions, commitRecord offsets and the committed source offset', {
  timeout: 120_000,
}, async () => {
  if (broker === null) throw new Error('no broker')
  const base = connectUrlOf(broker)
  const kafka = new Kafka({
    clientId: 'source-writes',
    brokers: [broker.bootstrap],
    logLevel: logLevel.NOTHING,
  })
  const admin = kafka.admin()
  await admin.connect()
  await admin.createTopics({ topics: [{ topic: 'keyed', numPartitions: 3 }] })
  await admin.disconnect()
  const commitLog = join(dir, 'commits.jsonl')
  const created = await curl('POST', `${base}/connectors`, {
    name: 'keyed',
    config: {
      'connector.class': 'com.example.KeyedSource',
      topic: 'keyed',
      'commit.log': commitLog,
      'key.converter': 'org.apache.kafka.connect.storage.StringConverter',
      'value.converter': 'org.apache.kafka.connect.storage.StringConverter',
      'offset.flush.interval.ms': '500',
    },
  })
  assert.equal(created.status, 201, created.text)
  await waitForState(base, 'keyed', 'RUNNING')
  const commits = await waitFor('every commitRecord call', async () => {
    const lines = (await readFile(commitLog, 'utf8').catch(() => '')).split('\n').filter(Boolean)
    return lines.length >= total
      ? lines.map((line) => JSON.parse(line) as Placed & { value: string })
      : undefined
  })
  assert.equal(commits.length, total)

  // What a consumer reads: every record once, at the place commitRecord was told.
  const read = new Map<string, Placed & { key: string | null }>()
  const consumer = kafka.consumer({ groupId: 'source-writes-check' })
  await consumer.connect()
  await consumer.subscribe({ topic: 'keyed', fromBeginning: true })
  await consumer.run({
    eachMessage: async ({ topic, partition, message }) => {
      read.set(message.value?.toString() ?? '', {
        topic,
        partition,
        offset: Number(message.offset),
        key: message.key === null ? null : message.key.toString(),
      })
    },
  })
  await waitFor('every record read', async () => (read.size >= total ? true : undefined))
  await consumer.disconnect()
  assert.equal(read.size, total)

  const partitioner = Partitioners.DefaultPartitioner()
  const partitionMetadata = [0, 1, 2].map((partitionId) => ({
    partitionId,
    leader: 0,
    partitionErrorCode: 0,
    replicas: [0],
    isr: [0],
  }))
  for (const { value, topic, partition, offset } of commits) {
    const n = Number(value.slice(2))
    const consumed = read.get(value)
    assert.deepEqual(
      { topic, partition, offset },
      consumed === undefined
        ? undefined
        : {
            topic: consumed.topic,
            partition: consumed.partition,
            offset: consumed.offset,
          },
      value,
    )
    const expected =
      n % 3 === 0
        ? partitioner({ topic: 'keyed', partitionMetadata, message: { key: `key-${n % 17}`, value } })
        : n % 3 === 1
          ? 2
          : 0
    assert.equal(partition, expected, `${value} (key ${consumed?.key})`)
  }
  // commitRecord in poll order; offsets within each partition consecutive from 0.
  assert.deepEqual(
    commits.slice(0, 3).map((commit) => commit.value),
    ['n-0', 'n-1', 'n-2'],
  )
  for (const partition of [0, 1, 2]) {
    const offsets = commits.filter((commit) => commit.partition === partition).map((commit) => commit.offset)
    assert.deepEqual(
      offsets,
      offsets.map((_, index) => index),
      `partition ${partition}`,
    )
  }

  const stored = await waitFor('the last record offset committed', async () => {
    const answer = await curl('GET', `${base}/connectors/keyed/offsets`)
    const offsets = (answer.body as { offsets?: Array<{ partition: unknown; offset: { n: number } }> })
      .offsets
    return offsets?.[0]?.offset.n === total - 1 ? offsets : undefined
  })
  assert.deepEqual(stored, [{ partition: { source: 'keyed' }, offset: { n: total - 1 } }])
})

interface Placed {
  topic: string
  partition: number
  offset: number
}
