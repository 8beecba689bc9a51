// Goal: ConsumerGroupHeartbeat follows Kafka's KIP-848 rules for joining, reconciling and leaving:
// member and group epochs, the uniform target assignment, revoke-before-assign between members,
// when the assignment is sent, and Kafka's error codes and messages for invalid requests.
// Method: a GroupCoordinator over an in-memory log with a test clock (consumer-testing.ts); each
// test sends heartbeats as a client would and asserts the exact responses and group state.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { ErrorCode } from '../../protocol/generated/index.ts'
import { accepted, ConsumerGroupHarness } from './consumer-testing.ts'

test('the first member gets every partition at group epoch 1', async () => {
  const harness = await ConsumerGroupHarness.start({ foo: 6 })
  const outcome = await harness.join('m1', ['foo'])
  assert.deepEqual(accepted(harness, outcome), { memberEpoch: 1, assignment: { foo: [0, 1, 2, 3, 4, 5] } })
  assert.equal(outcome.memberId, 'm1')
  assert.equal(outcome.heartbeatIntervalMs, 5_000)
  const group = harness.group()
  assert.deepEqual([group.groupEpoch, group.assignmentEpoch, group.state()], [1, 1, 'Stable'])
  // A heartbeat with nothing new carries no assignment.
  assert.deepEqual(accepted(harness, await harness.beat('m1', 1)), { memberEpoch: 1, assignment: null })
})

test('a second member gets partitions only after the first acknowledged their revocation', async () => {
  const harness = await ConsumerGroupHarness.start({ foo: 6 })
  await harness.join('m1', ['foo'])
  // m2 joins: group epoch 2, its target (3, 4, 5) is still owned by m1, so it gets nothing yet.
  assert.deepEqual(accepted(harness, await harness.join('m2', ['foo'])), { memberEpoch: 2, assignment: {} })
  assert.equal(harness.group().state(), 'Reconciling')
  // m1 is told to keep 0-2 and stays at epoch 1 until it revokes 3-5.
  assert.deepEqual(accepted(harness, await harness.beat('m1', 1)), {
    memberEpoch: 1,
    assignment: { foo: [0, 1, 2] },
  })
  // Still listing 3-5: no progress for either member.
  assert.deepEqual(accepted(harness, await harness.beat('m1', 1, { foo: [0, 1, 2, 3, 4, 5] })), {
    memberEpoch: 1,
    assignment: null,
  })
  assert.deepEqual(accepted(harness, await harness.beat('m2', 2)), { memberEpoch: 2, assignment: null })
  // m1 acknowledges: epoch 2; the partitions are free and m2 gets them on its next heartbeat.
  assert.deepEqual(accepted(harness, await harness.beat('m1', 1, { foo: [0, 1, 2] })), {
    memberEpoch: 2,
    assignment: null,
  })
  assert.deepEqual(accepted(harness, await harness.beat('m2', 2)), {
    memberEpoch: 2,
    assignment: { foo: [3, 4, 5] },
  })
  assert.equal(harness.group().state(), 'Stable')
})

test('three members share six partitions two each, and the survivors take over a leaver', async () => {
  const harness = await ConsumerGroupHarness.start({ foo: 6 })
  await harness.join('m1', ['foo'])
  await harness.join('m2', ['foo'])
  await harness.join('m3', ['foo'])
  await harness.beat('m1', 1) // revoke to 0, 1
  await harness.beat('m1', 1, { foo: [0, 1] })
  // m2 joined at epoch 2 (target 3-5, all still m1's); at epoch 3 the uniform assignor keeps the
  // first two of each member's previous target (sticky) and gives m3 the rest.
  assert.deepEqual(accepted(harness, await harness.beat('m2', 2)), {
    memberEpoch: 3,
    assignment: { foo: [3, 4] },
  })
  assert.deepEqual(accepted(harness, await harness.beat('m3', 3)), {
    memberEpoch: 3,
    assignment: { foo: [2, 5] },
  })
  assert.equal(harness.group().state(), 'Stable')

  const leave = await harness.beat('m3', -1)
  assert.deepEqual(
    [leave.errorCode, leave.memberId, leave.memberEpoch, leave.assignment],
    [0, 'm3', -1, null],
  )
  assert.equal(harness.group().groupEpoch, 4)
  const m1 = accepted(harness, await harness.beat('m1', 3))
  const m2 = accepted(harness, await harness.beat('m2', 3))
  assert.deepEqual(
    [m1, m2],
    [
      { memberEpoch: 4, assignment: { foo: [0, 1, 2] } },
      { memberEpoch: 4, assignment: { foo: [3, 4, 5] } },
    ],
  )
  assert.equal(harness.group().state(), 'Stable')
})

test('member epochs: newer is fenced, the previous one is accepted with a subset, unknown ids are refused', async () => {
  const harness = await ConsumerGroupHarness.start({ foo: 2 })
  await harness.join('m1', ['foo'])
  const ahead = await harness.beat('m1', 2)
  assert.equal(ahead.errorCode, ErrorCode.FENCED_MEMBER_EPOCH)
  assert.equal(
    ahead.errorMessage,
    'The consumer group member has a greater member epoch (2) than the one known by the group coordinator (1). The member must abandon all its partitions and rejoin.',
  )
  // m2 joins (group epoch 2); m1 revokes partition 1 and moves to epoch 2 (previous epoch 1).
  await harness.join('m2', ['foo'])
  await harness.beat('m1', 1)
  assert.deepEqual(accepted(harness, await harness.beat('m1', 1, { foo: [0] })), {
    memberEpoch: 2,
    assignment: null,
  })
  // The epoch-2 answer got lost: m1 retries with its previous epoch, owning a subset: accepted.
  assert.deepEqual(accepted(harness, await harness.beat('m1', 1, { foo: [0] })), {
    memberEpoch: 2,
    assignment: null,
  })
  // With partitions beyond its assignment, or an older epoch, it is fenced.
  assert.equal((await harness.beat('m1', 1, { foo: [0, 1] })).errorCode, ErrorCode.FENCED_MEMBER_EPOCH)
  const behind = await harness.beat('m2', 1)
  assert.deepEqual(
    [behind.errorCode, behind.errorMessage],
    [
      ErrorCode.FENCED_MEMBER_EPOCH,
      'The consumer group member has a smaller member epoch (1) than the one known by the group coordinator (2). The member must abandon all its partitions and rejoin.',
    ],
  )
  const unknown = await harness.beat('nobody', 1)
  assert.deepEqual(
    [unknown.errorCode, unknown.errorMessage],
    [ErrorCode.UNKNOWN_MEMBER_ID, 'Member nobody is not a member of group group-a.'],
  )
  assert.equal((await harness.beat('nobody', -1)).errorCode, ErrorCode.UNKNOWN_MEMBER_ID)
  const noGroup = await harness.send({ groupId: 'other', memberId: 'm1', memberEpoch: 3 })
  assert.deepEqual(
    [noGroup.errorCode, noGroup.errorMessage],
    [ErrorCode.GROUP_ID_NOT_FOUND, 'Consumer group other not found.'],
  )
})

test('a member rejoining with its own id and epoch 0 gets its assignment back', async () => {
  const harness = await ConsumerGroupHarness.start({ foo: 2 })
  await harness.join('m1', ['foo'])
  assert.deepEqual(accepted(harness, await harness.join('m1', ['foo'])), {
    memberEpoch: 1,
    assignment: { foo: [0, 1] },
  })
  assert.equal(harness.group().groupEpoch, 1)
})

test('v0 members without an id get one; v1 members must bring theirs', async () => {
  const harness = await ConsumerGroupHarness.start({ foo: 1 })
  const v0 = await harness.send(
    { memberEpoch: 0, rebalanceTimeoutMs: 1000, subscribedTopicNames: ['foo'], topicPartitions: [] },
    0,
  )
  assert.equal(v0.errorCode, ErrorCode.NONE)
  assert.match(v0.memberId ?? '', /^[A-Za-z0-9_-]{22}$/)
  const v1 = await harness.send(
    { memberEpoch: 0, rebalanceTimeoutMs: 1000, subscribedTopicNames: ['foo'], topicPartitions: [] },
    1,
  )
  assert.deepEqual([v1.errorCode, v1.errorMessage], [ErrorCode.INVALID_REQUEST, "MemberId can't be empty."])
})

test('malformed heartbeats get INVALID_REQUEST with Kafka messages, unknown assignors UNSUPPORTED_ASSIGNOR', async () => {
  const harness = await ConsumerGroupHarness.start({ foo: 1 })
  const join = {
    memberId: 'm1',
    memberEpoch: 0,
    rebalanceTimeoutMs: 1000,
    subscribedTopicNames: ['foo'],
    topicPartitions: [],
  }
  const cases: [Parameters<ConsumerGroupHarness['send']>[0], number, string][] = [
    [{ ...join, groupId: ' ' }, ErrorCode.INVALID_REQUEST, "GroupId can't be empty."],
    [{ ...join, instanceId: '' }, ErrorCode.INVALID_REQUEST, "InstanceId can't be empty."],
    [{ ...join, rackId: '' }, ErrorCode.INVALID_REQUEST, "RackId can't be empty."],
    [
      { ...join, rebalanceTimeoutMs: -1 },
      ErrorCode.INVALID_REQUEST,
      'RebalanceTimeoutMs must be provided in first request.',
    ],
    [
      { ...join, topicPartitions: null },
      ErrorCode.INVALID_REQUEST,
      'TopicPartitions must be empty when (re-)joining.',
    ],
    [
      { ...join, subscribedTopicNames: null },
      ErrorCode.INVALID_REQUEST,
      'Either SubscribedTopicNames or SubscribedTopicRegex must be non-null when (re-)joining.',
    ],
    [{ memberId: 'm1', memberEpoch: -2 }, ErrorCode.INVALID_REQUEST, "InstanceId can't be null."],
    [{ memberId: 'm1', memberEpoch: -3 }, ErrorCode.INVALID_REQUEST, 'MemberEpoch is invalid.'],
    [
      { ...join, serverAssignor: 'sticky' },
      ErrorCode.UNSUPPORTED_ASSIGNOR,
      'ServerAssignor sticky is not supported. Supported assignors: uniform, range.',
    ],
    [
      { ...join, subscribedTopicNames: null, subscribedTopicRegex: 'foo(' },
      ErrorCode.INVALID_REGULAR_EXPRESSION,
      'SubscribedTopicRegex `foo(` is not a valid regular expression: Invalid regular expression: /^(?:foo()$/u: Unterminated group.',
    ],
  ]
  for (const [input, errorCode, errorMessage] of cases) {
    const outcome = await harness.send(input)
    assert.deepEqual(
      [outcome.errorCode, outcome.errorMessage, outcome.memberId],
      [errorCode, errorMessage, null],
    )
  }
  // Nothing was created by the refused requests.
  assert.equal(harness.consumer.groups.size, 0)
})
