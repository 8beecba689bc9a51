// Goal: DescribeProducers v0, DescribeTransactions v0 and ListTransactions v0-v1 give Kafka's exact
// answers for producers and transactions that real clients created: an idempotent producer, an open
// transaction over two partitions, a committed one and an Empty one; filters by state (Kafka's
// case-sensitive names; unknown names echoed and ignored), producer id and duration; Kafka's error
// codes for an empty or unknown transactional id and for unknown or illegal topics and partitions.
// Method: an in-process broker. kafkajs makes the producers and transactions (idempotent and
// transactional producers, messages with chosen timestamps, so sequences, offsets and timestamps are
// known); the Empty transactional id comes from a raw InitProducerId (our codecs). The admin calls
// are @platformatic/kafka's exported per-version APIs over its own Connection (kafkajs and
// confluent-kafka 1.7 have none of them); error answers are read from the client's ResponseError.
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import {
  Connection,
  describeProducersV0,
  describeTransactionsV0,
  listTransactionsV0,
  listTransactionsV1,
} from '@platformatic/kafka'
import type { Producer, Transaction } from 'kafkajs'
import { createDefaultInitProducerIdRequest } from '../../../src/protocol/generated/init-producer-id-request.ts'
import { type InProcessBroker, startInProcessBroker } from '../../helpers/in-process-broker.ts'
import { CodecClient } from '../../helpers/kafka-codec-client.ts'
import { testKafka } from '../groups/group-members.ts'

const topic = 'txn-admin'
const timestampBase = 1_700_000_000_000
const openTimeoutMs = 45_000

/** The broker's answer carried by a client error (the client throws on any non-zero error code). */
function responseOf(error: unknown): unknown {
  for (let current: unknown = error; current !== undefined && current !== null; ) {
    const { response, errors } = current as { response?: unknown; errors?: unknown[] }
    if (response !== undefined) return response
    current = errors?.[0]
  }
  assert.fail(`no broker response in ${String(error)}`)
}

async function answerOf<T>(call: Promise<T>): Promise<unknown> {
  try {
    return await call
  } catch (error) {
    return responseOf(error)
  }
}

function message(value: string, timestampOffset: number) {
  return { value, timestamp: String(timestampBase + timestampOffset) }
}

let server: InProcessBroker
let connection: Connection
const producers: Producer[] = []
let openTransaction: Transaction
let startedAtMs: number

before(async () => {
  server = await startInProcessBroker()
  connection = new Connection('streamline-compat')
  await connection.connect(server.broker.host, server.broker.port)
  const admin = testKafka(server.bootstrap).admin()
  await admin.connect()
  await admin.createTopics({ topics: [{ topic, numPartitions: 2 }] })
  await admin.disconnect()

  const kafka = testKafka(server.bootstrap, 'txn-admin-test')
  const idempotent = kafka.producer({ idempotent: true, maxInFlightRequests: 1 })
  const open = kafka.producer({
    transactionalId: 'txn-open',
    transactionTimeout: openTimeoutMs,
    maxInFlightRequests: 1,
    idempotent: true,
  })
  const done = kafka.producer({ transactionalId: 'txn-done', maxInFlightRequests: 1, idempotent: true })
  producers.push(idempotent, open, done)
  for (const producer of producers) await producer.connect()

  // Partition 0: offsets 0-2 from the idempotent producer (one batch, sequences 0-2).
  await idempotent.send({
    topic,
    messages: [0, 1, 2].map((index) => ({ ...message(`plain-${index}`, index), partition: 0 })),
  })
  startedAtMs = Date.now()
  // txn-open: offsets 3-4 of partition 0 and offset 0 of partition 1; left open.
  openTransaction = await open.transaction()
  await openTransaction.send({
    topic,
    messages: [
      { ...message('open-0', 10), partition: 0 },
      { ...message('open-1', 11), partition: 0 },
      { ...message('open-2', 12), partition: 1 },
    ],
  })
  // txn-done: offset 1 of partition 1, committed (COMMIT marker at offset 2).
  const committed = await done.transaction()
  await committed.send({ topic, messages: [{ ...message('done-0', 20), partition: 1 }] })
  await committed.commit()

  // txn-empty: InitProducerId only.
  const raw = await CodecClient.open(server.broker.host, server.broker.port)
  try {
    const init = await raw.request(22, 4, {
      ...createDefaultInitProducerIdRequest(),
      transactionalId: 'txn-empty',
      transactionTimeoutMs: 30_000,
    })
    assert.equal(init.errorCode, 0)
  } finally {
    raw.close()
  }
})

after(async () => {
  for (const producer of producers) await producer.disconnect()
  await connection?.close()
  await server?.stop()
})

interface Described {
  transactionalId: string
  producerId: bigint
  transactionState: string
}

async function describeAll(): Promise<Map<string, Described & { transactionStartTimeMs: bigint }>> {
  const answer = await describeTransactionsV0.api.async(connection, ['txn-open', 'txn-done', 'txn-empty'])
  return new Map(answer.transactionStates.map((state) => [state.transactionalId, state]))
}

function byProducerId<T extends { producerId: bigint }>(list: T[]): T[] {
  return [...list].sort((a, b) => (a.producerId < b.producerId ? -1 : a.producerId > b.producerId ? 1 : 0))
}

test('DescribeTransactions: state, timeout, epoch and the partitions of each transaction', async () => {
  const answer = await describeTransactionsV0.api.async(connection, ['txn-open', 'txn-done', 'txn-empty'])
  assert.equal(answer.transactionStates.length, 3)
  const [open, done, empty] = answer.transactionStates
  const startMs = Number(open.transactionStartTimeMs)
  assert.ok(startMs >= startedAtMs && startMs <= Date.now(), `start time ${startMs}`)
  assert.deepEqual(open, {
    errorCode: 0,
    transactionalId: 'txn-open',
    transactionState: 'Ongoing',
    transactionTimeoutMs: openTimeoutMs,
    transactionStartTimeMs: open.transactionStartTimeMs,
    producerId: open.producerId,
    producerEpoch: 0,
    topics: [{ topic, partitions: [0, 1] }],
  })
  assert.deepEqual(
    { ...done, producerId: 0n, transactionStartTimeMs: 0n },
    {
      errorCode: 0,
      transactionalId: 'txn-done',
      transactionState: 'CompleteCommit',
      transactionTimeoutMs: 60_000, // kafkajs's default transactionTimeout
      transactionStartTimeMs: 0n,
      producerId: 0n,
      producerEpoch: 0,
      topics: [],
    },
  )
  assert.ok(done.transactionStartTimeMs >= open.transactionStartTimeMs)
  assert.deepEqual(
    { ...empty, producerId: 0n },
    {
      errorCode: 0,
      transactionalId: 'txn-empty',
      transactionState: 'Empty',
      transactionTimeoutMs: 30_000,
      transactionStartTimeMs: -1n,
      producerId: 0n,
      producerEpoch: 0,
      topics: [],
    },
  )
  assert.equal(new Set([open.producerId, done.producerId, empty.producerId]).size, 3)
})

test('DescribeTransactions: an unknown id is TRANSACTIONAL_ID_NOT_FOUND, an empty one INVALID_REQUEST', async () => {
  const answer = (await answerOf(describeTransactionsV0.api.async(connection, ['no-such-id', '']))) as {
    transactionStates: { errorCode: number; transactionalId: string }[]
  }
  assert.deepEqual(
    answer.transactionStates.map((state) => [state.transactionalId, state.errorCode]),
    [
      ['no-such-id', 105], // TRANSACTIONAL_ID_NOT_FOUND
      ['', 42], // INVALID_REQUEST
    ],
  )
})

test('DescribeProducers: id, epoch, last sequence and timestamp, and the open transaction offset', async () => {
  const transactions = await describeAll()
  const openId = transactions.get('txn-open')?.producerId
  const doneId = transactions.get('txn-done')?.producerId
  assert.ok(openId !== undefined && doneId !== undefined)
  const answer = await describeProducersV0.api.async(connection, [{ name: topic, partitionIndexes: [0, 1] }])
  assert.equal(answer.topics.length, 1)
  const [partition0, partition1] = answer.topics[0].partitions
  const idempotentId = partition0.activeProducers.find(
    (producer) => producer.producerId !== openId,
  )?.producerId
  assert.ok(idempotentId !== undefined && idempotentId >= 0n && idempotentId !== doneId)
  const producer = (
    producerId: bigint,
    lastSequence: number,
    timestampOffset: number,
    currentTxnStartOffset: bigint,
  ) => ({
    producerId,
    producerEpoch: 0,
    lastSequence,
    lastTimestamp: BigInt(timestampBase + timestampOffset),
    coordinatorEpoch: -1,
    currentTxnStartOffset,
  })
  assert.deepEqual(
    { ...partition0, activeProducers: byProducerId(partition0.activeProducers) },
    {
      partitionIndex: 0,
      errorCode: 0,
      errorMessage: null,
      activeProducers: byProducerId([producer(idempotentId, 2, 2, -1n), producer(openId, 1, 11, 3n)]),
    },
  )
  assert.deepEqual(
    { ...partition1, activeProducers: byProducerId(partition1.activeProducers) },
    {
      partitionIndex: 1,
      errorCode: 0,
      errorMessage: null,
      activeProducers: byProducerId([producer(openId, 0, 12, 0n), producer(doneId, 0, 20, -1n)]),
    },
  )
})

test('DescribeProducers: unknown topic, unknown partition and illegal name, per partition', async () => {
  const answer = (await answerOf(
    describeProducersV0.api.async(connection, [
      { name: topic, partitionIndexes: [7] },
      { name: 'no-such-topic', partitionIndexes: [0, 1] },
      { name: 'bad name!', partitionIndexes: [0] },
    ]),
  )) as { topics: { name: string; partitions: { partitionIndex: number; errorCode: number }[] }[] }
  assert.deepEqual(
    answer.topics.map((entry) => [
      entry.name,
      entry.partitions.map((partition) => [partition.partitionIndex, partition.errorCode]),
    ]),
    [
      [topic, [[7, 3]]], // UNKNOWN_TOPIC_OR_PARTITION
      [
        'no-such-topic',
        [
          [0, 3],
          [1, 3],
        ],
      ],
      ['bad name!', [[0, 17]]], // INVALID_TOPIC_EXCEPTION
    ],
  )
})

test('ListTransactions: every id, and filters by state, producer id and duration', async () => {
  const transactions = await describeAll()
  const entry = (transactionalId: string) => {
    const described = transactions.get(transactionalId)
    assert.ok(described !== undefined)
    return {
      transactionalId,
      producerId: described.producerId,
      transactionState: described.transactionState,
    }
  }
  const byId = (list: Described[]) =>
    [...list].sort((a, b) => a.transactionalId.localeCompare(b.transactionalId))
  const all = await listTransactionsV0.api.async(connection, [], [], -1n, null)
  assert.deepEqual(
    { ...all, transactionStates: byId(all.transactionStates) },
    {
      throttleTimeMs: 0,
      errorCode: 0,
      unknownStateFilters: [],
      transactionStates: [entry('txn-done'), entry('txn-empty'), entry('txn-open')],
    },
  )
  // Kafka's state names are case-sensitive (TransactionState.fromName): 'ONGOING', the name the
  // client's own enumeration offers, is unknown to Kafka too and does not filter.
  type StateFilter = Parameters<typeof listTransactionsV1.api.async>[1]
  const ongoing = await listTransactionsV1.api.async(
    connection,
    ['Ongoing', 'CompleteCommit', 'NoSuchState'] as unknown as StateFilter,
    [],
    -1n,
    null,
  )
  assert.deepEqual(
    { ...ongoing, transactionStates: byId(ongoing.transactionStates) },
    {
      throttleTimeMs: 0,
      errorCode: 0,
      unknownStateFilters: ['NoSuchState'],
      transactionStates: [entry('txn-done'), entry('txn-open')],
    },
  )
  const unknownOnly = await listTransactionsV1.api.async(connection, ['ONGOING'], [], -1n, null)
  assert.deepEqual(unknownOnly.unknownStateFilters, ['ONGOING'])
  assert.equal(unknownOnly.transactionStates.length, 3)

  const openId = entry('txn-open').producerId
  const emptyId = entry('txn-empty').producerId
  const byProducer = await listTransactionsV1.api.async(
    connection,
    [],
    [openId, emptyId, 999_999n],
    -1n,
    null,
  )
  assert.deepEqual(byId(byProducer.transactionStates), [entry('txn-empty'), entry('txn-open')])
  const byBoth = await listTransactionsV1.api.async(
    connection,
    ['Empty'] as unknown as StateFilter,
    [openId],
    -1n,
    null,
  )
  assert.deepEqual(byBoth.transactionStates, [])

  // Duration (v1): only transactions started more than durationFilter ms ago. An Empty id has no start
  // time (-1), so Kafka lists it under any duration; the two recent transactions are too young.
  const old = await listTransactionsV1.api.async(connection, [], [], 3_600_000n, null)
  assert.deepEqual(old.transactionStates, [entry('txn-empty')])
  const young = await listTransactionsV1.api.async(connection, [], [], 0n, null)
  assert.equal(young.transactionStates.length, 3)
})

test('after the commit: CompleteCommit, no partitions, no open transaction in DescribeProducers', async () => {
  await openTransaction.commit()
  const open = (await describeAll()).get('txn-open')
  assert.equal(open?.transactionState, 'CompleteCommit')
  const answer = await describeTransactionsV0.api.async(connection, ['txn-open'])
  assert.deepEqual(answer.transactionStates[0].topics, [])
  const producers = await describeProducersV0.api.async(connection, [
    { name: topic, partitionIndexes: [0, 1] },
  ])
  const starts = producers.topics[0].partitions.flatMap((partition) =>
    partition.activeProducers.map((producer) => producer.currentTxnStartOffset),
  )
  assert.deepEqual(starts, [-1n, -1n, -1n, -1n])
  const ongoing = await listTransactionsV1.api.async(
    connection,
    ['Ongoing'] as unknown as Parameters<typeof listTransactionsV1.api.async>[1],
    [],
    -1n,
    null,
  )
  assert.deepEqual(ongoing.transactionStates, [])
})
