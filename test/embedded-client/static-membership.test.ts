// Goal: static membership (KIP-345, `groupInstanceId`) for in-process consumers: close() does not leave
// the group, a consumer restarted with the same instance id gets the same partitions back in the same
// generation (no rebalance) under the same member id slot, and a second consumer taking the instance
// id over fences the first (FENCED_INSTANCE_ID 82 from its iterator).
// Method: one embedded broker (in memory); in-process consumers; group state read with the in-process
// admin (DescribeGroups through the handler).

import assert from 'node:assert/strict'
import { after, before, it } from 'node:test'
import { type Streamline, startStreamline } from '../../src/embedded/index.ts'
import { KafkaError } from '../../src/errors.ts'

let streamline: Streamline

before(async () => {
  streamline = await startStreamline({ groups: { initialRebalanceDelayMs: 0 } })
  await streamline.admin().createTopics([{ name: 'static-topic', partitions: 2 }])
})

after(async () => {
  await streamline.close()
})

const partitionsOf = (list: { partition: number }[]) => list.map((entry) => entry.partition).sort()

it('a restarted static member takes its partitions back without a rebalance; a duplicate fences it', {
  timeout: 60_000,
}, async () => {
  const admin = streamline.admin()
  const options = {
    groupId: 'static',
    groupInstanceId: 'worker-1',
    autoCommit: false,
    heartbeatIntervalMs: 100,
  }
  const first = streamline.consumer(options)
  await first.subscribe('static-topic')
  assert.deepEqual(partitionsOf(first.assignment()), [0, 1])
  const { generationId } = first.groupMetadata()
  await first.close()

  // Still a member after close: the group did not rebalance.
  const kept = await admin.describeGroup('static')
  assert.equal(kept.state, 'Stable')
  assert.equal(kept.members.length, 1)

  const restarted = streamline.consumer(options)
  await restarted.subscribe('static-topic')
  assert.deepEqual(partitionsOf(restarted.assignment()), [0, 1])
  assert.equal(restarted.groupMetadata().generationId, generationId)
  const after = await admin.describeGroup('static')
  assert.equal(after.members.length, 1)
  assert.deepEqual(partitionsOf(after.members[0].assignment), [0, 1])

  // Another consumer with the same instance id takes over; the restarted one is fenced.
  const duplicate = streamline.consumer(options)
  await duplicate.subscribe('static-topic')
  assert.deepEqual(partitionsOf(duplicate.assignment()), [0, 1])
  await assert.rejects(
    async () => {
      for await (const _record of restarted) assert.fail('no records were produced')
    },
    (error: unknown) => {
      assert.ok(error instanceof KafkaError)
      assert.equal(error.errorCode, 82) // FENCED_INSTANCE_ID
      return true
    },
  )
  await restarted.close().catch(() => undefined)
  await duplicate.close()
})
