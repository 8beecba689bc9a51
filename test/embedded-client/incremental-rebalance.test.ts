// Goal: an in-process consumer rebalances without stopping the world. With the classic protocol and
// `partitionAssigners: ['cooperative-sticky']` (KIP-429), and with KIP-848's `groupProtocol:
// 'consumer'`, it shares a group with a real librdkafka consumer (node-rdkafka: classic
// cooperative-sticky, and `group.protocol=consumer`), keeps the partitions it still owns when the
// other member joins (it gives up exactly the two that move, never all four), commits what it read
// of those, and the newcomer continues from there: every record is read exactly once.
// Method: one embedded broker for the file (startStreamline, in memory; KIP-848's heartbeat interval
// shortened on its coordinator). Per protocol: a 4-partition topic with 40 records; the in-process
// consumer reads them alone; node-rdkafka joins; the test waits until both members' own assignments
// (the in-process `assignment()`, librdkafka's `assignments()`) are the expected split; 40 more
// records go to the two members by partition. The in-process consumer's rebalance listener records
// every change. Also: unknown assignors and a classic assignor with groupProtocol consumer are
// INVALID_CONFIG (40).

import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import {
  type ConsumedRecord,
  type ConsumerOptions,
  type InProcessConsumer,
  type Streamline,
  startStreamline,
  type TopicPartition,
} from '../../src/embedded/index.ts'
import { KafkaError } from '../../src/errors.ts'
import {
  type RdkafkaConsumer,
  rdkafka,
  rdkafkaSkip,
  type TopicPartitionOffset,
} from '../compat/kip848/rdkafka.ts'
import { waitFor } from './helpers.ts'

const skip = rdkafkaSkip()
let streamline: Streamline

before(async () => {
  streamline = await startStreamline({ groups: { initialRebalanceDelayMs: 0 } })
  // Kafka's group.consumer.heartbeat.interval.ms is 5 s; the broker has no setting for it yet.
  streamline.broker.groups.consumerGroups.config.heartbeatIntervalMs = 150
})

after(async () => {
  await streamline.close()
})

/** The few node-rdkafka calls beyond rdkafka.ts's: records in flowing mode. */
interface FlowingConsumer extends RdkafkaConsumer {
  on(
    event: 'data',
    listener: (message: { partition: number; offset: number; value: Buffer | null }) => void,
  ): void
  on(event: 'event.error', listener: (error: Error) => void): void
  on(
    event: 'rebalance',
    listener: (error: { code: number }, assignment: TopicPartitionOffset[]) => void,
  ): void
}

async function startRdkafka(config: Record<string, string | number | boolean>): Promise<FlowingConsumer> {
  const consumer = new (rdkafka().KafkaConsumer)(
    { 'enable.auto.commit': false, rebalance_cb: true, ...config },
    { 'auto.offset.reset': 'earliest' },
  ) as FlowingConsumer
  consumer.on('event.error', () => {})
  await new Promise<void>((resolve, reject) =>
    consumer.connect({}, (error) => (error === null ? resolve() : reject(error))),
  )
  return consumer
}

function stopRdkafka(consumer: RdkafkaConsumer): Promise<void> {
  return new Promise((resolve) => consumer.disconnect(() => resolve()))
}

const partitionsOf = (list: TopicPartition[]) => list.map((entry) => entry.partition).sort()

interface Scenario {
  topic: string
  group: string
  inProcess: ConsumerOptions
  rdkafka: Record<string, string | number | boolean>
}

/** The in-process member, reading into `records`; its listener's calls go to `events`. */
function inProcessMember(scenario: Scenario, events: string[], records: ConsumedRecord[]) {
  const record = (what: string) => (partitions: TopicPartition[]) => {
    events.push(`${what} ${partitionsOf(partitions).join(',')}`)
  }
  const consumer: InProcessConsumer = streamline.consumer({
    groupId: scenario.group,
    fromBeginning: true,
    ...scenario.inProcess,
    rebalanceListener: {
      onPartitionsAssigned: record('assigned'),
      onPartitionsRevoked: record('revoked'),
      onPartitionsLost: record('lost'),
    },
  })
  const drain = async () => {
    for await (const entry of consumer) records.push(entry)
  }
  return { consumer, drain }
}

/** node-rdkafka in the group, consuming into `records`. */
async function networkMember(
  scenario: Scenario,
  records: { partition: number; offset: number; value: string }[],
) {
  const network = await startRdkafka({
    'bootstrap.servers': streamline.bootstrap,
    'group.id': scenario.group,
    'client.id': `${scenario.group}-rdkafka`,
    ...scenario.rdkafka,
  })
  network.on('data', (message) =>
    records.push({
      partition: message.partition,
      offset: message.offset,
      value: message.value?.toString() ?? '',
    }),
  )
  network.subscribe([scenario.topic])
  network.consume()
  return network
}

/** Runs the scenario; the in-process consumer's member id. */
async function rebalanceKeepsOwnedPartitions(scenario: Scenario): Promise<string> {
  const { topic, group } = scenario
  await streamline.admin().createTopics([{ name: topic, partitions: 4 }])
  const producer = streamline.producer()
  const first = Array.from({ length: 40 }, (_, index) => ({ value: `first-${index}`, partition: index % 4 }))
  await producer.send(topic, first)

  const events: string[] = []
  const inProcessRecords: ConsumedRecord[] = []
  const { consumer: inProcess, drain } = inProcessMember(scenario, events, inProcessRecords)
  await inProcess.subscribe(topic)
  assert.deepEqual(partitionsOf(inProcess.assignment()), [0, 1, 2, 3])
  const draining = drain()
  await waitFor('the in-process consumer to read the first 40', () =>
    inProcessRecords.length === 40 ? true : undefined,
  )

  const networkRecords: { partition: number; offset: number; value: string }[] = []
  const network = await networkMember(scenario, networkRecords)
  try {
    const networkPartitions = () =>
      network
        .assignments()
        .filter((entry) => entry.topic === topic)
        .map((entry) => entry.partition)
        .sort()
    await waitFor(
      'the group to split 2 + 2',
      () =>
        partitionsOf(inProcess.assignment()).join() === '0,1' && networkPartitions().join() === '2,3'
          ? true
          : undefined,
      20_000,
    )
    // Cooperative: the in-process member gave up the two partitions that moved, and only those.
    assert.deepEqual(events, ['assigned 0,1,2,3', 'revoked 2,3'])

    const second = Array.from({ length: 40 }, (_, index) => ({
      value: `second-${index}`,
      partition: index % 4,
    }))
    await producer.send(topic, second)
    await waitFor(
      'the 40 new records to be read',
      () => (inProcessRecords.length === 60 && networkRecords.length === 20 ? true : undefined),
      20_000,
    )
    const valuesOf = (records: { value: string }[]) => records.map((record) => record.value).sort()
    assert.deepEqual(
      inProcessRecords.map((record) => record.value?.toString() ?? '').sort(),
      valuesOf([...first, ...second.filter((record) => record.partition < 2)]),
    )
    // librdkafka started at the offsets the in-process member committed when it gave them up.
    assert.deepEqual(valuesOf(networkRecords), valuesOf(second.filter((record) => record.partition >= 2)))
    assert.deepEqual(
      networkRecords.map((record) => `${record.partition}@${record.offset}`).sort(),
      ['2', '3']
        .flatMap((partition) => Array.from({ length: 10 }, (_, index) => `${partition}@${10 + index}`))
        .sort(),
    )
    const { memberId } = inProcess.groupMetadata()
    // What it committed when it gave 2 and 3 up (librdkafka commits nothing here), accepted with the
    // member's generation (classic) or member epoch (KIP-848).
    const committed = await streamline.admin().fetchOffsets(group, [
      { topic, partition: 2 },
      { topic, partition: 3 },
    ])
    assert.deepEqual(
      committed.map((entry) => [entry.partition, entry.offset]),
      [
        [2, 10],
        [3, 10],
      ],
    )
    return memberId
  } finally {
    await stopRdkafka(network)
    await inProcess.close()
    await draining
  }
}

describe('incremental rebalancing of an in-process consumer with librdkafka', () => {
  it('classic cooperative-sticky: keeps 0,1 and hands over only 2,3', { skip, timeout: 40_000 }, async () => {
    await rebalanceKeepsOwnedPartitions({
      topic: 'cooperative',
      group: 'cooperative-group',
      inProcess: { partitionAssigners: ['cooperative-sticky'], heartbeatIntervalMs: 100 },
      rdkafka: { 'partition.assignment.strategy': 'cooperative-sticky', 'heartbeat.interval.ms': 100 },
    })
  })

  it('KIP-848 (groupProtocol consumer): keeps 0,1 and hands over only 2,3', {
    skip,
    timeout: 40_000,
  }, async () => {
    const memberId = await rebalanceKeepsOwnedPartitions({
      topic: 'kip848',
      group: 'kip848-group',
      inProcess: { groupProtocol: 'consumer' },
      rdkafka: { 'group.protocol': 'consumer' },
    })
    // Both left (epoch -1): the coordinator has no member left.
    // close() left with epoch -1: the coordinator no longer has the in-process member.
    const members = streamline.broker.groups.consumerGroups.groups.get('kip848-group')?.members
    assert.equal(members?.has(memberId), false)
  })
})

describe('group protocol options', () => {
  it('refuses an unknown assignor and a classic assignor with the consumer protocol', () => {
    assert.throws(
      () => streamline.consumer({ groupId: 'bad', partitionAssigners: ['sticky' as 'range'] }),
      (error: unknown) => error instanceof KafkaError && error.errorCode === 40,
    )
    assert.throws(
      () => streamline.consumer({ groupId: 'bad', groupProtocol: 'consumer', partitionAssigners: ['range'] }),
      (error: unknown) => error instanceof KafkaError && error.errorCode === 40,
    )
  })
})
