// Goal: ACL enforcement in the transaction, producer-id, coordinator and group APIs, to the error
// code, as Kafka's KafkaApis answers: InitProducerId (WRITE on the transactional id; IDEMPOTENT_WRITE
// on the cluster or WRITE on some topic), AddPartitionsToTxn, AddOffsetsToTxn, EndTxn,
// TxnOffsetCommit, Produce of a transactional batch, DescribeTransactions / ListTransactions,
// FindCoordinator (v3 and batched v4), ConsumerGroupHeartbeat and ConsumerGroupDescribe (offsets
// and LeaveGroup: acl-offsets-raw.test.ts).
// Method: acl-raw-broker.ts (in-process broker, SASL_PLAINTEXT, authorizer on, alice super user);
// requests encoded with the generated codecs; state checked back as alice.
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { before, describe, test } from 'node:test'
import { ApiKey } from '../../src/protocol/generated/index.ts'
import { buildBatch } from '../../src/protocol/records/batch-v2.ts'
import {
  type CodecClient,
  listOffsetsRequestBody,
  produceRequestBody,
} from '../helpers/kafka-codec-client.ts'
import { type AclRawBroker, Op, PatternType, Perm, Res, useAclScene } from './acl-raw-broker.ts'

const initProducerId = (client: CodecClient, transactionalId: string | null) =>
  client.request(ApiKey.InitProducerId, 4, {
    transactionalId,
    transactionTimeoutMs: 60_000,
    producerId: -1n,
    producerEpoch: -1,
  })

describe('ACLs on transaction and group APIs (raw protocol)', () => {
  const scene = useAclScene(['orders', 'secret'])
  let acl: AclRawBroker
  let alice: CodecClient
  let bob: CodecClient
  before(() => {
    ;({ acl, alice, bob } = scene)
  })

  test('InitProducerId: WRITE on the transactional id; idempotence needs IDEMPOTENT_WRITE or WRITE on a topic', async () => {
    assert.deepEqual(await initProducerId(bob, 'tx-bob'), {
      throttleTimeMs: 0,
      errorCode: 53,
      producerId: -1n,
      producerEpoch: -1,
    })
    const idempotent = await initProducerId(bob, null)
    assert.deepEqual([idempotent.errorCode, idempotent.producerId], [31, -1n])
    await acl.grant([
      {
        resourceType: Res.TRANSACTIONAL_ID,
        resourceName: 'tx-',
        patternType: PatternType.PREFIXED,
        operation: Op.WRITE,
      },
      { resourceType: Res.TOPIC, resourceName: 'orders', operation: Op.WRITE },
    ])
    const transactional = await initProducerId(bob, 'tx-bob')
    assert.equal(transactional.errorCode, 0)
    assert.ok(transactional.producerId >= 0n)
    assert.equal((await initProducerId(bob, null)).errorCode, 0, 'WRITE on one topic is enough')
    // A DENY on every topic outweighs the ALLOW; IDEMPOTENT_WRITE on the cluster then still works.
    await acl.grant([
      {
        resourceType: Res.TOPIC,
        resourceName: 'ord',
        patternType: PatternType.PREFIXED,
        operation: Op.WRITE,
        permissionType: Perm.DENY,
      },
    ])
    assert.equal((await initProducerId(bob, null)).errorCode, 31)
    await acl.grant([
      { resourceType: Res.CLUSTER, resourceName: 'kafka-cluster', operation: Op.IDEMPOTENT_WRITE },
    ])
    assert.equal((await initProducerId(bob, null)).errorCode, 0)
  })

  test('AddPartitionsToTxn, AddOffsetsToTxn, EndTxn, TxnOffsetCommit: transactional id, then group and topics', async () => {
    await acl.grant([{ resourceType: Res.TRANSACTIONAL_ID, resourceName: 'tx-1', operation: Op.WRITE }])
    const producer = await initProducerId(bob, 'tx-1')
    assert.equal(producer.errorCode, 0)
    const { producerId, producerEpoch } = producer
    const addPartitions = (transactionalId: string, topics: string[]) =>
      bob.request(ApiKey.AddPartitionsToTxn, 3, {
        transactions: [],
        v3AndBelowTransactionalId: transactionalId,
        v3AndBelowProducerId: producerId,
        v3AndBelowProducerEpoch: producerEpoch,
        v3AndBelowTopics: topics.map((name) => ({ name, partitions: [0] })),
      })
    const codesOf = (response: Awaited<ReturnType<typeof addPartitions>>) =>
      response.resultsByTopicV3AndBelow.map((topic) => [
        topic.name,
        topic.resultsByPartition[0]?.partitionErrorCode,
      ])
    assert.deepEqual(codesOf(await addPartitions('tx-2', ['orders'])), [['orders', 53]])
    await acl.grant([{ resourceType: Res.TOPIC, resourceName: 'orders', operation: Op.WRITE }])
    assert.deepEqual(codesOf(await addPartitions('tx-1', ['orders', 'secret', '__consumer_offsets'])), [
      ['orders', 55],
      ['secret', 29],
      ['__consumer_offsets', 29],
    ])
    assert.deepEqual(codesOf(await addPartitions('tx-1', ['orders'])), [['orders', 0]])
    // v4+ is broker-to-broker: CLUSTER_ACTION on the cluster.
    const batched = await bob.request(ApiKey.AddPartitionsToTxn, 4, {
      transactions: [{ transactionalId: 'tx-1', producerId, producerEpoch, verifyOnly: true, topics: [] }],
      v3AndBelowTransactionalId: '',
      v3AndBelowProducerId: 0n,
      v3AndBelowProducerEpoch: 0,
      v3AndBelowTopics: [],
    })
    assert.deepEqual([batched.errorCode, batched.resultsByTransaction], [31, []])

    const addOffsets = (transactionalId: string) =>
      bob.request(ApiKey.AddOffsetsToTxn, 3, { transactionalId, producerId, producerEpoch, groupId: 'g-tx' })
    assert.equal((await addOffsets('tx-2')).errorCode, 53)
    assert.equal((await addOffsets('tx-1')).errorCode, 30)
    const commit = (transactionalId: string) =>
      bob.request(ApiKey.TxnOffsetCommit, 3, {
        transactionalId,
        groupId: 'g-tx',
        producerId,
        producerEpoch,
        generationId: -1,
        memberId: '',
        groupInstanceId: null,
        topics: ['orders', 'secret'].map((name) => ({
          name,
          partitions: [
            { partitionIndex: 0, committedOffset: 0n, committedLeaderEpoch: -1, committedMetadata: null },
          ],
        })),
      })
    const commitCodes = (response: Awaited<ReturnType<typeof commit>>) =>
      response.topics.map((topic) => [topic.name, topic.partitions[0]?.errorCode])
    assert.deepEqual(commitCodes(await commit('tx-2')), [
      ['orders', 53],
      ['secret', 53],
    ])
    assert.deepEqual(commitCodes(await commit('tx-1')), [
      ['orders', 30],
      ['secret', 30],
    ])
    await acl.grant([
      { resourceType: Res.GROUP, resourceName: 'g-tx', operation: Op.READ },
      { resourceType: Res.TOPIC, resourceName: 'orders', operation: Op.READ },
    ])
    assert.equal((await addOffsets('tx-1')).errorCode, 0)
    assert.deepEqual(commitCodes(await commit('tx-1')), [
      ['orders', 0],
      ['secret', 29],
    ])
    const endTxn = (transactionalId: string) =>
      bob.request(ApiKey.EndTxn, 3, { transactionalId, producerId, producerEpoch, committed: false })
    assert.deepEqual(await endTxn('tx-2'), {
      throttleTimeMs: 0,
      errorCode: 53,
      producerId: -1n,
      producerEpoch: -1,
    })
    assert.equal((await endTxn('tx-1')).errorCode, 0)
  })

  test('Produce: a transactional batch needs WRITE on the request transactional id; nothing is appended', async () => {
    await acl.grant([{ resourceType: Res.TOPIC, resourceName: 'orders', operation: Op.WRITE }])
    const batch = await buildBatch({
      records: [{ timestamp: Date.now(), value: Buffer.from('tx-record') }],
      isTransactional: true,
      producerId: 7n,
      producerEpoch: 0,
      baseSequence: 0,
    })
    const endOffset = async () =>
      (await alice.request(ApiKey.ListOffsets, 7, listOffsetsRequestBody('orders', 0, -1n))).topics[0]
        ?.partitions[0]?.offset
    const before = await endOffset()
    for (const transactionalId of [null, 'tx-produce']) {
      const response = await bob.request(ApiKey.Produce, 9, {
        ...produceRequestBody('orders', 0, batch),
        transactionalId,
      })
      assert.deepEqual(
        response.responses.map((topic) => [
          topic.name,
          topic.partitionResponses.map((p) => [p.errorCode, p.baseOffset]),
        ]),
        [['orders', [[53, -1n]]]],
      )
    }
    assert.equal(await endOffset(), before, 'nothing was appended')
  })

  test('DescribeTransactions and ListTransactions show only what the principal may describe', async () => {
    for (const id of ['tx-a', 'tx-b']) assert.equal((await initProducerId(alice, id)).errorCode, 0)
    const describeTransactions = () =>
      bob.request(ApiKey.DescribeTransactions, 0, { transactionalIds: ['tx-a', 'tx-b'] })
    assert.deepEqual(
      (await describeTransactions()).transactionStates.map((state) => [
        state.transactionalId,
        state.errorCode,
      ]),
      [
        ['tx-a', 53],
        ['tx-b', 53],
      ],
    )
    const listed = async () =>
      (
        await bob.request(ApiKey.ListTransactions, 1, {
          stateFilters: [],
          producerIdFilters: [],
          durationFilter: -1n,
        })
      ).transactionStates
        .map((state) => state.transactionalId)
        .sort()
    assert.deepEqual(await listed(), [])
    await acl.grant([{ resourceType: Res.TRANSACTIONAL_ID, resourceName: 'tx-a', operation: Op.DESCRIBE }])
    assert.deepEqual(
      (await describeTransactions()).transactionStates.map((state) => [
        state.transactionalId,
        state.errorCode,
      ]),
      [
        ['tx-a', 0],
        ['tx-b', 53],
      ],
    )
    assert.deepEqual(await listed(), ['tx-a'])
  })

  test('FindCoordinator: DESCRIBE on the group or transactional id, per key in v4', async () => {
    await acl.grant([
      { resourceType: Res.GROUP, resourceName: 'g-ok', operation: Op.READ },
      { resourceType: Res.TRANSACTIONAL_ID, resourceName: 'tx-ok', operation: Op.DESCRIBE },
    ])
    const single = (key: string, keyType: number) =>
      bob.request(ApiKey.FindCoordinator, 3, { key, keyType, coordinatorKeys: [] })
    const refusedGroup = await single('g-no', 0)
    assert.deepEqual(
      [
        refusedGroup.errorCode,
        refusedGroup.errorMessage,
        refusedGroup.nodeId,
        refusedGroup.host,
        refusedGroup.port,
      ],
      [30, 'Group authorization failed.', -1, '', -1],
    )
    assert.equal((await single('g-ok', 0)).errorCode, 0)
    assert.equal((await single('tx-no', 1)).errorCode, 53)
    assert.equal((await single('tx-ok', 1)).errorCode, 0)
    const batched = await bob.request(ApiKey.FindCoordinator, 4, {
      key: '',
      keyType: 0,
      coordinatorKeys: ['g-ok', 'g-no'],
    })
    assert.deepEqual(
      batched.coordinators.map((coordinator) => [coordinator.key, coordinator.errorCode, coordinator.nodeId]),
      [
        ['g-ok', 0, 0],
        ['g-no', 30, -1],
      ],
    )
  })

  test('ConsumerGroupHeartbeat and ConsumerGroupDescribe: group READ / DESCRIBE, topics DESCRIBE', async () => {
    const heartbeat = (client: CodecClient, topics: string[]) =>
      client.request(ApiKey.ConsumerGroupHeartbeat, 1, {
        groupId: 'cg',
        memberId: randomUUID(),
        memberEpoch: 0,
        instanceId: null,
        rackId: null,
        rebalanceTimeoutMs: 30_000,
        subscribedTopicNames: topics,
        subscribedTopicRegex: null,
        serverAssignor: null,
        topicPartitions: [],
      })
    assert.equal((await heartbeat(bob, ['orders'])).errorCode, 30)
    await acl.grant([{ resourceType: Res.GROUP, resourceName: 'cg', operation: Op.READ }])
    const unauthorizedTopic = await heartbeat(bob, ['orders'])
    assert.deepEqual(
      [unauthorizedTopic.errorCode, unauthorizedTopic.memberId, unauthorizedTopic.assignment],
      [29, null, null],
    )
    const joined = await heartbeat(alice, ['orders', 'secret'])
    assert.equal(joined.errorCode, 0)
    const describeGroup = async () =>
      (
        await bob.request(ApiKey.ConsumerGroupDescribe, 0, {
          groupIds: ['cg', 'cg-other'],
          includeAuthorizedOperations: true,
        })
      ).groups.map((group) => [
        group.groupId,
        group.errorCode,
        group.errorMessage,
        group.members.length,
        group.authorizedOperations,
      ])
    await acl.grant([{ resourceType: Res.TOPIC, resourceName: 'orders', operation: Op.DESCRIBE }])
    assert.deepEqual(await describeGroup(), [
      [
        'cg',
        29,
        'The group has described topic(s) that the client is not authorized to describe.',
        0,
        -2147483648,
      ],
      ['cg-other', 30, null, 0, -2147483648],
    ])
    await acl.grant([{ resourceType: Res.TOPIC, resourceName: 'secret', operation: Op.DESCRIBE }])
    assert.deepEqual(await describeGroup(), [
      ['cg', 0, null, 1, (1 << Op.READ) | (1 << Op.DESCRIBE)],
      ['cg-other', 30, null, 0, -2147483648],
    ])
  })
})
