// Goal: the worker's per-record fast paths keep Kafka Connect's semantics. ErrorHandler.run answers a
// synchronous value without a promise, and a throw or a rejected promise goes through the same
// retries and tolerance as execute() (the operation is called exactly as often); the sink's Fetch
// decoder (raw-fetch.ts) reads whole batches, leaves a cut batch at the end for the next fetch, and
// answers CORRUPT_MESSAGE for a bad CRC, an impossible length or an old message format, exactly.
// Method: the real ErrorHandler with a silent logger; batches built by the broker's own encoder, then
// damaged byte by byte. No broker needed (the flows are covered by worker-alone and the SIGKILL tests).
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { ErrorHandler, skipped } from '../../src/connect/runtime/error-handling.ts'
import { RetriableException } from '../../src/connect/sdk/connector.ts'
import { decodeFetched } from '../../src/connect/storage/raw-fetch.ts'
import { createLogger } from '../../src/log.ts'
import { buildBatch } from '../../src/protocol/records/batch-v2.ts'
import { CorruptRecordError } from '../../src/protocol/records/errors.ts'

function handler(toleranceAll: boolean): ErrorHandler {
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
    const answer = handler(false).run(context, () => {
      calls++
      if (calls < 3) throw new RetriableException('not yet')
      return 'third'
    })
    assert.ok(answer instanceof Promise)
    assert.equal(await answer, 'third')
    assert.equal(calls, 3)
  })

  test('a rejected first attempt is not called again when the error is not retriable', async () => {
    let calls = 0
    const errors = handler(true)
    const answer = await errors.run(context, async () => {
      calls++
      throw new Error('bad record')
    })
    assert.equal(answer, skipped)
    assert.equal(calls, 1)
    assert.equal(errors.totalSkipped, 1)
  })

  test('without tolerance a synchronous failure fails the task with it as the cause', async () => {
    const failure = new Error('bad record')
    await assert.rejects(
      Promise.resolve(
        handler(false).run(context, () => {
          throw failure
        }),
      ),
      (error: Error) => error.message === 'Tolerance exceeded in error handler' && error.cause === failure,
    )
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

describe('decodeFetched (the sink consumer Fetch decoder)', () => {
  test('whole batches decode to their records; a cut batch at the end waits for the next fetch', async () => {
    const bytes = await twoBatches()
    const whole = await decodeFetched(bytes)
    assert.deepEqual(
      whole.flatMap((batch) =>
        batch.records.map((record) => [
          record.offset,
          record.timestamp,
          record.key?.toString() ?? null,
          record.value?.toString(),
          record.headers,
        ]),
      ),
      [
        [0, 1_000, null, 'a', []],
        [1, 1_001, 'k', 'b', [{ key: 'h', value: null }]],
        [2, 1_002, null, 'c', []],
      ],
    )
    const cut = await decodeFetched(bytes.subarray(0, bytes.length - 5))
    assert.equal(cut.length, 1)
    assert.equal(cut[0].records.length, 2)
  })

  test('a damaged CRC is CORRUPT_MESSAGE with reason crc', async () => {
    const bytes = await twoBatches()
    const damaged = Buffer.from(bytes)
    damaged[damaged.length - 1] ^= 0xff // inside the second batch's records
    await assert.rejects(
      decodeFetched(damaged),
      (error: unknown) =>
        error instanceof CorruptRecordError && error.reason === 'crc' && error.errorCode === 2,
    )
  })

  test('an impossible batch length and an old message format are CORRUPT_MESSAGE', async () => {
    const bytes = await twoBatches()
    const badLength = Buffer.from(bytes)
    badLength.writeInt32BE(3, 8)
    await assert.rejects(
      decodeFetched(badLength),
      (error: unknown) => error instanceof CorruptRecordError && error.reason === 'length',
    )
    const oldFormat = Buffer.from(bytes)
    oldFormat[16] = 1 // magic v1
    await assert.rejects(
      decodeFetched(oldFormat),
      (error: unknown) => error instanceof CorruptRecordError && error.reason === 'magic',
    )
  })
})
