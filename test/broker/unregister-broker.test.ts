// Goal: UnregisterBroker (v0) answers as Kafka's controller: NONE for a registered broker (on a single
// node, this broker's own node id; it keeps running and serving), BROKER_ID_NOT_REGISTERED with
// Kafka's message for any other id, CLUSTER_AUTHORIZATION_FAILED without ALTER on the cluster; a
// truncated request closes its connection and the broker keeps serving.
// Method: an in-process broker with node id 3; @platformatic/kafka's own UnregisterBroker v0 encoder
// and decoder (no installed client has a high-level call), the generated codecs for the raw cases,
// kafkajs producing afterwards, and the ACL fixture broker for the authorization check.
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { Connection, unregisterBrokerV0 } from '@platformatic/kafka'
import { Kafka, logLevel } from 'kafkajs'
import { type RunningBroker, startBroker } from '../../src/broker/start.ts'
import { ApiKey } from '../../src/protocol/generated/index.ts'
import { CodecClient, encodeRequest } from '../helpers/kafka-codec-client.ts'
import { Op, Res, startAclRawBroker } from '../security/acl-raw-broker.ts'

const BROKER_ID_NOT_REGISTERED = 102
const CLUSTER_AUTHORIZATION_FAILED = 31

/** The broker's answer carried by a client error (the client throws on a non-zero error code). */
function responseOf(error: unknown): unknown {
  const { response } = error as { response?: unknown }
  assert.ok(response !== undefined, `no broker response in ${String(error)}`)
  return response
}

describe('UnregisterBroker on a single node', () => {
  let broker: RunningBroker
  let connection: Connection
  let client: CodecClient

  before(async () => {
    broker = await startBroker({
      inMemory: true,
      httpAddr: null,
      logLevel: 'silent',
      listenAddr: '127.0.0.1:0',
      nodeId: 3,
    })
    connection = new Connection('unregister-test')
    await connection.connect(broker.host, broker.port)
    client = await CodecClient.open(broker.host, broker.port)
  })

  after(async () => {
    client?.close()
    await connection?.close()
    await broker?.close()
  })

  test("this broker's own id: NONE, and it keeps serving", async () => {
    const answer = await unregisterBrokerV0.api.async(connection, 3)
    assert.deepEqual(answer, { throttleTimeMs: 0, errorCode: 0, errorMessage: null })
    const kafka = new Kafka({ brokers: [`${broker.host}:${broker.port}`], logLevel: logLevel.NOTHING })
    const producer = kafka.producer()
    await producer.connect()
    const [result] = await producer.send({ topic: 'after-unregister', messages: [{ value: 'x' }] })
    assert.equal(result?.errorCode, 0)
    await producer.disconnect()
  })

  test('another id: BROKER_ID_NOT_REGISTERED with Kafka message', async () => {
    let answer: unknown
    try {
      answer = await unregisterBrokerV0.api.async(connection, 7)
    } catch (error) {
      answer = responseOf(error)
    }
    assert.deepEqual(answer, {
      throttleTimeMs: 0,
      errorCode: BROKER_ID_NOT_REGISTERED,
      errorMessage: 'Broker ID 7 is not currently registered',
    })
    const raw = await client.request(ApiKey.UnregisterBroker, 0, { brokerId: -1 })
    assert.deepEqual(
      [raw.errorCode, raw.errorMessage],
      [BROKER_ID_NOT_REGISTERED, 'Broker ID -1 is not currently registered'],
    )
  })

  test('a truncated UnregisterBroker closes its connection; the broker keeps serving', async () => {
    const frame = encodeRequest(ApiKey.UnregisterBroker, 0, 5, { brokerId: 3 })
    const cut = Buffer.from(frame.subarray(0, frame.length - 3))
    cut.writeInt32BE(cut.length - 4, 0)
    const bad = await CodecClient.open(broker.host, broker.port)
    await bad.connection.write(cut)
    assert.equal(await bad.connection.waitForClose(10_000), true)
    const again = await client.request(ApiKey.UnregisterBroker, 0, { brokerId: 3 })
    assert.equal(again.errorCode, 0)
  })
})

test('UnregisterBroker needs ALTER on the cluster', async () => {
  const acl = await startAclRawBroker()
  try {
    const bob = await acl.login('bob')
    const refused = await bob.request(ApiKey.UnregisterBroker, 0, { brokerId: 0 })
    assert.deepEqual(
      [refused.errorCode, refused.errorMessage],
      [CLUSTER_AUTHORIZATION_FAILED, 'Cluster authorization failed.'],
    )
    await acl.grant([{ resourceType: Res.CLUSTER, resourceName: 'kafka-cluster', operation: Op.ALTER }])
    const allowed = await bob.request(ApiKey.UnregisterBroker, 0, { brokerId: 0 })
    assert.deepEqual([allowed.errorCode, allowed.errorMessage], [0, null])
  } finally {
    await acl.stop()
  }
})
