// Goal: KafkaWriter.sendBatches writes a source task's encoded batches (record-accumulator.ts) to their
// partitions and answers each batch's base offset, on its Produce fast path and on the library's path
// it falls back to (sendDecoded: the records decoded back from the batches); a reader gets the same
// keys, values, headers and timestamps either way.
// Method: a real broker in this process (TCP on loopback); the writer and @platformatic/kafka's
// producer as a Connect worker runs them; kafkajs reads the partitions back.
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { Producer } from '@platformatic/kafka'
import { Kafka, logLevel } from 'kafkajs'
import { type InProcessBroker, startInProcessBroker } from '../../../test/helpers/in-process-broker.ts'
import { KafkaWriter, type ProducedRecord, sendDecoded } from './kafka-client.ts'
import { RecordAccumulator } from './record-accumulator.ts'

let broker: InProcessBroker
before(async () => {
  broker = await startInProcessBroker()
  const admin = new Kafka({ brokers: [broker.bootstrap], logLevel: logLevel.NOTHING }).admin()
  await admin.connect()
  await admin.createTopics({ topics: [{ topic: 'batches', numPartitions: 2 }] })
  await admin.disconnect()
})
after(() => broker.stop())

function record(n: number): ProducedRecord {
  return {
    topic: 'batches',
    key: n % 2 === 0 ? Buffer.from(`k${n}`) : null,
    value: Buffer.from(`v${n}`),
    headers: n === 1 ? [['h', Buffer.from('x')]] : [],
    timestamp: 1_700_000_000_000 + n,
  }
}

/** Partition 0 gets records 0-2, partition 1 records 3-4. */
function accumulated(): RecordAccumulator {
  const accumulator = new RecordAccumulator()
  for (let n = 0; n < 5; n++) accumulator.add(record(n), n < 3 ? 0 : 1)
  return accumulator
}

async function readAll(): Promise<string[]> {
  const consumer = new Kafka({ brokers: [broker.bootstrap], logLevel: logLevel.NOTHING }).consumer({
    groupId: `read-${Math.random()}`,
  })
  const out: string[] = []
  await consumer.connect()
  await consumer.subscribe({ topic: 'batches', fromBeginning: true })
  await consumer.run({
    eachMessage: async ({ partition, message }) => {
      const headers = Object.entries(message.headers ?? {}).map(([key, value]) => `${key}=${String(value)}`)
      out.push(
        `${partition}/${message.offset} ${message.key?.toString() ?? '-'} ${message.value?.toString()} ${message.timestamp} ${headers.join(',')}`,
      )
    },
  })
  const deadline = Date.now() + 20_000
  while (out.length < 10 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50))
  await consumer.disconnect()
  return out.sort()
}

test('encoded batches: the fast path and the library path write the same records, base offsets answered', async () => {
  const writer = new KafkaWriter({ bootstrap: [broker.bootstrap], clientId: 'batches-fast' })
  const producer = new Producer({ clientId: 'batches-library', bootstrapBrokers: [broker.bootstrap] })
  try {
    const first = accumulated()
    assert.equal(first.recordCount, 5)
    assert.deepEqual(await writer.sendBatches(first.drain()), [0, 0])
    assert.equal(first.recordCount, 0)
    assert.deepEqual(await sendDecoded(producer, accumulated().drain()), [3, 2])
  } finally {
    await writer.close()
    await producer.close()
  }
  const expected = (base: [number, number]) =>
    [0, 1, 2, 3, 4].map((n) => {
      const partition = n < 3 ? 0 : 1
      const offset = base[partition] + (n < 3 ? n : n - 3)
      return `${partition}/${offset} ${n % 2 === 0 ? `k${n}` : '-'} v${n} ${1_700_000_000_000 + n} ${n === 1 ? 'h=x' : ''}`
    })
  assert.deepEqual(await readAll(), [...expected([0, 0]), ...expected([3, 2])].sort())
})
