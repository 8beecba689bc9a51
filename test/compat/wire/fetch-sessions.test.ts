// Goal: incremental fetch sessions behave as KIP-227 says: epoch 0 opens a session and answers in
// full; later epochs answer only partitions with news; forgotten partitions leave the session; a
// wrong epoch or an unknown session gets Kafka's errors; epoch -1 closes it.
// Method: raw Fetch v12 requests built with our generated codecs against an in-process broker
// (librdkafka and kafkajs do not use fetch sessions); records produced with a raw Produce.

import assert from 'node:assert/strict'
import { after, before, it } from 'node:test'
import { ErrorCode } from '../../../src/protocol/generated/index.ts'
import { buildBatch } from '../../../src/protocol/records/batch-v2.ts'
import { type InProcessBroker, startInProcessBroker } from '../../helpers/in-process-broker.ts'
import {
  CodecClient,
  fetchRequestBody,
  produceRequestBody,
  type RequestOf,
} from '../../helpers/kafka-codec-client.ts'

let broker: InProcessBroker
let client: CodecClient

before(async () => {
  broker = await startInProcessBroker()
  await broker.broker.logs.createTopic('sessions', { partitionCount: 2 })
  client = await CodecClient.open(broker.broker.host, broker.broker.port)
})

after(async () => {
  client.close()
  await broker.stop()
})

async function produce(partition: number, value: string): Promise<void> {
  const batch = await buildBatch({ records: [{ timestamp: Date.now(), value: Buffer.from(value) }] })
  const response = await client.request(0, 9, produceRequestBody('sessions', partition, batch))
  assert.equal(response.responses[0].partitionResponses[0].errorCode, ErrorCode.NONE)
}

function sessionFetch(options: {
  sessionId: number
  epoch: number
  offsets: [number, bigint][]
  forget?: number[]
}): RequestOf<1> {
  const base = fetchRequestBody('sessions', 0, 0n, { maxWaitMs: 0, minBytes: 0 })
  const template = base.topics[0].partitions[0]
  return {
    ...base,
    sessionId: options.sessionId,
    sessionEpoch: options.epoch,
    topics:
      options.offsets.length === 0
        ? []
        : [
            {
              ...base.topics[0],
              partitions: options.offsets.map(([partition, fetchOffset]) => ({
                ...template,
                partition,
                fetchOffset,
              })),
            },
          ],
    forgottenTopicsData:
      options.forget === undefined
        ? []
        : [{ topic: 'sessions', topicId: base.topics[0].topicId, partitions: options.forget }],
  }
}

function partitionsOf(
  response: Awaited<ReturnType<CodecClient['request']>> & {
    responses: { partitions: { partitionIndex: number }[] }[]
  },
): number[] {
  return response.responses.flatMap((topic) => topic.partitions.map((partition) => partition.partitionIndex))
}

it('opens a session, answers incrementally, forgets partitions, and rejects bad epochs and ids', async () => {
  await produce(0, 'a')
  await produce(1, 'b')
  const opened = await client.request(
    1,
    12,
    sessionFetch({
      sessionId: 0,
      epoch: 0,
      offsets: [
        [0, 0n],
        [1, 0n],
      ],
    }),
  )
  assert.equal(opened.errorCode, ErrorCode.NONE)
  assert.ok(opened.sessionId > 0)
  assert.deepEqual(partitionsOf(opened), [0, 1])

  // Nothing new: an incremental fetch (consumer now at offset 1 on both) lists no partition.
  const quiet = await client.request(
    1,
    12,
    sessionFetch({
      sessionId: opened.sessionId,
      epoch: 1,
      offsets: [
        [0, 1n],
        [1, 1n],
      ],
    }),
  )
  assert.equal(quiet.errorCode, ErrorCode.NONE)
  assert.deepEqual(partitionsOf(quiet), [])

  // New data on partition 1 only: only partition 1 comes back, with its record.
  await produce(1, 'c')
  const news = await client.request(
    1,
    12,
    sessionFetch({ sessionId: opened.sessionId, epoch: 2, offsets: [] }),
  )
  assert.deepEqual(partitionsOf(news), [1])
  assert.equal(news.responses[0].partitions[0].highWatermark, 2n)

  // Forget partition 1: new data there is no longer reported.
  await client.request(
    1,
    12,
    sessionFetch({ sessionId: opened.sessionId, epoch: 3, offsets: [[1, 2n]], forget: [1] }),
  )
  await produce(1, 'd')
  const afterForget = await client.request(
    1,
    12,
    sessionFetch({ sessionId: opened.sessionId, epoch: 4, offsets: [] }),
  )
  assert.deepEqual(partitionsOf(afterForget), [])

  const wrongEpoch = await client.request(
    1,
    12,
    sessionFetch({ sessionId: opened.sessionId, epoch: 9, offsets: [] }),
  )
  assert.equal(wrongEpoch.errorCode, ErrorCode.INVALID_FETCH_SESSION_EPOCH)
  const unknown = await client.request(1, 12, sessionFetch({ sessionId: 123456, epoch: 1, offsets: [] }))
  assert.equal(unknown.errorCode, ErrorCode.FETCH_SESSION_ID_NOT_FOUND)

  // Epoch -1 closes the session: a full, sessionless answer, and the id is gone afterwards.
  const closed = await client.request(
    1,
    12,
    sessionFetch({ sessionId: opened.sessionId, epoch: -1, offsets: [[0, 0n]] }),
  )
  assert.deepEqual([closed.errorCode, closed.sessionId, partitionsOf(closed)], [ErrorCode.NONE, 0, [0]])
  const gone = await client.request(
    1,
    12,
    sessionFetch({ sessionId: opened.sessionId, epoch: 5, offsets: [] }),
  )
  assert.equal(gone.errorCode, ErrorCode.FETCH_SESSION_ID_NOT_FOUND)
})
