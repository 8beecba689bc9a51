// Goal: the client quota APIs are authorized as Kafka's KafkaApis does (DescribeClientQuotas needs
// DESCRIBE_CONFIGS on the cluster, AlterClientQuotas ALTER_CONFIGS; otherwise
// CLUSTER_AUTHORIZATION_FAILED at the top level / per entry), and a user quota applies to the SASL
// principal it names and to no other.
// Method: acl-raw-broker.ts (in-process broker, SASL_PLAINTEXT, authorizer on, alice a super user,
// bob an ordinary user); requests encoded with the generated codecs.
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { ApiKey } from '../../src/protocol/generated/index.ts'
import { buildBatch } from '../../src/protocol/records/batch-v2.ts'
import {
  type CodecClient,
  createTopicsRequestBody,
  fetchRequestBody,
  produceRequestBody,
} from '../helpers/kafka-codec-client.ts'
import { type AclRawBroker, Op, Res, startAclRawBroker } from './acl-raw-broker.ts'

const CLUSTER_AUTHORIZATION_FAILED = 31
const cluster = 'kafka-cluster'

let acl: AclRawBroker
let alice: CodecClient
let bob: CodecClient
before(async () => {
  acl = await startAclRawBroker()
  alice = await acl.login('alice')
  bob = await acl.login('bob')
})
after(async () => {
  await acl?.stop()
})

const describeAll = (client: CodecClient) =>
  client.request(ApiKey.DescribeClientQuotas, 1, { components: [], strict: false })
const alterBob = (client: CodecClient, key: string, value: number) =>
  client.request(ApiKey.AlterClientQuotas, 1, {
    entries: [{ entity: [{ entityType: 'user', entityName: 'bob' }], ops: [{ key, value, remove: false }] }],
    validateOnly: false,
  })

test('DescribeClientQuotas and AlterClientQuotas need DESCRIBE_CONFIGS / ALTER_CONFIGS on the cluster', async () => {
  assert.deepEqual(await describeAll(bob), {
    throttleTimeMs: 0,
    errorCode: CLUSTER_AUTHORIZATION_FAILED,
    errorMessage: 'Cluster authorization failed.',
    entries: null,
  })
  const refused = await alterBob(bob, 'consumer_byte_rate', 1)
  assert.deepEqual(refused.entries, [
    {
      errorCode: CLUSTER_AUTHORIZATION_FAILED,
      errorMessage: 'Cluster authorization failed.',
      entity: [{ entityType: 'user', entityName: 'bob' }],
    },
  ])
  await acl.grant([{ resourceType: Res.CLUSTER, resourceName: cluster, operation: Op.DESCRIBE_CONFIGS }])
  assert.deepEqual((await describeAll(bob)).entries, [])
  assert.equal(
    (await alterBob(bob, 'consumer_byte_rate', 1)).entries[0].errorCode,
    CLUSTER_AUTHORIZATION_FAILED,
  )
  await acl.grant([{ resourceType: Res.CLUSTER, resourceName: cluster, operation: Op.ALTER_CONFIGS }])
  assert.equal((await alterBob(bob, 'consumer_byte_rate', 1)).entries[0].errorCode, 0)
  const described = await describeAll(alice)
  assert.deepEqual(described.entries, [
    {
      entity: [{ entityType: 'user', entityName: 'bob' }],
      values: [{ key: 'consumer_byte_rate', value: 1 }],
    },
  ])
})

test('a user quota throttles that principal only', async () => {
  await acl.revokeAll()
  const created = await alice.request(
    ApiKey.CreateTopics,
    7,
    createTopicsRequestBody([{ name: 'quota-users' }]),
  )
  assert.equal(created.topics[0].errorCode, 0)
  await acl.grant([{ resourceType: Res.TOPIC, resourceName: 'quota-users', operation: Op.READ }])
  // One record of 10 KB, produced by alice, read by both.
  const batch = await buildBatch({ records: [{ timestamp: Date.now(), value: Buffer.alloc(10_000, 1) }] })
  const produced = await alice.request(ApiKey.Produce, 9, produceRequestBody('quota-users', 0, batch))
  assert.equal(produced.responses[0].partitionResponses[0].errorCode, 0)
  const fetchBody = fetchRequestBody('quota-users', 0, 0n)
  const bobFetch = await bob.request(ApiKey.Fetch, 12, fetchBody)
  assert.equal(bobFetch.responses[0].partitions[0].errorCode, 0)
  assert.ok(bobFetch.throttleTimeMs > 0, 'bob is over his 1 B/s consumer_byte_rate')
  const aliceFetch = await alice.request(ApiKey.Fetch, 12, fetchBody)
  assert.equal(aliceFetch.throttleTimeMs, 0)
})
