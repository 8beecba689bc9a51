// Goal: kafkajs (pure JavaScript; CreateTopics v3, CreatePartitions v1, DescribeConfigs v2,
// AlterConfigs v1, DeleteTopics v1) administers topics and configs with Kafka's outcomes: topics
// created with their partition counts and configs (numPartitions -1 → num.partitions), the exact
// Kafka error codes for invalid requests, validateOnly changing nothing, partitions added, configs
// described with their sources and replaced, topics deleted.
// Method: an in-process broker (num.partitions = 2) on a temporary data dir; a kafkajs admin client
// makes each call; results are compared field by field with what the client returns, and topic state
// is cross-checked in the broker's log manager.
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { type InProcessBroker, startInProcessBroker } from '../../helpers/in-process-broker.ts'
import { connectKafkajsAdmin, type TestAdmin } from '../../helpers/kafkajs.ts'

/** Topics clients created (the broker's internal topics, such as __consumer_offsets, left out). */
function userTopics(names: string[]): string[] {
  return names.filter((name) => !name.startsWith('__')).sort()
}

interface KafkajsError {
  name: string
  type?: string
  errors?: { type: string; topic: string }[]
  cause?: { type?: string }
}

async function rejection(promise: Promise<unknown>): Promise<KafkajsError> {
  try {
    await promise
  } catch (error) {
    return error as KafkajsError
  }
  assert.fail('expected the call to fail')
}

function partitionsOf(count: number) {
  return Array.from({ length: count }, (_, partitionId) => ({
    partitionErrorCode: 0,
    partitionId,
    leader: 0,
    replicas: [0],
    isr: [0],
    offlineReplicas: [],
  }))
}

// Suite: kafkajs admin: topics and configs.
let server: InProcessBroker
let client: TestAdmin

before(async () => {
  server = await startInProcessBroker({ numPartitions: 2 })
  client = await connectKafkajsAdmin(server.bootstrap)
})

after(async () => {
  await client?.admin.disconnect()
  await server?.stop()
})

test('createTopics creates topics with partitions and configs; -1 partitions means num.partitions', async () => {
  const { admin } = client
  const created = await admin.createTopics({
    topics: [
      { topic: 'orders', numPartitions: 3, configEntries: [{ name: 'retention.ms', value: '3600000' }] },
      { topic: 'defaults' },
    ],
  })
  assert.equal(created, true)
  const metadata = await admin.fetchTopicMetadata({ topics: ['orders', 'defaults'] })
  assert.deepEqual(
    metadata.topics.sort((a, b) => a.name.localeCompare(b.name)),
    [
      { name: 'defaults', partitions: partitionsOf(2) },
      { name: 'orders', partitions: partitionsOf(3) },
    ],
  )
  assert.deepEqual(server.broker.logs.getTopic('orders')?.configOverrides, { 'retention.ms': '3600000' })
  assert.equal(await admin.createTopics({ topics: [{ topic: 'orders' }] }), false, 'TOPIC_ALREADY_EXISTS')
})

test('createTopics answers each invalid topic with Kafka error code', async () => {
  const error = await rejection(
    client.admin.createTopics({
      topics: [
        { topic: 'replicated', replicationFactor: 2 },
        { topic: 'bad name' },
        { topic: '..' },
        { topic: 'x'.repeat(250) },
        { topic: 'unknown-config', configEntries: [{ name: 'no.such.config', value: '1' }] },
        { topic: 'bad-value', configEntries: [{ name: 'retention.ms', value: 'soon' }] },
        { topic: 'zero', numPartitions: 0 },
        { topic: 'elsewhere', replicaAssignment: [{ partition: 0, replicas: [1] }] },
      ],
    }),
  )
  assert.equal(error.name, 'KafkaJSAggregateError')
  assert.deepEqual(
    error.errors?.map(({ topic, type }) => ({ topic, type })).sort((a, b) => a.topic.localeCompare(b.topic)),
    [
      { topic: '..', type: 'INVALID_TOPIC_EXCEPTION' },
      { topic: 'bad name', type: 'INVALID_TOPIC_EXCEPTION' },
      { topic: 'bad-value', type: 'INVALID_CONFIG' },
      { topic: 'elsewhere', type: 'INVALID_REPLICA_ASSIGNMENT' },
      { topic: 'replicated', type: 'INVALID_REPLICATION_FACTOR' },
      { topic: 'unknown-config', type: 'INVALID_CONFIG' },
      { topic: 'x'.repeat(250), type: 'INVALID_TOPIC_EXCEPTION' },
      { topic: 'zero', type: 'INVALID_PARTITIONS' },
    ],
  )
  assert.deepEqual(userTopics(server.broker.logs.listTopics().map((topic) => topic.name)), [
    'defaults',
    'orders',
  ])
})

test('createTopics with validateOnly creates nothing', async () => {
  const { admin } = client
  assert.equal(
    await admin.createTopics({ validateOnly: true, waitForLeaders: false, topics: [{ topic: 'dry-run' }] }),
    true,
  )
  assert.deepEqual(userTopics(await admin.listTopics()), ['defaults', 'orders'])
})

test('createPartitions grows a topic; a count that is not larger is INVALID_PARTITIONS', async () => {
  const { admin } = client
  await admin.createPartitions({ topicPartitions: [{ topic: 'orders', count: 5 }] })
  await admin.createPartitions({ validateOnly: true, topicPartitions: [{ topic: 'defaults', count: 4 }] })
  const error = await rejection(admin.createPartitions({ topicPartitions: [{ topic: 'orders', count: 4 }] }))
  assert.equal(error.type, 'INVALID_PARTITIONS')
  const metadata = await admin.fetchTopicMetadata({ topics: ['orders', 'defaults'] })
  assert.deepEqual(metadata.topics.map((topic) => [topic.name, topic.partitions.length]).sort(), [
    ['defaults', 2],
    ['orders', 5],
  ])
})

test('describeConfigs gives overrides as TOPIC_CONFIG and defaults as DEFAULT_CONFIG, with synonyms', async () => {
  const described = await client.admin.describeConfigs({
    includeSynonyms: true,
    resources: [{ type: 2, name: 'orders', configNames: ['retention.ms', 'cleanup.policy'] }],
  })
  assert.deepEqual(described.resources, [
    {
      errorCode: 0,
      errorMessage: null,
      resourceType: 2,
      resourceName: 'orders',
      configEntries: [
        {
          configName: 'cleanup.policy',
          configValue: 'delete',
          readOnly: false,
          isDefault: true,
          configSource: 5,
          isSensitive: false,
          configSynonyms: [{ configName: 'log.cleanup.policy', configValue: 'delete', configSource: 5 }],
        },
        {
          configName: 'retention.ms',
          configValue: '3600000',
          readOnly: false,
          isDefault: false,
          configSource: 1,
          isSensitive: false,
          // Kafka's rule: log.retention.ms has no default of its own, so no DEFAULT_CONFIG synonym.
          configSynonyms: [{ configName: 'retention.ms', configValue: '3600000', configSource: 1 }],
        },
      ],
    },
  ])
})

test('describeConfigs of the broker lists its real settings, read-only', async () => {
  const described = await client.admin.describeConfigs({
    includeSynonyms: false,
    resources: [{ type: 4, name: '0', configNames: ['num.partitions', 'auto.create.topics.enable'] }],
  })
  assert.deepEqual(described.resources[0].configEntries, [
    {
      configName: 'auto.create.topics.enable',
      configValue: 'true',
      readOnly: true,
      isDefault: true,
      configSource: 5,
      isSensitive: false,
      configSynonyms: [],
    },
    {
      configName: 'num.partitions',
      configValue: '2',
      readOnly: true,
      isDefault: false,
      configSource: 4,
      isSensitive: false,
      configSynonyms: [],
    },
  ])
  const all = await client.admin.describeConfigs({
    includeSynonyms: false,
    resources: [{ type: 4, name: '0' }],
  })
  const names = all.resources[0].configEntries.map((entry) => entry.configName)
  for (const name of ['log.dirs', 'socket.request.max.bytes', 'log.retention.ms', 'message.max.bytes']) {
    assert.ok(names.includes(name), `${name} missing from ${names}`)
  }
  const logDirs = all.resources[0].configEntries.find((entry) => entry.configName === 'log.dirs')
  assert.equal(logDirs?.configValue, server.dataDir)
})

test('describeConfigs of an unknown topic is UNKNOWN_TOPIC_OR_PARTITION', async () => {
  // (kafkajs sends a BROKER resource to that broker itself, so another broker id cannot be asked.)
  const unknown = await rejection(
    client.admin.describeConfigs({ includeSynonyms: false, resources: [{ type: 2, name: 'missing' }] }),
  )
  assert.equal(unknown.type, 'UNKNOWN_TOPIC_OR_PARTITION')
})

test('alterConfigs replaces all overrides; bad values INVALID_CONFIG; broker configs INVALID_REQUEST', async () => {
  const { admin } = client
  await admin.alterConfigs({
    validateOnly: false,
    resources: [{ type: 2, name: 'orders', configEntries: [{ name: 'cleanup.policy', value: 'compact' }] }],
  })
  // retention.ms is not in the new set, so it returns to its default.
  assert.deepEqual(server.broker.logs.getTopic('orders')?.configOverrides, { 'cleanup.policy': 'compact' })
  await admin.alterConfigs({
    validateOnly: true,
    resources: [{ type: 2, name: 'orders', configEntries: [{ name: 'segment.ms', value: '1000' }] }],
  })
  assert.deepEqual(server.broker.logs.getTopic('orders')?.configOverrides, { 'cleanup.policy': 'compact' })
  const invalid = await rejection(
    admin.alterConfigs({
      validateOnly: false,
      resources: [{ type: 2, name: 'orders', configEntries: [{ name: 'retention.ms', value: 'abc' }] }],
    }),
  )
  assert.equal(invalid.type, 'INVALID_CONFIG')
  const brokerChange = await rejection(
    admin.alterConfigs({
      validateOnly: false,
      resources: [{ type: 4, name: '0', configEntries: [{ name: 'num.partitions', value: '3' }] }],
    }),
  )
  assert.equal(brokerChange.type, 'INVALID_REQUEST')
})

test('deleteTopics removes a topic; deleting it again is UNKNOWN_TOPIC_OR_PARTITION', async () => {
  const { admin } = client
  await admin.deleteTopics({ topics: ['defaults'] })
  assert.deepEqual(userTopics(await admin.listTopics()), ['orders'])
  assert.equal(server.broker.logs.getTopic('defaults'), undefined)
  const again = await rejection(admin.deleteTopics({ topics: ['defaults'] }))
  // kafkajs retries this retriable error, then reports it as the cause.
  assert.equal(again.name, 'KafkaJSNumberOfRetriesExceeded')
  assert.equal(again.cause?.type, 'UNKNOWN_TOPIC_OR_PARTITION')
})
