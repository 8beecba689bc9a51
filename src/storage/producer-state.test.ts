// Goal: producer state forgets producers silent for producer.id.expiration.ms, but never one with
// an open transaction, so it cannot grow without bound.
// Method: the ProducerStateManager alone, with explicit timestamps.

import assert from 'node:assert/strict'
import { it } from 'node:test'
import { ProducerStateManager } from './producer-state.ts'

it('expires silent producers except those with an open transaction', () => {
  const state = new ProducerStateManager()
  const batch = (producerId: bigint, maxTimestamp: number) => ({
    producerId,
    producerEpoch: 0,
    baseSequence: 0,
    lastOffsetDelta: 0,
    maxTimestamp,
  })
  state.record(batch(1n, 1_000), 0, 0)
  state.record(batch(2n, 1_000), 1, 1)
  state.record(batch(3n, 90_000), 2, 2)
  state.expire(100_000, 50_000, (producerId) => producerId === 2n)
  assert.deepEqual([...state.entries.keys()], [2n, 3n])
})
