// Goal: ACLs enforced end to end with kafkajs over SASL_PLAINTEXT. A super user (alice, PLAIN)
// creates topics and ACLs; bob (SCRAM-SHA-256) with READ on the prefix `orders.` and on group
// `g-orders` consumes `orders.x` but cannot produce to it, does not see `other`, cannot create
// topics nor describe ACLs. CreateAcls / DescribeAcls / DeleteAcls through the kafkajs admin with
// exact results.
// Method: the broker CLI from secure-broker.ts with `--security-authorizer` and
// `--security-super-users User:alice`; errors checked by Kafka's error name (kafkajs' `type`).
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import kafkajs, { type Admin, Kafka, logLevel, type SASLOptions } from 'kafkajs'
import { type SecureBroker, startSecureBroker, users } from './secure-broker.ts'

// kafkajs is CommonJS: its enums are not named ESM exports.
const { AclOperationTypes, AclPermissionTypes, AclResourceTypes, ResourcePatternTypes } = kafkajs

function client(bootstrap: string, sasl: SASLOptions): Kafka {
  return new Kafka({
    clientId: 'streamline-acl',
    brokers: [bootstrap],
    sasl,
    connectionTimeout: 10_000,
    requestTimeout: 10_000,
    retry: { retries: 0 },
    logLevel: logLevel.NOTHING,
  })
}

/** Every Kafka error name (`type`) in an error, its cause and its aggregated errors. */
function errorTypes(error: unknown): string[] {
  if (typeof error !== 'object' || error === null) return []
  const record = error as {
    type?: unknown
    cause?: unknown
    errors?: unknown
    originalError?: unknown
    partitions?: unknown
    groups?: unknown
  }
  const own = typeof record.type === 'string' ? [record.type] : []
  const nested = Array.isArray(record.errors) ? record.errors.flatMap(errorTypes) : []
  // KafkaJSDeleteTopicRecordsError lists per-partition errors.
  const partitions = Array.isArray(record.partitions)
    ? record.partitions.flatMap((partition: { error?: unknown }) => errorTypes(partition.error))
    : []
  // KafkaJSDeleteGroupsError lists per-group errors.
  const groups = Array.isArray(record.groups)
    ? record.groups.flatMap((group: { error?: unknown }) => errorTypes(group.error))
    : []
  return [
    ...own,
    ...errorTypes(record.cause),
    ...errorTypes(record.originalError),
    ...nested,
    ...partitions,
    ...groups,
  ]
}

async function rejectsWith(promise: Promise<unknown>, type: string): Promise<void> {
  try {
    await promise
  } catch (error) {
    assert.ok(
      errorTypes(error).includes(type),
      `expected ${type}, got ${String(error)} ${errorTypes(error).join(',')}`,
    )
    return
  }
  assert.fail(`expected ${type}, the call succeeded`)
}

const bobReadsOrders = [
  {
    resourceType: AclResourceTypes.TOPIC,
    resourceName: 'orders.',
    resourcePatternType: ResourcePatternTypes.PREFIXED,
    principal: 'User:bob',
    host: '*',
    operation: AclOperationTypes.READ,
    permissionType: AclPermissionTypes.ALLOW,
  },
  {
    resourceType: AclResourceTypes.GROUP,
    resourceName: 'g-orders',
    resourcePatternType: ResourcePatternTypes.LITERAL,
    principal: 'User:bob',
    host: '*',
    operation: AclOperationTypes.READ,
    permissionType: AclPermissionTypes.ALLOW,
  },
]

function bobMayDescribeGroup(groupId: string) {
  return {
    resourceType: AclResourceTypes.GROUP,
    resourceName: groupId,
    resourcePatternType: ResourcePatternTypes.LITERAL,
    principal: 'User:bob',
    host: '*',
    operation: AclOperationTypes.DESCRIBE,
    permissionType: AclPermissionTypes.ALLOW,
  }
}

describe('ACLs with kafkajs over SASL_PLAINTEXT', () => {
  let secure: SecureBroker
  let alice: Kafka
  let bob: Kafka
  let aliceAdmin: Admin
  let bobAdmin: Admin
  before(async () => {
    secure = await startSecureBroker(['--security-authorizer', '--security-super-users', 'User:alice'])
    alice = client(secure.saslPlaintext, { mechanism: 'plain', username: 'alice', password: users.alice })
    bob = client(secure.saslPlaintext, { mechanism: 'scram-sha-256', username: 'bob', password: users.bob })
    aliceAdmin = alice.admin()
    bobAdmin = bob.admin()
    await aliceAdmin.connect()
    await bobAdmin.connect()
  })
  after(async () => {
    await aliceAdmin?.disconnect()
    await bobAdmin?.disconnect()
    await secure?.stop()
  })

  test('a super user creates topics, produces and manages ACLs', async () => {
    assert.equal(await aliceAdmin.createTopics({ topics: [{ topic: 'orders.x' }, { topic: 'other' }] }), true)
    const producer = alice.producer()
    await producer.connect()
    await producer.send({ topic: 'orders.x', messages: [{ value: 'order-1' }] })
    await producer.disconnect()
    const created = await aliceAdmin.createAcls({ acl: bobReadsOrders })
    assert.equal(created, true)
    const described = await aliceAdmin.describeAcls({
      resourceType: AclResourceTypes.ANY,
      resourcePatternType: ResourcePatternTypes.ANY,
      operation: AclOperationTypes.ANY,
      permissionType: AclPermissionTypes.ANY,
    })
    assert.deepEqual(
      described.resources.map((resource) => ({
        resourceType: resource.resourceType,
        resourceName: resource.resourceName,
        resourcePatternType: resource.resourcePatternType,
        acls: resource.acls,
      })),
      [
        {
          resourceType: AclResourceTypes.TOPIC,
          resourceName: 'orders.',
          resourcePatternType: ResourcePatternTypes.PREFIXED,
          acls: [
            {
              principal: 'User:bob',
              host: '*',
              operation: AclOperationTypes.READ,
              permissionType: AclPermissionTypes.ALLOW,
            },
          ],
        },
        {
          resourceType: AclResourceTypes.GROUP,
          resourceName: 'g-orders',
          resourcePatternType: ResourcePatternTypes.LITERAL,
          acls: [
            {
              principal: 'User:bob',
              host: '*',
              operation: AclOperationTypes.READ,
              permissionType: AclPermissionTypes.ALLOW,
            },
          ],
        },
      ],
    )
    // MATCH: the ACLs that apply to the topic orders.x.
    const matching = await aliceAdmin.describeAcls({
      resourceType: AclResourceTypes.TOPIC,
      resourceName: 'orders.x',
      resourcePatternType: ResourcePatternTypes.MATCH,
      operation: AclOperationTypes.ANY,
      permissionType: AclPermissionTypes.ANY,
    })
    assert.deepEqual(
      matching.resources.map((resource) => resource.resourceName),
      ['orders.'],
    )
  })

  test('bob sees only topics he may describe and consumes orders.x with his group', async () => {
    assert.deepEqual(await bobAdmin.listTopics(), ['orders.x'])
    const consumer = bob.consumer({ groupId: 'g-orders' })
    await consumer.connect()
    await consumer.subscribe({ topic: 'orders.x', fromBeginning: true })
    const values: string[] = []
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no record within 30 s')), 30_000)
      consumer
        .run({
          eachMessage: async ({ message }) => {
            values.push(message.value?.toString() ?? '')
            clearTimeout(timer)
            resolve()
          },
        })
        .catch(reject)
    })
    await consumer.disconnect()
    assert.deepEqual(values, ['order-1'])
  })

  test('bob cannot produce, create topics, use another group or manage ACLs', async () => {
    const producer = bob.producer({ allowAutoTopicCreation: false })
    await producer.connect()
    await rejectsWith(
      producer.send({ topic: 'orders.x', messages: [{ value: 'nope' }] }),
      'TOPIC_AUTHORIZATION_FAILED',
    )
    await producer.disconnect()
    await rejectsWith(
      bobAdmin.createTopics({ topics: [{ topic: 'orders.new' }] }),
      'TOPIC_AUTHORIZATION_FAILED',
    )
    // Without DESCRIBE on a group, FindCoordinator is refused (GROUP_AUTHORIZATION_FAILED, as Kafka),
    // which kafkajs reports only as "no coordinator"; with DESCRIBE, OffsetFetch still needs READ.
    await assert.rejects(bobAdmin.fetchOffsets({ groupId: 'g-other', topics: ['orders.x'] }), {
      name: 'KafkaJSGroupCoordinatorNotFound',
    })
    await aliceAdmin.createAcls({ acl: [bobMayDescribeGroup('g-other')] })
    await rejectsWith(
      bobAdmin.fetchOffsets({ groupId: 'g-other', topics: ['orders.x'] }),
      'GROUP_AUTHORIZATION_FAILED',
    )
    await rejectsWith(
      bobAdmin.describeAcls({
        resourceType: AclResourceTypes.ANY,
        resourcePatternType: ResourcePatternTypes.ANY,
        operation: AclOperationTypes.ANY,
        permissionType: AclPermissionTypes.ANY,
      }),
      'CLUSTER_AUTHORIZATION_FAILED',
    )
    await rejectsWith(bobAdmin.createAcls({ acl: bobReadsOrders }), 'CLUSTER_AUTHORIZATION_FAILED')
    // READ on orders.x (which implies DESCRIBE) is not DELETE; 'other' he may not even see.
    await rejectsWith(bobAdmin.deleteTopics({ topics: ['orders.x'] }), 'TOPIC_AUTHORIZATION_FAILED')
    await rejectsWith(bobAdmin.deleteTopics({ topics: ['other'] }), 'TOPIC_AUTHORIZATION_FAILED')
    // READ implies DESCRIBE, so ListOffsets works; adding partitions (ALTER) and deleting records
    // (DELETE) do not.
    assert.deepEqual(
      (await bobAdmin.fetchTopicOffsets('orders.x')).map((entry) => entry.partition),
      [0],
    )
    await rejectsWith(
      bobAdmin.createPartitions({ topicPartitions: [{ topic: 'orders.x', count: 3 }] }),
      'TOPIC_AUTHORIZATION_FAILED',
    )
    await rejectsWith(
      bobAdmin.deleteTopicRecords({ topic: 'orders.x', partitions: [{ partition: 0, offset: '-1' }] }),
      'TOPIC_AUTHORIZATION_FAILED',
    )
    // Groups: alice's g-secret is invisible to bob (ListGroups), and DescribeGroups / DeleteGroups on
    // it are refused (first by FindCoordinator; with DESCRIBE, DeleteGroups needs DELETE); his own
    // g-orders he may describe (READ implies DESCRIBE).
    await aliceAdmin.setOffsets({
      groupId: 'g-secret',
      topic: 'orders.x',
      partitions: [{ partition: 0, offset: '0' }],
    })
    assert.ok((await aliceAdmin.listGroups()).groups.some((group) => group.groupId === 'g-secret'))
    assert.deepEqual(
      (await bobAdmin.listGroups()).groups.map((group) => group.groupId),
      ['g-orders'],
    )
    await assert.rejects(bobAdmin.describeGroups(['g-secret']), { name: 'KafkaJSGroupCoordinatorNotFound' })
    await aliceAdmin.createAcls({ acl: [bobMayDescribeGroup('g-secret')] })
    await rejectsWith(bobAdmin.deleteGroups(['g-secret']), 'GROUP_AUTHORIZATION_FAILED')
    assert.deepEqual(
      (await aliceAdmin.listTopics()).filter((name) => !name.startsWith('__')).sort(),
      ['orders.x', 'other'],
      'no topic was created or deleted by bob',
    )
  })

  test('DeleteAcls returns what it removed; bob then sees nothing', async () => {
    const deleted = await aliceAdmin.deleteAcls({
      filters: [
        {
          resourceType: AclResourceTypes.TOPIC,
          resourcePatternType: ResourcePatternTypes.ANY,
          operation: AclOperationTypes.ANY,
          permissionType: AclPermissionTypes.ANY,
        },
      ],
    })
    assert.deepEqual(deleted.filterResponses, [
      {
        errorCode: 0,
        errorMessage: null,
        matchingAcls: [
          {
            errorCode: 0,
            errorMessage: null,
            resourceType: AclResourceTypes.TOPIC,
            resourceName: 'orders.',
            resourcePatternType: ResourcePatternTypes.PREFIXED,
            principal: 'User:bob',
            host: '*',
            operation: AclOperationTypes.READ,
            permissionType: AclPermissionTypes.ALLOW,
          },
        ],
      },
    ])
    assert.deepEqual(await bobAdmin.listTopics(), [])
  })
})
