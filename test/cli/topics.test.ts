// Goal: `streamline-cli topics …` against real brokers, exact output; export → import into a second
// broker is byte-exact (keys, values incl. binary and null, headers, timestamps, partitions).
// Method: two broker processes; reference records written with kafkajs; the CLI as a child process;
// the copy read back with kafkajs and compared field by field with the original.
import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { Kafka, logLevel } from 'kafkajs'
import { type BrokerProcess, startBrokerProcess } from '../helpers/broker-process.ts'
import { type CliHarness, startCliHarness } from './cli-harness.ts'

interface SeenRecord {
  partition: number
  offset: string
  timestamp: string
  key: string | null
  value: string | null
  headers: string
}

async function readAll(bootstrap: string, topic: string, expected: number): Promise<SeenRecord[]> {
  const kafka = new Kafka({ clientId: 'cli-topics-test', brokers: [bootstrap], logLevel: logLevel.NOTHING })
  const consumer = kafka.consumer({ groupId: `reader-${Math.random()}` })
  await consumer.connect()
  await consumer.subscribe({ topic, fromBeginning: true })
  const seen: SeenRecord[] = []
  await new Promise<void>((resolve) => {
    void consumer.run({
      eachMessage: async ({ partition, message }) => {
        seen.push({
          partition,
          offset: message.offset,
          timestamp: message.timestamp,
          key: message.key === null ? null : message.key.toString('hex'),
          value: message.value === null ? null : message.value.toString('hex'),
          headers: JSON.stringify(
            Object.entries(message.headers ?? {}).map(([key, value]) => [
              key,
              value === undefined ? null : Buffer.isBuffer(value) ? value.toString('hex') : String(value),
            ]),
          ),
        })
        if (seen.length === expected) resolve()
      },
    })
  })
  await consumer.disconnect()
  return seen.sort((a, b) => a.partition - b.partition || Number(a.offset) - Number(b.offset))
}

describe('streamline-cli topics', () => {
  let source: BrokerProcess
  let target: BrokerProcess
  let cli: CliHarness

  before(async () => {
    ;[source, target, cli] = await Promise.all([
      startBrokerProcess(),
      startBrokerProcess(),
      startCliHarness(),
    ])
  })
  after(async () => {
    await Promise.all([source?.stop(), target?.stop(), cli?.close()])
  })

  it('creates, lists, describes (configs marked), alters and deletes', async () => {
    const run = (args: string[]) => cli.run(['-b', source.bootstrap, ...args])
    const created = await run([
      'topics',
      'create',
      'orders',
      '--partitions',
      '2',
      '--config',
      'retention.ms=3600000',
    ])
    assert.deepEqual(
      [created.code, created.stdout, created.stderr],
      [0, 'created topic orders (2 partitions, replication factor 1)\n', ''],
    )
    const duplicate = await run(['topics', 'create', 'orders'])
    assert.equal(duplicate.code, 1)
    assert.match(duplicate.stderr, /^error: TOPIC_ALREADY_EXISTS: /)
    assert.equal((await run(['topics', 'list'])).stdout, 'TOPIC   PARTITIONS\norders           2\n')
    assert.deepEqual(JSON.parse((await run(['topics', 'list', '--format', 'json'])).stdout), {
      topics: [{ name: 'orders', partitions: 2 }],
    })
    await run(['produce', 'orders', '-p', '1', '-m', 'a', '-m', 'b'])
    const described = await run(['topics', 'describe', 'orders'])
    const lines = described.stdout.split('\n')
    assert.deepEqual(lines.slice(4, 7), [
      'PARTITION  LEADER  LOG-START  END  SIZE',
      '        0       0          0    0     0',
      lines[6],
    ])
    assert.match(lines[6], /^ {8}1 {7}0 {10}0 {4}2 +\d+$/)
    assert.ok(
      lines.some((line) => /^retention\.ms +3600000 +\*$/.test(line)),
      described.stdout,
    )
    assert.ok(lines.some((line) => /^cleanup\.policy +delete$/.test(line)))
    const altered = await run([
      'topics',
      'alter',
      'orders',
      '--config',
      'retention.ms=60000',
      '--partitions',
      '3',
    ])
    assert.equal(altered.stdout, 'altered topic orders: partitions 2 -> 3, retention.ms=60000\n')
    const json = JSON.parse((await run(['topics', 'describe', 'orders', '--format', 'json'])).stdout) as {
      partitions: { partition: number; highWatermark: string }[]
      configs: { name: string; value: string; isDefault: boolean }[]
    }
    assert.deepEqual(
      json.partitions.map((entry) => [entry.partition, entry.highWatermark]),
      [
        [0, '0'],
        [1, '2'],
        [2, '0'],
      ],
    )
    assert.deepEqual(
      json.configs.find((config) => config.name === 'retention.ms'),
      { name: 'retention.ms', value: '60000', isDefault: false },
    )
    const shrink = await run(['topics', 'alter', 'orders', '--partitions', '2'])
    assert.deepEqual(
      [shrink.code, shrink.stderr],
      [1, 'error: INVALID_PARTITIONS: orders has 3 partitions; the count can only grow\n'],
    )
    const unconfirmed = await run(['topics', 'delete', 'orders'])
    assert.deepEqual(
      [unconfirmed.code, unconfirmed.stderr],
      [2, 'error: Delete topic orders and all its records? Not on a terminal: pass -y/--yes to confirm\n'],
    )
    const deleted = await run(['topics', 'delete', 'orders', '-y'])
    assert.deepEqual([deleted.code, deleted.stdout], [0, 'deleted topic orders\n'])
    const missing = await run(['topics', 'describe', 'orders'])
    assert.deepEqual(
      [missing.code, missing.stderr],
      [1, "error: UNKNOWN_TOPIC_OR_PARTITION: topic 'orders' does not exist\n"],
    )
  })

  it('watch prints a refresh per interval with rates', async () => {
    const run = (args: string[]) => cli.run(['-b', source.bootstrap, ...args])
    await run(['topics', 'create', 'watched'])
    const watched = await run(['topics', 'watch', '--iterations', '2', '--interval', '200ms'])
    const blocks = watched.stdout.trim().split('\n\n')
    assert.equal(blocks.length, 2)
    assert.match(
      blocks[0],
      /^topics at \S+ \(every 200 ms; Ctrl-C stops\)\nTOPIC +PARTITIONS +RECORDS +RECORDS\/S\nwatched +1 +0 +-$/,
    )
    assert.match(blocks[1], /\nwatched +1 +0 +0\.0$/)
  })

  it('export → import into a second broker is byte-exact', async () => {
    const kafka = new Kafka({
      clientId: 'cli-topics-test',
      brokers: [source.bootstrap],
      logLevel: logLevel.NOTHING,
    })
    const admin = kafka.admin()
    await admin.connect()
    await admin.createTopics({ topics: [{ topic: 'events', numPartitions: 3 }] })
    await admin.disconnect()
    const producer = kafka.producer()
    await producer.connect()
    const binary = Buffer.from([0, 255, 10, 13, 0x80, 0xfe, 9])
    await producer.send({
      topic: 'events',
      messages: [
        {
          partition: 0,
          key: 'k0',
          value: 'plain text',
          timestamp: '1600000000000',
          headers: { h: 'v', bin: binary },
        },
        { partition: 0, key: null, value: binary, timestamp: '1600000000001' },
        { partition: 1, key: binary, value: null, timestamp: '1600000000002', headers: { empty: '' } },
        { partition: 2, key: 'k2', value: 'line\nbreak\ttab "quotes" ünïcödé', timestamp: '1700000000000' },
        { partition: 2, key: '', value: '', timestamp: '1700000000003' },
      ],
    })
    await producer.disconnect()
    const file = join(cli.home, 'events.jsonl')
    const exported = await cli.run(['-b', source.bootstrap, 'topics', 'export', 'events', '-o', file])
    assert.deepEqual(
      [exported.code, exported.stdout, exported.stderr],
      [0, '', 'exported 5 records from events (3 partitions)\n'],
    )
    const firstLine = (await readFile(file, 'utf8')).split('\n')[0]
    assert.deepEqual(JSON.parse(firstLine), {
      partition: 0,
      offset: '0',
      timestamp: '1600000000000',
      key: Buffer.from('k0').toString('base64'),
      value: Buffer.from('plain text').toString('base64'),
      headers: [
        [Buffer.from('h').toString('base64'), Buffer.from('v').toString('base64')],
        [Buffer.from('bin').toString('base64'), binary.toString('base64')],
      ],
    })
    const create = await cli.run(['-b', target.bootstrap, 'topics', 'create', 'events', '--partitions', '3'])
    assert.equal(create.code, 0, create.stderr)
    const imported = await cli.run(['-b', target.bootstrap, 'topics', 'import', 'events', '-i', file])
    assert.deepEqual([imported.code, imported.stdout], [0, 'imported 5 records into events\n'])
    const [original, copy] = await Promise.all([
      readAll(source.bootstrap, 'events', 5),
      readAll(target.bootstrap, 'events', 5),
    ])
    assert.deepEqual(copy, original)
    assert.equal(original[1].value, binary.toString('hex'))
    assert.equal(original[2].value, null)
    const bad = await cli.run(['-b', target.bootstrap, 'topics', 'import', 'events', '-i', '-'], {
      input: '{"partition":0}\nnot json\n',
    })
    assert.deepEqual(
      [bad.code, bad.stderr],
      [1, 'error: line 1: not an exported record (needs partition, timestamp, key, value, headers)\n'],
    )
  })
})
