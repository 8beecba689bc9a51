// Goal: the registry reads `_schemas` read_committed, as Confluent's store reader does (issue 15,
// "Storage and the broker"): a schema record another producer wrote in a transaction it aborted is not
// applied; one written in a committed transaction, and one written outside any transaction, are.
// Method: an embedded broker; kafkajs creates `_schemas` (compacted, one partition) and a
// transactional kafkajs producer writes Confluent-format SCHEMA records to it (one transaction
// aborted, one committed), a plain producer one more, all before the registry's first request; then
// the registry's answers by subject and by id.
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { Kafka, logLevel } from 'kafkajs'
import { type Streamline, startStreamline } from '../../src/embedded/index.ts'
import { call } from './helpers.ts'

let streamline: Streamline

before(async () => {
  streamline = await startStreamline()
})
after(() => streamline.close())

const schemaRecord = (subject: string, id: number) => ({
  key: JSON.stringify({ keytype: 'SCHEMA', subject, version: 1, magic: 1 }),
  value: JSON.stringify({ subject, version: 1, id, schema: '"string"', deleted: false }),
})

test('records of an aborted transaction in _schemas are skipped; committed ones are applied', async () => {
  const kafka = new Kafka({ brokers: [streamline.bootstrap], logLevel: logLevel.NOTHING })
  const admin = kafka.admin()
  await admin.connect()
  await admin.createTopics({
    topics: [
      { topic: '_schemas', numPartitions: 1, configEntries: [{ name: 'cleanup.policy', value: 'compact' }] },
    ],
  })
  await admin.disconnect()
  const producer = kafka.producer({
    transactionalId: 'other-registry',
    idempotent: true,
    maxInFlightRequests: 1,
  })
  await producer.connect()
  try {
    const aborted = await producer.transaction()
    await aborted.send({ topic: '_schemas', messages: [schemaRecord('ghost', 5)] })
    await aborted.abort()
    const committed = await producer.transaction()
    await committed.send({ topic: '_schemas', messages: [schemaRecord('real', 6)] })
    await committed.commit()
  } finally {
    await producer.disconnect()
  }
  const plain = kafka.producer()
  await plain.connect()
  await plain.send({ topic: '_schemas', acks: -1, messages: [schemaRecord('plain', 7)] })
  await plain.disconnect()

  const base = streamline.registryUrl ?? assert.fail('registry disabled')
  assert.deepEqual((await call(base, 'GET', '/subjects')).json, ['plain', 'real'])
  assert.equal((await call(base, 'GET', '/schemas/ids/5')).status, 404)
  assert.deepEqual((await call(base, 'GET', '/schemas/ids/6/subjects')).json, ['real'])
  // The next id is above the applied ones only: 5 was never handed out by anyone that committed it.
  const next = await call(base, 'POST', '/subjects/next/versions', { schema: '"long"' })
  assert.deepEqual(next.json, { id: 8 })
})
