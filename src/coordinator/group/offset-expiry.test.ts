// Goal: committed offsets of a group left empty for offsets.retention.minutes are deleted, with
// tombstones in __consumer_offsets so a restart does not bring them back; younger ones stay.
// Method: a coordinator over an in-memory log with a hand-moved clock; simple commits (generation
// -1); tick() runs the expiry; a second coordinator replays the same log.

import assert from 'node:assert/strict'
import { it } from 'node:test'
import { createLogger } from '../../log.ts'
import { createMemoryLogManager } from '../../storage/memory/memory-log-manager.ts'
import { GroupCoordinator } from './group-coordinator.ts'
import { commitOffsets, fetchOffsets } from './offset-operations.ts'

const retentionMs = 60_000

function coordinatorOver(logs: ReturnType<typeof createMemoryLogManager>, clock: { nowMs: number }) {
  return new GroupCoordinator({
    logs,
    log: createLogger('silent'),
    now: () => clock.nowMs,
    config: {
      offsetsRetentionMs: retentionMs,
      offsetsRetentionCheckIntervalMs: 0,
      tickIntervalMs: 1_000_000,
    },
  })
}

async function until(condition: () => boolean): Promise<void> {
  for (let attempt = 0; attempt < 200 && !condition(); attempt++)
    await new Promise((resolve) => setTimeout(resolve, 5))
}

it('expires offsets of long-empty groups with tombstones, keeps recent ones', async () => {
  const logs = createMemoryLogManager()
  await logs.createTopic('orders', { partitionCount: 1 })
  const clock = { nowMs: 1_000_000 }
  const coordinator = coordinatorOver(logs, clock)
  await coordinator.start()
  const commit = (groupId: string) =>
    commitOffsets(coordinator, {
      groupId,
      generationId: -1,
      memberId: '',
      groupInstanceId: null,
      partitions: [{ topic: 'orders', partition: 0, offset: 42, leaderEpoch: -1, metadata: 'm' }],
    })
  assert.deepEqual(await commit('old-group'), [0])
  clock.nowMs += retentionMs / 2
  assert.deepEqual(await commit('recent-group'), [0])
  clock.nowMs += retentionMs / 2 + 1
  coordinator.tick()
  const offsetOf = (target: GroupCoordinator, groupId: string) =>
    fetchOffsets(target, groupId, [{ topic: 'orders', partitions: [0] }]).partitions[0].offset
  await until(() => offsetOf(coordinator, 'old-group') === -1)
  assert.equal(offsetOf(coordinator, 'old-group'), -1)
  assert.equal(offsetOf(coordinator, 'recent-group'), 42)
  coordinator.stop()

  const restarted = coordinatorOver(logs, clock)
  await restarted.start()
  assert.equal(offsetOf(restarted, 'old-group'), -1, 'the tombstone keeps it deleted after a restart')
  assert.equal(offsetOf(restarted, 'recent-group'), 42)
  restarted.stop()
})
