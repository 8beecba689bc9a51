// Goal: the classic group's error paths give Kafka's exact codes: INVALID_SESSION_TIMEOUT (26),
// MEMBER_ID_REQUIRED (79), UNKNOWN_MEMBER_ID (25), ILLEGAL_GENERATION (22), REBALANCE_IN_PROGRESS
// (27), INCONSISTENT_GROUP_PROTOCOL (23) and FENCED_INSTANCE_ID (82), for JoinGroup, SyncGroup,
// Heartbeat, LeaveGroup and OffsetCommit.
// Method: no client exposes these codes, so the requests are built with our generated codecs
// (test/helpers/kafka-codec-client.ts) on raw sockets, one connection per member (a pending
// JoinGroup holds its connection's later responses back, as Kafka's in-order rule requires); the
// broker runs as a process. Versions: JoinGroup v9 (v5, librdkafka's, where said), SyncGroup v5,
// Heartbeat v4, LeaveGroup v5, OffsetCommit v8. Each test uses its own group; a first join waits out
// `group.initial.rebalance.delay.ms` (3 s).
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { ApiKey, ErrorCode } from '../../../src/protocol/generated/index.ts'
import type { JoinGroupResponse } from '../../../src/protocol/generated/join-group-response.ts'
import { type BrokerProcess, startBrokerProcess } from '../../helpers/broker-process.ts'
import { CodecClient } from '../../helpers/kafka-codec-client.ts'
import { createTopic } from './group-members.ts'

const topic = 'raw-errors'
const rangeMetadata = Buffer.from([0, 1, 0, 0, 0, 1, 0, 10, ...Buffer.from(topic), 0, 0, 0, 0])
const assignmentBytes = Buffer.from([
  0,
  1,
  0,
  0,
  0,
  1,
  0,
  10,
  ...Buffer.from(topic),
  0,
  0,
  0,
  1,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
])

let broker: BrokerProcess
const clients: CodecClient[] = []
before(async () => {
  broker = await startBrokerProcess()
  await createTopic(broker.bootstrap, topic, 1)
})
after(async () => {
  for (const client of clients) client.close()
  await broker.stop()
})

async function connect(): Promise<CodecClient> {
  const client = await CodecClient.open(broker.host, broker.port)
  clients.push(client)
  return client
}

interface JoinOptions {
  group: string
  memberId?: string
  groupInstanceId?: string | null
  sessionTimeoutMs?: number
  protocolType?: string
  protocols?: string[]
  version?: number
}

function join(client: CodecClient, options: JoinOptions): Promise<JoinGroupResponse> {
  return client.request(
    ApiKey.JoinGroup,
    options.version ?? 9,
    {
      groupId: options.group,
      sessionTimeoutMs: options.sessionTimeoutMs ?? 10_000,
      rebalanceTimeoutMs: 10_000,
      memberId: options.memberId ?? '',
      groupInstanceId: options.groupInstanceId ?? null,
      protocolType: options.protocolType ?? 'consumer',
      protocols: (options.protocols ?? ['range']).map((name) => ({ name, metadata: rangeMetadata })),
      reason: null,
    },
    30_000,
  )
}

/** A dynamic member through the KIP-394 handshake: MEMBER_ID_REQUIRED, then the join proper. */
async function joinDynamic(client: CodecClient, group: string): Promise<JoinGroupResponse> {
  const first = await join(client, { group })
  assert.equal(first.errorCode, ErrorCode.MEMBER_ID_REQUIRED)
  assert.notEqual(first.memberId, '')
  return join(client, { group, memberId: first.memberId })
}

function sync(
  client: CodecClient,
  group: string,
  generationId: number,
  memberId: string,
  extra: {
    groupInstanceId?: string | null
    protocolType?: string
    protocolName?: string
    leader?: boolean
  } = {},
) {
  return client.request(ApiKey.SyncGroup, 5, {
    groupId: group,
    generationId,
    memberId,
    groupInstanceId: extra.groupInstanceId ?? null,
    protocolType: extra.protocolType ?? 'consumer',
    protocolName: extra.protocolName ?? 'range',
    assignments: extra.leader ? [{ memberId, assignment: assignmentBytes }] : [],
  })
}

async function heartbeat(
  client: CodecClient,
  group: string,
  generationId: number,
  memberId: string,
  groupInstanceId: string | null = null,
): Promise<number> {
  const response = await client.request(ApiKey.Heartbeat, 4, {
    groupId: group,
    generationId,
    memberId,
    groupInstanceId,
  })
  return response.errorCode
}

async function commit(
  client: CodecClient,
  group: string,
  generationId: number,
  memberId: string,
  groupInstanceId: string | null = null,
): Promise<number> {
  const response = await client.request(ApiKey.OffsetCommit, 8, {
    groupId: group,
    generationIdOrMemberEpoch: generationId,
    memberId,
    groupInstanceId,
    retentionTimeMs: -1n,
    topics: [
      {
        name: topic,
        partitions: [
          {
            partitionIndex: 0,
            committedOffset: 0n,
            committedLeaderEpoch: -1,
            commitTimestamp: -1n,
            committedMetadata: '',
          },
        ],
      },
    ],
  })
  return response.topics[0].partitions[0].errorCode
}

/** One stable member (leader, generation 1, synced). */
async function stableMember(group: string): Promise<{ client: CodecClient; memberId: string }> {
  const client = await connect()
  const joined = await joinDynamic(client, group)
  assert.equal(joined.errorCode, ErrorCode.NONE)
  assert.equal(joined.generationId, 1)
  assert.equal(joined.leader, joined.memberId)
  const synced = await sync(client, group, 1, joined.memberId, { leader: true })
  assert.equal(synced.errorCode, ErrorCode.NONE)
  assert.deepEqual(synced.assignment, assignmentBytes)
  return { client, memberId: joined.memberId }
}

test('INVALID_SESSION_TIMEOUT below group.min.session.timeout.ms and above the maximum', async () => {
  const client = await connect()
  for (const [version, sessionTimeoutMs] of [
    [9, 5_999],
    [9, 1_800_001],
    [5, 5_999],
    [0, 1_000],
  ]) {
    const response = await join(client, { group: 'session-timeouts', sessionTimeoutMs, version })
    assert.deepEqual(
      [response.errorCode, response.generationId, response.memberId],
      [ErrorCode.INVALID_SESSION_TIMEOUT, -1, ''],
      `JoinGroup v${version} with session timeout ${sessionTimeoutMs}`,
    )
  }
})

test('UNKNOWN_MEMBER_ID, ILLEGAL_GENERATION and INCONSISTENT_GROUP_PROTOCOL against a stable member', async () => {
  const group = 'member-checks'
  const { client, memberId } = await stableMember(group)
  const other = await connect()
  assert.equal(await heartbeat(client, group, 1, memberId), ErrorCode.NONE)
  assert.equal(await heartbeat(client, group, 2, memberId), ErrorCode.ILLEGAL_GENERATION)
  assert.equal(await heartbeat(client, group, 0, memberId), ErrorCode.ILLEGAL_GENERATION)
  assert.equal(await heartbeat(other, group, 1, 'nobody'), ErrorCode.UNKNOWN_MEMBER_ID)
  assert.equal((await sync(client, group, 2, memberId)).errorCode, ErrorCode.ILLEGAL_GENERATION)
  assert.equal((await sync(other, group, 1, 'nobody')).errorCode, ErrorCode.UNKNOWN_MEMBER_ID)
  assert.equal(
    (await sync(client, group, 1, memberId, { protocolType: 'connect' })).errorCode,
    ErrorCode.INCONSISTENT_GROUP_PROTOCOL,
  )
  assert.equal(
    (await sync(client, group, 1, memberId, { protocolName: 'roundrobin' })).errorCode,
    ErrorCode.INCONSISTENT_GROUP_PROTOCOL,
  )
  assert.equal((await join(other, { group, memberId: 'nobody' })).errorCode, ErrorCode.UNKNOWN_MEMBER_ID)
  assert.equal(
    (await join(other, { group, protocolType: 'connect' })).errorCode,
    ErrorCode.INCONSISTENT_GROUP_PROTOCOL,
    'a member with another protocol type',
  )
  assert.equal(
    (await join(other, { group, protocols: ['sticky-only'] })).errorCode,
    ErrorCode.INCONSISTENT_GROUP_PROTOCOL,
    'a member with no protocol in common',
  )
  assert.equal(await commit(client, group, 1, memberId), ErrorCode.NONE)
  assert.equal(await commit(client, group, 7, memberId), ErrorCode.ILLEGAL_GENERATION)
  assert.equal(await commit(other, group, 1, 'nobody'), ErrorCode.UNKNOWN_MEMBER_ID)
  assert.equal(
    await commit(other, group, -1, ''),
    ErrorCode.UNKNOWN_MEMBER_ID,
    'a simple commit to a non-empty group',
  )
  assert.equal(
    await heartbeat(client, group, 1, memberId),
    ErrorCode.NONE,
    'none of that disturbed the member',
  )

  const left = await client.request(ApiKey.LeaveGroup, 5, {
    groupId: group,
    memberId: '',
    members: [
      { memberId: 'nobody', groupInstanceId: null, reason: null },
      { memberId, groupInstanceId: null, reason: 'test' },
    ],
  })
  assert.equal(left.errorCode, ErrorCode.NONE)
  assert.deepEqual(
    left.members.map((member) => [member.memberId, member.errorCode]),
    [
      ['nobody', ErrorCode.UNKNOWN_MEMBER_ID],
      [memberId, ErrorCode.NONE],
    ],
  )
  assert.equal(await heartbeat(client, group, 1, memberId), ErrorCode.UNKNOWN_MEMBER_ID, 'after leaving')
})

test('the last member leaving empties the group at once: Empty, and a simple commit is accepted', async () => {
  // Kafka completes the join phase as soon as every remaining member (none) has joined, so the group
  // is Empty in the LeaveGroup's own step, and a commit with generation -1 (kafkajs setOffsets,
  // librdkafka AlterConsumerGroupOffsets) sent right after is accepted.
  const group = 'last-leaves'
  const { client, memberId } = await stableMember(group)
  const left = await client.request(ApiKey.LeaveGroup, 5, {
    groupId: group,
    memberId: '',
    members: [{ memberId, groupInstanceId: null, reason: null }],
  })
  assert.deepEqual([left.errorCode, left.members[0].errorCode], [ErrorCode.NONE, ErrorCode.NONE])
  const described = await client.request(ApiKey.DescribeGroups, 5, {
    groups: [group],
    includeAuthorizedOperations: false,
  })
  assert.deepEqual([described.groups[0].groupState, described.groups[0].members.length], ['Empty', 0])
  assert.equal(
    await commit(client, group, -1, ''),
    ErrorCode.NONE,
    'a simple commit right after the last leave',
  )
})

test('REBALANCE_IN_PROGRESS while a new member joins and before the leader syncs', async () => {
  const group = 'rebalancing'
  const a = await stableMember(group)
  const bClient = await connect()
  const first = await join(bClient, { group })
  assert.equal(first.errorCode, ErrorCode.MEMBER_ID_REQUIRED)
  const bJoin = join(bClient, { group, memberId: first.memberId }) // holds until A rejoins
  await new Promise((resolve) => setTimeout(resolve, 300))
  assert.equal(await heartbeat(a.client, group, 1, a.memberId), ErrorCode.REBALANCE_IN_PROGRESS)
  assert.equal((await sync(a.client, group, 1, a.memberId)).errorCode, ErrorCode.REBALANCE_IN_PROGRESS)
  const aJoined = await join(a.client, { group, memberId: a.memberId })
  const bJoined = await bJoin
  assert.deepEqual(
    [aJoined.errorCode, aJoined.generationId, aJoined.leader, aJoined.members.length],
    [ErrorCode.NONE, 2, a.memberId, 2],
  )
  assert.deepEqual(
    [bJoined.errorCode, bJoined.generationId, bJoined.leader, bJoined.members.length],
    [ErrorCode.NONE, 2, a.memberId, 0],
  )
  // CompletingRebalance: commits wait for the new assignment, heartbeats are fine.
  assert.equal(await commit(a.client, group, 2, a.memberId), ErrorCode.REBALANCE_IN_PROGRESS)
  assert.equal(await heartbeat(a.client, group, 2, a.memberId), ErrorCode.NONE)
  const bSync = sync(bClient, group, 2, first.memberId)
  const aSync = await sync(a.client, group, 2, a.memberId, { leader: true })
  assert.equal(aSync.errorCode, ErrorCode.NONE)
  assert.deepEqual([(await bSync).errorCode, (await bSync).assignment.length], [ErrorCode.NONE, 0])
  assert.equal(await commit(a.client, group, 2, a.memberId), ErrorCode.NONE)
})

test('FENCED_INSTANCE_ID for the older of two processes with the same group.instance.id', async () => {
  const group = 'fencing'
  const instance = 'instance-1'
  const oldClient = await connect()
  const joined = await join(oldClient, { group, groupInstanceId: instance })
  assert.deepEqual(
    [joined.errorCode, joined.generationId],
    [ErrorCode.NONE, 1],
    'static members skip KIP-394',
  )
  const old = joined.memberId
  const synced = await sync(oldClient, group, 1, old, { groupInstanceId: instance, leader: true })
  assert.equal(synced.errorCode, ErrorCode.NONE)

  const newClient = await connect()
  const replaced = await join(newClient, { group, groupInstanceId: instance })
  assert.equal(replaced.errorCode, ErrorCode.NONE)
  assert.notEqual(replaced.memberId, old)
  assert.equal(replaced.generationId, 1, 'a static rejoin with the same metadata does not rebalance')
  // JoinGroup v9: the rejoining static leader gets the member list and skipAssignment (KIP-814).
  assert.deepEqual(
    [replaced.leader, replaced.skipAssignment, replaced.members.map((member) => member.groupInstanceId)],
    [replaced.memberId, true, [instance]],
  )

  assert.equal(await heartbeat(oldClient, group, 1, old, instance), ErrorCode.FENCED_INSTANCE_ID)
  assert.equal(
    (await sync(oldClient, group, 1, old, { groupInstanceId: instance })).errorCode,
    ErrorCode.FENCED_INSTANCE_ID,
  )
  assert.equal(await commit(oldClient, group, 1, old, instance), ErrorCode.FENCED_INSTANCE_ID)
  assert.equal(
    (await join(oldClient, { group, memberId: old, groupInstanceId: instance })).errorCode,
    ErrorCode.FENCED_INSTANCE_ID,
  )
  const left = await oldClient.request(ApiKey.LeaveGroup, 5, {
    groupId: group,
    memberId: '',
    members: [{ memberId: old, groupInstanceId: instance, reason: null }],
  })
  assert.deepEqual(
    left.members.map((member) => member.errorCode),
    [ErrorCode.FENCED_INSTANCE_ID],
  )
  assert.equal(await heartbeat(newClient, group, 1, replaced.memberId, instance), ErrorCode.NONE)
})

test('a static leader rejoining with JoinGroup v5 (librdkafka 2.0) is answered as a follower, no skipAssignment', async () => {
  // skipAssignment exists from JoinGroup v9 (KIP-814). Below v9 Kafka answers the rejoining static
  // leader as a follower: no member list and the old leader id as `leader` (Kafka's
  // GroupCoordinatorTest.staticMemberRejoinWithLeaderIdAndUnknownMemberId), so the client syncs as a
  // follower and gets its old assignment back; the generation stays.
  const group = 'static-leader-v5'
  const instance = 'leader-1'
  const oldClient = await connect()
  const joined = await join(oldClient, { group, groupInstanceId: instance, version: 5 })
  assert.deepEqual(
    [joined.errorCode, joined.generationId, joined.leader],
    [ErrorCode.NONE, 1, joined.memberId],
  )
  assert.equal(
    (await sync(oldClient, group, 1, joined.memberId, { groupInstanceId: instance, leader: true })).errorCode,
    ErrorCode.NONE,
  )
  const newClient = await connect()
  const rejoined = await join(newClient, { group, groupInstanceId: instance, version: 5 })
  assert.notEqual(rejoined.memberId, joined.memberId)
  assert.deepEqual(
    [
      rejoined.errorCode,
      rejoined.generationId,
      rejoined.leader,
      rejoined.members.length,
      rejoined.skipAssignment,
    ],
    [ErrorCode.NONE, 1, joined.memberId, 0, false],
  )
  const resynced = await sync(newClient, group, 1, rejoined.memberId, { groupInstanceId: instance })
  assert.deepEqual(
    [resynced.errorCode, resynced.assignment],
    [ErrorCode.NONE, assignmentBytes],
    'the old assignment',
  )
})
