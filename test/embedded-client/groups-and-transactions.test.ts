// Goal: an in-process consumer and a kafkajs consumer in one group split the partitions through the
// same group coordinator and hand them over when one leaves, with every record read exactly once;
// in-process transactions are invisible to read_committed network consumers (kafkajs) until commit,
// and aborted ones never appear; an idempotent in-process producer's batches carry its producer id.
// Method: one embedded broker (startStreamline, in memory) for the file; a real kafkajs consumer over
// its socket; group state read with the in-process admin (DescribeGroups through the handler).

import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { type Consumer, Kafka, logLevel } from 'kafkajs'
import {
  type ConsumedRecord,
  type InProcessConsumer,
  type Streamline,
  startStreamline,
} from '../../src/embedded/index.ts'
import { decodeBatch } from '../../src/protocol/records/batch-v2.ts'
import { waitFor } from './helpers.ts'

let streamline: Streamline
let kafka: Kafka

before(async () => {
  streamline = await startStreamline()
  kafka = new Kafka({ brokers: [streamline.bootstrap], clientId: 'groups-test', logLevel: logLevel.NOTHING })
  await streamline.admin().createTopics([
    { name: 'shared', partitions: 4 },
    { name: 'txn', partitions: 1 },
  ])
})

after(async () => {
  await streamline.close()
})

function drain(consumer: InProcessConsumer, into: ConsumedRecord[]): Promise<void> {
  return (async () => {
    for await (const record of consumer) into.push(record)
  })()
}

const sortedIds = (list: { topic: string; partition: number }[]) =>
  list.map((entry) => entry.partition).sort()

describe('a mixed group: in-process and kafkajs members', () => {
  it('split the partitions, read each record once, and hand over on leave', { timeout: 90_000 }, async () => {
    const admin = streamline.admin()
    const inProcess = streamline.consumer({ groupId: 'mixed', fromBeginning: true, heartbeatIntervalMs: 200 })
    await inProcess.subscribe('shared')
    assert.deepEqual(sortedIds(inProcess.assignment()), [0, 1, 2, 3])
    const inProcessRecords: ConsumedRecord[] = []
    const draining = drain(inProcess, inProcessRecords)

    const network: Consumer = kafka.consumer({
      groupId: 'mixed',
      heartbeatInterval: 200,
      sessionTimeout: 10_000,
      rebalanceTimeout: 10_000,
    })
    const networkRecords: { partition: number; offset: number; value: string }[] = []
    await network.connect()
    await network.subscribe({ topic: 'shared', fromBeginning: true })
    await network.run({
      eachMessage: async ({ partition, message }) => {
        networkRecords.push({
          partition,
          offset: Number(message.offset),
          value: message.value?.toString() ?? '',
        })
      },
    })
    // Both members in one generation, two partitions each.
    const split = await waitFor(
      'the group to split 2 + 2',
      async () => {
        const group = await admin.describeGroup('mixed')
        const sizes = group.members.map((member) => member.assignment.length).sort()
        return group.state === 'Stable' && sizes.join() === '2,2' ? group : undefined
      },
      40_000,
    )
    assert.equal(split.protocol, 'RoundRobinAssigner')
    assert.deepEqual(sortedIds(split.members.flatMap((member) => member.assignment)), [0, 1, 2, 3])
    await waitFor('the in-process member to own 2 partitions', () =>
      inProcess.assignment().length === 2 ? true : undefined,
    )

    const producer = streamline.producer()
    const values = Array.from({ length: 40 }, (_, index) => `r${index}`)
    await producer.send(
      'shared',
      values.map((value, index) => ({ value, partition: index % 4 })),
    )
    await waitFor(
      '40 records read by the two members',
      () => (inProcessRecords.length + networkRecords.length >= 40 ? true : undefined),
      40_000,
    )
    const mine = new Set(sortedIds(inProcess.assignment()))
    assert.ok(inProcessRecords.every((record) => mine.has(record.partition)))
    assert.ok(networkRecords.every((record) => !mine.has(record.partition)))
    const all = [
      ...inProcessRecords.map((record) => record.value?.toString() ?? ''),
      ...networkRecords.map((record) => record.value),
    ]
    assert.deepEqual(all.sort(), [...values].sort())

    // The in-process member leaves: kafkajs takes over its partitions from the committed offsets.
    await inProcess.close()
    await draining
    await waitFor(
      'kafkajs to own all 4 partitions',
      async () => {
        const group = await admin.describeGroup('mixed')
        return group.state === 'Stable' &&
          group.members.length === 1 &&
          group.members[0].assignment.length === 4
          ? true
          : undefined
      },
      40_000,
    )
    const later = Array.from({ length: 20 }, (_, index) => `later${index}`)
    await producer.send(
      'shared',
      later.map((value, index) => ({ value, partition: index % 4 })),
    )
    await waitFor(
      'kafkajs to read the 20 later records',
      () => (networkRecords.length + inProcessRecords.length >= 60 ? true : undefined),
      40_000,
    )
    const everything = [
      ...inProcessRecords.map((record) => record.value?.toString() ?? ''),
      ...networkRecords.map((record) => record.value),
    ]
    assert.deepEqual(everything.sort(), [...values, ...later].sort(), 'every record exactly once')
    await network.disconnect()
    const committed = await admin.fetchOffsets('mixed')
    assert.deepEqual(committed.map((entry) => [entry.partition, entry.offset]).sort(), [
      [0, 15],
      [1, 15],
      [2, 15],
      [3, 15],
    ])
  })
})

describe('in-process transactions', () => {
  it('are invisible to read_committed kafkajs until commit; aborted ones never appear', {
    timeout: 90_000,
  }, async () => {
    const producer = streamline.producer({ transactionalId: 'embedded-txn' })
    await producer.beginTransaction()
    const open = await producer.send('txn', [{ value: 'a1' }, { value: 'a2' }, { value: 'a3' }])
    assert.deepEqual(
      open.map((entry) => entry.offset),
      [0, 1, 2],
    )

    const readCommitted = kafka.consumer({ groupId: 'txn-committed', heartbeatInterval: 200 })
    const seen: string[] = []
    let fetches = 0
    readCommitted.on(readCommitted.events.FETCH, () => {
      fetches += 1
    })
    await readCommitted.connect()
    await readCommitted.subscribe({ topic: 'txn', fromBeginning: true })
    await readCommitted.run({
      eachMessage: async ({ message }) => {
        seen.push(message.value?.toString() ?? '')
      },
    })
    // Several completed fetches while the transaction is open: still nothing.
    const fetchesBefore = fetches
    await waitFor('three kafkajs fetches', () => (fetches >= fetchesBefore + 3 ? true : undefined), 40_000)
    assert.equal(seen.length, 0)

    await producer.commitTransaction()
    await waitFor('the committed records', () => (seen.length >= 3 ? true : undefined), 40_000)
    assert.deepEqual(seen, ['a1', 'a2', 'a3'])

    await producer.beginTransaction()
    await producer.send('txn', [{ value: 'b1' }, { value: 'b2' }])
    await producer.abortTransaction()
    await producer.beginTransaction()
    await producer.send('txn', [{ value: 'c1' }])
    await producer.commitTransaction()
    await waitFor('c1', () => (seen.includes('c1') ? true : undefined), 40_000)
    assert.deepEqual(seen, ['a1', 'a2', 'a3', 'c1'])
    await readCommitted.disconnect()
    await producer.close()

    // The in-process consumer applies the same rules (read_committed drops the aborted batch).
    const committedReader = streamline.consumer({ fromBeginning: true, isolationLevel: 'read_committed' })
    await committedReader.subscribe('txn')
    const values: string[] = []
    for await (const record of committedReader) {
      values.push(record.value?.toString() ?? '')
      if (values.length === 4) break
    }
    await committedReader.close()
    assert.deepEqual(values, ['a1', 'a2', 'a3', 'c1'])
    const uncommittedReader = streamline.consumer({ fromBeginning: true })
    await uncommittedReader.subscribe('txn')
    const everything: string[] = []
    for await (const record of uncommittedReader) {
      everything.push(record.value?.toString() ?? '')
      if (everything.length === 6) break
    }
    await uncommittedReader.close()
    assert.deepEqual(everything, ['a1', 'a2', 'a3', 'b1', 'b2', 'c1'])
  })

  it('an idempotent producer stamps its producer id and sequences into the stored batches', async () => {
    await streamline.admin().createTopics([{ name: 'idem', partitions: 1 }])
    const producer = streamline.producer({ idempotent: true })
    await producer.send('idem', [{ value: 'x' }, { value: 'y' }])
    await producer.send('idem', [{ value: 'z' }])
    const log = streamline.broker.logs.partition('idem', 0)
    assert.ok(log !== undefined)
    const read = await log.read(0, 1 << 20)
    const first = await decodeBatch(read.records, 0)
    const second = await decodeBatch(read.records, first.sizeBytes)
    assert.equal(first.header.producerId, producer.identity.producerId)
    assert.ok(first.header.producerId >= 0n)
    assert.deepEqual([first.header.baseSequence, second.header.baseSequence], [0, 2])
    await producer.close()
  })
})
