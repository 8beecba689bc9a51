// Goal: DescribeClientQuotas / AlterClientQuotas v0-1 with Kafka's entity model (user, client-id,
// default entities as null names, user+client-id pairs), filters (exact, default, specified; strict
// or not), Kafka's validation errors, validate_only, and durability: quotas survive a restart.
// Method: the broker runs as a CLI child process on a data dir; requests go through the generated
// codecs (CodecClient), v0 and v1 (flexible) both, so every version and error can be chosen (a real
// client's calls are in test/compat/platformatic/client-quotas.test.ts; kafkajs, confluent-kafka 1.7
// and kafka-python have no quota API); then the broker is stopped and started on the same data dir
// and the same Describe must return the same entries.
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { ApiKey } from '../../src/protocol/generated/index.ts'
import {
  type BrokerProcess,
  makeTempDir,
  removeTempDir,
  startBrokerProcess,
} from '../helpers/broker-process.ts'
import { CodecClient } from '../helpers/kafka-codec-client.ts'

const INVALID_REQUEST = 42
const UNSUPPORTED_VERSION = 35

type Entity = Array<{ entityType: string; entityName: string | null }>
type Op = { key: string; value: number; remove: boolean }

const user = (name: string | null) => ({ entityType: 'user', entityName: name })
const clientId = (name: string | null) => ({ entityType: 'client-id', entityName: name })
const set = (key: string, value: number): Op => ({ key, value, remove: false })
const remove = (key: string): Op => ({ key, value: 0, remove: true })

async function alter(
  client: CodecClient,
  version: number,
  entries: Array<{ entity: Entity; ops: Op[] }>,
  validateOnly = false,
) {
  return client.request(ApiKey.AlterClientQuotas, version, { entries, validateOnly })
}

type Component = { entityType: string; matchType: number; match: string | null }

async function describeQuotas(
  client: CodecClient,
  version: number,
  components: Component[],
  strict: boolean,
) {
  const response = await client.request(ApiKey.DescribeClientQuotas, version, { components, strict })
  // Order-independent comparison: entries sorted by entity, values by key.
  const entries = response.entries?.map((entry) => ({
    entity: entry.entity.map(({ entityType, entityName }) => ({ entityType, entityName })),
    values: Object.fromEntries(
      [...entry.values].sort((a, b) => a.key.localeCompare(b.key)).map(({ key, value }) => [key, value]),
    ),
  }))
  entries?.sort((a, b) => JSON.stringify(a.entity).localeCompare(JSON.stringify(b.entity)))
  return { errorCode: response.errorCode, errorMessage: response.errorMessage, entries: entries ?? null }
}

const allEntries = [
  { entity: [clientId('app')], values: { consumer_byte_rate: 2048 } },
  { entity: [clientId(null)], values: { request_percentage: 12.5 } },
  { entity: [user('alice')], values: { controller_mutation_rate: 5, producer_byte_rate: 1048576 } },
  { entity: [user('alice'), clientId(null)], values: { consumer_byte_rate: 4096 } },
  { entity: [user(null)], values: { producer_byte_rate: 524288 } },
].sort((a, b) => JSON.stringify(a.entity).localeCompare(JSON.stringify(b.entity)))

let dataDir: string
let broker: BrokerProcess
let client: CodecClient

before(async () => {
  dataDir = await makeTempDir('streamline-quotas-')
  broker = await startBrokerProcess({ dataDir })
  client = await CodecClient.open(broker.host, broker.port)
})
after(async () => {
  client?.close()
  await broker?.stop()
  await removeTempDir(dataDir)
})

test('AlterClientQuotas sets values per entity, defaults included', async () => {
  const response = await alter(client, 1, [
    {
      entity: [user('alice')],
      ops: [set('producer_byte_rate', 1048576), set('controller_mutation_rate', 5)],
    },
    { entity: [user(null)], ops: [set('producer_byte_rate', 524288)] },
    { entity: [user('alice'), clientId(null)], ops: [set('consumer_byte_rate', 4096)] },
    { entity: [clientId('app')], ops: [set('consumer_byte_rate', 2048), set('request_percentage', 40)] },
  ])
  assert.deepEqual(
    response.entries.map(({ errorCode, errorMessage }) => ({ errorCode, errorMessage })),
    Array(4).fill({ errorCode: 0, errorMessage: null }),
  )
  assert.deepEqual(response.entries[2].entity, [
    { entityType: 'user', entityName: 'alice' },
    { entityType: 'client-id', entityName: null },
  ])
  // v0 (not flexible): remove one key, set a default client-id quota.
  const v0 = await alter(client, 0, [
    { entity: [clientId('app')], ops: [remove('request_percentage')] },
    { entity: [clientId(null)], ops: [set('request_percentage', 12.5)] },
  ])
  assert.deepEqual(
    v0.entries.map((entry) => entry.errorCode),
    [0, 0],
  )
})

test('validation errors are per entry, with Kafka messages; nothing of a refused entry applies', async () => {
  const response = await alter(client, 1, [
    { entity: [], ops: [set('producer_byte_rate', 1)] },
    { entity: [{ entityType: 'topic', entityName: 'x' }], ops: [set('producer_byte_rate', 1)] },
    { entity: [user('')], ops: [set('producer_byte_rate', 1)] },
    { entity: [user('bob')], ops: [set('producer_byte_rate', 1.5)] },
    { entity: [user('bob')], ops: [set('producer_byte_rate', 100), set('nonsense', 1)] },
    { entity: [user('carol')], ops: [set('request_percentage', 1), set('request_percentage', 2)] },
    { entity: [user('dave'), user('erin')], ops: [set('producer_byte_rate', 1)] },
  ])
  assert.deepEqual(
    response.entries.map(({ errorCode, errorMessage }) => ({ errorCode, errorMessage })),
    [
      'Invalid empty client quota entity',
      'Unhandled client quota entity type: topic',
      'Empty user not supported',
      'Ignoring duplicate entity user=bob',
      'Ignoring duplicate entity user=bob',
      'Duplicate quota key request_percentage not updating quota for this entity user=carol',
      'Invalid empty client quota entity, duplicate entity entry user',
    ].map((errorMessage) => ({ errorCode: INVALID_REQUEST, errorMessage })),
  )
  const alone = await alter(client, 1, [{ entity: [user('bob')], ops: [set('producer_byte_rate', 1.5)] }])
  assert.deepEqual(alone.entries[0].errorMessage, 'Configuration producer_byte_rate must be a Long value')
  const unknownKey = await alter(client, 0, [{ entity: [user('bob')], ops: [set('nonsense', 1)] }])
  assert.deepEqual(unknownKey.entries[0].errorMessage, 'Invalid configuration key nonsense')
  // validate_only: a valid change is answered NONE and not applied.
  const dryRun = await alter(
    client,
    1,
    [{ entity: [user('zed')], ops: [set('producer_byte_rate', 10)] }],
    true,
  )
  assert.equal(dryRun.entries[0].errorCode, 0)
  const zed = await describeQuotas(client, 1, [{ entityType: 'user', matchType: 0, match: 'zed' }], false)
  assert.deepEqual(zed, { errorCode: 0, errorMessage: null, entries: [] })
})

test('DescribeClientQuotas filters: all, exact, default, specified, strict', async () => {
  assert.deepEqual(await describeQuotas(client, 1, [], false), {
    errorCode: 0,
    errorMessage: null,
    entries: allEntries,
  })
  assert.deepEqual((await describeQuotas(client, 0, [], true)).entries, [])
  const exactAlice = await describeQuotas(
    client,
    0,
    [{ entityType: 'user', matchType: 0, match: 'alice' }],
    false,
  )
  assert.deepEqual(
    exactAlice.entries?.map((entry) => entry.entity),
    [[user('alice'), clientId(null)], [user('alice')]],
  )
  const strictAlice = await describeQuotas(
    client,
    1,
    [{ entityType: 'user', matchType: 0, match: 'alice' }],
    true,
  )
  assert.deepEqual(strictAlice.entries, [
    { entity: [user('alice')], values: { controller_mutation_rate: 5, producer_byte_rate: 1048576 } },
  ])
  const defaultUser = await describeQuotas(
    client,
    1,
    [{ entityType: 'user', matchType: 1, match: null }],
    false,
  )
  assert.deepEqual(defaultUser.entries, [{ entity: [user(null)], values: { producer_byte_rate: 524288 } }])
  const anyClientStrict = await describeQuotas(
    client,
    1,
    [{ entityType: 'client-id', matchType: 2, match: null }],
    true,
  )
  assert.deepEqual(
    anyClientStrict.entries?.map((entry) => entry.entity),
    [[clientId('app')], [clientId(null)]],
  )
  const pair = await describeQuotas(
    client,
    1,
    [
      { entityType: 'user', matchType: 0, match: 'alice' },
      { entityType: 'client-id', matchType: 1, match: null },
    ],
    true,
  )
  assert.deepEqual(pair.entries, [
    { entity: [user('alice'), clientId(null)], values: { consumer_byte_rate: 4096 } },
  ])
})

test('DescribeClientQuotas refuses bad filters at the top level', async () => {
  assert.deepEqual(
    await describeQuotas(client, 1, [{ entityType: 'user', matchType: 1, match: 'x' }], false),
    {
      errorCode: INVALID_REQUEST,
      errorMessage: 'Request specified MATCH_TYPE_DEFAULT, but also specified a match string.',
      entries: null,
    },
  )
  assert.deepEqual(
    await describeQuotas(client, 0, [{ entityType: 'topic', matchType: 2, match: null }], false),
    {
      errorCode: UNSUPPORTED_VERSION,
      errorMessage: 'Unsupported entity type topic',
      entries: null,
    },
  )
  assert.deepEqual(
    await describeQuotas(client, 1, [{ entityType: 'user', matchType: 7, match: null }], false),
    { errorCode: INVALID_REQUEST, errorMessage: 'Unknown match type 7', entries: null },
  )
})

test('quotas survive a restart of the broker process', async () => {
  client.close()
  await broker.stop()
  broker = await startBrokerProcess({ dataDir })
  client = await CodecClient.open(broker.host, broker.port)
  assert.deepEqual(await describeQuotas(client, 1, [], false), {
    errorCode: 0,
    errorMessage: null,
    entries: allEntries,
  })
  // Removing the last key of an entity removes the entity, durably too.
  const removed = await alter(client, 1, [{ entity: [user(null)], ops: [remove('producer_byte_rate')] }])
  assert.equal(removed.entries[0].errorCode, 0)
  const defaultUser = await describeQuotas(
    client,
    1,
    [{ entityType: 'user', matchType: 1, match: null }],
    false,
  )
  assert.deepEqual(defaultUser.entries, [])
})
