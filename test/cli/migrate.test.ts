// Goal: `migrate from-kafka` moves topics (partitions, configs), records and group offsets from one
// broker to a second one: a plan by default (nothing changes), --execute copies, a rerun resumes and
// copies only what is new.
// Method: two broker processes; source data written with kafkajs and a group committed by a kafkajs
// consumer; the target checked with the CLI's own describe/consume (exact output) and kafkajs.
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { Kafka, logLevel } from 'kafkajs'
import { type BrokerProcess, startBrokerProcess } from '../helpers/broker-process.ts'
import { type CliHarness, startCliHarness } from './cli-harness.ts'

describe('streamline-cli migrate from-kafka', () => {
  let source: BrokerProcess
  let target: BrokerProcess
  let cli: CliHarness
  let kafka: Kafka

  before(async () => {
    // One after another: on a loaded machine two brokers starting at once can miss the start bound.
    source = await startBrokerProcess()
    target = await startBrokerProcess()
    cli = await startCliHarness()
    kafka = new Kafka({
      clientId: 'cli-migrate-test',
      brokers: [source.bootstrap],
      logLevel: logLevel.NOTHING,
    })
    const admin = kafka.admin()
    await admin.connect()
    await admin.createTopics({
      topics: [
        { topic: 'orders', numPartitions: 2, configEntries: [{ name: 'retention.ms', value: '7200000' }] },
      ],
    })
    await admin.setOffsets({
      groupId: 'billing',
      topic: 'orders',
      partitions: [
        { partition: 0, offset: '2' },
        { partition: 1, offset: '1' },
      ],
    })
    await admin.disconnect()
    const producer = kafka.producer()
    await producer.connect()
    await producer.send({
      topic: 'orders',
      messages: [
        { partition: 0, key: 'a', value: 'p0-0', timestamp: '1600000000000', headers: { h: '1' } },
        { partition: 0, key: 'b', value: 'p0-1', timestamp: '1600000000001' },
        { partition: 0, key: 'c', value: 'p0-2', timestamp: '1600000000002' },
        { partition: 1, key: 'd', value: 'p1-0', timestamp: '1600000000003' },
      ],
    })
    await producer.disconnect()
  })
  after(async () => {
    await Promise.all([source?.stop(), target?.stop(), cli?.close()])
  })

  const migrate = (extra: string[]) =>
    cli.run(['-b', target.bootstrap, 'migrate', 'from-kafka', '--kafka-servers', source.bootstrap, ...extra])

  it('plans, executes, and resumes', async () => {
    const plan = await migrate([])
    assert.equal(plan.code, 0, plan.stderr)
    assert.equal(
      plan.stdout,
      [
        'TOPIC   PARTITIONS  RECORDS  TO COPY  ON TARGET  CONFIGS',
        'orders           2        4        4  create     retention.ms=7200000',
        'group billing: offsets of 2 partition(s) to copy',
        'plan only: nothing changed; add --execute to apply (reruns resume)',
        '',
      ].join('\n'),
    )
    assert.equal((await cli.run(['-b', target.bootstrap, 'topics', 'list'])).stdout, 'TOPIC  PARTITIONS\n')

    const executed = await migrate(['--execute'])
    assert.equal(executed.code, 0, executed.stderr)
    assert.match(executed.stdout, /^orders +2 +4 +0 +created +retention\.ms=7200000$/m)
    assert.match(executed.stdout, /^group billing: offsets of 2 partition\(s\) copied\nmigrated\n$/m)
    const copied = await cli.run([
      '-b',
      target.bootstrap,
      'consume',
      'orders',
      '--show-offsets',
      '--show-timestamps',
      '--show-headers',
      '--show-keys',
    ])
    assert.equal(
      copied.stdout,
      [
        '0:0\t2020-09-13T12:26:40.000Z\th=1\ta\tp0-0',
        '0:1\t2020-09-13T12:26:40.001Z\t\tb\tp0-1',
        '0:2\t2020-09-13T12:26:40.002Z\t\tc\tp0-2',
        '1:0\t2020-09-13T12:26:40.003Z\t\td\tp1-0',
        '',
      ].join('\n'),
    )
    const group = JSON.parse(
      (await cli.run(['-b', target.bootstrap, 'groups', 'describe', 'billing', '--format', 'json'])).stdout,
    ) as { offsets: { partition: number; committedOffset: string }[] }
    assert.deepEqual(
      group.offsets.map((entry) => [entry.partition, entry.committedOffset]),
      [
        [0, '2'],
        [1, '1'],
      ],
    )
    const configs = JSON.parse(
      (await cli.run(['-b', target.bootstrap, 'topics', 'describe', 'orders', '--format', 'json'])).stdout,
    ) as { configs: { name: string; value: string; isDefault: boolean }[] }
    assert.deepEqual(
      configs.configs.find((config) => config.name === 'retention.ms'),
      { name: 'retention.ms', value: '7200000', isDefault: false },
    )

    // New source records: a rerun copies only those.
    const producer = kafka.producer()
    await producer.connect()
    await producer.send({
      topic: 'orders',
      messages: [{ partition: 1, value: 'p1-1', timestamp: '1600000000004' }],
    })
    await producer.disconnect()
    const resumedPlan = await migrate([])
    assert.match(resumedPlan.stdout, /^orders +2 +5 +1 +exists /m)
    const resumed = await migrate(['--execute'])
    assert.equal(resumed.code, 0, resumed.stderr)
    const partition1 = await cli.run([
      '-b',
      target.bootstrap,
      'consume',
      'orders',
      '-p',
      '1',
      '--show-offsets',
    ])
    assert.equal(partition1.stdout, '1:0\tp1-0\n1:1\tp1-1\n')
  })
})
