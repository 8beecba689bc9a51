// Goal: DescribeQuorum (key 55) v0-2 answers as a one-voter KRaft quorum would to
// `kafka-metadata-quorum.sh describe --status` / Admin.describeMetadataQuorum: topic
// `__cluster_metadata` partition 0, this broker (node 0) the leader at epoch 1 and the only voter,
// high watermark = its log end offset (0, lag 0), no observers, the leader's timestamps "now" (v1+),
// a zero directory id and the node list (v2); any other topic/partition set gets Kafka's
// UNKNOWN_TOPIC_OR_PARTITION per partition; DESCRIBE on the cluster is required
// (CLUSTER_AUTHORIZATION_FAILED at the top otherwise); a malformed body closes only that connection.
// Method: an in-process broker. Requests are built byte by byte here (independently of
// src/protocol) and the responses decoded field by field with raw-kafka.ts's ByteReader, for every
// version; @platformatic/kafka's exported describeQuorumV2 API (the only installed client that has
// the call) checks v2 from a real client; the ACL case uses acl-raw-broker.ts (SASL, authorizer on).
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { Connection, describeQuorumV2 } from '@platformatic/kafka'
import { ApiKey } from '../../../src/protocol/generated/index.ts'
import { type InProcessBroker, startInProcessBroker } from '../../helpers/in-process-broker.ts'
import { ByteReader, encodeRequestFrame, RawConnection } from '../../helpers/raw-kafka.ts'
import { Op, Res, useAclScene } from '../../security/acl-raw-broker.ts'

const apiKeyDescribeQuorum = 55
const metadataTopic = '__cluster_metadata'
const zeroUuid = Buffer.alloc(16)

function unsignedVarint(value: number): Buffer {
  const bytes: number[] = []
  let rest = value
  while (rest >= 0x80) {
    bytes.push((rest & 0x7f) | 0x80)
    rest >>>= 7
  }
  bytes.push(rest)
  return Buffer.from(bytes)
}
function int32(value: number): Buffer {
  const buffer = Buffer.alloc(4)
  buffer.writeInt32BE(value)
  return buffer
}
const compactString = (value: string) =>
  Buffer.concat([unsignedVarint(Buffer.byteLength(value) + 1), Buffer.from(value)])
const compactArray = <T>(items: readonly T[], encode: (item: T) => Buffer) =>
  Buffer.concat([unsignedVarint(items.length + 1), ...items.map(encode)])
const noTags = Buffer.from([0])

/** DescribeQuorumRequest (the same bytes in v0-2): topics [name, partitions [index]]. */
const quorumRequest = (topics: readonly [string, number[]][]) =>
  Buffer.concat([
    compactArray(topics, ([name, partitions]) =>
      Buffer.concat([
        compactString(name),
        compactArray(partitions, (index) => Buffer.concat([int32(index), noTags])),
        noTags,
      ]),
    ),
    noTags,
  ])

interface ReplicaState {
  replicaId: number
  replicaDirectoryId?: Buffer
  logEndOffset: bigint
  lastFetchTimestamp?: bigint
  lastCaughtUpTimestamp?: bigint
}

function readCompactArray<T>(reader: ByteReader, decode: () => T): T[] {
  const lengthPlusOne = reader.unsignedVarint()
  return Array.from({ length: lengthPlusOne - 1 }, () => {
    const item = decode()
    assert.deepEqual(reader.taggedFields(), [])
    return item
  })
}

function readReplica(reader: ByteReader, version: number): ReplicaState {
  const replicaId = reader.int32()
  const replicaDirectoryId = version >= 2 ? reader.bytes(16) : undefined
  const replica: ReplicaState = { replicaId, logEndOffset: reader.int64() }
  if (replicaDirectoryId !== undefined) replica.replicaDirectoryId = replicaDirectoryId
  if (version >= 1) {
    replica.lastFetchTimestamp = reader.int64()
    replica.lastCaughtUpTimestamp = reader.int64()
  }
  return replica
}

function readResponse(reader: ByteReader, version: number) {
  const errorCode = reader.int16()
  const errorMessage = version >= 2 ? reader.compactNullableString() : undefined
  const topics = readCompactArray(reader, () => ({
    topicName: reader.compactNullableString(),
    partitions: readCompactArray(reader, () => ({
      partitionIndex: reader.int32(),
      errorCode: reader.int16(),
      errorMessage: version >= 2 ? reader.compactNullableString() : undefined,
      leaderId: reader.int32(),
      leaderEpoch: reader.int32(),
      highWatermark: reader.int64(),
      currentVoters: readCompactArray(reader, () => readReplica(reader, version)),
      observers: readCompactArray(reader, () => readReplica(reader, version)),
    })),
  }))
  const nodes =
    version >= 2
      ? readCompactArray(reader, () => ({
          nodeId: reader.int32(),
          listeners: readCompactArray(reader, () => ({
            name: reader.compactNullableString(),
            host: reader.compactNullableString(),
            port: reader.bytes(2).readUInt16BE(),
          })),
        }))
      : undefined
  assert.deepEqual(reader.taggedFields(), [])
  assert.equal(reader.remaining, 0, 'every byte of the response consumed')
  return { errorCode, errorMessage, topics, nodes }
}

async function call(connection: RawConnection, correlationId: number, version: number, body: Buffer) {
  await connection.write(
    encodeRequestFrame({
      apiKey: apiKeyDescribeQuorum,
      apiVersion: version,
      correlationId,
      flexibleHeader: true,
      body,
    }),
  )
  const arrived = await connection.waitFor(
    () => connection.frames.some((frame) => frame.correlationId === correlationId),
    10_000,
  )
  assert.ok(arrived, `no response to correlation id ${correlationId} (closed: ${connection.closed})`)
  const frame = connection.frames.find((candidate) => candidate.correlationId === correlationId)!
  const reader = new ByteReader(frame.rest)
  assert.deepEqual(reader.taggedFields(), [], 'response header v1 tagged fields')
  return readResponse(reader, version)
}

let correlationId = 0
const nextCorrelationId = () => ++correlationId

/** @platformatic/kafka's describeQuorumV2 (a real client's encoder and decoder) reads the quorum. */
async function platformaticDescribesQuorum(host: string, port: number): Promise<void> {
  const client = new Connection('streamline-quorum')
  try {
    await client.connect(host, port)
    const answer = await describeQuorumV2.api.async(client, [
      { topicName: metadataTopic, partitions: [{ partitionIndex: 0 }] },
    ])
    assert.equal(answer.errorCode, 0)
    assert.deepEqual(
      answer.topics.map(({ topicName, partitions }) =>
        partitions.map((partition) => ({
          topicName,
          partitionIndex: partition.partitionIndex,
          errorCode: partition.errorCode,
          leaderId: partition.leaderId,
          leaderEpoch: partition.leaderEpoch,
          highWatermark: partition.highWatermark,
          voters: partition.currentVoters.map((voter) => [voter.replicaId, voter.logEndOffset]),
          observers: partition.observers.length,
        })),
      ),
      [
        [
          {
            topicName: metadataTopic,
            partitionIndex: 0,
            errorCode: 0,
            leaderId: 0,
            leaderEpoch: 1,
            highWatermark: 0n,
            voters: [[0, 0n]],
            observers: 0,
          },
        ],
      ],
    )
    assert.deepEqual(
      answer.nodes.map((node) => [node.nodeId, node.listeners.length]),
      [[0, 0]],
    )
  } finally {
    await client.close()
  }
}

/** Malformed DescribeQuorum bodies close their connection; a fresh one is still answered. */
async function malformedBodiesAreRefused(host: string, port: number): Promise<void> {
  const valid = quorumRequest([[metadataTopic, [0]]])
  const malformed = [
    valid.subarray(0, valid.length - 3), // cut inside the partition
    Buffer.from([0xff, 0xff, 0xff, 0xff, 0x0f]), // topic count 2^32-2
    Buffer.concat([unsignedVarint(2), unsignedVarint(1000), Buffer.from('x')]), // name past the end
  ]
  for (const [index, body] of malformed.entries()) {
    const bad = await RawConnection.open(host, port)
    try {
      await bad.write(
        encodeRequestFrame({
          apiKey: apiKeyDescribeQuorum,
          apiVersion: 2,
          correlationId: 7,
          flexibleHeader: true,
          body,
        }),
      )
      assert.ok(await bad.waitForClose(10_000), `malformed body ${index} closes the connection`)
      assert.equal(bad.frames.length, 0, 'no answer to a body that cannot be decoded')
    } finally {
      bad.destroy()
    }
  }
  const fresh = await RawConnection.open(host, port)
  try {
    const answer = await call(fresh, 1, 2, valid)
    assert.equal(answer.topics[0]?.partitions[0]?.leaderId, 0)
  } finally {
    fresh.destroy()
  }
}

/** The one-voter answer for `__cluster_metadata-0`, field by field, in `version`. */
async function checkLeaderAnswer(connection: RawConnection, version: number): Promise<void> {
  const before = BigInt(Date.now())
  const answer = await call(connection, nextCorrelationId(), version, quorumRequest([[metadataTopic, [0]]]))
  const after = BigInt(Date.now())
  const voter = answer.topics[0]?.partitions[0]?.currentVoters[0]
  assert.ok(voter !== undefined)
  if (version >= 1) {
    // The leader reports the current time for both (Kafka's RaftUtil.toReplicaState).
    assert.ok(voter.lastFetchTimestamp! >= before && voter.lastFetchTimestamp! <= after)
    assert.equal(voter.lastCaughtUpTimestamp, voter.lastFetchTimestamp)
  }
  const expectedVoter: ReplicaState = { replicaId: 0, logEndOffset: 0n }
  if (version >= 2) expectedVoter.replicaDirectoryId = zeroUuid
  if (version >= 1) {
    expectedVoter.lastFetchTimestamp = voter.lastFetchTimestamp
    expectedVoter.lastCaughtUpTimestamp = voter.lastFetchTimestamp
  }
  assert.deepEqual(answer, {
    errorCode: 0,
    errorMessage: version >= 2 ? '' : undefined,
    topics: [
      {
        topicName: metadataTopic,
        partitions: [
          {
            partitionIndex: 0,
            errorCode: 0,
            errorMessage: version >= 2 ? '' : undefined,
            leaderId: 0,
            leaderEpoch: 1,
            highWatermark: 0n,
            currentVoters: [expectedVoter],
            observers: [],
          },
        ],
      },
    ],
    nodes: version >= 2 ? [{ nodeId: 0, listeners: [] }] : undefined,
  })
}

/** Every other topic/partition set: UNKNOWN_TOPIC_OR_PARTITION for each partition named. */
async function checkUnknownPartitions(connection: RawConnection, version: number): Promise<void> {
  const cases: [string, number[]][][] = [
    [[metadataTopic, [1]]],
    [['orders', [0]]],
    [[metadataTopic, [0, 0]]],
    [
      [metadataTopic, [0]],
      ['orders', [0, 3]],
    ],
  ]
  for (const topics of cases) {
    const answer = await call(connection, nextCorrelationId(), version, quorumRequest(topics))
    const message = version >= 2 ? '' : undefined
    assert.deepEqual(answer, {
      errorCode: 0,
      errorMessage: message,
      topics: topics.map(([topicName, partitions]) => ({
        topicName,
        partitions: partitions.map((partitionIndex) => ({
          partitionIndex,
          errorCode: 3,
          errorMessage: message,
          leaderId: 0,
          leaderEpoch: 0,
          highWatermark: 0n,
          currentVoters: [],
          observers: [],
        })),
      })),
      nodes: version >= 2 ? [] : undefined,
    })
  }
  const none = await call(connection, nextCorrelationId(), version, quorumRequest([]))
  assert.deepEqual(none.topics, [])
}

describe('DescribeQuorum without an authorizer', () => {
  let server: InProcessBroker
  let connection: RawConnection

  before(async () => {
    server = await startInProcessBroker()
    connection = await RawConnection.open(server.broker.host, server.broker.port)
  })
  after(async () => {
    connection?.destroy()
    await server?.stop()
  })

  for (const version of [0, 1, 2]) {
    test(`v${version}: this broker is the leader and only voter of __cluster_metadata-0`, () =>
      checkLeaderAnswer(connection, version))
    test(`v${version}: any other topic or partition set is UNKNOWN_TOPIC_OR_PARTITION for each partition named`, () =>
      checkUnknownPartitions(connection, version))
  }

  test('@platformatic/kafka describeQuorumV2 reads the one-voter quorum', () =>
    platformaticDescribesQuorum(server.broker.host, server.broker.port))

  test('malformed bodies close only that connection; the broker keeps answering', () =>
    malformedBodiesAreRefused(server.broker.host, server.broker.port))
})

describe('DescribeQuorum with the authorizer on', () => {
  const scene = useAclScene([])

  test('DESCRIBE on the cluster is required: CLUSTER_AUTHORIZATION_FAILED at the top, no topics', async () => {
    const request = { topics: [{ topicName: metadataTopic, partitions: [{ partitionIndex: 0 }] }] }
    for (const version of [0, 1, 2]) {
      const refused = await scene.bob.request(ApiKey.DescribeQuorum, version, request)
      assert.deepEqual([refused.errorCode, refused.topics, refused.nodes], [31, [], []])
    }
    await scene.acl.grant([
      { resourceType: Res.CLUSTER, resourceName: 'kafka-cluster', operation: Op.DESCRIBE },
    ])
    const allowed = await scene.bob.request(ApiKey.DescribeQuorum, 2, request)
    assert.equal(allowed.errorCode, 0)
    assert.equal(allowed.topics[0]?.partitions[0]?.leaderId, 0)
    const superUser = await scene.alice.request(ApiKey.DescribeQuorum, 0, request)
    assert.equal(superUser.topics[0]?.partitions[0]?.leaderEpoch, 1)
  })
})
