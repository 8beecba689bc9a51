// Goal: ACLs, SCRAM credentials, client quotas and the cluster-wide dynamic broker configs are
// cluster-wide state in PostgreSQL (shared_state), not each broker's data dir: a user and ACLs created
// through broker 1 are used on broker 2, an operation they do not allow is denied on broker 3, a DENY
// added through broker 1 takes effect on broker 3 within a sync interval, alters through two brokers
// at once both stay, a delegation token created through broker 1 logs in on brokers 2 and 3 and is
// renewed and expired through them, and a broker started after the others were SIGKILLed has it all.
// Method: real processes (cluster-helpers.ts: PostgreSQL 15, s3rver, three brokers with a
// SASL_PLAINTEXT listener, a users file with alice, the ACL authorizer, alice super user). The admin
// requests go over raw connections to one chosen broker, logged in as alice (generated codecs: no
// installed client sends AlterUserScramCredentials or AlterClientQuotas to a broker of our choice);
// kafkajs logs in as the new user with SCRAM-SHA-256 and produces to partitions whose leader (read from
// PostgreSQL) is the broker the check is about.

import assert from 'node:assert/strict'
import { pbkdf2Sync, randomBytes } from 'node:crypto'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { Kafka, logLevel } from 'kafkajs'
import pg from 'pg'
import { createDefaultIncrementalAlterConfigsRequest } from '../../src/protocol/generated/incremental-alter-configs-request.ts'
import { ApiKey } from '../../src/protocol/generated/index.ts'
import { AclOperation, AclPermissionType, PatternType, ResourceType } from '../../src/security/acl/model.ts'
import { type BrokerProcess, makeTempDir, removeTempDir } from '../helpers/broker-process.ts'
import { CodecClient, createTopicsRequestBody } from '../helpers/kafka-codec-client.ts'
import { requirePostgres } from '../helpers/postgres-cluster-server.ts'
import { kafkaTokenSasl } from '../security/token-login.ts'
import { startCluster, type TestCluster, testHeartbeatIntervalMs, waitFor } from './cluster-helpers.ts'

const skip = requirePostgres()
const carolPassword = 'carol-password'
const brokerResource = 4
const dynamicDefaultBrokerConfig = 3
const tokenSecret = 'cluster-delegation-secret'
let cluster: TestCluster
let database: pg.Client
let dir: string

before(async () => {
  if (skip) return
  dir = await makeTempDir('streamline-cluster-security-')
  const usersFile = join(dir, 'users.yaml')
  await writeFile(usersFile, 'users:\n  alice:\n    password: alice-secret\n')
  cluster = await startCluster(3, [
    '--security-listeners',
    'SASL_PLAINTEXT://127.0.0.1:0',
    '--auth-users-file',
    usersFile,
    '--security-authorizer',
    '--security-super-users',
    'User:alice',
    '--security-failed-authentication-delay-ms',
    '0',
    '--security-delegation-token-secret-key',
    tokenSecret,
  ])
  database = new pg.Client({ connectionString: cluster.postgres.url })
  await database.connect()
})

after(async () => {
  if (skip) return
  await database?.end()
  await cluster?.dispose()
  await removeTempDir(dir)
})

/** A raw connection to exactly this broker, logged in as alice (PLAIN). */
async function aliceOn(broker: BrokerProcess): Promise<CodecClient> {
  const client = await CodecClient.open(broker.host, broker.port)
  await client.request(ApiKey.SaslHandshake, 1, { mechanism: 'PLAIN' })
  const login = await client.request(ApiKey.SaslAuthenticate, 2, {
    authBytes: Buffer.from('\0alice\0alice-secret'),
  })
  assert.equal(login.errorCode, 0)
  return client
}

function carolKafka(broker: BrokerProcess): Kafka {
  return new Kafka({
    clientId: 'cluster-security-carol',
    brokers: [broker.bootstrap],
    sasl: { mechanism: 'scram-sha-256', username: 'carol', password: carolPassword },
    logLevel: logLevel.NOTHING,
    retry: { retries: 0 },
  })
}

/** Whether carol can log in on this broker (one kafkajs connection, no retries). */
async function carolLogsIn(broker: BrokerProcess): Promise<boolean> {
  const admin = carolKafka(broker).admin()
  try {
    await admin.connect()
    return true
  } catch {
    return false
  } finally {
    await admin.disconnect()
  }
}

/** Produces one record as carol to the partition; the Kafka error type, or 'NONE'. */
async function carolProduces(broker: BrokerProcess, topic: string, partition: number): Promise<string> {
  const producer = carolKafka(broker).producer({ retry: { retries: 0 } })
  await producer.connect()
  try {
    await producer.send({ topic, acks: -1, messages: [{ partition, value: `to-${partition}` }] })
    return 'NONE'
  } catch (error) {
    const type = (error as { type?: string }).type
    if (type !== undefined) return type
    throw error
  } finally {
    await producer.disconnect()
  }
}

/** The partition of `topic` that `broker` leads, from PostgreSQL (valid lease). */
async function partitionLedBy(topic: string, broker: BrokerProcess): Promise<number> {
  return waitFor(`a partition of ${topic} led by port ${broker.port}`, async () => {
    const result = await database.query<{ partition: number }>(
      `SELECT p.partition FROM partitions p JOIN topics t USING (topic_id) JOIN brokers b
         ON b.broker_id = p.leader_broker
       WHERE t.name = $1 AND b.port = $2 AND p.lease_expires_at > now() ORDER BY p.partition LIMIT 1`,
      [topic, broker.port],
    )
    return result.rows[0]?.partition ?? null
  })
}

async function createTopic(client: CodecClient, topic: string, partitionCount: number): Promise<void> {
  const created = await client.request(
    ApiKey.CreateTopics,
    5,
    createTopicsRequestBody([{ name: topic, numPartitions: partitionCount }]),
  )
  assert.equal(created.topics[0].errorCode, 0)
}

function acl(topic: string, operation: number, permissionType: number = AclPermissionType.ALLOW) {
  return {
    resourceType: ResourceType.TOPIC,
    resourceName: topic,
    resourcePatternType: PatternType.LITERAL,
    principal: 'User:carol',
    host: '*',
    operation,
    permissionType,
  }
}

test('a user and ACLs created through broker 1 work on broker 2; broker 3 denies what they do not allow', {
  skip,
}, async (context) => {
  const [first, second, third] = cluster.brokers
  const admin = await aliceOn(first)
  // One topic at a time, each of its three partitions led by a different broker (fair share).
  for (const topic of ['shared-events', 'private-events']) {
    await createTopic(admin, topic, 3)
    for (const broker of cluster.brokers) await partitionLedBy(topic, broker)
  }
  const salt = randomBytes(16)
  const alteredMs = Date.now()
  const altered = await admin.request(ApiKey.AlterUserScramCredentials, 0, {
    deletions: [],
    upsertions: [
      {
        name: 'carol',
        mechanism: 1,
        iterations: 4096,
        salt,
        saltedPassword: pbkdf2Sync(carolPassword, salt, 4096, 32, 'sha256'),
      },
    ],
  })
  assert.deepEqual(altered.results, [{ user: 'carol', errorCode: 0, errorMessage: null }])
  const created = await admin.request(ApiKey.CreateAcls, 3, {
    creations: [acl('shared-events', AclOperation.WRITE), acl('private-events', AclOperation.DESCRIBE)],
  })
  assert.deepEqual(
    created.results.map((result) => result.errorCode),
    [0, 0],
  )
  for (const broker of [second, third])
    await waitFor(`carol logs in on port ${broker.port}`, async () =>
      (await carolLogsIn(broker)) ? true : null,
    )
  context.diagnostic(
    `carol logs in on brokers 2 and 3 ${Date.now() - alteredMs} ms after the alter on broker 1`,
  )

  const onSecond = await partitionLedBy('shared-events', second)
  assert.equal(await carolProduces(second, 'shared-events', onSecond), 'NONE')
  const onThird = await partitionLedBy('private-events', third)
  assert.equal(await carolProduces(third, 'private-events', onThird), 'TOPIC_AUTHORIZATION_FAILED')

  const described = await (await aliceOn(third)).request(ApiKey.DescribeUserScramCredentials, 0, {
    users: [{ name: 'carol' }],
  })
  assert.deepEqual(described.results, [
    {
      user: 'carol',
      errorCode: 0,
      errorMessage: null,
      credentialInfos: [{ mechanism: 1, iterations: 4096 }],
    },
  ])
  const aclsOnThird = await (await aliceOn(third)).request(ApiKey.DescribeAcls, 3, {
    resourceTypeFilter: ResourceType.ANY,
    resourceNameFilter: null,
    patternTypeFilter: PatternType.ANY,
    principalFilter: 'User:carol',
    hostFilter: null,
    operation: AclOperation.ANY,
    permissionType: AclPermissionType.ANY,
  })
  assert.deepEqual(
    aclsOnThird.resources
      .map((resource) => [resource.resourceName, resource.acls.map((each) => each.operation)])
      .sort(),
    [
      ['private-events', [AclOperation.DESCRIBE]],
      ['shared-events', [AclOperation.WRITE]],
    ],
  )

  // A DENY added through broker 1 is enforced by broker 3 within a sync interval.
  const sharedOnThird = await partitionLedBy('shared-events', third)
  assert.equal(await carolProduces(third, 'shared-events', sharedOnThird), 'NONE')
  const deniedMs = Date.now()
  const deny = await admin.request(ApiKey.CreateAcls, 3, {
    creations: [acl('shared-events', AclOperation.WRITE, AclPermissionType.DENY)],
  })
  assert.equal(deny.results[0].errorCode, 0)
  await waitFor('broker 3 denies the write', async () =>
    (await carolProduces(third, 'shared-events', sharedOnThird)) === 'TOPIC_AUTHORIZATION_FAILED'
      ? true
      : null,
  )
  const elapsedMs = Date.now() - deniedMs
  context.diagnostic(`broker 3 denied ${elapsedMs} ms after the DENY through broker 1`)
  assert.ok(
    elapsedMs < 10 * testHeartbeatIntervalMs + 2_000,
    `denied within a few sync intervals: ${elapsedMs} ms`,
  )
  admin.close()
})

/** The cluster-wide dynamic broker configs as `broker` describes them: [name, value, source]. */
async function clusterDefaultsOn(broker: BrokerProcess): Promise<[string, string | null, number][]> {
  const client = await aliceOn(broker)
  try {
    const response = await client.request(ApiKey.DescribeConfigs, 4, {
      resources: [{ resourceType: brokerResource, resourceName: '', configurationKeys: null }],
      includeSynonyms: false,
      includeDocumentation: false,
    })
    return response.results[0].configs
      .filter((config) => config.configSource === dynamicDefaultBrokerConfig)
      .map((config): [string, string | null, number] => [config.name, config.value, config.configSource])
      .sort((a, b) => a[0].localeCompare(b[0]))
  } finally {
    client.close()
  }
}

async function alterClusterDefault(broker: BrokerProcess, name: string, value: string): Promise<void> {
  const client = await aliceOn(broker)
  try {
    const response = await client.request(ApiKey.IncrementalAlterConfigs, 1, {
      ...createDefaultIncrementalAlterConfigsRequest(),
      resources: [
        { resourceType: brokerResource, resourceName: '', configs: [{ name, value, configOperation: 0 }] },
      ],
      validateOnly: false,
    })
    assert.equal(response.responses[0].errorCode, 0, response.responses[0].errorMessage ?? '')
  } finally {
    client.close()
  }
}

async function quotasOn(broker: BrokerProcess): Promise<unknown> {
  const client = await aliceOn(broker)
  try {
    const response = await client.request(ApiKey.DescribeClientQuotas, 1, { components: [], strict: false })
    return response.entries
  } finally {
    client.close()
  }
}

/** Whether kafkajs logs in on `broker` with the token (SCRAM tokenauth=true) and lists topics. */
async function tokenLogsIn(broker: BrokerProcess, tokenId: string, hmac: Buffer): Promise<boolean> {
  const admin = new Kafka({
    clientId: 'cluster-token',
    brokers: [broker.bootstrap],
    sasl: kafkaTokenSasl('scram-sha-256', tokenId, hmac),
    logLevel: logLevel.NOTHING,
    retry: { retries: 0 },
  }).admin()
  try {
    await admin.connect()
    await admin.listTopics()
    return true
  } catch {
    return false
  } finally {
    await admin.disconnect()
  }
}

test('a delegation token created through broker 1 logs in on brokers 2 and 3, is renewed and expired through them', {
  skip,
}, async () => {
  const [first, second, third] = cluster.brokers
  const onFirst = await aliceOn(first)
  const onSecond = await aliceOn(second)
  const onThird = await aliceOn(third)
  try {
    const created = await onFirst.request(ApiKey.CreateDelegationToken, 3, {
      ownerPrincipalType: null,
      ownerPrincipalName: null,
      renewers: [],
      maxLifetimeMs: -1n,
    })
    assert.equal(created.errorCode, 0)
    const { tokenId, hmac } = created
    // Every broker learns the token at its next sync (200 ms here).
    await waitFor('the token logs in on broker 2', async () =>
      (await tokenLogsIn(second, tokenId, hmac)) ? true : null,
    )
    await waitFor('the token logs in on broker 3', async () =>
      (await tokenLogsIn(third, tokenId, hmac)) ? true : null,
    )
    const renewed = await onSecond.request(ApiKey.RenewDelegationToken, 2, {
      hmac,
      renewPeriodMs: 3_600_000n,
    })
    assert.equal(renewed.errorCode, 0)
    const described = await waitFor('broker 3 describes the renewed expiry', async () => {
      const answer = await onThird.request(ApiKey.DescribeDelegationToken, 3, { owners: null })
      const token = answer.tokens.find((each) => each.tokenId === tokenId)
      return token !== undefined && token.expiryTimestamp === renewed.expiryTimestampMs ? token : null
    })
    assert.equal(described.principalName, 'alice')
    const expired = await onThird.request(ApiKey.ExpireDelegationToken, 2, { hmac, expiryTimePeriodMs: -1n })
    assert.equal(expired.errorCode, 0)
    await waitFor('broker 1 refuses the expired token', async () =>
      (await tokenLogsIn(first, tokenId, hmac)) ? null : true,
    )
    const again = await onFirst.request(ApiKey.RenewDelegationToken, 2, { hmac, renewPeriodMs: -1n })
    assert.equal(again.errorCode, 62, 'DELEGATION_TOKEN_NOT_FOUND')
  } finally {
    for (const client of [onFirst, onSecond, onThird]) client.close()
  }
})

test('client quotas and cluster-wide broker configs altered through two brokers at once: every broker has both', {
  skip,
}, async () => {
  const [first, second, third] = cluster.brokers
  const alterQuota = async (broker: BrokerProcess, user: string, value: number) => {
    const client = await aliceOn(broker)
    const response = await client.request(ApiKey.AlterClientQuotas, 1, {
      entries: [
        {
          entity: [{ entityType: 'user', entityName: user }],
          ops: [{ key: 'producer_byte_rate', value, remove: false }],
        },
      ],
      validateOnly: false,
    })
    client.close()
    assert.equal(response.entries[0].errorCode, 0)
  }
  // At the same time through two brokers: the row lock serializes them, neither undoes the other.
  await Promise.all([
    alterQuota(first, 'carol', 1_048_576),
    alterQuota(second, 'dave', 2_097_152),
    alterClusterDefault(second, 'log.cleaner.threads', '2'),
    alterClusterDefault(third, 'log.cleaner.io.buffer.size', '1048576'),
  ])
  const expectedQuotas = [
    {
      entity: [{ entityType: 'user', entityName: 'carol' }],
      values: [{ key: 'producer_byte_rate', value: 1_048_576 }],
    },
    {
      entity: [{ entityType: 'user', entityName: 'dave' }],
      values: [{ key: 'producer_byte_rate', value: 2_097_152 }],
    },
  ]
  const expectedDefaults: [string, string, number][] = [
    ['log.cleaner.io.buffer.size', '1048576', dynamicDefaultBrokerConfig],
    ['log.cleaner.threads', '2', dynamicDefaultBrokerConfig],
  ]
  const byUser = (entries: unknown) =>
    [...((entries as typeof expectedQuotas | null) ?? [])].sort((a, b) =>
      a.entity[0].entityName.localeCompare(b.entity[0].entityName),
    )
  for (const broker of [first, second, third]) {
    let seen = ''
    try {
      await waitFor(
        `quotas and configs on port ${broker.port}`,
        async () => {
          seen = JSON.stringify([byUser(await quotasOn(broker)), await clusterDefaultsOn(broker)])
          return seen === JSON.stringify([expectedQuotas, expectedDefaults]) ? true : null
        },
        10_000,
      )
    } catch (error) {
      assert.fail(`${String(error)}; last seen ${seen}`)
    }
  }
  const stored = await database.query<{ name: string; revision: number }>(
    'SELECT name, revision FROM shared_state ORDER BY name',
  )
  assert.deepEqual(
    stored.rows
      .map((row) => [row.name, Number(row.revision)])
      .filter(
        ([name]) => !['acls.json', 'scram-credentials.json', 'delegation-tokens.json'].includes(String(name)),
      ),
    [
      ['client-quotas.json', 2],
      ['dynamic-broker-configs-default', 2],
    ],
  )
})

test('SIGKILL every broker that served a change: a new broker has the users, ACLs, quotas and configs', {
  skip,
}, async () => {
  for (const broker of cluster.brokers) await broker.kill()
  const fresh = await cluster.addBroker()
  // Read at start from PostgreSQL: no sync interval to wait for.
  assert.equal(await carolLogsIn(fresh), true)
  const shared = await partitionLedBy('shared-events', fresh)
  assert.equal(await carolProduces(fresh, 'shared-events', shared), 'TOPIC_AUTHORIZATION_FAILED')
  assert.deepEqual(await clusterDefaultsOn(fresh), [
    ['log.cleaner.io.buffer.size', '1048576', dynamicDefaultBrokerConfig],
    ['log.cleaner.threads', '2', dynamicDefaultBrokerConfig],
  ])
  assert.equal(((await quotasOn(fresh)) as unknown[]).length, 2)
})
