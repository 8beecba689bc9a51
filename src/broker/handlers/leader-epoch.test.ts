// Goal: the leader-epoch helpers answer like Kafka's Partition.checkCurrentLeaderEpoch and
// LeaderEpochFileCache.epochForOffset, including offsets before the first recorded epoch.
// Method: an in-memory log (the real memory engine) gets batches appended at chosen leader epochs;
// the helpers are asked about each offset and epoch, and the answers compared exactly.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { ErrorCode } from '../../protocol/generated/index.ts'
import { buildBatch } from '../../protocol/records/batch-v2.ts'
import { createMemoryLogManager } from '../../storage/memory/memory-log-manager.ts'
import type { PartitionLog } from '../../storage/types.ts'
import { checkCurrentLeaderEpoch, currentLeaderEpoch, epochForOffset } from './leader-epoch.ts'

/** A partition whose batches (one record each) were written at `epochs` in order; -1: no epoch. */
async function logWithEpochs(epochs: number[]): Promise<PartitionLog> {
  const logs = createMemoryLogManager({ maintenanceIntervalMs: 0 })
  await logs.createTopic('t', { partitionCount: 1 })
  const log = logs.partition('t', 0)!
  for (const leaderEpoch of epochs) {
    const batch = await buildBatch({ records: [{ timestamp: 1, value: null }] })
    await log.append(batch, leaderEpoch < 0 ? { durable: false } : { durable: false, leaderEpoch })
  }
  return log
}

test('an empty epoch cache: epoch 0 is current, no offset has an epoch', async () => {
  const log = await logWithEpochs([])
  assert.equal(currentLeaderEpoch(log), 0)
  assert.equal(epochForOffset(log, 0), -1)
  assert.equal(checkCurrentLeaderEpoch(-1, log), ErrorCode.NONE)
  assert.equal(checkCurrentLeaderEpoch(0, log), ErrorCode.NONE)
  assert.equal(checkCurrentLeaderEpoch(1, log), ErrorCode.UNKNOWN_LEADER_EPOCH)
})

test('offsets map to the epoch they were written in', async () => {
  const log = await logWithEpochs([0, 0, 3, 3, 7])
  assert.deepEqual(
    [0, 1, 2, 3, 4, 5].map((offset) => epochForOffset(log, offset)),
    [0, 0, 3, 3, 7, 7],
  )
  assert.equal(currentLeaderEpoch(log), 7)
  assert.equal(checkCurrentLeaderEpoch(3, log), ErrorCode.FENCED_LEADER_EPOCH)
  assert.equal(checkCurrentLeaderEpoch(7, log), ErrorCode.NONE)
  assert.equal(checkCurrentLeaderEpoch(8, log), ErrorCode.UNKNOWN_LEADER_EPOCH)
})

test('offsets written before the first recorded epoch (above 0) have none', async () => {
  const log = await logWithEpochs([-1, -1, 2, 5])
  assert.deepEqual(
    [0, 1, 2, 3].map((offset) => epochForOffset(log, offset)),
    [-1, -1, 2, 5],
  )
})
