// Goal: broker-side schema validation works after a restart before anyone has called the registry
// port: the first validated produce loads the registry's store from `_schemas` itself, accepts an id
// registered before the restart and refuses an unregistered one (INVALID_RECORD).
// Method: the broker CLI on a data dir; register through the REST API and create the validated topic
// with kafkajs; SIGTERM; start again on the same dir; kafkajs produces before any registry request.
import assert from 'node:assert/strict'
import { after, it } from 'node:test'
import { Kafka, logLevel } from 'kafkajs'
import {
  type BrokerProcess,
  makeTempDir,
  removeTempDir,
  startBrokerProcess,
} from '../helpers/broker-process.ts'
import { call } from './helpers.ts'

let dataDir: string | undefined
let broker: BrokerProcess | undefined

after(async () => {
  await broker?.stop()
  if (dataDir !== undefined) await removeTempDir(dataDir)
})

function kafkaOf(running: BrokerProcess): Kafka {
  return new Kafka({
    clientId: 'validation-restart',
    brokers: [running.bootstrap],
    logLevel: logLevel.NOTHING,
    retry: { retries: 3, initialRetryTime: 100 },
  })
}

it('validates against schemas registered before the restart', { timeout: 90_000 }, async () => {
  dataDir = await makeTempDir('streamline-validation-restart-')
  broker = await startBrokerProcess({ dataDir })
  const schema = JSON.stringify({ type: 'record', name: 'R', fields: [{ name: 'n', type: 'int' }] })
  const registered = await call(broker.registryUrl ?? '', 'POST', '/subjects/kept-value/versions', { schema })
  assert.deepEqual(registered.json, { id: 1 })
  const admin = kafkaOf(broker).admin()
  await admin.connect()
  await admin.createTopics({
    topics: [
      { topic: 'kept', configEntries: [{ name: 'confluent.value.schema.validation', value: 'true' }] },
    ],
    waitForLeaders: true,
  })
  await admin.disconnect()
  await broker.stop()
  broker = await startBrokerProcess({ dataDir })
  const producer = kafkaOf(broker).producer({ retry: { retries: 0 } })
  await producer.connect()
  try {
    // Avro int 21 zigzag-encoded is 42 (0x2a).
    const good = Buffer.from([0, 0, 0, 0, 1, 0x2a])
    const [written] = await producer.send({ topic: 'kept', acks: -1, messages: [{ value: good }] })
    assert.equal(written.errorCode, 0)
    const unknown = Buffer.from([0, 0, 0, 0, 2, 0x2a])
    await assert.rejects(
      producer.send({ topic: 'kept', acks: -1, messages: [{ value: unknown }] }),
      (error: unknown) => {
        assert.equal((error as { type?: string }).type, 'INVALID_RECORD')
        return true
      },
    )
  } finally {
    await producer.disconnect()
  }
})
