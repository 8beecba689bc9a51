// Goal: @platformatic/kafka (a modern JavaScript client that prefers the newest API versions, e.g.
// Metadata v12) reads the cluster metadata: broker 0 at our address, controller 0, a non-empty
// cluster id, no topics.
// Method: the broker runs as a CLI child process; the client's Admin calls metadata() for no
// topics (forcing a fresh request each time, twice) and listTopics().
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { Admin } from '@platformatic/kafka'
import { type BrokerProcess, startBrokerProcess } from '../../helpers/broker-process.ts'

describe('@platformatic/kafka Admin', () => {
  let broker: BrokerProcess
  let admin: Admin | undefined

  before(async () => {
    broker = await startBrokerProcess()
    admin = new Admin({
      clientId: 'streamline-compat',
      bootstrapBrokers: [broker.bootstrap],
      timeout: 10_000,
      retries: 2,
      retryDelay: 100,
    })
  })

  after(async () => {
    await admin?.close()
    await broker?.stop()
  })

  test('metadata() returns our broker, controller 0, a stable cluster id and no topics', async () => {
    const first = await admin!.metadata({ topics: [], forceUpdate: true })
    assert.equal(typeof first.id, 'string')
    assert.ok(first.id.length > 0, 'cluster id is empty')
    const expected = {
      id: first.id,
      brokers: new Map([[0, { host: '127.0.0.1', port: broker.port, rack: null }]]),
      controllerId: 0,
      topics: new Map(),
    }
    const { lastUpdate: _first, ...firstWithoutTime } = first
    assert.deepEqual(firstWithoutTime, expected)
    const { lastUpdate: _second, ...secondWithoutTime } = await admin!.metadata({
      topics: [],
      forceUpdate: true,
    })
    assert.deepEqual(secondWithoutTime, expected)
  })

  test('listTopics() returns no topics', async () => {
    assert.deepEqual(await admin!.listTopics(), [])
  })
})
