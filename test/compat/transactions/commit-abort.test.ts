// Goal: records of committed transactions are visible to a read_committed consumer and those of
// aborted ones are not, while a read_uncommitted consumer sees both; an open transaction holds
// read_committed back at its first offset (the last stable offset) until it commits. Checked with
// exact sets, per partition in offset order, for confluent-kafka (librdkafka) and for kafkajs.
// Method: the broker as the real CLI process. A transactional producer writes four transactions of
// 3 records to each of 2 partitions: t1 committed, t2 aborted, t3 committed, t4 open. Per partition
// the log is then t1 at offsets 0-2 (COMMIT marker at 3), t2 at 4-6 (ABORT at 7), t3 at 8-10
// (COMMIT at 11), t4 from 12. Consumers of the same client read the topic from offset 0 with each
// isolation level while t4 is open, and read_committed again after t4 commits (markers at 15).
// confluent-kafka reads until librdkafka's end of partition (the last stable offset for
// read_committed); kafkajs reads until the expected count, then 1.5 s more to catch extra records.
import assert from 'node:assert/strict'
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import type { KafkaMessage } from 'kafkajs'
import {
  type BrokerProcess,
  makeTempDir,
  removeTempDir,
  startBrokerProcess,
} from '../../helpers/broker-process.ts'
import { requireClient } from '../../helpers/clients.ts'
import { runPython } from '../../helpers/python.ts'
import { createTopic, testKafka, waitUntil } from '../groups/group-members.ts'
import { clientScriptsDir, PythonProcess } from './python-process.ts'

type Row = [partition: number, offset: number, value: string]

/** The rows a reader must see: transactions `numbers` of the layout above, per partition. */
function expectedRows(numbers: number[]): Row[] {
  const rows: Row[] = []
  for (const partition of [0, 1]) {
    for (const number of numbers) {
      for (const index of [0, 1, 2])
        rows.push([partition, (number - 1) * 4 + index, `t${number}-p${partition}-${index}`])
    }
  }
  return rows
}

function sortedRows(rows: Row[]): Row[] {
  return [...rows].sort((a, b) => a[0] - b[0] || a[1] - b[1])
}

let broker: BrokerProcess
let workDir: string
before(async () => {
  broker = await startBrokerProcess()
  workDir = await makeTempDir('streamline-txn-')
})
after(async () => {
  await broker?.stop()
  await removeTempDir(workDir)
})

async function readConfluent(topic: string, isolation: string): Promise<Row[]> {
  const script = await readFile(join(clientScriptsDir, 'read_topic.py'), 'utf8')
  const result = (await runPython(script, { args: [broker.bootstrap, topic, '2', isolation] })) as {
    records: [number, number, string, string][]
  }
  return result.records.map(([partition, offset, , value]) => [partition, offset, value])
}

test('confluent-kafka: read_committed sees committed transactions only, read_uncommitted all', {
  skip: requireClient('confluent-kafka'),
  timeout: 90_000,
}, async () => {
  const topic = 'txn-confluent'
  await createTopic(broker.bootstrap, topic, 2)
  const goFile = join(workDir, 'confluent-go')
  const producer = PythonProcess.start('txn_commit_abort.py', [broker.bootstrap, topic, goFile])
  try {
    await producer.waitForEvent((event) => event.event === 'open', 60_000)
    const committed = await readConfluent(topic, 'read_committed')
    const uncommitted = await readConfluent(topic, 'read_uncommitted')
    await writeFile(goFile, 'go')
    assert.deepEqual((await producer.result(60_000)).event, 'done')
    assert.deepEqual(committed, expectedRows([1, 3]), 'read_committed while t4 is open')
    assert.deepEqual(uncommitted, expectedRows([1, 2, 3, 4]), 'read_uncommitted while t4 is open')
    assert.deepEqual(
      await readConfluent(topic, 'read_committed'),
      expectedRows([1, 3, 4]),
      'read_committed after t4 committed',
    )
  } catch (error) {
    throw new Error(`${(error as Error).message}\n${producer.describe()}`, { cause: error })
  } finally {
    await producer.stop()
  }
})

/** Reads the topic with a kafkajs consumer until `count` records, then 1.5 s more. */
async function readKafkajs(topic: string, readUncommitted: boolean, count: number): Promise<Row[]> {
  const consumer = testKafka(broker.bootstrap, 'txn-reader').consumer({
    groupId: `txn-reader-${readUncommitted}-${Date.now()}`,
    readUncommitted,
    maxWaitTimeInMs: 100,
  })
  const rows: Row[] = []
  await consumer.connect()
  try {
    await consumer.subscribe({ topic, fromBeginning: true })
    await consumer.run({
      eachMessage: async ({ partition, message }: { partition: number; message: KafkaMessage }) => {
        rows.push([partition, Number(message.offset), String(message.value)])
      },
    })
    await waitUntil(
      () => rows.length >= count,
      30_000,
      () => `${rows.length} of ${count} records`,
    )
    await new Promise((resolve) => setTimeout(resolve, 1_500))
  } finally {
    await consumer.disconnect()
  }
  return sortedRows(rows)
}

test('kafkajs: read_committed sees committed transactions only, read_uncommitted all', {
  timeout: 90_000,
}, async () => {
  const topic = 'txn-kafkajs'
  await createTopic(broker.bootstrap, topic, 2)
  const producer = testKafka(broker.bootstrap, 'txn-writer').producer({
    transactionalId: 'kafkajs-txn',
    maxInFlightRequests: 1,
    idempotent: true,
  })
  await producer.connect()
  try {
    for (const [number, end] of [
      [1, 'commit'],
      [2, 'abort'],
      [3, 'commit'],
      [4, 'open'],
    ] as const) {
      const transaction = await producer.transaction()
      for (const partition of [0, 1]) {
        await transaction.send({
          topic,
          messages: [0, 1, 2].map((index) => ({
            key: `k${index}`,
            value: `t${number}-p${partition}-${index}`,
            partition,
          })),
        })
      }
      if (end === 'commit') await transaction.commit()
      if (end === 'abort') await transaction.abort()
      if (end === 'open') {
        assert.deepEqual(
          await readKafkajs(topic, false, 12),
          expectedRows([1, 3]),
          'read_committed while t4 is open',
        )
        assert.deepEqual(
          await readKafkajs(topic, true, 24),
          expectedRows([1, 2, 3, 4]),
          'read_uncommitted while t4 is open',
        )
        await transaction.commit()
      }
    }
    assert.deepEqual(await readKafkajs(topic, false, 18), expectedRows([1, 3, 4]), 'read_committed after t4')
  } finally {
    await producer.disconnect()
  }
})
