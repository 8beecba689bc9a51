// Goal: consume-transform-produce with the in-process client is exactly once: `producer.sendOffsets`
// commits the consumer's offsets inside the transaction (AddOffsetsToTxn, TxnOffsetCommit), so after an
// aborted attempt neither its output (read_committed) nor its offsets (the group's committed offsets)
// are seen, and after the committed retry both are, once. Seen by kafkajs over the socket (a
// read_committed consumer and its admin's fetchOffsets) and by the in-process client. A member whose
// generation is stale is fenced (ILLEGAL_GENERATION); sendOffsets outside a transaction is
// INVALID_TXN_STATE.
// Method: one embedded broker (in memory) for the file; an in-process group consumer (autoCommit off)
// reads `ctp-input`, a transactional in-process producer writes `ctp-output`.

import assert from 'node:assert/strict'
import { after, before, it } from 'node:test'
import { Kafka, logLevel } from 'kafkajs'
import {
  type InProcessConsumer,
  type InProcessProducer,
  type Streamline,
  startStreamline,
} from '../../src/embedded/index.ts'
import { KafkaError } from '../../src/errors.ts'
import { waitFor } from './helpers.ts'

let streamline: Streamline
let kafka: Kafka
const inputs = ['a', 'b', 'c', 'd', 'e', 'f']

before(async () => {
  streamline = await startStreamline({ groups: { initialRebalanceDelayMs: 0 } })
  kafka = new Kafka({ brokers: [streamline.bootstrap], clientId: 'send-offsets', logLevel: logLevel.NOTHING })
  await streamline.admin().createTopics([
    { name: 'ctp-input', partitions: 2 },
    { name: 'ctp-output', partitions: 1 },
  ])
  const producer = streamline.producer()
  await producer.send(
    'ctp-input',
    inputs.map((value, index) => ({ value, partition: index % 2 })),
  )
  await producer.close()
})

after(async () => {
  await streamline.close()
})

async function take(consumer: InProcessConsumer, count: number): Promise<string[]> {
  const values: string[] = []
  for await (const record of consumer) {
    values.push(record.value?.toString() ?? '')
    if (values.length === count) break
  }
  return values
}

/** One consume-transform-produce attempt: read every input, write it transformed, send the offsets. */
async function transform(
  consumer: InProcessConsumer,
  producer: InProcessProducer,
  attempt: string,
): Promise<void> {
  const values = await take(consumer, inputs.length)
  await producer.beginTransaction()
  await producer.send(
    'ctp-output',
    values.map((value) => ({ value: `${value.toUpperCase()}-${attempt}` })),
  )
  await producer.sendOffsets({ consumer })
}

it('an aborted attempt leaves no output and no offsets; the committed one both, once', {
  timeout: 90_000,
}, async () => {
  const consumer = streamline.consumer({ groupId: 'transformer', fromBeginning: true, autoCommit: false })
  await consumer.subscribe('ctp-input')
  const producer = streamline.producer({ transactionalId: 'transformer-1' })
  const admin = streamline.admin()

  await transform(consumer, producer, 'aborted')
  await producer.abortTransaction()
  assert.deepEqual(await admin.fetchOffsets('transformer'), [])

  // As a Kafka application does after an abort: back to the committed offsets (none: the beginning).
  consumer.seek('ctp-input', 0, 0)
  consumer.seek('ctp-input', 1, 0)
  await transform(consumer, producer, 'committed')
  await producer.commitTransaction()
  const committed = [
    { topic: 'ctp-input', partition: 0, offset: 3 },
    { topic: 'ctp-input', partition: 1, offset: 3 },
  ]
  const sortByPartition = (list: { partition: number }[]) => list.sort((a, b) => a.partition - b.partition)
  assert.deepEqual(sortByPartition(await admin.fetchOffsets('transformer')), committed)
  await consumer.close()
  await producer.close()

  // kafkajs over the socket: the group's offsets, and read_committed sees the committed attempt only.
  const networkAdmin = kafka.admin()
  await networkAdmin.connect()
  const [offsets] = await networkAdmin.fetchOffsets({ groupId: 'transformer', topics: ['ctp-input'] })
  await networkAdmin.disconnect()
  assert.deepEqual(
    sortByPartition(offsets.partitions.map(({ partition, offset }) => ({ partition, offset }))),
    [
      { partition: 0, offset: '3' },
      { partition: 1, offset: '3' },
    ],
  )
  const reader = kafka.consumer({ groupId: 'ctp-reader', readUncommitted: false, heartbeatInterval: 200 })
  const seen: string[] = []
  await reader.connect()
  await reader.subscribe({ topic: 'ctp-output', fromBeginning: true })
  await reader.run({
    eachMessage: async ({ message }) => {
      seen.push(message.value?.toString() ?? '')
    },
  })
  await waitFor('the committed output', () => (seen.length >= inputs.length ? true : undefined), 40_000)
  await reader.disconnect()
  const expected = ['A', 'C', 'E', 'B', 'D', 'F'].map((value) => `${value}-committed`)
  assert.deepEqual([...seen].sort(), [...expected].sort())

  // The in-process read_committed consumer agrees; read_uncommitted also sees the aborted attempt.
  const committedReader = streamline.consumer({ fromBeginning: true, isolationLevel: 'read_committed' })
  await committedReader.subscribe('ctp-output')
  assert.deepEqual((await take(committedReader, inputs.length)).sort(), [...expected].sort())
  await committedReader.close()
  const everything = (await admin.topicOffsets('ctp-output'))[0]
  // Two attempts of six records and two transaction markers.
  assert.equal(everything.latest, 2 * inputs.length + 2)
})

it('a stale generation is fenced; sendOffsets outside a transaction is refused', async () => {
  const consumer = streamline.consumer({ groupId: 'fenced', fromBeginning: true, autoCommit: false })
  await consumer.subscribe('ctp-input')
  const producer = streamline.producer({ transactionalId: 'fenced-1' })
  await assert.rejects(producer.sendOffsets({ consumer }), (error: unknown) => {
    assert.ok(error instanceof KafkaError)
    assert.equal(error.errorCode, 48) // INVALID_TXN_STATE
    return true
  })
  await producer.beginTransaction()
  const current = consumer.groupMetadata()
  const stale = {
    groupMetadata: () => ({ ...current, generationId: current.generationId + 7 }),
    consumedOffsets: () => [{ topic: 'ctp-input', partition: 0, offset: 1 }],
  }
  await assert.rejects(producer.sendOffsets({ consumer: stale }), (error: unknown) => {
    assert.ok(error instanceof KafkaError)
    assert.equal(error.errorCode, 22) // ILLEGAL_GENERATION
    return true
  })
  await producer.abortTransaction()
  assert.deepEqual(await streamline.admin().fetchOffsets('fenced'), [])
  await consumer.close()
  await producer.close()
})
