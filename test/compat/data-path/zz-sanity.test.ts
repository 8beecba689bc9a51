import assert from 'node:assert/strict'
import { test } from 'node:test'
import { makeDrivers } from '../../compat/data-path/drivers.ts'
import { makeTempDir, startBrokerProcess } from '../../helpers/broker-process.ts'
import { assertSameRecords, makeRecords } from '../../helpers/data-path-records.ts'

test('sanity', async () => {
  const broker = await startBrokerProcess()
  const d = makeDrivers(await makeTempDir())
  await d.kafkajs.createTopics!(broker.bootstrap, [{ name: 't', partitions: 6 }])
  const recs = makeRecords({ count: 600, partitions: 6, source: 'kafkajs' })
  await d['kafka-python'].produce(broker.bootstrap, 't', recs, 'zstd')
  for (const n of ['kcat', 'confluent-kafka', 'kafka-python', 'kafkajs', 'platformatic'] as const) {
    const r = await d[n].read(broker.bootstrap, { t: { partitions: 6, count: 600 } }, 'zero', 10000)
    console.log(n, r.t.length, JSON.stringify(r.t[5]))
  }
  const r = await d.kafkajs.read(broker.bootstrap, { t: { partitions: 6, count: 600 } }, 'zero', 10000)
  assert.throws(() => assertSameRecords(r.t, makeRecords({ count: 600, partitions: 6, source: 'x' }), 'mut'))
  assert.throws(() => assertSameRecords(r.t.slice(1), recs, 'mut'))
  await broker.stop()
})
