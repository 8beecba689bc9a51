// Goal: ACL enforcement in the offset APIs and LeaveGroup, to the error code, as Kafka's KafkaApis
// answers: OffsetCommit (READ on the group, then READ on each topic), OffsetFetch (READ on the group;
// topics without DESCRIBE hidden from "all offsets" and refused when named), OffsetForLeaderEpoch
// (CLUSTER_ACTION or DESCRIBE on the topic), OffsetDelete (DELETE on the group, then READ on each
// topic) and LeaveGroup (READ on the group).
// Method: acl-raw-broker.ts (in-process broker, SASL_PLAINTEXT, authorizer on, alice super user);
// requests encoded with the generated codecs; state checked back as alice.
import assert from 'node:assert/strict'
import { before, describe, test } from 'node:test'
import { ApiKey } from '../../src/protocol/generated/index.ts'
import type { CodecClient } from '../helpers/kafka-codec-client.ts'
import { type AclRawBroker, Op, Res, useAclScene } from './acl-raw-broker.ts'

const commitOffsets = (client: CodecClient, groupId: string, topics: string[]) =>
  client.request(ApiKey.OffsetCommit, 8, {
    groupId,
    generationIdOrMemberEpoch: -1,
    memberId: '',
    groupInstanceId: null,
    retentionTimeMs: -1n,
    topics: topics.map((name) => ({
      name,
      partitions: [
        {
          partitionIndex: 0,
          committedOffset: 5n,
          committedLeaderEpoch: -1,
          commitTimestamp: -1n,
          committedMetadata: 'm',
        },
      ],
    })),
  })

const fetchOffsets = (client: CodecClient, groupId: string, topics: string[] | null) =>
  client.request(ApiKey.OffsetFetch, 7, {
    groupId,
    topics: topics === null ? null : topics.map((name) => ({ name, partitionIndexes: [0] })),
    groups: [],
    requireStable: false,
  })

describe('ACLs on offset APIs and LeaveGroup (raw protocol)', () => {
  const scene = useAclScene(['orders', 'secret'])
  let acl: AclRawBroker
  let alice: CodecClient
  let bob: CodecClient
  before(() => {
    ;({ acl, alice, bob } = scene)
  })

  test('OffsetCommit needs READ on each topic; OffsetFetch hides or refuses topics without DESCRIBE', async () => {
    await acl.grant([
      { resourceType: Res.GROUP, resourceName: 'g-commit', operation: Op.READ },
      { resourceType: Res.TOPIC, resourceName: 'orders', operation: Op.READ },
    ])
    const committed = await commitOffsets(bob, 'g-commit', ['orders', 'secret'])
    assert.deepEqual(
      committed.topics.map((topic) => [topic.name, topic.partitions[0]?.errorCode]),
      [
        ['orders', 0],
        ['secret', 29],
      ],
    )
    // alice sees that only orders was committed; she commits secret herself.
    assert.deepEqual(
      (await fetchOffsets(alice, 'g-commit', null)).topics.map((topic) => topic.name),
      ['orders'],
    )
    await commitOffsets(alice, 'g-commit', ['secret'])
    const all = await fetchOffsets(bob, 'g-commit', null)
    assert.deepEqual(
      all.topics.map((topic) => [topic.name, topic.partitions[0]?.committedOffset]),
      [['orders', 5n]],
    )
    const named = await fetchOffsets(bob, 'g-commit', ['orders', 'secret'])
    assert.deepEqual(
      named.topics.map((topic) => {
        const partition = topic.partitions[0]
        return [topic.name, partition?.errorCode, partition?.committedOffset, partition?.metadata]
      }),
      [
        ['orders', 0, 5n, 'm'],
        ['secret', 29, -1n, ''],
      ],
    )
  })

  test('OffsetForLeaderEpoch: DESCRIBE on the topic, or CLUSTER_ACTION', async () => {
    const epochs = () =>
      bob.request(ApiKey.OffsetForLeaderEpoch, 4, {
        replicaId: -1,
        topics: ['orders', 'secret'].map((topic) => ({
          topic,
          partitions: [{ partition: 0, currentLeaderEpoch: -1, leaderEpoch: 0 }],
        })),
      })
    const codes = async () =>
      (await epochs()).topics.map((topic) => [topic.topic, topic.partitions[0]?.errorCode])
    await acl.grant([{ resourceType: Res.TOPIC, resourceName: 'orders', operation: Op.DESCRIBE }])
    assert.deepEqual(await codes(), [
      ['orders', 0],
      ['secret', 29],
    ])
    await acl.grant([
      { resourceType: Res.CLUSTER, resourceName: 'kafka-cluster', operation: Op.CLUSTER_ACTION },
    ])
    assert.deepEqual(await codes(), [
      ['orders', 0],
      ['secret', 0],
    ])
  })

  test('LeaveGroup needs READ on the group; OffsetDelete DELETE on the group, then READ on each topic', async () => {
    const leave = await bob.request(ApiKey.LeaveGroup, 5, {
      groupId: 'g-off',
      memberId: '',
      members: [{ memberId: 'm', groupInstanceId: null, reason: null }],
    })
    assert.deepEqual([leave.errorCode, leave.members], [30, []])
    // alice commits offsets for g-off on both topics.
    const committed = await alice.request(ApiKey.OffsetCommit, 8, {
      groupId: 'g-off',
      generationIdOrMemberEpoch: -1,
      memberId: '',
      groupInstanceId: null,
      retentionTimeMs: -1n,
      topics: ['orders', 'secret'].map((name) => ({
        name,
        partitions: [
          {
            partitionIndex: 0,
            committedOffset: 0n,
            committedLeaderEpoch: -1,
            commitTimestamp: -1n,
            committedMetadata: null,
          },
        ],
      })),
    })
    assert.deepEqual(
      committed.topics.map((topic) => topic.partitions[0]?.errorCode),
      [0, 0],
    )
    const offsetDelete = () =>
      bob.request(ApiKey.OffsetDelete, 0, {
        groupId: 'g-off',
        topics: ['orders', 'secret'].map((name) => ({
          name,
          partitions: [{ partitionIndex: 0 }, { partitionIndex: 9 }],
        })),
      })
    assert.deepEqual(await offsetDelete(), { errorCode: 30, throttleTimeMs: 0, topics: [] })
    await acl.grant([
      { resourceType: Res.GROUP, resourceName: 'g-off', operation: Op.DELETE },
      { resourceType: Res.TOPIC, resourceName: 'orders', operation: Op.READ },
    ])
    const deleted = await offsetDelete()
    assert.deepEqual(
      deleted.topics.map((topic) => [topic.name, topic.partitions.map((partition) => partition.errorCode)]),
      [
        ['orders', [0, 3]],
        ['secret', [29, 29]],
      ],
    )
    const left = await alice.request(ApiKey.OffsetFetch, 7, {
      groupId: 'g-off',
      topics: null,
      groups: [],
      requireStable: false,
    })
    assert.deepEqual(
      left.topics.map((topic) => topic.name),
      ['secret'],
      'only the authorized partition lost its offset',
    )
  })
})
