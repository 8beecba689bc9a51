// Goal (issue 13, defect 1): every way a Fetch waits wakes when what it waits for lands, even when
// that lands while the Fetch is still reading, and an append that does not give it enough does not
// end the wait early: read_committed behind an EndTxn (woken by the commit marker), read_committed
// behind the transaction's own data (must wait on until the commit), min_bytes above one batch (must
// wait for the second Produce), incremental fetch sessions (KIP-227); and a read that fails
// (OFFSET_OUT_OF_RANGE) ends the wait at once, as in Kafka.
// Method: raw frames (generated codecs) pipelined on one connection to an in-process broker, the
// transaction driven by raw InitProducerId / AddPartitionsToTxn / EndTxn; every Fetch asks for
// max_wait_ms = 30 s and must answer within answerMsMax with exactly the expected records.
// Iterations are bounded by count and time.

import assert from 'node:assert/strict'
import { after, afterEach, before, beforeEach, describe, it } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { ApiKey, ErrorCode } from '../../src/protocol/generated/index.ts'
import { type InProcessBroker, startInProcessBroker } from '../helpers/in-process-broker.ts'
import { CodecClient, encodeRequest, fetchRequestBody } from '../helpers/kafka-codec-client.ts'
import {
  answerMsMax,
  expectProduced,
  fetchAnswer,
  fetchedRecords,
  fetchFrame,
  maxWaitMs,
  newTopic,
  produceFrame,
  recordsFor,
  repeatBounded,
  type TopicRef,
} from './pipelined-fetch.ts'

const bounds = { iterationsMin: 10, iterationsMax: 40, budgetMs: 250 }
/** How long a read_committed Fetch is watched for answering too early (before the commit). */
const earlyAnswerWatchMs = 30

let broker: InProcessBroker
let client: CodecClient

before(async () => {
  broker = await startInProcessBroker()
})

after(async () => {
  await broker.stop()
})

// A connection per test: a Fetch left hanging by one test must not hold up the next one's answers.
beforeEach(async () => {
  client = await CodecClient.open(broker.broker.host, broker.broker.port)
})

afterEach(() => {
  client.close()
})

interface Transaction {
  transactionalId: string
  producerId: bigint
}

async function beginTransactions(transactionalId: string): Promise<Transaction> {
  const initialized = await client.request(ApiKey.InitProducerId, 4, {
    transactionalId,
    transactionTimeoutMs: 60_000,
    producerId: -1n,
    producerEpoch: -1,
  })
  assert.equal(initialized.errorCode, ErrorCode.NONE)
  return { transactionalId, producerId: initialized.producerId }
}

async function addPartition(transaction: Transaction, topic: TopicRef): Promise<void> {
  const added = await client.request(ApiKey.AddPartitionsToTxn, 3, {
    transactions: [],
    v3AndBelowTransactionalId: transaction.transactionalId,
    v3AndBelowProducerId: transaction.producerId,
    v3AndBelowProducerEpoch: 0,
    v3AndBelowTopics: [{ name: topic.name, partitions: [0] }],
  })
  assert.equal(added.resultsByTopicV3AndBelow[0].resultsByPartition[0].partitionErrorCode, ErrorCode.NONE)
}

function endTxnFrame(transaction: Transaction): { frame: Buffer; correlationId: number } {
  const correlationId = client.takeCorrelationId()
  const body = {
    transactionalId: transaction.transactionalId,
    producerId: transaction.producerId,
    producerEpoch: 0,
    committed: true,
  }
  return { frame: encodeRequest(ApiKey.EndTxn, 3, correlationId, body), correlationId }
}

async function expectCommitted(correlationId: number): Promise<void> {
  const ended = await client.awaitResponse(ApiKey.EndTxn, 3, correlationId, answerMsMax)
  assert.equal(ended.errorCode, ErrorCode.NONE)
}

/** A transactional record at `offset` (each committed transaction takes two offsets: data, marker). */
async function transactionalProduce(transaction: Transaction, topic: TopicRef, iteration: number) {
  const value = `tx-record-${iteration}`
  const records = await recordsFor(value, {
    produceVersion: 11,
    transactional: { producerId: transaction.producerId, baseSequence: iteration },
  })
  const produce = produceFrame(client, {
    topic,
    version: 11,
    records,
    acks: -1,
    transactionalId: transaction.transactionalId,
  })
  return { value, produce }
}

describe('read_committed', () => {
  it('a Fetch pipelined behind EndTxn is woken by the commit marker', async () => {
    const topic = await newTopic(broker, 'rc-endtxn')
    const transaction = await beginTransactions(`pipelined-endtxn-${topic.name}`)
    await repeatBounded(bounds, async (iteration) => {
      const offset = 2 * iteration
      await addPartition(transaction, topic)
      const { value, produce } = await transactionalProduce(transaction, topic, iteration)
      void client.connection.write(produce.frame)
      await expectProduced(client, 11, produce.correlationId, offset)
      const endTxn = endTxnFrame(transaction)
      const fetch = fetchFrame(client, { topic, version: 17, offset, isolationLevel: 1 })
      const startedMs = performance.now()
      void client.connection.write(Buffer.concat([endTxn.frame, fetch.frame]))
      await expectCommitted(endTxn.correlationId)
      const { partition } = await fetchAnswer(client, 17, fetch.correlationId, startedMs)
      assert.equal(partition.lastStableOffset, BigInt(offset + 2))
      assert.deepEqual(partition.abortedTransactions, [])
      assert.deepEqual(await fetchedRecords(partition.records, 17), [[offset, value]])
    })
  })

  it("a Fetch pipelined behind the transaction's data waits on until the commit", async () => {
    const topic = await newTopic(broker, 'rc-data')
    const transaction = await beginTransactions(`pipelined-data-${topic.name}`)
    await repeatBounded({ ...bounds, iterationsMax: 20 }, async (iteration) => {
      const offset = 2 * iteration
      await addPartition(transaction, topic)
      const { value, produce } = await transactionalProduce(transaction, topic, iteration)
      const fetch = fetchFrame(client, { topic, version: 17, offset, isolationLevel: 1 })
      void client.connection.write(Buffer.concat([produce.frame, fetch.frame]))
      await expectProduced(client, 11, produce.correlationId, offset)
      await sleep(earlyAnswerWatchMs)
      const answered = client.connection.frames.some((frame) => frame.correlationId === fetch.correlationId)
      assert.equal(answered, false, 'the Fetch answered before the transaction committed')
      const endTxn = endTxnFrame(transaction)
      const startedMs = performance.now()
      void client.connection.write(endTxn.frame)
      const { partition } = await fetchAnswer(client, 17, fetch.correlationId, startedMs)
      await expectCommitted(endTxn.correlationId)
      assert.equal(partition.lastStableOffset, BigInt(offset + 2))
      assert.deepEqual(await fetchedRecords(partition.records, 17), [[offset, value]])
    })
  })
})

describe('min_bytes above one batch', () => {
  for (const version of [4, 17]) {
    it(`Fetch v${version} between two Produces waits for the second and returns both`, async () => {
      const topic = await newTopic(broker, 'min-bytes')
      await repeatBounded(bounds, async (iteration) => {
        const offset = 2 * iteration
        const values = [`first-${iteration}`, `second-${iteration}`]
        const [firstRecords, secondRecords] = await Promise.all(
          values.map((value) => recordsFor(value, { produceVersion: 9 })),
        )
        const first = produceFrame(client, { topic, version: 9, records: firstRecords, acks: 1 })
        const fetch = fetchFrame(client, { topic, version, offset, minBytes: firstRecords.length + 1 })
        const second = produceFrame(client, { topic, version: 9, records: secondRecords, acks: 1 })
        const startedMs = performance.now()
        void client.connection.write(Buffer.concat([first.frame, fetch.frame, second.frame]))
        await expectProduced(client, 9, first.correlationId, offset)
        const { partition } = await fetchAnswer(client, version, fetch.correlationId, startedMs)
        await expectProduced(client, 9, second.correlationId, offset + 1)
        assert.deepEqual(await fetchedRecords(partition.records, version), [
          [offset, values[0]],
          [offset + 1, values[1]],
        ])
      })
    })
  }
})

describe('incremental fetch sessions (KIP-227)', () => {
  for (const version of [7, 17]) {
    it(`Fetch v${version} in a session, pipelined behind a Produce, answers at once`, async () => {
      const topic = await newTopic(broker, 'session')
      let sessionId = 0
      await repeatBounded(bounds, async (offset) => {
        const value = `session-${offset}`
        const records = await recordsFor(value, { produceVersion: 9 })
        const produce = produceFrame(client, { topic, version: 9, records, acks: 1 })
        const session = { id: sessionId, epoch: offset === 0 ? 0 : offset }
        const fetch = fetchFrame(client, { topic, version, offset, session })
        const startedMs = performance.now()
        void client.connection.write(Buffer.concat([produce.frame, fetch.frame]))
        await expectProduced(client, 9, produce.correlationId, offset)
        const response = await client.awaitResponse(ApiKey.Fetch, version, fetch.correlationId, answerMsMax)
        assert.ok(performance.now() - startedMs < answerMsMax)
        assert.equal(response.errorCode, ErrorCode.NONE)
        if (offset === 0) sessionId = response.sessionId
        assert.ok(sessionId > 0)
        assert.equal(response.sessionId, sessionId)
        const partition = response.responses[0]?.partitions[0]
        assert.ok(partition !== undefined, 'the partition with news is in the incremental answer')
        assert.deepEqual(await fetchedRecords(partition.records, version), [[offset, value]])
      })
    })
  }
})

describe('a read error ends the wait (Kafka: errorReadingData)', () => {
  it('OFFSET_OUT_OF_RANGE on one partition answers at once, beside a partition with nothing new', async () => {
    const name = 'read-error'
    await broker.broker.logs.createTopic(name, { partitionCount: 2 })
    const base = fetchRequestBody(name, 0, 0n, { maxWaitMs, minBytes: 1 })
    const template = base.topics[0].partitions[0]
    const body = {
      ...base,
      topics: [
        {
          ...base.topics[0],
          partitions: [
            { ...template, partition: 0, fetchOffset: 0n },
            { ...template, partition: 1, fetchOffset: 1_000n },
          ],
        },
      ],
    }
    const startedMs = performance.now()
    const response = await client.request(ApiKey.Fetch, 12, body, answerMsMax)
    assert.ok(performance.now() - startedMs < answerMsMax)
    assert.deepEqual(
      response.responses[0].partitions.map((partition) => [partition.partitionIndex, partition.errorCode]),
      [
        [0, ErrorCode.NONE],
        [1, ErrorCode.OFFSET_OUT_OF_RANGE],
      ],
    )
  })
})
