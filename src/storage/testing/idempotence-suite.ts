// The idempotent-producer part of the storage contract, run against every engine.
// Goal: a resent batch is stored once and answered with its original offsets; gaps, stale epochs
// get Kafka's error codes and nothing is appended; unknown producers are accepted at any sequence.
// Method: batches with producer id/epoch/sequence built by protocol/records, appended through the
// public PartitionLog interface; exact offsets, error codes and log contents are asserted.

import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { ErrorCode } from '../../protocol/generated/error-codes.ts'
import { buildBatch } from '../../protocol/records/batch-v2.ts'
import type { LogManager, PartitionLog } from '../types.ts'
import { ManualClock } from './batches.ts'
import { type EngineUnderTest, readAll, rejectsWithCode } from './behaviour-suite.ts'

export function producerBatch(options: {
  producerId: bigint
  epoch: number
  sequence: number
  values: string[]
}): Promise<Buffer> {
  return buildBatch({
    producerId: options.producerId,
    producerEpoch: options.epoch,
    baseSequence: options.sequence,
    records: options.values.map((value) => ({ timestamp: 1_000, value: Buffer.from(value) })),
  })
}

export function describeIdempotentProducers(engine: EngineUnderTest): void {
  describe(`idempotent producers: ${engine.name}`, () => {
    let manager: LogManager
    let cleanup: () => Promise<void>
    let topicNumber = 0
    before(async () => {
      ;({ manager, cleanup } = await engine.open({ clock: new ManualClock() }))
    })
    after(async () => {
      await manager.close()
      await cleanup()
    })
    async function freshLog(): Promise<PartitionLog> {
      const name = `idempotent-${topicNumber++}`
      await manager.createTopic(name, { partitionCount: 1 })
      const log = manager.partition(name, 0)
      assert.ok(log)
      return log
    }

    test('a resent batch is answered with its original offsets and stored once', async () => {
      const log = await freshLog()
      const first = await log.append(
        await producerBatch({ producerId: 7n, epoch: 0, sequence: 0, values: ['a', 'b'] }),
        { durable: true },
      )
      const second = await log.append(
        await producerBatch({ producerId: 7n, epoch: 0, sequence: 2, values: ['c'] }),
        { durable: false },
      )
      const resent = await log.append(
        await producerBatch({ producerId: 7n, epoch: 0, sequence: 0, values: ['a', 'b'] }),
        { durable: true },
      )
      assert.deepEqual([first.baseOffset, first.lastOffset, second.baseOffset], [0, 1, 2])
      assert.deepEqual([resent.baseOffset, resent.lastOffset], [0, 1])
      assert.equal(log.logEndOffset, 3)
      assert.deepEqual(await readAll(log), ['0:a', '1:b', '2:c'])
    })

    test('a sequence gap is OUT_OF_ORDER_SEQUENCE_NUMBER and nothing is appended', async () => {
      const log = await freshLog()
      await log.append(await producerBatch({ producerId: 8n, epoch: 0, sequence: 0, values: ['a'] }), {
        durable: false,
      })
      await rejectsWithCode(
        log.append(await producerBatch({ producerId: 8n, epoch: 0, sequence: 5, values: ['x'] }), {
          durable: false,
        }),
        ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER,
      )
      assert.equal(log.logEndOffset, 1)
      // The producer continues in sequence afterwards.
      assert.equal(
        (
          await log.append(await producerBatch({ producerId: 8n, epoch: 0, sequence: 1, values: ['b'] }), {
            durable: false,
          })
        ).baseOffset,
        1,
      )
    })

    test('an older epoch is INVALID_PRODUCER_EPOCH; a new epoch restarts at sequence 0', async () => {
      const log = await freshLog()
      await log.append(await producerBatch({ producerId: 9n, epoch: 3, sequence: 0, values: ['a'] }), {
        durable: false,
      })
      await rejectsWithCode(
        log.append(await producerBatch({ producerId: 9n, epoch: 2, sequence: 1, values: ['x'] }), {
          durable: false,
        }),
        ErrorCode.INVALID_PRODUCER_EPOCH,
      )
      await rejectsWithCode(
        log.append(await producerBatch({ producerId: 9n, epoch: 4, sequence: 1, values: ['x'] }), {
          durable: false,
        }),
        ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER,
      )
      assert.equal(
        (
          await log.append(await producerBatch({ producerId: 9n, epoch: 4, sequence: 0, values: ['b'] }), {
            durable: false,
          })
        ).baseOffset,
        1,
      )
    })

    test('an unknown producer is accepted at any sequence and checked from there (Kafka 2.5+)', async () => {
      const log = await freshLog()
      const first = await log.append(
        await producerBatch({ producerId: 10n, epoch: 0, sequence: 42, values: ['x'] }),
        { durable: false },
      )
      assert.equal(first.baseOffset, 0)
      await rejectsWithCode(
        log.append(await producerBatch({ producerId: 10n, epoch: 0, sequence: 44, values: ['y'] }), {
          durable: false,
        }),
        ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER,
      )
      assert.equal(
        (
          await log.append(await producerBatch({ producerId: 10n, epoch: 0, sequence: 43, values: ['y'] }), {
            durable: false,
          })
        ).baseOffset,
        1,
      )
    })

    test('only the last five batches are kept for duplicate detection', async () => {
      const log = await freshLog()
      for (let sequence = 0; sequence < 6; sequence++) {
        await log.append(
          await producerBatch({ producerId: 11n, epoch: 0, sequence, values: [`v${sequence}`] }),
          { durable: false },
        )
      }
      const fifthLast = await log.append(
        await producerBatch({ producerId: 11n, epoch: 0, sequence: 1, values: ['v1'] }),
        { durable: false },
      )
      assert.equal(fifthLast.baseOffset, 1)
      await rejectsWithCode(
        log.append(await producerBatch({ producerId: 11n, epoch: 0, sequence: 0, values: ['v0'] }), {
          durable: false,
        }),
        ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER,
      )
    })
  })
}
