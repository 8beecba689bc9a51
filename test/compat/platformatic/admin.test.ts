// Goal: @platformatic/kafka (a modern client that uses the newest versions: CreateTopics v7,
// IncrementalAlterConfigs v1, DescribeConfigs v4, DescribeLogDirs v4, ListOffsets v9, DeleteRecords v2,
// DescribeTopicPartitions v0, OffsetForLeaderEpoch v4, DescribeCluster v1) gets Kafka's answers:
// topic ids and full configs from CreateTopics, SET/DELETE/APPEND/SUBTRACT with INVALID_CONFIG for a
// list operation on a scalar, documentation and types, per-partition sizes, every special ListOffsets
// timestamp with leader epochs and fencing, paging by cursor, epoch end offsets.
// Method: an in-process broker; record batches with chosen timestamps and leader epochs are appended
// straight to the partition log (built with buildBatch) so offsets, timestamps and epochs are known;
// the client's Admin makes the high-level calls and its exported per-version APIs the others, over its
// own Connection. Answers are compared exactly; error answers are read from the client's ResponseError.
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import {
  Admin,
  Connection,
  deleteTopicsV6,
  describeClusterV1,
  describeConfigsV4,
  describeTopicPartitionsV0,
  listOffsetsV9,
  offsetForLeaderEpochV4,
} from '@platformatic/kafka'
import { buildBatch } from '../../../src/protocol/records/batch-v2.ts'
import { topicConfigDefinitions } from '../../../src/storage/topic-config.ts'
import { type InProcessBroker, startInProcessBroker } from '../../helpers/in-process-broker.ts'

const topic = 'events'

/** The broker's answer carried by a client error (the client throws on any non-zero error code). */
function responseOf(error: unknown): unknown {
  for (let current: unknown = error; current !== undefined && current !== null; ) {
    const { response, errors } = current as { response?: unknown; errors?: unknown[] }
    if (response !== undefined) return response
    current = errors?.[0]
  }
  assert.fail(`no broker response in ${String(error)}`)
}

async function answerOf<T>(call: Promise<T>): Promise<unknown> {
  try {
    return await call
  } catch (error) {
    return responseOf(error)
  }
}

// Suite: @platformatic/kafka admin APIs.
let server: InProcessBroker
let admin: Admin
let connection: Connection

before(async () => {
  server = await startInProcessBroker()
  admin = new Admin({
    clientId: 'streamline-compat',
    bootstrapBrokers: [server.bootstrap],
    timeout: 10_000,
    retries: 0,
  })
  connection = new Connection('streamline-compat')
  await connection.connect(server.broker.host, server.broker.port)
})

after(async () => {
  await connection?.close()
  await admin?.close()
  await server?.stop()
})

test('createTopics (v7) answers with the topic id, counts and every config', async () => {
  const [created] = await admin.createTopics({
    topics: [topic],
    partitions: 3,
    replicas: 1,
    configs: [{ name: 'cleanup.policy', value: 'compact' }],
  })
  const stored = server.broker.logs.getTopic(topic)
  assert.equal(created.id, stored?.topicId)
  assert.deepEqual(
    { name: created.name, partitions: created.partitions, replicas: created.replicas },
    {
      name: topic,
      partitions: 3,
      replicas: 1,
    },
  )
  const expectedConfiguration = Object.fromEntries(
    topicConfigDefinitions.map((definition) => [definition.name, definition.defaultValue]),
  )
  assert.deepEqual(created.configuration, { ...expectedConfiguration, 'cleanup.policy': 'compact' })
  // Three batches of two records: offsets 0-1 (epoch 0), 2-3 (epoch 0), 4-5 (epoch 2).
  const log = server.broker.logs.partition(topic, 0)!
  for (const [timestamp, leaderEpoch] of [
    [1000, 0],
    [2000, 0],
    [3000, 2],
  ]) {
    const records = [timestamp, timestamp + 5].map((time) => ({
      timestamp: time,
      value: Buffer.from(`${time}`),
    }))
    await log.append(await buildBatch({ records }), { durable: false, leaderEpoch })
  }
})

test('incrementalAlterConfigs applies SET, DELETE, APPEND and SUBTRACT', async () => {
  const alter = (
    configs: Parameters<Admin['incrementalAlterConfigs']>[0]['resources'][0]['configs'],
    validateOnly = false,
  ) =>
    answerOf(
      admin.incrementalAlterConfigs({
        resources: [{ resourceType: 2, resourceName: topic, configs }],
        validateOnly,
      }),
    )
  const overrides = () => server.broker.logs.getTopic(topic)?.configOverrides
  await alter([
    { name: 'cleanup.policy', configOperation: 2, value: 'delete' },
    { name: 'retention.ms', configOperation: 0, value: '3600000' },
  ])
  assert.deepEqual(overrides(), { 'cleanup.policy': 'compact,delete', 'retention.ms': '3600000' })
  await alter([
    { name: 'cleanup.policy', configOperation: 3, value: 'compact' },
    { name: 'retention.ms', configOperation: 1 },
  ])
  assert.deepEqual(overrides(), { 'cleanup.policy': 'delete' })
  await alter([{ name: 'segment.ms', configOperation: 0, value: '1000' }], true)
  assert.deepEqual(overrides(), { 'cleanup.policy': 'delete' }, 'validateOnly changed the topic')
  const refused = await alter([{ name: 'retention.ms', configOperation: 2, value: '5' }])
  assert.deepEqual(refused, {
    throttleTimeMs: 0,
    responses: [
      {
        errorCode: 40,
        errorMessage: 'Config value append is not allowed for config key: retention.ms',
        resourceType: 2,
        resourceName: topic,
      },
    ],
  })
  const unknown = await answerOf(
    admin.incrementalAlterConfigs({
      resources: [
        {
          resourceType: 2,
          resourceName: 'missing',
          configs: [{ name: 'retention.ms', configOperation: 1 }],
        },
      ],
    }),
  )
  assert.equal((unknown as { responses: { errorCode: number }[] }).responses[0].errorCode, 3)
})

test('describeConfigs (v4) gives types, documentation and synonyms', async () => {
  const [description] = await admin.describeConfigs({
    includeSynonyms: true,
    includeDocumentation: true,
    resources: [
      { resourceType: 2, resourceName: topic, configurationKeys: ['cleanup.policy', 'segment.bytes'] },
    ],
  })
  const doc = (name: string) => topicConfigDefinitions.find((definition) => definition.name === name)?.doc
  assert.deepEqual(description, {
    resourceType: 2,
    resourceName: topic,
    configs: [
      {
        name: 'cleanup.policy',
        value: 'delete',
        readOnly: false,
        configSource: 1,
        isSensitive: false,
        synonyms: [
          { name: 'cleanup.policy', value: 'delete', source: 1 },
          { name: 'log.cleanup.policy', value: 'delete', source: 5 },
        ],
        configType: 7,
        documentation: doc('cleanup.policy'),
      },
      {
        name: 'segment.bytes',
        value: '1073741824',
        readOnly: false,
        configSource: 5,
        isSensitive: false,
        synonyms: [{ name: 'log.segment.bytes', value: '1073741824', source: 5 }],
        configType: 3,
        documentation: doc('segment.bytes'),
      },
    ],
  })
})

test('describeLogDirs (v4) gives the data dir, partition sizes and the volume size', async () => {
  const [broker] = await admin.describeLogDirs({ topics: [{ name: topic, partitions: [0, 1, 9] }] })
  const [result] = broker.results
  assert.equal(result.logDir, server.dataDir)
  assert.deepEqual(result.topics, [
    {
      name: topic,
      partitions: [
        {
          partitionIndex: 0,
          partitionSize: BigInt(server.broker.logs.partition(topic, 0)!.sizeBytes),
          offsetLag: 0n,
          isFutureKey: false,
        },
        { partitionIndex: 1, partitionSize: 0n, offsetLag: 0n, isFutureKey: false },
      ],
    },
  ])
  assert.ok(result.totalBytes > 0n && result.usableBytes > 0n && result.usableBytes <= result.totalBytes)
})

test('listOffsets (v9) answers earliest, latest, max timestamp and timestamps with leader epochs', async () => {
  const lookUp = async (timestamp: bigint, currentLeaderEpoch = -1) => {
    const partitions = [{ partitionIndex: 0, currentLeaderEpoch, timestamp }]
    const answer = await answerOf(listOffsetsV9.api.async(connection, -1, 0, [{ name: topic, partitions }]))
    const {
      errorCode,
      timestamp: found,
      offset,
      leaderEpoch,
    } = (
      answer as {
        topics: {
          partitions: { errorCode: number; timestamp: bigint; offset: bigint; leaderEpoch: number }[]
        }[]
      }
    ).topics[0].partitions[0]
    return { errorCode, timestamp: found, offset, leaderEpoch }
  }
  assert.deepEqual(await lookUp(-2n), { errorCode: 0, timestamp: -1n, offset: 0n, leaderEpoch: 0 })
  assert.deepEqual(await lookUp(-1n), { errorCode: 0, timestamp: -1n, offset: 6n, leaderEpoch: 2 })
  assert.deepEqual(await lookUp(-3n), { errorCode: 0, timestamp: 3005n, offset: 5n, leaderEpoch: 2 })
  assert.deepEqual(await lookUp(-4n), { errorCode: 0, timestamp: -1n, offset: 0n, leaderEpoch: 0 })
  assert.deepEqual(await lookUp(-5n), { errorCode: 0, timestamp: -1n, offset: -1n, leaderEpoch: -1 })
  // By timestamp: the first record whose timestamp is >= T (its offset and timestamp), as Kafka answers.
  assert.deepEqual(await lookUp(1500n), { errorCode: 0, timestamp: 2000n, offset: 2n, leaderEpoch: 0 })
  assert.deepEqual(await lookUp(2006n), { errorCode: 0, timestamp: 3000n, offset: 4n, leaderEpoch: 2 })
  assert.deepEqual(await lookUp(3006n), { errorCode: 0, timestamp: -1n, offset: -1n, leaderEpoch: -1 })
  // Fencing by the client's current leader epoch (the partition is at epoch 2).
  assert.deepEqual(await lookUp(-1n, 2), { errorCode: 0, timestamp: -1n, offset: 6n, leaderEpoch: 2 })
  assert.equal((await lookUp(-1n, 1)).errorCode, 74, 'FENCED_LEADER_EPOCH')
  assert.equal((await lookUp(-1n, 3)).errorCode, 75, 'UNKNOWN_LEADER_EPOCH')
})

test('listOffsets answers unknown partitions and partitions named twice with errors', async () => {
  const answer = await answerOf(
    listOffsetsV9.api.async(connection, -1, 0, [
      {
        name: topic,
        partitions: [
          { partitionIndex: 1, currentLeaderEpoch: -1, timestamp: -1n },
          { partitionIndex: 1, currentLeaderEpoch: -1, timestamp: -2n },
          { partitionIndex: 5, currentLeaderEpoch: -1, timestamp: -1n },
        ],
      },
      { name: 'missing', partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, timestamp: -1n }] },
    ]),
  )
  const codes = (
    answer as { topics: { name: string; partitions: { partitionIndex: number; errorCode: number }[] }[] }
  ).topics.map((t) => [t.name, t.partitions.map((p) => [p.partitionIndex, p.errorCode])])
  assert.deepEqual(codes, [
    [
      topic,
      [
        [1, 42],
        [1, 42],
        [5, 3],
      ],
    ],
    ['missing', [[0, 3]]],
  ])
})

test('offsetForLeaderEpoch (v4) gives the end offset of each epoch', async () => {
  // (This client's v4 parser reads partition before errorCode, so only error-free answers for
  // partition 0 decode correctly; errors are covered by test/compat/wire/admin-raw.test.ts.)
  const endOf = async (leaderEpoch: number) => {
    const answer = await offsetForLeaderEpochV4.api.async(connection, -1, [
      { name: topic, partitions: [{ partitionIndex: 0, currentLeaderEpoch: 2, leaderEpoch }] },
    ])
    const [partition] = answer.topics[0].partitions
    return [partition.leaderEpoch, partition.endOffset]
  }
  assert.deepEqual(await endOf(0), [0, 4n])
  assert.deepEqual(await endOf(1), [0, 4n])
  assert.deepEqual(await endOf(2), [2, 6n])
  assert.deepEqual(await endOf(3), [-1, -1n])
})

test('deleteRecords (v2) returns the new low watermark, which ListOffsets then reports', async () => {
  const deleted = await admin.deleteRecords({
    topics: [{ name: topic, partitions: [{ partition: 0, offset: 4n }] }],
  })
  assert.deepEqual(deleted, [{ name: topic, partitions: [{ partition: 0, lowWatermark: 4n }] }])
  const [listed] = await admin.listOffsets({
    topics: [{ name: topic, partitions: [{ partitionIndex: 0, timestamp: -2n }] }],
  })
  assert.deepEqual(
    listed.partitions.map((p) => [p.partitionIndex, p.offset, p.leaderEpoch]),
    [[0, 4n, 2]],
  )
  const beyond = await answerOf(
    admin.deleteRecords({ topics: [{ name: topic, partitions: [{ partition: 0, offset: 7n }] }] }),
  )
  assert.deepEqual(beyond, {
    throttleTimeMs: 0,
    topics: [{ name: topic, partitions: [{ partitionIndex: 0, lowWatermark: -1n, errorCode: 1 }] }],
  })
})

test('describeTopicPartitions (v0) pages partitions with a cursor', async () => {
  const page = (limit: number, cursor?: { topicName: string; partitionIndex: number }) =>
    answerOf(
      describeTopicPartitionsV0.api.async(connection, [{ name: topic }, { name: 'missing' }], limit, cursor),
    )
  const summary = (answer: unknown) => {
    const { topics, nextCursor } = answer as {
      topics: {
        name: string
        errorCode: number
        partitions: { partitionIndex: number; leaderEpoch: number }[]
      }[]
      nextCursor: unknown
    }
    return {
      topics: topics.map((t) => [
        t.name,
        t.errorCode,
        t.partitions.map((p) => [p.partitionIndex, p.leaderEpoch]),
      ]),
      nextCursor,
    }
  }
  assert.deepEqual(summary(await page(2)), {
    topics: [
      [
        topic,
        0,
        [
          [0, 2],
          [1, 0],
        ],
      ],
    ],
    nextCursor: { topicName: topic, partitionIndex: 2 },
  })
  assert.deepEqual(summary(await page(2, { topicName: topic, partitionIndex: 2 })), {
    topics: [
      [topic, 0, [[2, 0]]],
      ['missing', 3, []],
    ],
    nextCursor: undefined, // the client's rendering of a null cursor
  })
})

test('describeCluster (v1) describes this broker; the controllers endpoint type is refused', async () => {
  const answer = await describeClusterV1.api.async(connection, false, 1)
  assert.deepEqual(answer, {
    throttleTimeMs: 0,
    errorCode: 0,
    errorMessage: null,
    endpointType: 1,
    clusterId: server.broker.logs.clusterId,
    controllerId: 0,
    brokers: [{ brokerId: 0, host: '127.0.0.1', port: server.broker.port, rack: null }],
    clusterAuthorizedOperations: -2147483648,
  })
  const controllers = await answerOf(describeClusterV1.api.async(connection, false, 2))
  assert.equal((controllers as { errorCode: number }).errorCode, 114, 'MISMATCHED_ENDPOINT_TYPE')
})

test('describeConfigs checks BROKER resource names and resource types', async () => {
  const resources = [
    { resourceType: 4 as const, resourceName: '7' },
    { resourceType: 4 as const, resourceName: '' },
    { resourceType: 4 as const, resourceName: 'x' },
    { resourceType: 8 as const, resourceName: '0' },
  ]
  const answer = await answerOf(describeConfigsV4.api.async(connection, resources, false, false))
  assert.deepEqual(answer, {
    throttleTimeMs: 0,
    results: [
      {
        errorCode: 42,
        errorMessage: 'Unexpected broker id, expected 0 or empty string, but received 7',
        resourceType: 4,
        resourceName: '7',
        configs: [],
      },
      // "" is the cluster-wide dynamic default resource: none exist.
      { errorCode: 0, errorMessage: null, resourceType: 4, resourceName: '', configs: [] },
      {
        errorCode: 42,
        errorMessage: 'Broker id must be an integer, but it is: x',
        resourceType: 4,
        resourceName: 'x',
        configs: [],
      },
      {
        errorCode: 42,
        errorMessage: 'Unsupported resource type: 8',
        resourceType: 8,
        resourceName: '0',
        configs: [],
      },
    ],
  })
})

test('deleteTopics (v6) deletes by topic id; unknown ids and name+id are refused', async () => {
  await admin.createTopics({ topics: ['by-id', 'kept'], partitions: 1, replicas: 1 })
  const topicId = server.broker.logs.getTopic('by-id')!.topicId
  const unknownId = '11111111-2222-3333-4444-555555555555'
  const byIdOnly = null as unknown as string // the client's type says string; the wire field is nullable
  const answer = await answerOf(
    deleteTopicsV6.api.async(
      connection,
      [
        { name: byIdOnly, topicId },
        { name: byIdOnly, topicId: unknownId },
        { name: 'kept', topicId },
      ],
      1000,
    ),
  )
  assert.deepEqual(answer, {
    throttleTimeMs: 0,
    responses: [
      { name: 'by-id', topicId, errorCode: 0, errorMessage: null },
      { name: null, topicId: unknownId, errorCode: 100, errorMessage: null },
      {
        name: 'kept',
        topicId,
        errorCode: 42,
        errorMessage: 'You may not specify both topic name and topic id.',
      },
    ],
  })
  assert.equal(server.broker.logs.getTopic('by-id'), undefined)
  assert.notEqual(server.broker.logs.getTopic('kept'), undefined)
})

test('topic defaults given to the broker are STATIC_BROKER_CONFIG, for topics and the broker', async () => {
  const configured = await startInProcessBroker({}, { topicDefaults: { 'retention.ms': '86400000' } })
  const client = new Admin({
    clientId: 'streamline-compat',
    bootstrapBrokers: [configured.bootstrap],
    timeout: 10_000,
    retries: 0,
  })
  try {
    const [created] = await client.createTopics({ topics: ['daily'], partitions: 1, replicas: 1 })
    assert.equal(created.configuration['retention.ms'], '86400000')
    const [topicConfigs, brokerConfigs] = await client.describeConfigs({
      includeSynonyms: true,
      resources: [
        { resourceType: 2, resourceName: 'daily', configurationKeys: ['retention.ms'] },
        { resourceType: 4, resourceName: '0', configurationKeys: ['log.retention.ms'] },
      ],
    })
    const summary = (description: typeof topicConfigs) =>
      description.configs.map(({ name, value, configSource, synonyms }) => ({
        name,
        value,
        configSource,
        synonyms,
      }))
    assert.deepEqual(summary(topicConfigs), [
      {
        name: 'retention.ms',
        value: '86400000',
        configSource: 4,
        // Kafka's rule: the static value, then the DEFAULT_CONFIG of log.retention.hours (the synonym
        // that has a default of its own).
        synonyms: [
          { name: 'log.retention.ms', value: '86400000', source: 4 },
          { name: 'log.retention.hours', value: '168', source: 5 },
        ],
      },
    ])
    assert.deepEqual(summary(brokerConfigs), [
      {
        name: 'log.retention.ms',
        value: '86400000',
        configSource: 4,
        // Kafka's rule: the static value, then the DEFAULT_CONFIG of log.retention.hours (the synonym
        // that has a default of its own).
        synonyms: [
          { name: 'log.retention.ms', value: '86400000', source: 4 },
          { name: 'log.retention.hours', value: '168', source: 5 },
        ],
      },
    ])
  } finally {
    await client.close()
    await configured.stop()
  }
})

test('deleteRecords on a compacted topic is POLICY_VIOLATION', async () => {
  await admin.createTopics({
    topics: ['compacted'],
    partitions: 1,
    replicas: 1,
    configs: [{ name: 'cleanup.policy', value: 'compact' }],
  })
  const answer = await answerOf(
    admin.deleteRecords({ topics: [{ name: 'compacted', partitions: [{ partition: 0, offset: 0n }] }] }),
  )
  assert.deepEqual(answer, {
    throttleTimeMs: 0,
    topics: [{ name: 'compacted', partitions: [{ partitionIndex: 0, lowWatermark: -1n, errorCode: 44 }] }],
  })
})
