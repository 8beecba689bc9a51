// Goal: ConsumerGroupDescribe v0 and v1 (Kafka 4.0, KIP-1099) on the wire: a migrated group of a
// classic member and a KIP-848 member is described with every field exact; v1 adds each member's
// MemberType (0 classic, 1 consumer) and v0 leaves it out; an unknown group is
// GROUP_ID_NOT_FOUND; malformed requests close their connection while the broker keeps serving. And
// on the wire: a static classic member whose JoinGroup replaces the group's last (static) KIP-848
// member turns the group classic in that JoinGroup, Stable, with the replaced member's partitions.
// Method: an in-process broker (initial rebalance delay 0); raw requests with the generated codecs:
// a static classic member joins and syncs (JoinGroup v5, SyncGroup v3), a KIP-848 member joins with
// ConsumerGroupHeartbeat v1 (the group is upgraded); for the replacement, a second group of one classic
// member and one static KIP-848 member that leaves with epoch -2 before a JoinGroup v5 with its
// instance id, checked with ListGroups v5, SyncGroup v3 and Heartbeat v3; the v1 frame's last member is also read by hand
// (its MemberType byte sits just before the member's tag buffer, the group's AuthorizedOperations and
// the two tag buffers), so the check does not rest on our decoder alone.
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { type RunningBroker, startBroker } from '../../src/broker/start.ts'
import {
  decodeClassicAssignment,
  encodeClassicAssignment,
} from '../../src/coordinator/group/classic-protocol-codec.ts'
import { encodeConsumerProtocolSubscriptionV0 } from '../../src/protocol/generated/consumer-protocol-subscription.ts'
import { ApiKey, ErrorCode } from '../../src/protocol/generated/index.ts'
import { Writer } from '../../src/protocol/writer.ts'
import { makeTempDir, removeTempDir } from '../helpers/broker-process.ts'
import {
  CodecClient,
  createTopicsRequestBody,
  decodeResponse,
  encodeRequest,
} from '../helpers/kafka-codec-client.ts'

const topic = 'describe-topic'
const group = 'describe-group'
const consumerMemberId = 'kip848-member-0000000001'

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

/** The response frame (after the correlation id) of one request, as bytes. */
async function rawResponse(client: CodecClient, version: number, groupIds: string[]): Promise<Buffer> {
  const correlationId = client.takeCorrelationId()
  await client.connection.write(
    encodeRequest(ApiKey.ConsumerGroupDescribe, version, correlationId, {
      groupIds,
      includeAuthorizedOperations: false,
    }),
  )
  const find = () => client.connection.frames.findIndex((frame) => frame.correlationId === correlationId)
  await client.connection.waitFor(() => find() !== -1, 10_000)
  const [frame] = client.connection.frames.splice(find(), 1)
  const whole = Buffer.alloc(4 + frame.rest.length)
  whole.writeInt32BE(correlationId, 0)
  frame.rest.copy(whole, 4)
  return whole
}

describe('ConsumerGroupDescribe v0 and v1', () => {
  let dir: string
  let broker: RunningBroker
  let client: CodecClient
  let topicId: string
  let classicMemberId: string

  before(async () => {
    dir = await makeTempDir('streamline-cgdescribe-')
    broker = await startBroker({
      dataDir: dir,
      httpAddr: null,
      logLevel: 'silent',
      listenAddr: '127.0.0.1:0',
      groups: { classic: { initialRebalanceDelayMs: 0 } },
    })
    await broker.groupsLoaded
    client = await CodecClient.open(broker.host, broker.port)
    const created = await client.request(
      ApiKey.CreateTopics,
      7,
      createTopicsRequestBody([{ name: topic, numPartitions: 2 }]),
    )
    topicId = created.topics[0].topicId
    // A static classic member holding both partitions.
    const joined = await client.request(ApiKey.JoinGroup, 5, {
      groupId: group,
      sessionTimeoutMs: 30_000,
      rebalanceTimeoutMs: 30_000,
      memberId: '',
      groupInstanceId: 'classic-instance',
      protocolType: 'consumer',
      protocols: [{ name: 'range', metadata: subscription([topic]) }],
      reason: null,
    })
    assert.equal(joined.errorCode, ErrorCode.NONE)
    classicMemberId = joined.memberId
    const synced = await client.request(ApiKey.SyncGroup, 3, {
      groupId: group,
      generationId: joined.generationId,
      memberId: classicMemberId,
      groupInstanceId: 'classic-instance',
      protocolType: null,
      protocolName: null,
      assignments: [
        { memberId: classicMemberId, assignment: encodeClassicAssignment([{ topic, partitions: [0, 1] }]) },
      ],
    })
    assert.equal(synced.errorCode, ErrorCode.NONE)
    // A KIP-848 member joins: the classic group becomes a consumer group with both members.
    const heartbeat = await client.request(ApiKey.ConsumerGroupHeartbeat, 1, {
      groupId: group,
      memberId: consumerMemberId,
      memberEpoch: 0,
      instanceId: null,
      rackId: null,
      rebalanceTimeoutMs: 30_000,
      subscribedTopicNames: [topic],
      subscribedTopicRegex: null,
      serverAssignor: 'range',
      topicPartitions: [],
    })
    assert.deepEqual([heartbeat.errorCode, heartbeat.memberEpoch], [ErrorCode.NONE, 2])
  })
  after(async () => {
    client?.close()
    await broker?.close()
    await removeTempDir(dir)
  })

  /** The group as both versions must describe it; `memberType` only in v1. */
  function expectedGroup(version: number) {
    const partitions = (list: number[]) => ({
      topicPartitions: list.length === 0 ? [] : [{ topicId, topicName: topic, partitions: list }],
    })
    // v0 has no MemberType: its decoder gives the field's default, -1 (unknown).
    const member = (fields: object, memberType: number) => ({
      ...fields,
      memberType: version >= 1 ? memberType : -1,
    })
    return {
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      groupId: group,
      groupState: 'Reconciling',
      groupEpoch: 2,
      assignmentEpoch: 2,
      assignorName: 'range',
      members: [
        member(
          {
            memberId: classicMemberId,
            instanceId: 'classic-instance',
            rackId: null,
            memberEpoch: 1,
            clientId: 'sl-test',
            clientHost: '/127.0.0.1',
            subscribedTopicNames: [topic],
            subscribedTopicRegex: null,
            assignment: partitions([0, 1]),
            targetAssignment: partitions([0]),
          },
          0,
        ),
        member(
          {
            memberId: consumerMemberId,
            instanceId: null,
            rackId: null,
            memberEpoch: 2,
            clientId: 'sl-test',
            clientHost: '/127.0.0.1',
            subscribedTopicNames: [topic],
            subscribedTopicRegex: null,
            assignment: partitions([]),
            targetAssignment: partitions([1]),
          },
          1,
        ),
      ],
      authorizedOperations: -2147483648,
    }
  }

  test('v0 and v1 describe the mixed group exactly; v1 carries each member type', async () => {
    for (const version of [0, 1]) {
      const response = decodeResponse(
        ApiKey.ConsumerGroupDescribe,
        version,
        await rawResponse(client, version, [group]),
      )
      assert.equal(response.throttleTimeMs, 0)
      assert.deepEqual(response.groups, [expectedGroup(version)], `v${version}`)
    }
  })

  test('v1 puts MemberType as one byte after each member; v0 has none', async () => {
    const v0 = await rawResponse(client, 0, [group])
    const v1 = await rawResponse(client, 1, [group])
    assert.equal(v1.length, v0.length + 2) // two members, one int8 each
    // Read from the end: response tag buffer, group tag buffer, AuthorizedOperations (int32), then
    // the last member's tag buffer, and before it its MemberType (the KIP-848 member: 1).
    const end = v1.length
    assert.deepEqual([v1[end - 1], v1[end - 2], v1.readInt32BE(end - 6), v1[end - 7]], [0, 0, -2147483648, 0])
    assert.equal(v1.readInt8(end - 8), 1)
    assert.equal(v0[v0.length - 7], 0) // v0: the member's tag buffer right before AuthorizedOperations
  })

  test('an unknown group is GROUP_ID_NOT_FOUND at v0 and v1, beside a described one', async () => {
    for (const version of [0, 1]) {
      const response = await client.request(ApiKey.ConsumerGroupDescribe, version, {
        groupIds: ['no-such-group', group],
        includeAuthorizedOperations: false,
      })
      assert.deepEqual(
        response.groups.map((entry) => [entry.groupId, entry.errorCode, entry.errorMessage]),
        [
          ['no-such-group', ErrorCode.GROUP_ID_NOT_FOUND, 'Group no-such-group not found.'],
          [group, ErrorCode.NONE, null],
        ],
      )
    }
  })

  test('malformed v1 requests close their connection; the broker keeps serving', async () => {
    const frame = encodeRequest(ApiKey.ConsumerGroupDescribe, 1, 7, {
      groupIds: [group],
      includeAuthorizedOperations: false,
    })
    // Cut before the last byte (the tag buffer), and an array count far beyond the frame.
    const cut = Buffer.from(frame.subarray(0, frame.length - 2))
    cut.writeInt32BE(cut.length - 4, 0)
    const huge = Buffer.from(frame)
    const bodyStart = frame.length - (1 + 1 + group.length + 1 + 1) // count, string, bool, tags
    huge[bodyStart] = 0x7f
    for (const bad of [cut, huge]) {
      const connection = await CodecClient.open(broker.host, broker.port)
      await connection.connection.write(bad)
      assert.equal(await connection.connection.waitForClose(10_000), true)
    }
    const response = await client.request(ApiKey.ConsumerGroupDescribe, 1, {
      groupIds: [group],
      includeAuthorizedOperations: false,
    })
    assert.equal(response.groups[0].errorCode, ErrorCode.NONE)
  })

  test('a static classic member replacing the static KIP-848 member downgrades the group in its JoinGroup', async () => {
    const replaced = 'replacement-group'
    const classic = await client.request(ApiKey.JoinGroup, 5, {
      groupId: replaced,
      sessionTimeoutMs: 30_000,
      rebalanceTimeoutMs: 30_000,
      memberId: '',
      groupInstanceId: 'classic-a',
      protocolType: 'consumer',
      protocols: [{ name: 'range', metadata: subscription([topic]) }],
      reason: null,
    })
    const both = encodeClassicAssignment([{ topic, partitions: [0, 1] }])
    await client.request(ApiKey.SyncGroup, 3, {
      groupId: replaced,
      generationId: classic.generationId,
      memberId: classic.memberId,
      groupInstanceId: 'classic-a',
      protocolType: null,
      protocolName: null,
      assignments: [{ memberId: classic.memberId, assignment: both }],
    })
    const heartbeat = (
      memberEpoch: number,
      topicPartitions: { topicId: string; partitions: number[] }[] | null,
    ) =>
      client.request(ApiKey.ConsumerGroupHeartbeat, 1, {
        groupId: replaced,
        memberId: 'static-kip848-member-000001',
        memberEpoch,
        instanceId: 'static-b',
        rackId: null,
        rebalanceTimeoutMs: memberEpoch === 0 ? 30_000 : -1,
        subscribedTopicNames: memberEpoch === 0 ? [topic] : null,
        subscribedTopicRegex: null,
        serverAssignor: memberEpoch === 0 ? 'range' : null,
        topicPartitions,
      })
    const joined = await heartbeat(0, [])
    assert.deepEqual([joined.errorCode, joined.memberEpoch], [ErrorCode.NONE, 2])
    // The static KIP-848 member's process stops: a temporary leave keeps its place (and its target).
    assert.equal((await heartbeat(-2, null)).errorCode, ErrorCode.NONE)
    // It comes back as a classic consumer with the same instance id.
    const rejoined = await client.request(ApiKey.JoinGroup, 5, {
      groupId: replaced,
      sessionTimeoutMs: 30_000,
      rebalanceTimeoutMs: 30_000,
      memberId: '',
      groupInstanceId: 'static-b',
      protocolType: 'consumer',
      protocols: [{ name: 'range', metadata: subscription([topic]) }],
      reason: null,
    })
    assert.deepEqual(
      [rejoined.errorCode, rejoined.generationId, rejoined.leader, rejoined.protocolName, rejoined.members],
      [ErrorCode.NONE, 2, '', 'range', []],
    )
    const listed = await client.request(ApiKey.ListGroups, 5, { statesFilter: [], typesFilter: [] })
    assert.deepEqual(
      listed.groups
        .filter((entry) => entry.groupId === replaced)
        .map((entry) => [entry.groupType, entry.groupState]),
      [['classic', 'Stable']],
    )
    const described = await client.request(ApiKey.ConsumerGroupDescribe, 1, {
      groupIds: [replaced],
      includeAuthorizedOperations: false,
    })
    assert.equal(described.groups[0].errorCode, ErrorCode.GROUP_ID_NOT_FOUND)
    // It syncs to the classic group at generation 2 and gets the replaced member's target partition.
    const synced = await client.request(ApiKey.SyncGroup, 3, {
      groupId: replaced,
      generationId: 2,
      memberId: rejoined.memberId,
      groupInstanceId: 'static-b',
      protocolType: null,
      protocolName: null,
      assignments: [],
    })
    assert.equal(synced.errorCode, ErrorCode.NONE)
    assert.deepEqual(decodeClassicAssignment(synced.assignment), [{ topic, partitions: [1] }])
    // No rebalance runs: a heartbeat at the classic group's generation is NONE (REBALANCE_IN_PROGRESS
    // during one). classic-a, still at its generation 1, would be told ILLEGAL_GENERATION and rejoin.
    const beat = await client.request(ApiKey.Heartbeat, 3, {
      groupId: replaced,
      generationId: 2,
      memberId: classic.memberId,
      groupInstanceId: 'classic-a',
    })
    assert.equal(beat.errorCode, ErrorCode.NONE)
  })
})
