// Goal: a real client's quota admin API works against the broker process: @platformatic/kafka's
// Admin.alterClientQuotas (AlterClientQuotas v1) and describeClientQuotas (DescribeClientQuotas v0)
// set, list and remove quotas on user, client-id, default and user+client-id entities, exactly as
// set; an invalid alteration comes back with Kafka's error; the quotas survive a broker restart.
// Method: the broker runs as a CLI child process on a data dir kept across a stop and a start;
// the client's own requests and decoding; answers compared exactly (order-independent).
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { Admin } from '@platformatic/kafka'
import {
  type BrokerProcess,
  makeTempDir,
  removeTempDir,
  startBrokerProcess,
} from '../../helpers/broker-process.ts'

const INVALID_REQUEST = 42

let dataDir: string
let broker: BrokerProcess
let admin: Admin

function connectAdmin(): Admin {
  return new Admin({
    clientId: 'streamline-quotas',
    bootstrapBrokers: [broker.bootstrap],
    timeout: 10_000,
    retries: 0,
  })
}

before(async () => {
  dataDir = await makeTempDir('streamline-platformatic-quotas-')
  broker = await startBrokerProcess({ dataDir })
  admin = connectAdmin()
})
after(async () => {
  await admin?.close()
  await broker?.stop()
  await removeTempDir(dataDir)
})

type Described = Awaited<ReturnType<Admin['describeClientQuotas']>>

/** Entries as sorted plain data: entity parts in the broker's order, values sorted by key. */
function normalized(entries: Described) {
  return entries
    .map((entry) => ({
      entity: entry.entity
        .map(({ entityType, entityName }) => `${entityType}=${entityName ?? '<default>'}`)
        .join(','),
      values: Object.fromEntries(
        [...entry.values].sort((a, b) => a.key.localeCompare(b.key)).map(({ key, value }) => [key, value]),
      ),
    }))
    .sort((a, b) => a.entity.localeCompare(b.entity))
}

const expected = [
  { entity: 'client-id=ingest', values: { producer_byte_rate: 1048576 } },
  { entity: 'user=<default>', values: { consumer_byte_rate: 10485760, request_percentage: 50 } },
  { entity: 'user=alice,client-id=reports', values: { consumer_byte_rate: 2097152 } },
]

test('alterClientQuotas then describeClientQuotas return exactly what was set', async () => {
  const results = await admin.alterClientQuotas({
    entries: [
      {
        entities: [{ entityType: 'client-id', entityName: 'ingest' }],
        ops: [{ key: 'producer_byte_rate', value: 1048576, remove: false }],
      },
      {
        entities: [{ entityType: 'user', entityName: null }],
        ops: [
          { key: 'consumer_byte_rate', value: 10485760, remove: false },
          { key: 'request_percentage', value: 50, remove: false },
        ],
      },
      {
        entities: [
          { entityType: 'user', entityName: 'alice' },
          { entityType: 'client-id', entityName: 'reports' },
        ],
        ops: [{ key: 'consumer_byte_rate', value: 2097152, remove: false }],
      },
    ],
  })
  assert.deepEqual(
    results.map(({ errorCode, errorMessage }) => ({ errorCode, errorMessage })),
    Array(3).fill({ errorCode: 0, errorMessage: null }),
  )
  assert.deepEqual(normalized(await admin.describeClientQuotas({ components: [] })), expected)
  const users = await admin.describeClientQuotas({
    components: [{ entityType: 'user', matchType: 2 }],
    strict: true,
  })
  assert.deepEqual(normalized(users), [expected[1]])
  const alice = await admin.describeClientQuotas({
    components: [{ entityType: 'user', matchType: 0, match: 'alice' }],
  })
  assert.deepEqual(normalized(alice), [expected[2]])
})

/** The broker's answer carried by the client's error (it rejects on any non-zero error code). */
function responseOf(error: unknown): unknown {
  for (let current: unknown = error; current !== undefined && current !== null; ) {
    const { response, errors } = current as { response?: unknown; errors?: unknown[] }
    if (response !== undefined) return response
    current = errors?.[0]
  }
  assert.fail(`no broker response in ${String(error)}`)
}

test('an invalid alteration is refused with INVALID_REQUEST and changes nothing', async () => {
  const refused = await admin
    .alterClientQuotas({
      entries: [
        {
          entities: [{ entityType: 'client-id', entityName: 'ingest' }],
          ops: [{ key: 'producer_byte_rate', value: 1.5, remove: false }],
        },
      ],
    })
    .then(
      () => assert.fail('the alteration was accepted'),
      (error: unknown) => responseOf(error),
    )
  assert.deepEqual(refused, {
    throttleTimeMs: 0,
    entries: [
      {
        errorCode: INVALID_REQUEST,
        errorMessage: 'Configuration producer_byte_rate must be a Long value',
        entity: [{ entityType: 'client-id', entityName: 'ingest' }],
      },
    ],
  })
  assert.deepEqual(normalized(await admin.describeClientQuotas({ components: [] })), expected)
})

test('quotas survive a restart; a removal is durable too', async () => {
  await admin.close()
  await broker.stop()
  broker = await startBrokerProcess({ dataDir })
  admin = connectAdmin()
  assert.deepEqual(normalized(await admin.describeClientQuotas({ components: [] })), expected)
  await admin.alterClientQuotas({
    entries: [
      {
        entities: [{ entityType: 'client-id', entityName: 'ingest' }],
        ops: [{ key: 'producer_byte_rate', remove: true }],
      },
    ],
  })
  assert.deepEqual(normalized(await admin.describeClientQuotas({ components: [] })), expected.slice(1))
})
