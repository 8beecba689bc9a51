// Goal: consumer groups survive a restart (Kafka's ConsumerGroup* records in __consumer_offsets,
// replayed), follow topic changes (new partitions, topics matching a regex), keep their id apart
// from classic groups with Kafka's errors, validate commits and fetches by member epoch, and appear
// in ListGroups / DescribeGroups / DeleteGroups / ConsumerGroupDescribe as Kafka shows them.
// Method: GroupCoordinator over an in-memory log with a test clock (consumer-testing.ts); restart =
// a new coordinator replaying the same log. Exact states, epochs and error codes are asserted.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { ErrorCode } from '../../protocol/generated/index.ts'
import { ClassicGroup } from './classic-group.ts'
import { describeConsumerGroups } from './consumer-admin.ts'
import { accepted, ConsumerGroupHarness, testGroupId } from './consumer-testing.ts'
import { deleteGroup, describeGroup, listGroups } from './group-admin.ts'
import { commitOffsets, fetchOffsets } from './offset-operations.ts'

test('a restart replays epochs, members, targets and current assignments', async () => {
  const harness = await ConsumerGroupHarness.start({ foo: 4 })
  await harness.join('m1', ['foo'], { instanceId: 'instance-1', serverAssignor: 'range' })
  await harness.join('m2', ['foo'])
  await harness.beat('m1', 1) // revoking 2, 3
  const before = harness.group()
  const snapshot = JSON.stringify(
    [
      before.groupEpoch,
      before.assignmentEpoch,
      [...before.members],
      [...before.targetAssignment],
      [...before.subscriptionMetadata],
    ],
    (_, value) => (value instanceof Map ? [...value] : value),
  )
  await harness.restart()
  const after = harness.group()
  assert.equal(
    JSON.stringify(
      [
        after.groupEpoch,
        after.assignmentEpoch,
        [...after.members],
        [...after.targetAssignment],
        [...after.subscriptionMetadata],
      ],
      (_, value) => (value instanceof Map ? [...value] : value),
    ),
    snapshot,
  )
  assert.deepEqual([after.staticMembers.get('instance-1'), after.state()], ['m1', 'Reconciling'])
  // The reconciliation goes on where it stopped.
  assert.deepEqual(accepted(harness, await harness.beat('m1', 1, { foo: [0, 1] })), {
    memberEpoch: 2,
    assignment: null,
  })
  assert.deepEqual(accepted(harness, await harness.beat('m2', 2)), {
    memberEpoch: 2,
    assignment: { foo: [2, 3] },
  })
})

test('new partitions and new topics matching a regex update the target assignment', async () => {
  const harness = await ConsumerGroupHarness.start({ 'orders-eu': 2, other: 1 })
  const joined = await harness.join('m1', [], {
    subscribedTopicNames: null,
    subscribedTopicRegex: 'orders-.*',
  })
  assert.deepEqual(accepted(harness, joined), { memberEpoch: 1, assignment: { 'orders-eu': [0, 1] } })
  await harness.logs.addPartitions('orders-eu', 3)
  assert.deepEqual(accepted(harness, await harness.beat('m1', 1)), {
    memberEpoch: 2,
    assignment: { 'orders-eu': [0, 1, 2] },
  })
  await harness.logs.createTopic('orders-us', { partitionCount: 1 })
  assert.deepEqual(accepted(harness, await harness.beat('m1', 2)), {
    memberEpoch: 3,
    assignment: { 'orders-eu': [0, 1, 2], 'orders-us': [0] },
  })
  assert.deepEqual([...harness.group().subscriptionMetadata.keys()], ['orders-eu', 'orders-us'])
})

test('classic and consumer groups never share an id', async () => {
  const harness = await ConsumerGroupHarness.start({ foo: 1 })
  const classic = new ClassicGroup('classic-busy', harness.nowMs)
  classic.members.set('c1', {
    memberId: 'c1',
    groupInstanceId: null,
    clientId: 'c',
    clientHost: '/h',
    sessionTimeoutMs: 10_000,
    rebalanceTimeoutMs: 10_000,
    protocolType: 'consumer',
    protocols: [],
    assignment: Buffer.alloc(0),
    awaitingJoin: null,
    awaitingSync: null,
    sessionDeadlineMs: harness.nowMs + 10_000,
  })
  harness.coordinator.groups.set('classic-busy', classic)
  // A classic group whose members do not use the consumer embedded protocol (protocol type
  // "consumer") is not upgraded (group-migration.ts): the heartbeat is refused as in Kafka.
  const refused = await harness.join('m1', ['foo'], { groupId: 'classic-busy' })
  assert.deepEqual(
    [refused.errorCode, refused.errorMessage],
    [ErrorCode.GROUP_ID_NOT_FOUND, 'Group classic-busy is not a consumer group.'],
  )
  // An empty classic group gives way to the consumer group.
  harness.coordinator.groups.set('classic-idle', new ClassicGroup('classic-idle', harness.nowMs))
  assert.equal(
    (
      await harness.send({
        groupId: 'classic-idle',
        memberId: 'm1',
        memberEpoch: 0,
        rebalanceTimeoutMs: 1,
        subscribedTopicNames: ['foo'],
        topicPartitions: [],
      })
    ).errorCode,
    0,
  )
  assert.deepEqual(
    [harness.coordinator.groups.has('classic-idle'), harness.consumer.has('classic-idle')],
    [false, true],
  )
  // JoinGroup to a consumer group with members joins it as a classic member (group-migration.test.ts):
  // a new dynamic member first gets its id.
  const join = await harness.coordinator.joinGroup({
    groupId: 'classic-idle',
    memberId: '',
    groupInstanceId: null,
    sessionTimeoutMs: 10_000,
    rebalanceTimeoutMs: 10_000,
    protocolType: 'consumer',
    protocols: [{ name: 'range', metadata: Buffer.alloc(0) }],
    clientId: 'c',
    clientHost: '/h',
    requireKnownMemberId: true,
    skipAssignmentSupported: true,
  })
  assert.equal(join.errorCode, ErrorCode.MEMBER_ID_REQUIRED)
  // DescribeGroups (classic) reports it Dead; ConsumerGroupDescribe refuses the classic one.
  assert.equal(describeGroup(harness.coordinator, 'classic-idle').groupState, 'Dead')
  const [described] = describeConsumerGroups(harness.consumer, harness.coordinator, ['classic-busy'], 0)
  assert.deepEqual(
    [described.errorCode, described.errorMessage],
    [ErrorCode.GROUP_ID_NOT_FOUND, 'Group classic-busy is not a consumer group.'],
  )
})

test('offset commits and fetches are checked against the member epoch', async () => {
  const harness = await ConsumerGroupHarness.start({ foo: 1 })
  await harness.join('m1', ['foo'])
  const commit = (memberId: string, generationId: number, apiVersion = 9) =>
    commitOffsets(harness.coordinator, {
      groupId: testGroupId,
      memberId,
      generationId,
      groupInstanceId: null,
      partitions: [{ topic: 'foo', partition: 0, offset: 7, leaderEpoch: -1, metadata: 'm' }],
      apiVersion,
    })
  assert.deepEqual(await commit('m1', 1), [ErrorCode.NONE])
  // A KIP-848 member must commit with OffsetCommit v9+ (its epoch rides in the generation field).
  assert.deepEqual(await commit('m1', 1, 8), [ErrorCode.UNSUPPORTED_VERSION])
  assert.deepEqual(await commit('m1', 0), [ErrorCode.STALE_MEMBER_EPOCH])
  assert.deepEqual(await commit('nobody', 1), [ErrorCode.UNKNOWN_MEMBER_ID])
  assert.deepEqual(await commit('', -1), [ErrorCode.UNKNOWN_MEMBER_ID]) // the group has members
  const fetch = (member: { memberId: string | null; memberEpoch: number } | null) =>
    fetchOffsets(harness.coordinator, testGroupId, [{ topic: 'foo', partitions: [0] }], member)
  assert.deepEqual(
    fetch({ memberId: 'm1', memberEpoch: 1 }).partitions.map((entry) => entry.offset),
    [7],
  )
  assert.equal(fetch({ memberId: 'm1', memberEpoch: 5 }).errorCode, ErrorCode.STALE_MEMBER_EPOCH)
  assert.equal(fetch({ memberId: 'nobody', memberEpoch: 1 }).errorCode, ErrorCode.UNKNOWN_MEMBER_ID)
  assert.equal(fetch({ memberId: null, memberEpoch: -1 }).errorCode, ErrorCode.NONE)
})

test('admin: ListGroups type consumer, ConsumerGroupDescribe, DeleteGroups only when empty', async () => {
  const harness = await ConsumerGroupHarness.start({ foo: 2 })
  await harness.join('m1', ['foo'], { serverAssignor: 'range' })
  assert.deepEqual(listGroups(harness.coordinator), [
    { groupId: testGroupId, protocolType: 'consumer', groupState: 'Stable', groupType: 'consumer' },
  ])
  const [described] = describeConsumerGroups(
    harness.consumer,
    harness.coordinator,
    [testGroupId],
    -2147483648,
  )
  const fooId = harness.topicId('foo')
  assert.deepEqual(described, {
    errorCode: 0,
    errorMessage: null,
    groupId: testGroupId,
    groupState: 'Stable',
    groupEpoch: 1,
    assignmentEpoch: 1,
    assignorName: 'range',
    authorizedOperations: -2147483648,
    members: [
      {
        memberId: 'm1',
        instanceId: null,
        rackId: null,
        memberEpoch: 1,
        clientId: 'client-1',
        clientHost: '/127.0.0.1',
        subscribedTopicNames: ['foo'],
        subscribedTopicRegex: null,
        assignment: { topicPartitions: [{ topicId: fooId, topicName: 'foo', partitions: [0, 1] }] },
        targetAssignment: { topicPartitions: [{ topicId: fooId, topicName: 'foo', partitions: [0, 1] }] },
        memberType: 1, // consumer (ConsumerGroupDescribe v1)
      },
    ],
  })
  assert.equal(await deleteGroup(harness.coordinator, testGroupId), ErrorCode.NON_EMPTY_GROUP)
  await harness.beat('m1', -1)
  assert.equal(harness.group().state(), 'Empty')
  assert.equal(await deleteGroup(harness.coordinator, testGroupId), ErrorCode.NONE)
  assert.equal(harness.consumer.has(testGroupId), false)
  await harness.restart()
  assert.deepEqual([harness.consumer.has(testGroupId), listGroups(harness.coordinator)], [false, []])
})
