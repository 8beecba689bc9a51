// Goal: `streamline-cli groups …` with exact output: list, describe with lag, reset as a dry-run plan
// and with --execute (verified by a real kafkajs consumer that starts where the plan said), refusal
// while the group is active, delete.
// Method: one broker process; records with fixed timestamps written by kafkajs; the group's first
// offsets committed by `consume --group`; kafkajs as the independent consumer.
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { Kafka, logLevel } from 'kafkajs'
import { type BrokerProcess, startBrokerProcess } from '../helpers/broker-process.ts'
import { type CliHarness, startCliHarness } from './cli-harness.ts'

const base = 1_700_000_000_000

describe('streamline-cli groups', () => {
  let broker: BrokerProcess
  let cli: CliHarness
  let kafka: Kafka
  const run = (args: string[]) => cli.run(['-b', broker.bootstrap, ...args])

  before(async () => {
    // No initial rebalance delay: the real consumers here join their groups anew.
    ;[broker, cli] = await Promise.all([
      startBrokerProcess({ args: ['--groups-initial-rebalance-delay-ms', '0'] }),
      startCliHarness(),
    ])
    kafka = new Kafka({
      clientId: 'cli-groups-test',
      brokers: [broker.bootstrap],
      logLevel: logLevel.NOTHING,
    })
    const admin = kafka.admin()
    await admin.connect()
    await admin.createTopics({ topics: [{ topic: 'orders', numPartitions: 1 }] })
    await admin.disconnect()
    const producer = kafka.producer()
    await producer.connect()
    await producer.send({
      topic: 'orders',
      messages: [...Array(10).keys()].map((index) => ({
        value: `order ${index}`,
        timestamp: String(base + index * 60_000),
      })),
    })
    await producer.disconnect()
  })
  after(async () => {
    await Promise.all([broker?.stop(), cli?.close()])
  })

  it('lists and describes a group with its lag', async () => {
    const consumed = await run(['consume', 'orders', '--group', 'billing', '-n', '6'])
    assert.equal(consumed.code, 0, consumed.stderr)
    assert.equal((await run(['groups', 'list'])).stdout, 'GROUP    STATE  TYPE\nbilling  EMPTY  consumer\n')
    const described = await run(['groups', 'describe', 'billing'])
    assert.equal(
      described.stdout,
      [
        'group:     billing',
        'state:     EMPTY',
        'protocol:  -',
        'members:   0',
        'total lag: 4',
        '',
        'TOPIC   PARTITION  COMMITTED  END  LAG  MEMBER',
        'orders          0          6   10    4  -',
        '',
      ].join('\n'),
    )
    const json = JSON.parse((await run(['groups', 'describe', 'billing', '--format', 'json'])).stdout) as {
      totalLag: string
      offsets: unknown[]
    }
    assert.equal(json.totalLag, '4')
    assert.deepEqual(json.offsets, [
      { topic: 'orders', partition: 0, committedOffset: '6', endOffset: '10', lag: '4', memberId: null },
    ])
    const missing = await run(['groups', 'describe', 'nobody'])
    assert.deepEqual(
      [missing.code, missing.stderr],
      [1, "error: GROUP_ID_NOT_FOUND: group 'nobody' does not exist\n"],
    )
  })

  it('reset shows a plan by default and changes nothing', async () => {
    const plan = await run(['groups', 'reset', 'billing', '--topic', 'orders', '--shift-by', '-4'])
    assert.deepEqual(
      [plan.code, plan.stdout],
      [
        0,
        'TOPIC   PARTITION  CURRENT  NEW\norders          0        6    2\ndry run: nothing changed; add --execute to apply\n',
      ],
    )
    const described = JSON.parse(
      (await run(['groups', 'describe', 'billing', '--format', 'json'])).stdout,
    ) as { totalLag: string }
    assert.equal(described.totalLag, '4')
    const usage = await run(['groups', 'reset', 'billing', '--topic', 'orders'])
    assert.deepEqual(
      [usage.code, usage.stderr],
      [2, 'error: give exactly one of --to-earliest, --to-latest, --to-offset, --to-datetime, --shift-by\n'],
    )
  })

  it('reset --execute: a real consumer starts where the plan said', async () => {
    const applied = await run([
      'groups',
      'reset',
      'billing',
      '--topic',
      'orders',
      '--to-datetime',
      new Date(base + 3 * 60_000).toISOString(),
      '--execute',
      '--format',
      'json',
    ])
    assert.equal(applied.code, 0, applied.stderr)
    assert.deepEqual(JSON.parse(applied.stdout), {
      groupId: 'billing',
      dryRun: false,
      partitions: [{ topic: 'orders', partition: 0, previousOffset: '6', newOffset: '3' }],
    })
    const consumer = kafka.consumer({ groupId: 'billing' })
    await consumer.connect()
    await consumer.subscribe({ topic: 'orders' })
    const first = await new Promise<{ offset: string; value: string }>((resolve) => {
      void consumer.run({
        autoCommit: false,
        eachMessage: async ({ message }) => resolve({ offset: message.offset, value: String(message.value) }),
      })
    })
    assert.deepEqual(first, { offset: '3', value: 'order 3' })
    // While that consumer is a member, reset refuses.
    const refused = await run(['groups', 'reset', 'billing', '--all-topics', '--to-earliest', '--execute'])
    assert.equal(refused.code, 1)
    assert.match(
      refused.stderr,
      /^error: NON_EMPTY_GROUP: group 'billing' is active \(STABLE, 1 member\); stop its consumers first\n$/,
    )
    const deleteActive = await run(['groups', 'delete', 'billing', '-y'])
    assert.equal(deleteActive.code, 1)
    assert.match(deleteActive.stderr, /^error: NON_EMPTY_GROUP: /)
    await consumer.disconnect()
    const deleted = await run(['groups', 'delete', 'billing', '-y'])
    assert.deepEqual([deleted.code, deleted.stdout], [0, 'deleted group billing\n'])
  })
})
