// Goal: kafkajs (a pure-JavaScript client) describes the cluster: exactly broker 0 at our
// address, controller 0, and a non-empty cluster id that two calls agree on; topic list empty.
// Method: the broker runs as a CLI child process; a kafkajs admin client connects (ApiVersions,
// then Metadata) and calls describeCluster() twice and listTopics() once.
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { type BrokerProcess, startBrokerProcess } from '../../helpers/broker-process.ts'
import { connectKafkajsAdmin, type TestAdmin } from '../../helpers/kafkajs.ts'

describe('kafkajs admin', () => {
  let broker: BrokerProcess
  let client: TestAdmin | undefined

  before(async () => {
    broker = await startBrokerProcess()
    client = await connectKafkajsAdmin(broker.bootstrap)
  })

  after(async () => {
    await client?.admin.disconnect()
    await broker?.stop()
  })

  test('describeCluster() returns our broker, controller 0 and a stable cluster id', async () => {
    const { admin, logs } = client!
    const first = await admin.describeCluster()
    assert.equal(typeof first.clusterId, 'string')
    assert.ok(first.clusterId.length > 0, 'cluster id is empty')
    const expected = {
      brokers: [{ nodeId: 0, host: '127.0.0.1', port: broker.port }],
      controller: 0,
      clusterId: first.clusterId,
    }
    assert.deepEqual(first, expected)
    assert.deepEqual(await admin.describeCluster(), expected)
    assert.deepEqual(logs, [])
  })

  test('listTopics() returns no topics', async () => {
    assert.deepEqual(await client!.admin.listTopics(), [])
  })
})
