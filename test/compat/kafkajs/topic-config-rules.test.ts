// Goal: topic configs that change what Produce accepts behave as in Kafka, seen by a real client:
// min.insync.replicas above 1 refuses acks=all writes (NOT_ENOUGH_REPLICAS) but not acks=1, and
// Kafka's common topic configs (min.insync.replicas, unclean.leader.election.enable, preallocate,
// segment.jitter.ms) are accepted by CreateTopics and described back.
// Method: kafkajs admin and producer against an in-process broker; exact error types and values.

import assert from 'node:assert/strict'
import { after, before, it } from 'node:test'
import { Kafka, logLevel } from 'kafkajs'
import { type InProcessBroker, startInProcessBroker } from '../../helpers/in-process-broker.ts'

let broker: InProcessBroker
let kafka: Kafka

before(async () => {
  broker = await startInProcessBroker()
  kafka = new Kafka({ brokers: [broker.bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 0 } })
})

after(() => broker.stop())

it('refuses acks=all with NOT_ENOUGH_REPLICAS when min.insync.replicas is 2; acks=1 still works', async () => {
  const admin = kafka.admin()
  await admin.connect()
  await admin.createTopics({
    topics: [{ topic: 'strict', configEntries: [{ name: 'min.insync.replicas', value: '2' }] }],
  })
  await admin.disconnect()
  const producer = kafka.producer()
  await producer.connect()
  await assert.rejects(
    producer.send({ topic: 'strict', acks: -1, messages: [{ value: 'x' }] }),
    (error: Error & { type?: string; cause?: { type?: string } }) => {
      const type = error.type ?? error.cause?.type
      assert.equal(type, 'NOT_ENOUGH_REPLICAS')
      return true
    },
  )
  const [sent] = await producer.send({ topic: 'strict', acks: 1, messages: [{ value: 'y' }] })
  assert.equal(sent.baseOffset, '0')
  await producer.disconnect()
})

it("accepts Kafka's common topic configs and describes them back", async () => {
  const admin = kafka.admin()
  await admin.connect()
  const configEntries = [
    { name: 'min.insync.replicas', value: '1' },
    { name: 'unclean.leader.election.enable', value: 'true' },
    { name: 'preallocate', value: 'false' },
    { name: 'segment.jitter.ms', value: '1000' },
  ]
  await admin.createTopics({ topics: [{ topic: 'common-configs', configEntries }] })
  const described = await admin.describeConfigs({
    includeSynonyms: false,
    resources: [{ type: 2, name: 'common-configs', configNames: configEntries.map((entry) => entry.name) }],
  })
  const values = Object.fromEntries(
    described.resources[0].configEntries.map((entry) => [entry.configName, entry.configValue]),
  )
  assert.deepEqual(values, Object.fromEntries(configEntries.map((entry) => [entry.name, entry.value])))
  await admin.disconnect()
})
