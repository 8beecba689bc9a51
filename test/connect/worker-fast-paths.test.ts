// Goal: the worker's per-record fast paths keep Kafka Connect's semantics. ErrorHandler.run answers a
// synchronous value without a promise, and a throw or a rejected promise goes through the same
// retries and tolerance as execute() (the operation is called exactly as often, and the task-error-metrics
// count failures, retries, errors and skips as Kafka's ErrorHandlingMetrics); the sink's Fetch
// decoder (raw-fetch.ts) reads whole batches, leaves a cut batch at the end for the next fetch, and
// answers CORRUPT_MESSAGE for a bad CRC, an impossible length or an old message format, exactly.
// Method: the real ErrorHandler with a silent logger; batches built by the broker's own encoder, then
// damaged byte by byte. No broker needed (the flows are covered by worker-alone and the SIGKILL tests).
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { ErrorHandler, skipped } from '../../src/connect/runtime/error-handling.ts'
import { TaskErrorMetrics } from '../../src/connect/runtime/task-error-metrics.ts'
import { RetriableException } from '../../src/connect/sdk/connector.ts'
import { FetchedRecords } from '../../src/connect/storage/fetched-records.ts'
import { batchStarts } from '../../src/connect/storage/raw-fetch.ts'
import { createLogger } from '../../src/log.ts'
import { buildBatch } from '../../src/protocol/records/batch-v2.ts'
import { CorruptRecordError } from '../../src/protocol/records/errors.ts'

function handler(toleranceAll: boolean, metrics = new TaskErrorMetrics()): ErrorHandler {
  return new ErrorHandler(
    {
      toleranceAll,
      retryTimeoutMs: 5_000,
      retryDelayMaxMs: 1,
      logEnable: false,
      logIncludeMessages: false,
      dlqTopic: '',
      dlqContextHeaders: false,
    },
    { connector: 'fast-paths', task: 0 },
    null,
    createLogger('silent'),
    () => false,
    metrics,
  )
}

const context = { stage: 'VALUE_CONVERTER', className: 'Test' } as const

describe('ErrorHandler.run', () => {
  test('a synchronous answer comes back as is, without a promise', () => {
    assert.equal(
      handler(false).run(context, () => 42),
      42,
    )
  })

  test('a synchronous RetriableException is retried: called once per attempt', async () => {
    let calls = 0
    const metrics = new TaskErrorMetrics()
    const answer = handler(false, metrics).run(context, () => {
      calls++
      if (calls < 3) throw new RetriableException('not yet')
      return 'third'
    })
    assert.ok(answer instanceof Promise)
    assert.equal(await answer, 'third')
    assert.equal(calls, 3)
    // Kafka's counts: two failed attempts, both retried, no error (the operation succeeded).
    assert.deepEqual(
      [metrics.recordFailures, metrics.retries, metrics.recordErrors, metrics.lastErrorTimestamp],
      [2, 2, 0, 0],
    )
  })

  test('a rejected first attempt is not called again when the error is not retriable', async () => {
    let calls = 0
    const metrics = new TaskErrorMetrics()
    const errors = handler(true, metrics)
    const answer = await errors.run(context, async () => {
      calls++
      throw new Error('bad record')
    })
    assert.equal(answer, skipped)
    assert.equal(calls, 1)
    assert.deepEqual(
      [metrics.recordFailures, metrics.retries, metrics.recordErrors, metrics.recordsSkipped],
      [1, 0, 1, 1],
    )
  })

  test('without tolerance a synchronous failure fails the task with it as the cause', async () => {
    const failure = new Error('bad record')
    const metrics = new TaskErrorMetrics()
    const before = Date.now()
    await assert.rejects(
      Promise.resolve(
        handler(false, metrics).run(context, () => {
          throw failure
        }),
      ),
      (error: Error) => error.message === 'Tolerance exceeded in error handler' && error.cause === failure,
    )
    assert.deepEqual([metrics.recordFailures, metrics.recordErrors, metrics.recordsSkipped], [1, 1, 0])
    assert.ok(metrics.lastErrorTimestamp >= before && metrics.lastErrorTimestamp <= Date.now())
  })
})

async function twoBatches(): Promise<Buffer> {
  const first = await buildBatch({
    records: [
      { timestamp: 1_000, key: null, value: Buffer.from('a') },
      {
        timestamp: 1_001,
        key: Buffer.from('k'),
        value: Buffer.from('b'),
        headers: [{ key: 'h', value: null }],
      },
    ],
  })
  const second = await buildBatch({ baseOffset: 2, records: [{ timestamp: 1_002, value: Buffer.from('c') }] })
  return Buffer.concat([first, second])
}

/** Every record of a partition's fetched bytes from `from` on, taken `max` at a time; and the final position. */
async function takeAll(
  records: Buffer,
  from: number,
  max: number,
): Promise<{ taken: unknown[][]; polls: number; position: number }> {
  const position = { offset: from }
  const fetched = new FetchedRecords([
    { topic: 't', partition: 0, position, records, batchStarts: batchStarts(records) },
  ])
  const taken: unknown[][] = []
  let polls = 0
  while (!fetched.exhausted) {
    polls++
    for (const message of await fetched.take(max))
      taken.push([
        message.offset,
        message.timestamp,
        message.key?.toString() ?? null,
        message.value?.toString(),
        message.headers.map(([key, value]) => [key, value?.toString() ?? null]),
      ])
  }
  return { taken, polls, position: position.offset }
}

describe('FetchedRecords (the sink consumer Fetch decoder, records decoded as they are taken)', () => {
  test('whole batches give their records; a cut batch at the end waits for the next fetch', async () => {
    const bytes = await twoBatches()
    const whole = await takeAll(bytes, 0, 500)
    assert.deepEqual(whole.taken, [
      [0, 1_000, null, 'a', []],
      [1, 1_001, 'k', 'b', [['h', null]]],
      [2, 1_002, null, 'c', []],
    ])
    assert.equal(whole.position, 3)
    const cut = await takeAll(bytes.subarray(0, bytes.length - 5), 0, 500)
    assert.deepEqual(
      cut.taken.map((record) => record[0]),
      [0, 1],
    )
    assert.equal(cut.position, 2)
  })

  test('records before the position are left out; one at a time moves the position past each', async () => {
    const bytes = await twoBatches()
    const after = await takeAll(bytes, 1, 1)
    assert.deepEqual(
      after.taken.map((record) => record[0]),
      [1, 2],
    )
    assert.equal(after.position, 3)
    assert.equal(after.polls, 2)
  })

  test('a damaged CRC is CORRUPT_MESSAGE with reason crc when the reader reaches the batch', async () => {
    const bytes = await twoBatches()
    const damaged = Buffer.from(bytes)
    damaged[damaged.length - 1] ^= 0xff // inside the second batch's records
    const position = { offset: 0 }
    const fetched = new FetchedRecords([
      { topic: 't', partition: 0, position, records: damaged, batchStarts: batchStarts(damaged) },
    ])
    assert.equal((await fetched.take(2)).length, 2)
    await assert.rejects(
      fetched.take(2),
      (error: unknown) =>
        error instanceof CorruptRecordError && error.reason === 'crc' && error.errorCode === 2,
    )
    assert.equal(position.offset, 2)
  })

  test('an impossible batch length and an old message format are CORRUPT_MESSAGE', async () => {
    const bytes = await twoBatches()
    const badLength = Buffer.from(bytes)
    badLength.writeInt32BE(3, 8)
    assert.throws(
      () => batchStarts(badLength),
      (error: unknown) => error instanceof CorruptRecordError && error.reason === 'length',
    )
    const oldFormat = Buffer.from(bytes)
    oldFormat[16] = 1 // magic v1
    assert.throws(
      () => batchStarts(oldFormat),
      (error: unknown) => error instanceof CorruptRecordError && error.reason === 'magic',
    )
  })
})
