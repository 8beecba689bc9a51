// Shared by the issue-0013 Fetch wake-up regressions: raw Produce and Fetch frames built with the
// generated codecs, answers awaited within a bound far below the 30 s the Fetches ask to wait, and
// the records of a Fetch answer decoded to [offset, value] pairs.

import assert from 'node:assert/strict'
import { ApiKey, ErrorCode } from '../../src/protocol/generated/index.ts'
import { buildBatch, decodeBatches } from '../../src/protocol/records/batch-v2.ts'
import { batchesToMessageSet, decodeMessageSet } from '../../src/protocol/records/message-set.ts'
import type { InProcessBroker } from '../helpers/in-process-broker.ts'
import {
  type CodecClient,
  encodeRequest,
  fetchRequestBody,
  produceRequestBody,
  type RequestOf,
  type ResponseOf,
} from '../helpers/kafka-codec-client.ts'

/** What every Fetch asks to wait: far above any answer time the tests accept. */
export const maxWaitMs = 30_000
/** A Fetch answer later than this is a lost wake-up (a prompt answer takes milliseconds). */
export const answerMsMax = 5_000

export interface TopicRef {
  name: string
  topicId: string
}

let topicCount = 0

export async function newTopic(broker: InProcessBroker, prefix: string): Promise<TopicRef> {
  topicCount += 1
  const name = `${prefix}-${topicCount}`
  await broker.broker.logs.createTopic(name, { partitionCount: 1 })
  const description = broker.broker.logs.getTopic(name)
  assert.ok(description !== undefined)
  return { name, topicId: description.topicId }
}

/**
 * Runs `body` at least `iterationsMin` and at most `iterationsMax` times, stopping early once
 * `budgetMs` has passed (the machine may be shared): returns the count run. One lost wake-up fails
 * the first iteration it happens in, so the minimum already catches a systematic one.
 */
export async function repeatBounded(
  options: { iterationsMin: number; iterationsMax: number; budgetMs: number },
  body: (iteration: number) => Promise<void>,
): Promise<number> {
  const startedMs = performance.now()
  let iteration = 0
  while (
    iteration < options.iterationsMax &&
    (iteration < options.iterationsMin || performance.now() - startedMs < options.budgetMs)
  ) {
    await body(iteration)
    iteration += 1
  }
  return iteration
}

/** One record `value`, as a v2 batch or (Produce v0-2) a magic-1 message set. */
export async function recordsFor(
  value: string,
  options: { produceVersion: number; transactional?: { producerId: bigint; baseSequence: number } },
): Promise<Buffer> {
  const transactional = options.transactional
  const batch = await buildBatch({
    records: [{ timestamp: Date.now(), value: Buffer.from(value) }],
    ...(transactional === undefined
      ? {}
      : {
          isTransactional: true,
          producerId: transactional.producerId,
          producerEpoch: 0,
          baseSequence: transactional.baseSequence,
        }),
  })
  return options.produceVersion >= 3 ? batch : batchesToMessageSet(batch, 1)
}

export function produceFrame(
  client: CodecClient,
  options: { topic: TopicRef; version: number; records: Buffer; acks: number; transactionalId?: string },
): { frame: Buffer; correlationId: number } {
  const correlationId = client.takeCorrelationId()
  const body: RequestOf<0> = {
    ...produceRequestBody(options.topic.name, 0, options.records, { acks: options.acks }),
    transactionalId: options.transactionalId ?? null,
  }
  return { frame: encodeRequest(ApiKey.Produce, options.version, correlationId, body), correlationId }
}

export interface FetchShape {
  topic: TopicRef
  version: number
  offset: number
  isolationLevel?: 0 | 1
  minBytes?: number
  session?: { id: number; epoch: number }
}

export function fetchFrame(client: CodecClient, shape: FetchShape): { frame: Buffer; correlationId: number } {
  const correlationId = client.takeCorrelationId()
  const body: RequestOf<1> = {
    ...fetchRequestBody(shape.topic.name, 0, BigInt(shape.offset), {
      maxWaitMs,
      minBytes: shape.minBytes ?? 1,
      topicId: shape.topic.topicId,
    }),
    isolationLevel: shape.isolationLevel ?? 0,
    sessionId: shape.session?.id ?? 0,
    sessionEpoch: shape.session?.epoch ?? -1,
  }
  return { frame: encodeRequest(ApiKey.Fetch, shape.version, correlationId, body), correlationId }
}

/** The Produce answer: no error, the record at `offset`. */
export async function expectProduced(
  client: CodecClient,
  version: number,
  correlationId: number,
  offset: number,
): Promise<void> {
  const produced = await client.awaitResponse(ApiKey.Produce, version, correlationId, answerMsMax)
  const partition = produced.responses[0].partitionResponses[0]
  assert.deepEqual([partition.errorCode, partition.baseOffset], [ErrorCode.NONE, BigInt(offset)])
}

/** The Fetch answer's single partition (no errors), and how long after `startedMs` it came. */
export async function fetchAnswer(
  client: CodecClient,
  version: number,
  correlationId: number,
  startedMs: number,
): Promise<{ partition: ResponseOf<1>['responses'][number]['partitions'][number]; elapsedMs: number }> {
  const response = await client.awaitResponse(ApiKey.Fetch, version, correlationId, answerMsMax)
  const elapsedMs = performance.now() - startedMs
  assert.equal(response.errorCode, ErrorCode.NONE)
  assert.equal(response.responses.length, 1)
  assert.equal(response.responses[0].partitions.length, 1)
  const partition = response.responses[0].partitions[0]
  assert.equal(partition.errorCode, ErrorCode.NONE)
  return { partition, elapsedMs }
}

/** [offset, value] of every data record a Fetch returned (control batches skipped). */
export async function fetchedRecords(
  records: Buffer | null,
  fetchVersion: number,
): Promise<[number, string][]> {
  if (records === null) return []
  if (fetchVersion < 4) {
    const entries = await decodeMessageSet(records)
    assert.ok(entries.every((entry) => entry.magic === (fetchVersion >= 2 ? 1 : 0)))
    return entries.flatMap((entry) => entry.records.map(valueAt))
  }
  const batches = await decodeBatches(records)
  return batches.filter((batch) => !batch.header.isControl).flatMap((batch) => batch.records.map(valueAt))
}

function valueAt(record: { offset: number; value: Buffer | null }): [number, string] {
  return [record.offset, record.value?.toString() ?? '<null>']
}
