// Goal: KIP-848 membership over time follows Kafka: static members (instance id) leave temporarily
// with epoch -2 and rejoin under a new member id with their partitions and no rebalance; a second
// instance with the same id is refused; sessions and revocations that time out fence the member;
// the group size is bounded.
// Method: GroupCoordinator over an in-memory log with a test clock (consumer-testing.ts);
// `advance(ms)` moves the clock and runs the coordinator's deadline checks.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { ErrorCode } from '../../protocol/generated/index.ts'
import { MemberState } from './consumer-group.ts'
import { accepted, ConsumerGroupHarness } from './consumer-testing.ts'

test('a static member rejoins after a temporary leave with its partitions and no rebalance', async () => {
  const harness = await ConsumerGroupHarness.start({ foo: 4 })
  await harness.join('s1', ['foo'], { instanceId: 'instance-1' })
  await harness.join('m2', ['foo'])
  await harness.beat('s1', 1) // told to revoke 2, 3
  await harness.beat('s1', 1, { foo: [0, 1] })
  accepted(harness, await harness.beat('m2', 2))
  assert.deepEqual([harness.group().groupEpoch, harness.group().state()], [2, 'Stable'])

  const leave = await harness.beat('s1', -2, null, { instanceId: 'instance-1' })
  assert.deepEqual([leave.errorCode, leave.memberId, leave.memberEpoch], [0, 's1', -2])
  // Its partitions stay reserved: the others get nothing more, the group epoch does not move.
  assert.deepEqual(accepted(harness, await harness.beat('m2', 2)), { memberEpoch: 2, assignment: null })
  assert.equal(harness.group().groupEpoch, 2)

  const rejoin = await harness.join('s1-new', ['foo'], { instanceId: 'instance-1' })
  assert.deepEqual(accepted(harness, rejoin), { memberEpoch: 2, assignment: { foo: [0, 1] } })
  assert.deepEqual(
    [harness.group().groupEpoch, [...harness.group().members.keys()].sort()],
    [2, ['m2', 's1-new']],
  )
  // The old incarnation is fenced by the new one.
  const stale = await harness.beat('s1', 2, null, { instanceId: 'instance-1' })
  assert.deepEqual(
    [stale.errorCode, stale.errorMessage],
    [
      ErrorCode.FENCED_INSTANCE_ID,
      'Static member s1 with instance id instance-1 was fenced by member s1-new.',
    ],
  )
})

test('an instance id in use is refused with UNRELEASED_INSTANCE_ID; leaving with -1 frees it', async () => {
  const harness = await ConsumerGroupHarness.start({ foo: 2 })
  await harness.join('s1', ['foo'], { instanceId: 'instance-1' })
  const second = await harness.join('s2', ['foo'], { instanceId: 'instance-1' })
  assert.deepEqual(
    [second.errorCode, second.errorMessage],
    [
      ErrorCode.UNRELEASED_INSTANCE_ID,
      'Static member s2 with instance id instance-1 cannot join the group because the instance id is owned by s1 member.',
    ],
  )
  const unknown = await harness.beat('s9', 1, null, { instanceId: 'instance-9' })
  assert.deepEqual(
    [unknown.errorCode, unknown.errorMessage],
    [ErrorCode.UNKNOWN_MEMBER_ID, 'Instance id instance-9 is unknown.'],
  )
  assert.equal((await harness.beat('s1', -1, null, { instanceId: 'instance-1' })).errorCode, ErrorCode.NONE)
  assert.deepEqual([harness.group().members.size, harness.group().groupEpoch], [0, 2])
  assert.deepEqual(accepted(harness, await harness.join('s2', ['foo'], { instanceId: 'instance-1' })), {
    memberEpoch: 3,
    assignment: { foo: [0, 1] },
  })
})

test('a member that stops heartbeating is fenced after the session timeout', async () => {
  const harness = await ConsumerGroupHarness.start({ foo: 2 }, { sessionTimeoutMs: 45_000 })
  await harness.join('m1', ['foo'])
  await harness.join('m2', ['foo'])
  await harness.advance(30_000)
  await harness.beat('m2', 2) // m2 stays alive; m1 has 15 s left
  await harness.advance(15_000)
  assert.deepEqual([...harness.group().members.keys()], ['m2'])
  assert.equal(harness.group().groupEpoch, 3)
  assert.equal((await harness.beat('m1', 1)).errorCode, ErrorCode.UNKNOWN_MEMBER_ID)
  assert.deepEqual(accepted(harness, await harness.beat('m2', 2)), {
    memberEpoch: 3,
    assignment: { foo: [0, 1] },
  })
})

test('a static member that left temporarily is removed when its session ends', async () => {
  const harness = await ConsumerGroupHarness.start({ foo: 2 }, { sessionTimeoutMs: 10_000 })
  await harness.join('s1', ['foo'], { instanceId: 'instance-1' })
  await harness.beat('s1', -2, null, { instanceId: 'instance-1' })
  await harness.advance(10_000)
  assert.deepEqual(
    [harness.group().members.size, harness.group().staticMembers.size, harness.group().state()],
    [0, 0, 'Empty'],
  )
})

test('a member that does not revoke within its rebalance timeout is fenced', async () => {
  const harness = await ConsumerGroupHarness.start({ foo: 2 })
  await harness.join('m1', ['foo'], { rebalanceTimeoutMs: 20_000 })
  await harness.join('m2', ['foo'])
  await harness.beat('m1', 1) // told to revoke partition 1
  assert.equal(harness.group().members.get('m1')?.state, MemberState.UnrevokedPartitions)
  await harness.advance(10_000)
  await harness.beat('m1', 1, { foo: [0, 1] }) // alive, but still holding partition 1
  await harness.beat('m2', 2)
  await harness.advance(10_000)
  assert.deepEqual([...harness.group().members.keys()], ['m2'])
  assert.deepEqual(accepted(harness, await harness.beat('m2', 2)), {
    memberEpoch: 3,
    assignment: { foo: [0, 1] },
  })
})

test('a full group refuses new members with GROUP_MAX_SIZE_REACHED', async () => {
  const harness = await ConsumerGroupHarness.start({ foo: 2 }, { maxSize: 1 })
  await harness.join('m1', ['foo'])
  const refused = await harness.join('m2', ['foo'])
  assert.deepEqual(
    [refused.errorCode, refused.errorMessage],
    [ErrorCode.GROUP_MAX_SIZE_REACHED, 'The consumer group has reached its maximum capacity of 1 members.'],
  )
  assert.equal((await harness.beat('m1', 1)).errorCode, ErrorCode.NONE)
})
