// Goal: ACL enforcement in the config and cluster APIs and the authorized-operations bitfields, to
// the error code, as Kafka's KafkaApis answers: DescribeConfigs (DESCRIBE_CONFIGS), AlterConfigs and
// IncrementalAlterConfigs (ALTER_CONFIGS) per resource; DescribeLogDirs, ElectLeaders and the SCRAM
// credential APIs on the cluster; DescribeProducers (READ on the topic); Metadata, DescribeCluster,
// DescribeTopicPartitions and DescribeGroups bitfields computed from bob's ACLs.
// Method: acl-raw-broker.ts (in-process broker, SASL_PLAINTEXT, authorizer on, alice super user);
// requests encoded with the generated codecs so every code and field that comes back is checked.
import assert from 'node:assert/strict'
import { before, describe, test } from 'node:test'
import { ApiKey } from '../../src/protocol/generated/index.ts'
import type { CodecClient } from '../helpers/kafka-codec-client.ts'
import { metadataRequestBody } from '../helpers/kafka-codec-client.ts'
import { type AclRawBroker, Op, PatternType, Perm, Res, useAclScene } from './acl-raw-broker.ts'

const topicResource = 2
const brokerResource = 4
const omitted = -2147483648
const bits = (...operations: number[]) => operations.reduce((all, operation) => all | (1 << operation), 0)
/** Every operation Kafka lists for a topic: READ, WRITE, CREATE, DELETE, ALTER, DESCRIBE, *_CONFIGS. */
const topicAll = bits(Op.READ, Op.WRITE, Op.CREATE, Op.DELETE, Op.ALTER, Op.DESCRIBE, 10, 11)

describe('ACLs on config and cluster APIs (raw protocol)', () => {
  const scene = useAclScene(['orders', 'secret'])
  let acl: AclRawBroker
  let alice: CodecClient
  let bob: CodecClient
  before(() => {
    ;({ acl, alice, bob } = scene)
  })

  const describeConfigs = (client: CodecClient, resources: [number, string][]) =>
    client.request(ApiKey.DescribeConfigs, 4, {
      resources: resources.map(([resourceType, resourceName]) => ({
        resourceType,
        resourceName,
        configurationKeys: resourceType === topicResource ? ['retention.ms'] : ['log.dirs'],
      })),
      includeSynonyms: false,
      includeDocumentation: false,
    })

  test('DescribeConfigs: DESCRIBE_CONFIGS on the topic or the cluster, checked before existence', async () => {
    const refused = await describeConfigs(bob, [
      [topicResource, 'orders'],
      [topicResource, 'missing'],
      [brokerResource, '0'],
    ])
    assert.deepEqual(
      refused.results.map(({ errorCode, errorMessage, resourceName, configs }) => ({
        errorCode,
        errorMessage,
        resourceName,
        configs: configs.length,
      })),
      [
        { errorCode: 29, errorMessage: 'Topic authorization failed.', resourceName: 'orders', configs: 0 },
        { errorCode: 29, errorMessage: 'Topic authorization failed.', resourceName: 'missing', configs: 0 },
        { errorCode: 31, errorMessage: 'Cluster authorization failed.', resourceName: '0', configs: 0 },
      ],
    )
    // ALTER_CONFIGS implies DESCRIBE_CONFIGS; DESCRIBE on the topic does not.
    await acl.grant([
      { resourceType: Res.TOPIC, resourceName: 'orders', operation: Op.DESCRIBE_CONFIGS },
      { resourceType: Res.TOPIC, resourceName: 'secret', operation: Op.DESCRIBE },
      { resourceType: Res.CLUSTER, resourceName: 'kafka-cluster', operation: Op.ALTER_CONFIGS },
    ])
    const allowed = await describeConfigs(bob, [
      [topicResource, 'orders'],
      [topicResource, 'secret'],
      [brokerResource, '0'],
    ])
    assert.deepEqual(
      allowed.results.map((result) => [result.errorCode, result.configs.map((config) => config.name)]),
      [
        [0, ['retention.ms']],
        [29, []],
        [0, ['log.dirs']],
      ],
    )
  })

  test('AlterConfigs and IncrementalAlterConfigs: ALTER_CONFIGS per resource; nothing changes when refused', async () => {
    const alter = (client: CodecClient, value: string) =>
      client.request(ApiKey.AlterConfigs, 2, {
        resources: [
          { resourceType: topicResource, resourceName: 'orders', configs: [{ name: 'retention.ms', value }] },
          { resourceType: brokerResource, resourceName: '0', configs: [] },
        ],
        validateOnly: false,
      })
    const incremental = (client: CodecClient, value: string) =>
      client.request(ApiKey.IncrementalAlterConfigs, 1, {
        resources: [
          {
            resourceType: topicResource,
            resourceName: 'orders',
            configs: [{ name: 'retention.ms', configOperation: 0, value }],
          },
          { resourceType: brokerResource, resourceName: '0', configs: [] },
        ],
        validateOnly: false,
      })
    const codes = (response: { responses: { errorCode: number; errorMessage: string | null }[] }) =>
      response.responses.map(({ errorCode, errorMessage }) => [errorCode, errorMessage])
    await acl.grant([{ resourceType: Res.TOPIC, resourceName: 'orders', operation: Op.DESCRIBE_CONFIGS }])
    assert.deepEqual(codes(await alter(bob, '1000')), [
      [29, null],
      [31, null],
    ])
    assert.deepEqual(codes(await incremental(bob, '2000')), [
      [29, null],
      [31, null],
    ])
    const retention = async () =>
      (await describeConfigs(alice, [[topicResource, 'orders']])).results[0]?.configs[0]?.value
    assert.equal(await retention(), '604800000')
    await acl.grant([
      {
        resourceType: Res.TOPIC,
        resourceName: 'ord',
        patternType: PatternType.PREFIXED,
        operation: Op.ALTER_CONFIGS,
      },
      { resourceType: Res.CLUSTER, resourceName: 'kafka-cluster', operation: Op.ALTER_CONFIGS },
    ])
    assert.deepEqual(codes(await alter(bob, '1000')), [
      [0, null],
      [0, null],
    ])
    assert.equal(await retention(), '1000')
    assert.deepEqual(codes(await incremental(bob, '2000')), [
      [0, null],
      [0, null],
    ])
    assert.equal(await retention(), '2000')
    // A resource named twice is INVALID_REQUEST before any authorization (Kafka's order).
    await acl.revokeAll()
    const twice = await bob.request(ApiKey.AlterConfigs, 2, {
      resources: [
        { resourceType: topicResource, resourceName: 'orders', configs: [] },
        { resourceType: topicResource, resourceName: 'orders', configs: [] },
      ],
      validateOnly: true,
    })
    assert.deepEqual(codes(twice), [
      [42, 'Duplicate resource.'],
      [42, 'Duplicate resource.'],
    ])
  })

  test('cluster APIs: DescribeLogDirs and DescribeUserScramCredentials need DESCRIBE, ElectLeaders and AlterUserScramCredentials ALTER', async () => {
    const logDirs = await bob.request(ApiKey.DescribeLogDirs, 4, { topics: null })
    assert.deepEqual([logDirs.errorCode, logDirs.results], [31, []])
    assert.deepEqual((await bob.request(ApiKey.DescribeLogDirs, 1, { topics: null })).results, [])
    const elect = await bob.request(ApiKey.ElectLeaders, 2, {
      electionType: 0,
      topicPartitions: [{ topic: 'orders', partitions: [0, 1] }],
      timeoutMs: 1000,
    })
    assert.equal(elect.errorCode, 31)
    assert.deepEqual(elect.replicaElectionResults, [
      {
        topic: 'orders',
        partitionResult: [
          { partitionId: 0, errorCode: 31, errorMessage: 'Cluster authorization failed.' },
          { partitionId: 1, errorCode: 31, errorMessage: 'Cluster authorization failed.' },
        ],
      },
    ])
    const scram = await bob.request(ApiKey.DescribeUserScramCredentials, 0, { users: null })
    assert.deepEqual(scram, {
      throttleTimeMs: 0,
      errorCode: 31,
      errorMessage: 'Cluster authorization failed.',
      results: [],
    })
    const alterScram = await bob.request(ApiKey.AlterUserScramCredentials, 0, {
      deletions: [{ name: 'zed', mechanism: 1 }],
      upsertions: [
        {
          name: 'bob',
          mechanism: 1,
          iterations: 4096,
          salt: Buffer.alloc(16),
          saltedPassword: Buffer.alloc(32),
        },
      ],
    })
    assert.deepEqual(alterScram.results, [
      { user: 'bob', errorCode: 31, errorMessage: 'Cluster authorization failed.' },
      { user: 'zed', errorCode: 31, errorMessage: 'Cluster authorization failed.' },
    ])
    // bob's password still works: nothing was changed.
    await (await acl.login('bob')).request(ApiKey.Metadata, 12, metadataRequestBody([], false))
    await acl.grant([{ resourceType: Res.CLUSTER, resourceName: 'kafka-cluster', operation: Op.ALTER }])
    const allowedLogDirs = await bob.request(ApiKey.DescribeLogDirs, 4, { topics: null })
    assert.equal(allowedLogDirs.errorCode, 0, 'ALTER implies DESCRIBE')
    assert.equal(allowedLogDirs.results.length, 1)
    const allowedScram = await bob.request(ApiKey.DescribeUserScramCredentials, 0, { users: null })
    assert.equal(allowedScram.errorCode, 0)
    assert.deepEqual(
      allowedScram.results.map((result) => result.user),
      ['alice', 'bob'],
    )
    const electAllowed = await bob.request(ApiKey.ElectLeaders, 2, {
      electionType: 0,
      topicPartitions: [{ topic: 'orders', partitions: [0] }],
      timeoutMs: 1000,
    })
    assert.deepEqual(
      [electAllowed.errorCode, electAllowed.replicaElectionResults[0]?.partitionResult[0]?.errorCode],
      [0, 84],
    )
  })

  test('DescribeProducers: READ on the topic, checked after the name and before existence', async () => {
    const describeProducers = (names: string[]) =>
      bob.request(ApiKey.DescribeProducers, 0, {
        topics: names.map((name) => ({ name, partitionIndexes: [0] })),
      })
    const refused = await describeProducers(['orders', 'missing', 'bad/name'])
    assert.deepEqual(
      refused.topics.map((topic) => [
        topic.name,
        topic.partitions[0]?.errorCode,
        topic.partitions[0]?.errorMessage,
      ]),
      [
        ['orders', 29, 'Topic authorization failed.'],
        ['missing', 29, 'Topic authorization failed.'],
        ['bad/name', 17, refused.topics[2]?.partitions[0]?.errorMessage],
      ],
    )
    await acl.grant([{ resourceType: Res.TOPIC, resourceName: '*', operation: Op.READ }])
    const allowed = await describeProducers(['orders', 'missing'])
    assert.deepEqual(
      allowed.topics.map((topic) => topic.partitions[0]?.errorCode),
      [0, 3],
    )
  })

  test('authorized operations: Metadata, DescribeCluster, DescribeTopicPartitions from the ACLs', async () => {
    await acl.grant([
      { resourceType: Res.TOPIC, resourceName: 'orders', operation: Op.READ },
      { resourceType: Res.TOPIC, resourceName: 'orders', operation: Op.ALTER_CONFIGS },
    ])
    const metadata = async (client: CodecClient, version: number, include: boolean) => {
      const response = await client.request(ApiKey.Metadata, version, {
        ...metadataRequestBody(null, false),
        includeClusterAuthorizedOperations: include && version <= 10,
        includeTopicAuthorizedOperations: include,
      })
      return {
        cluster: response.clusterAuthorizedOperations,
        topics: response.topics
          .filter((topic) => !topic.name?.startsWith('__'))
          .map((topic) => [topic.name, topic.topicAuthorizedOperations]),
      }
    }
    const bobTopic = bits(Op.READ, Op.DESCRIBE, Op.DESCRIBE_CONFIGS, Op.ALTER_CONFIGS)
    assert.deepEqual(await metadata(bob, 10, true), { cluster: 0, topics: [['orders', bobTopic]] })
    assert.deepEqual(await metadata(bob, 10, false), { cluster: omitted, topics: [['orders', omitted]] })
    assert.deepEqual(await metadata(bob, 12, true), { cluster: omitted, topics: [['orders', bobTopic]] })
    const clusterAll = bits(
      Op.CREATE,
      Op.CLUSTER_ACTION,
      10,
      11,
      Op.IDEMPOTENT_WRITE,
      Op.ALTER,
      Op.DESCRIBE,
      13,
      14,
    )
    assert.deepEqual(await metadata(alice, 10, true), {
      cluster: clusterAll,
      topics: [
        ['orders', topicAll],
        ['secret', topicAll],
      ],
    })
    // DescribeCluster answers everyone, as Kafka; the bitfield is 0 without DESCRIBE on the cluster.
    const cluster = async (client: CodecClient) =>
      (
        await client.request(ApiKey.DescribeCluster, 1, {
          includeClusterAuthorizedOperations: true,
          endpointType: 1,
        })
      ).clusterAuthorizedOperations
    assert.equal(await cluster(bob), 0)
    assert.equal(await cluster(alice), clusterAll)
    await acl.grant([
      { resourceType: Res.CLUSTER, resourceName: 'kafka-cluster', operation: Op.IDEMPOTENT_WRITE },
    ])
    assert.equal(await cluster(bob), 0, 'IDEMPOTENT_WRITE alone does not allow DESCRIBE')
    await acl.grant([{ resourceType: Res.CLUSTER, resourceName: 'kafka-cluster', operation: Op.DESCRIBE }])
    assert.equal(await cluster(bob), bits(Op.IDEMPOTENT_WRITE, Op.DESCRIBE))
    const partitions = await bob.request(ApiKey.DescribeTopicPartitions, 0, {
      topics: [{ name: 'secret' }, { name: 'orders' }],
      responsePartitionLimit: 100,
      cursor: null,
    })
    assert.deepEqual(
      partitions.topics.map((topic) => ({
        name: topic.name,
        errorCode: topic.errorCode,
        topicId: topic.topicId === '00000000-0000-0000-0000-000000000000' ? 'zero' : 'set',
        partitions: topic.partitions.length,
        operations: topic.topicAuthorizedOperations,
      })),
      [
        { name: 'orders', errorCode: 0, topicId: 'set', partitions: 1, operations: bobTopic },
        { name: 'secret', errorCode: 29, topicId: 'zero', partitions: 0, operations: omitted },
      ],
    )
  })

  test('DescribeGroups: DESCRIBE on the group; the bitfield when asked; a refused group tells nothing', async () => {
    await acl.grant([
      { resourceType: Res.GROUP, resourceName: 'g-', patternType: PatternType.PREFIXED, operation: Op.READ },
      { resourceType: Res.GROUP, resourceName: 'g-x', operation: Op.DELETE, permissionType: Perm.DENY },
    ])
    const response = await bob.request(ApiKey.DescribeGroups, 5, {
      groups: ['g-a', 'g-x', 'other'],
      includeAuthorizedOperations: true,
    })
    assert.deepEqual(
      response.groups.map((group) => [
        group.groupId,
        group.errorCode,
        group.groupState,
        group.authorizedOperations,
      ]),
      [
        ['g-a', 0, 'Dead', bits(Op.READ, Op.DESCRIBE)],
        ['g-x', 0, 'Dead', bits(Op.READ, Op.DESCRIBE)],
        ['other', 30, '', omitted],
      ],
    )
  })
})
