// Goal: online migration between the group protocols as Kafka 3.9/4.0 do it: a classic group with
// members upgrades when a KIP-848 member joins (classic members keep their partitions and epochs,
// then rejoin through JoinGroup/SyncGroup answered from the consumer group's assignment, told by
// Heartbeat's REBALANCE_IN_PROGRESS); it downgrades to a classic group when the last KIP-848 member
// leaves; group.consumer.migration.policy restricts either direction; the state survives a restart.
// Method: GroupCoordinator over an in-memory log with a test clock (consumer-testing.ts); the classic
// side through the coordinator's JoinGroup/SyncGroup/Heartbeat/LeaveGroup calls with real
// ConsumerProtocol bytes; restart = a new coordinator replaying the same log. Exact codes,
// generations and partitions are asserted.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { setImmediate } from 'node:timers/promises'
import { encodeConsumerProtocolSubscriptionV0 } from '../../protocol/generated/consumer-protocol-subscription.ts'
import { ErrorCode } from '../../protocol/generated/index.ts'
import type { JoinGroupResponse } from '../../protocol/generated/join-group-response.ts'
import { Writer } from '../../protocol/writer.ts'
import type { JoinRequest } from './classic-join.ts'
import { decodeClassicAssignment, encodeClassicAssignment } from './classic-protocol-codec.ts'
import { accepted, ConsumerGroupHarness, testGroupId } from './consumer-testing.ts'
import { describeGroup, listGroups } from './group-admin.ts'
import type { ConsumerGroupMigrationPolicy } from './group-migration.ts'

function subscription(topics: string[]): Buffer {
  const writer = new Writer().writeInt16(0)
  encodeConsumerProtocolSubscriptionV0(writer, {
    topics,
    userData: null,
    ownedPartitions: [],
    generationId: -1,
    rackId: null,
  })
  return writer.toBuffer()
}

function joinRequest(memberId: string, topics = ['foo']): JoinRequest {
  return {
    groupId: testGroupId,
    memberId,
    groupInstanceId: null,
    sessionTimeoutMs: 10_000,
    rebalanceTimeoutMs: 20_000,
    protocolType: 'consumer',
    protocols: [{ name: 'range', metadata: subscription(topics) }],
    clientId: `client-${memberId}`,
    clientHost: '/127.0.0.1',
    requireKnownMemberId: false,
    skipAssignmentSupported: true,
  }
}

/** A classic group of two members, `a` holding foo 0,1 and `b` foo 2,3, Stable at generation 1. */
async function classicGroupOfTwo(policy: ConsumerGroupMigrationPolicy = 'bidirectional') {
  const harness = await ConsumerGroupHarness.start({ foo: 4 }, { migrationPolicy: policy })
  const joins = [
    harness.coordinator.joinGroup(joinRequest('')),
    harness.coordinator.joinGroup(joinRequest('')),
  ]
  await setImmediate() // both joins reach the group
  await harness.advance(3_001) // group.initial.rebalance.delay.ms
  const answers: JoinGroupResponse[] = await Promise.all(joins)
  const leader = answers.find((answer) => answer.leader === answer.memberId)
  assert.ok(leader !== undefined)
  const [a, b] = [leader.memberId, answers.find((answer) => answer !== leader)?.memberId ?? '']
  const assignments = [
    { memberId: a, assignment: encodeClassicAssignment([{ topic: 'foo', partitions: [0, 1] }]) },
    { memberId: b, assignment: encodeClassicAssignment([{ topic: 'foo', partitions: [2, 3] }]) },
  ]
  const sync = (memberId: string) =>
    harness.coordinator.syncGroup(testGroupId, {
      memberId,
      groupInstanceId: null,
      generationId: 1,
      protocolType: 'consumer',
      protocolName: 'range',
      assignments: memberId === a ? assignments : [],
    })
  await Promise.all([sync(a), sync(b)])
  assert.equal(harness.coordinator.stateOf(testGroupId), 'Stable')
  return { harness, a, b }
}

function classicHeartbeat(harness: ConsumerGroupHarness, memberId: string, generationId: number): number {
  return harness.coordinator.heartbeat(testGroupId, { memberId, groupInstanceId: null, generationId })
}

async function classicSync(harness: ConsumerGroupHarness, memberId: string, generationId: number) {
  const answer = await harness.coordinator.syncGroup(testGroupId, {
    memberId,
    groupInstanceId: null,
    generationId,
    protocolType: 'consumer',
    protocolName: 'range',
    assignments: [],
  })
  return { errorCode: answer.errorCode, partitions: decodeClassicAssignment(answer.assignment) }
}

test('a KIP-848 member upgrades a classic group; classic members rejoin from its assignment', async () => {
  const { harness, a, b } = await classicGroupOfTwo()
  const joined = accepted(harness, await harness.join('m1', ['foo']))
  // Everything is still owned by the classic members: m1 waits for partitions to be released.
  assert.deepEqual(joined, { memberEpoch: 2, assignment: {} })
  assert.equal(harness.coordinator.groups.has(testGroupId), false)
  const group = harness.group()
  assert.deepEqual([group.groupEpoch, group.members.size], [2, 3])
  assert.deepEqual(listGroups(harness.coordinator), [
    { groupId: testGroupId, protocolType: 'consumer', groupState: 'Reconciling', groupType: 'consumer' },
  ])
  // DescribeGroups (classic) no longer knows it; Kafka answers the same.
  assert.equal(describeGroup(harness.coordinator, testGroupId).groupState, 'Dead')

  // The classic members: generation 1 is their epoch; the group moved on, so they must rejoin.
  assert.equal(classicHeartbeat(harness, a, 1), ErrorCode.REBALANCE_IN_PROGRESS)
  assert.equal(classicHeartbeat(harness, a, 0), ErrorCode.ILLEGAL_GENERATION)
  assert.equal(classicHeartbeat(harness, 'nobody', 1), ErrorCode.UNKNOWN_MEMBER_ID)
  // The uniform assignor keeps targets sticky: each classic member keeps what it has in its target.
  const rejoinA = await harness.coordinator.joinGroup(joinRequest(a))
  assert.deepEqual(
    [rejoinA.errorCode, rejoinA.generationId, rejoinA.leader, rejoinA.protocolName, rejoinA.members],
    [ErrorCode.NONE, 2, '', 'range', []],
  )
  const syncA = await classicSync(harness, a, 2)
  assert.equal(syncA.errorCode, ErrorCode.NONE)
  assert.equal(classicHeartbeat(harness, a, 2), ErrorCode.NONE)
  const rejoinB = await harness.coordinator.joinGroup(joinRequest(b))
  assert.equal(rejoinB.generationId, 2)
  const syncB = await classicSync(harness, b, 2)
  // m1 now gets the two released partitions.
  const m1 = accepted(harness, await harness.beat('m1', 2))
  const held = [syncA, syncB].map((answer) => answer.partitions.flatMap((entry) => entry.partitions))
  // 4 partitions over 3 members: 2, 1, 1; every partition held by exactly one member.
  assert.deepEqual([...held, m1.assignment?.foo ?? []].map((list) => list.length).sort(), [1, 1, 2])
  assert.deepEqual([...held.flat(), ...(m1.assignment?.foo ?? [])].sort(), [0, 1, 2, 3])
  assert.equal(harness.group().state(), 'Stable')
  // A classic member commits with its generation (= member epoch); a stale one is ILLEGAL_GENERATION.
  assert.equal(harness.consumer.validateOffsetCommit(testGroupId, a, 2, 2), ErrorCode.NONE)
  assert.equal(harness.consumer.validateOffsetCommit(testGroupId, a, 1, 2), ErrorCode.ILLEGAL_GENERATION)

  // The mixed group survives a restart, classic members with their protocols and session timeouts.
  await harness.restart()
  const restored = harness.group()
  assert.deepEqual(
    [...restored.members.values()]
      .map((member) => [member.memberId, member.classic?.sessionTimeoutMs ?? null])
      .sort(),
    [
      [a, 10_000],
      [b, 10_000],
      ['m1', null],
    ].sort(),
  )
  assert.equal(classicHeartbeat(harness, a, 2), ErrorCode.NONE)

  // The last KIP-848 member leaves: the group becomes classic again and rebalances.
  const left = await harness.send({ memberId: 'm1', memberEpoch: -1 })
  assert.equal(left.errorCode, ErrorCode.NONE)
  assert.equal(harness.consumer.has(testGroupId), false)
  assert.equal(harness.coordinator.stateOf(testGroupId), 'PreparingRebalance')
  assert.deepEqual(listGroups(harness.coordinator), [
    {
      groupId: testGroupId,
      protocolType: 'consumer',
      groupState: 'PreparingRebalance',
      groupType: 'classic',
    },
  ])
  const generation = harness.coordinator.groups.get(testGroupId)?.generationId ?? -1
  assert.equal(classicHeartbeat(harness, a, generation), ErrorCode.REBALANCE_IN_PROGRESS)
  const joins = [harness.coordinator.joinGroup(joinRequest(a)), harness.coordinator.joinGroup(joinRequest(b))]
  const answers = await Promise.all(joins)
  assert.deepEqual(
    answers.map((answer) => [answer.errorCode, answer.generationId]),
    [
      [ErrorCode.NONE, generation + 1],
      [ErrorCode.NONE, generation + 1],
    ],
  )
  // And it is still classic after a restart.
  await harness.restart()
  assert.deepEqual(
    [harness.consumer.has(testGroupId), harness.coordinator.groups.get(testGroupId)?.members.size],
    [false, 2],
  )
})

test('group.consumer.migration.policy refuses the directions it does not allow', async () => {
  for (const policy of ['downgrade', 'disabled'] as const) {
    const { harness } = await classicGroupOfTwo(policy)
    const refused = await harness.join('m1', ['foo'])
    assert.deepEqual(
      [refused.errorCode, refused.errorMessage],
      [ErrorCode.GROUP_ID_NOT_FOUND, `Group ${testGroupId} is not a consumer group.`],
    )
    assert.equal(harness.coordinator.stateOf(testGroupId), 'Stable')
  }
  // Upgrade only: the group stays a consumer group when only classic members are left.
  const { harness, a } = await classicGroupOfTwo('upgrade')
  accepted(harness, await harness.join('m1', ['foo']))
  assert.equal((await harness.send({ memberId: 'm1', memberEpoch: -1 })).errorCode, ErrorCode.NONE)
  assert.deepEqual([harness.consumer.has(testGroupId), harness.group().members.size], [true, 2])
  assert.equal(classicHeartbeat(harness, a, 1), ErrorCode.REBALANCE_IN_PROGRESS)
})

test('a classic member leaving or timing out of a consumer group; malformed metadata refused', async () => {
  const { harness, a, b } = await classicGroupOfTwo()
  accepted(harness, await harness.join('m1', ['foo']))
  assert.equal(await harness.coordinator.leaveGroup(testGroupId, { memberId: a, groupInstanceId: null }), 0)
  assert.equal(
    await harness.coordinator.leaveGroup(testGroupId, { memberId: a, groupInstanceId: null }),
    ErrorCode.UNKNOWN_MEMBER_ID,
  )
  // b told to rejoin and never does: fenced after its rebalance timeout (20 s), not its session.
  assert.equal(classicHeartbeat(harness, b, 1), ErrorCode.REBALANCE_IN_PROGRESS)
  for (let elapsedMs = 0; elapsedMs < 20_000; elapsedMs += 5_000) {
    await harness.beat('m1', harness.group().members.get('m1')?.memberEpoch ?? 0)
    classicHeartbeat(harness, b, 1)
    await harness.advance(5_000)
  }
  await harness.advance(1)
  assert.deepEqual([...harness.group().members.keys()], ['m1'])
  // A JoinGroup whose subscription bytes are not ConsumerProtocol: INCONSISTENT_GROUP_PROTOCOL.
  const malformed = await harness.coordinator.joinGroup({
    ...joinRequest('x'),
    protocols: [{ name: 'range', metadata: Buffer.from([0, 0, 0xff]) }],
  })
  assert.equal(malformed.errorCode, ErrorCode.INCONSISTENT_GROUP_PROTOCOL)
  const otherType = await harness.coordinator.joinGroup({ ...joinRequest('x'), protocolType: 'connect' })
  assert.equal(otherType.errorCode, ErrorCode.INCONSISTENT_GROUP_PROTOCOL)
  assert.equal(harness.group().members.size, 1)
})

/** The classic group of two upgraded by the static KIP-848 member m1 (instance `i1`), every member
 * reconciled: a, b (classic) and m1 (consumer) each holding part of foo. */
async function mixedGroupWithStaticMember(policy: ConsumerGroupMigrationPolicy = 'bidirectional') {
  const { harness, a, b } = await classicGroupOfTwo(policy)
  accepted(harness, await harness.join('m1', ['foo'], { instanceId: 'i1' }))
  for (const memberId of [a, b]) {
    assert.equal((await harness.coordinator.joinGroup(joinRequest(memberId))).errorCode, ErrorCode.NONE)
    assert.equal((await classicSync(harness, memberId, 2)).errorCode, ErrorCode.NONE)
  }
  const m1 = accepted(harness, await harness.beat('m1', 2))
  assert.equal(harness.group().state(), 'Stable')
  return { harness, a, b, m1Partitions: m1.assignment?.foo ?? [] }
}

test('a static classic member replacing the last static KIP-848 member downgrades the group in its JoinGroup', async () => {
  const { harness, a, b, m1Partitions } = await mixedGroupWithStaticMember()
  assert.equal(m1Partitions.length, 1)
  // m1's process stops (a static member's temporary leave keeps its place and partitions)...
  assert.equal((await harness.send({ memberId: 'm1', memberEpoch: -2, instanceId: 'i1' })).errorCode, 0)
  assert.equal(harness.consumer.has(testGroupId), true)
  // ...and comes back as a classic consumer with the same instance id: the group is classic again at
  // once, Stable (no rebalance), the joining member in m1's place with m1's partitions.
  const joined = await harness.coordinator.joinGroup({ ...joinRequest(''), groupInstanceId: 'i1' })
  assert.deepEqual(
    [joined.errorCode, joined.generationId, joined.leader, joined.protocolType, joined.protocolName],
    [ErrorCode.NONE, 2, '', 'consumer', 'range'],
  )
  assert.notEqual(joined.memberId, 'm1')
  assert.equal(harness.consumer.has(testGroupId), false)
  assert.equal(harness.coordinator.stateOf(testGroupId), 'Stable')
  const classic = harness.coordinator.groups.get(testGroupId)
  assert.deepEqual(
    [classic?.generationId, [...(classic?.members.keys() ?? [])].sort(), classic?.staticMembers.get('i1')],
    [2, [a, b, joined.memberId].sort(), joined.memberId],
  )
  const synced = await classicSync(harness, joined.memberId, 2)
  assert.deepEqual(synced, {
    errorCode: ErrorCode.NONE,
    partitions: [{ topic: 'foo', partitions: m1Partitions }],
  })
  // The other members carry on at the same generation: nothing to rejoin.
  assert.deepEqual(
    [classicHeartbeat(harness, a, 2), classicHeartbeat(harness, b, 2)],
    [ErrorCode.NONE, ErrorCode.NONE],
  )
  assert.deepEqual(listGroups(harness.coordinator), [
    { groupId: testGroupId, protocolType: 'consumer', groupState: 'Stable', groupType: 'classic' },
  ])
  // One write: after a restart the group is the same classic group.
  await harness.restart()
  const restored = harness.coordinator.groups.get(testGroupId)
  assert.deepEqual(
    [harness.consumer.has(testGroupId), restored?.generationId, restored?.staticMembers.get('i1')],
    [false, 2, joined.memberId],
  )
  assert.equal(restored?.members.size, 3)
})

test('a static classic replacement does not downgrade when the policy forbids it or a KIP-848 member stays', async () => {
  // Upgrade-only policy: the replacing member joins the consumer group as a classic member.
  const upgradeOnly = await mixedGroupWithStaticMember('upgrade')
  const joined = await upgradeOnly.harness.coordinator.joinGroup({
    ...joinRequest(''),
    groupInstanceId: 'i1',
  })
  assert.equal(joined.errorCode, ErrorCode.NONE)
  const group = upgradeOnly.harness.group()
  assert.deepEqual(
    [group.members.has('m1'), group.members.get(joined.memberId)?.classic === null, group.members.size],
    [false, false, 3],
  )
  // Another KIP-848 member in the group: still a consumer group after the replacement.
  const { harness } = await mixedGroupWithStaticMember()
  accepted(harness, await harness.join('m2', ['foo']))
  const replaced = await harness.coordinator.joinGroup({ ...joinRequest(''), groupInstanceId: 'i1' })
  assert.equal(replaced.errorCode, ErrorCode.NONE)
  assert.deepEqual([harness.consumer.has(testGroupId), harness.group().members.size], [true, 4])
})
