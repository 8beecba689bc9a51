// Goal: the ACLs of transactions, configs and authorized operations as real clients see them, over
// SASL_PLAINTEXT against the broker CLI with the authorizer on (alice a super user, bob not):
// - a kafkajs transactional producer of bob's is refused with TRANSACTIONAL_ID_AUTHORIZATION_FAILED
//   until he has WRITE on its transactional id, then commits a transaction alice can read;
// - kafkajs admin describeConfigs and confluent-kafka (librdkafka) describe_configs are refused with
//   TOPIC_AUTHORIZATION_FAILED, then answered once bob has DESCRIBE_CONFIGS;
// - @platformatic/kafka reports bob's authorized operations on a topic (Metadata v12) and a group
//   (DescribeGroups v5) exactly as his ACLs give them.
// Method: secure-broker.ts starts the CLI; ACLs are created by alice through the kafkajs admin.
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { Connection, metadataV12, Admin as PlatformaticAdmin } from '@platformatic/kafka'
import kafkajs, { type Admin, Kafka, logLevel, type SASLOptions } from 'kafkajs'
import { requireClient } from '../helpers/clients.ts'
import { runPython } from '../helpers/python.ts'
import { type SecureBroker, startSecureBroker, users } from './secure-broker.ts'

const { AclOperationTypes, AclPermissionTypes, AclResourceTypes, ResourcePatternTypes, ConfigResourceTypes } =
  kafkajs

const bits = (...operations: number[]) => operations.reduce((all, operation) => all | (1 << operation), 0)

function client(bootstrap: string, sasl: SASLOptions): Kafka {
  return new Kafka({
    clientId: 'streamline-acl-clients',
    brokers: [bootstrap],
    sasl,
    connectionTimeout: 10_000,
    requestTimeout: 10_000,
    retry: { retries: 0 },
    logLevel: logLevel.NOTHING,
  })
}

/** Kafka error names (kafkajs' `type`) in an error and the errors it wraps. */
function errorTypes(error: unknown): string[] {
  if (typeof error !== 'object' || error === null) return []
  const record = error as { type?: unknown; cause?: unknown; originalError?: unknown; errors?: unknown }
  return [
    ...(typeof record.type === 'string' ? [record.type] : []),
    ...errorTypes(record.cause),
    ...errorTypes(record.originalError),
    ...(Array.isArray(record.errors) ? record.errors.flatMap(errorTypes) : []),
  ]
}

async function rejectsWith(promise: Promise<unknown>, type: string): Promise<void> {
  try {
    await promise
  } catch (error) {
    assert.ok(
      errorTypes(error).includes(type),
      `expected ${type}, got ${String(error)} [${errorTypes(error)}]`,
    )
    return
  }
  assert.fail(`expected ${type}, the call succeeded`)
}

function bobMay(resourceType: number, resourceName: string, operation: number) {
  return {
    resourceType,
    resourceName,
    resourcePatternType: ResourcePatternTypes.LITERAL,
    principal: 'User:bob',
    host: '*',
    operation,
    permissionType: AclPermissionTypes.ALLOW,
  }
}

const confluentDescribeConfigs = `
import json, sys
from confluent_kafka import KafkaException
from confluent_kafka.admin import AdminClient, ConfigResource
config = json.loads(sys.argv[1])
admin = AdminClient(config)
resource = ConfigResource('topic', sys.argv[2])
try:
    entries = admin.describe_configs([resource])[resource].result(20)
    print(json.dumps({'retention.ms': entries['retention.ms'].value}))
except KafkaException as error:
    print(json.dumps({'error': error.args[0].name()}))
`

describe('ACLs on transactions, configs and authorized operations with real clients', () => {
  let secure: SecureBroker
  let aliceAdmin: Admin
  let bob: Kafka
  let bobAdmin: Admin
  before(async () => {
    secure = await startSecureBroker(['--security-authorizer', '--security-super-users', 'User:alice'])
    aliceAdmin = client(secure.saslPlaintext, {
      mechanism: 'plain',
      username: 'alice',
      password: users.alice,
    }).admin()
    bob = client(secure.saslPlaintext, { mechanism: 'scram-sha-256', username: 'bob', password: users.bob })
    bobAdmin = bob.admin()
    await aliceAdmin.connect()
    await bobAdmin.connect()
    assert.equal(await aliceAdmin.createTopics({ topics: [{ topic: 'payments' }, { topic: 'audit' }] }), true)
  })
  after(async () => {
    await aliceAdmin?.disconnect()
    await bobAdmin?.disconnect()
    await secure?.stop()
  })

  test('kafkajs transactional producer: refused without WRITE on its transactional id, commits with it', async () => {
    await aliceAdmin.createAcls({
      acl: [bobMay(AclResourceTypes.TOPIC, 'payments', AclOperationTypes.WRITE)],
    })
    const transactionalProducer = () =>
      // kafkajs insists on retries for an idempotent producer; authorization errors are not retried.
      bob.producer({
        transactionalId: 'bob-tx',
        idempotent: true,
        maxInFlightRequests: 1,
        retry: { retries: 2 },
      })
    const attempt = async () => {
      const producer = transactionalProducer()
      try {
        await producer.connect()
        const transaction = await producer.transaction()
        await transaction.send({ topic: 'payments', messages: [{ value: 'refused' }] })
        await transaction.commit()
      } finally {
        await producer.disconnect()
      }
    }
    // No ACL on the id: FindCoordinator is refused (53); kafkajs reports only that it found no
    // coordinator (it drops the broker's error code there).
    await assert.rejects(attempt(), { name: 'KafkaJSGroupCoordinatorNotFound' })
    // DESCRIBE on the id lets FindCoordinator through; InitProducerId needs WRITE.
    await aliceAdmin.createAcls({
      acl: [bobMay(AclResourceTypes.TRANSACTIONAL_ID, 'bob-tx', AclOperationTypes.DESCRIBE)],
    })
    await rejectsWith(attempt(), 'TRANSACTIONAL_ID_AUTHORIZATION_FAILED')
    assert.deepEqual(await aliceAdmin.fetchTopicOffsets('payments'), [
      { partition: 0, offset: '0', high: '0', low: '0' },
    ])

    await aliceAdmin.createAcls({
      acl: [bobMay(AclResourceTypes.TRANSACTIONAL_ID, 'bob-tx', AclOperationTypes.WRITE)],
    })
    const producer = transactionalProducer()
    await producer.connect()
    const transaction = await producer.transaction()
    await transaction.send({ topic: 'payments', messages: [{ value: 'paid' }] })
    await transaction.commit()
    await producer.disconnect()
    // One record and its COMMIT marker.
    assert.deepEqual(await aliceAdmin.fetchTopicOffsets('payments'), [
      { partition: 0, offset: '2', high: '2', low: '0' },
    ])
  })

  test('kafkajs admin describeConfigs: TOPIC_AUTHORIZATION_FAILED, then the config with DESCRIBE_CONFIGS', async () => {
    const describeConfigs = () =>
      bobAdmin.describeConfigs({
        resources: [{ type: ConfigResourceTypes.TOPIC, name: 'audit', configNames: ['retention.ms'] }],
        includeSynonyms: false,
      })
    await rejectsWith(describeConfigs(), 'TOPIC_AUTHORIZATION_FAILED')
    await aliceAdmin.createAcls({
      acl: [bobMay(AclResourceTypes.TOPIC, 'audit', AclOperationTypes.DESCRIBE_CONFIGS)],
    })
    const described = await describeConfigs()
    assert.deepEqual(
      described.resources.map((resource) => ({
        errorCode: resource.errorCode,
        resourceName: resource.resourceName,
        entries: resource.configEntries.map((entry) => [entry.configName, entry.configValue]),
      })),
      [{ errorCode: 0, resourceName: 'audit', entries: [['retention.ms', '604800000']] }],
    )
    // ALTER_CONFIGS is another matter.
    await rejectsWith(
      bobAdmin.alterConfigs({
        validateOnly: false,
        resources: [
          {
            type: ConfigResourceTypes.TOPIC,
            name: 'audit',
            configEntries: [{ name: 'retention.ms', value: '1000' }],
          },
        ],
      }),
      'TOPIC_AUTHORIZATION_FAILED',
    )
  })

  test('confluent-kafka describe_configs: refused, then allowed with DESCRIBE_CONFIGS', {
    skip: requireClient('confluent-kafka'),
  }, async () => {
    const config = JSON.stringify({
      'bootstrap.servers': secure.saslPlaintext,
      'security.protocol': 'SASL_PLAINTEXT',
      'sasl.mechanisms': 'SCRAM-SHA-256',
      'sasl.username': 'bob',
      'sasl.password': users.bob,
    })
    const describe = () => runPython(confluentDescribeConfigs, { args: [config, 'payments'] })
    assert.deepEqual(await describe(), { error: 'TOPIC_AUTHORIZATION_FAILED' })
    await aliceAdmin.createAcls({
      acl: [bobMay(AclResourceTypes.TOPIC, 'payments', AclOperationTypes.ALTER_CONFIGS)],
    })
    assert.deepEqual(await describe(), { 'retention.ms': '604800000' })
  })

  test('@platformatic/kafka reports the authorized operations bob has on a topic and a group', async () => {
    await aliceAdmin.createAcls({
      acl: [
        bobMay(AclResourceTypes.TOPIC, 'audit', AclOperationTypes.READ),
        bobMay(AclResourceTypes.GROUP, 'g-audit', AclOperationTypes.READ),
        // Granted by the tests above already; again, so this test stands alone (no duplicate is made).
        bobMay(AclResourceTypes.TOPIC, 'audit', AclOperationTypes.DESCRIBE_CONFIGS),
        bobMay(AclResourceTypes.TOPIC, 'payments', AclOperationTypes.WRITE),
        bobMay(AclResourceTypes.TOPIC, 'payments', AclOperationTypes.ALTER_CONFIGS),
      ],
    })
    const sasl = { mechanism: 'SCRAM-SHA-256' as const, username: 'bob', password: users.bob }
    const [host, port] = secure.saslPlaintext.split(':')
    const connection = new Connection('streamline-acl-clients', { sasl })
    const admin = new PlatformaticAdmin({
      clientId: 'streamline-acl-clients',
      bootstrapBrokers: [secure.saslPlaintext],
      retries: 0,
      sasl,
    })
    try {
      await connection.connect(host ?? '127.0.0.1', Number(port))
      const metadata = await metadataV12.api.async(connection, ['audit', 'payments'], false, true)
      // audit: READ (3) implies DESCRIBE (8), plus DESCRIBE_CONFIGS (10). payments: WRITE (4) implies
      // DESCRIBE; ALTER_CONFIGS (11) implies DESCRIBE_CONFIGS.
      assert.deepEqual(
        metadata.topics.map((topic) => [topic.name, topic.errorCode, topic.topicAuthorizedOperations]),
        [
          ['audit', 0, bits(3, 8, 10)],
          ['payments', 0, bits(4, 8, 10, 11)],
        ],
      )
      const groups = await admin.describeGroups({ groups: ['g-audit'], includeAuthorizedOperations: true })
      assert.equal(groups.get('g-audit')?.authorizedOperations, bits(3, 8))
    } finally {
      await connection.close()
      await admin.close()
    }
  })
})
