// Goal: a second producer with the same transactional id fences the first. The first producer's
// commit, and its next transaction's send, fail with the client's fenced error: librdkafka's fatal
// _FENCED (from PRODUCER_FENCED / INVALID_PRODUCER_EPOCH), kafkajs's INVALID_PRODUCER_EPOCH (it
// speaks EndTxn v1 and Produce v3, from before KIP-588's PRODUCER_FENCED). The fenced producer's open
// transaction is aborted: read_committed sees only the new producer's record.
// Method: the broker as the real CLI process; confluent-kafka in clients/fencing.py, kafkajs here.
// After the fencing, a read_committed confluent-kafka consumer (clients/read_topic.py) reads the topic.
import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { type BrokerProcess, startBrokerProcess } from '../../helpers/broker-process.ts'
import { requireClient } from '../../helpers/clients.ts'
import { runPython } from '../../helpers/python.ts'
import { createTopic, testKafka } from '../groups/group-members.ts'
import { clientScriptsDir } from './python-process.ts'

let broker: BrokerProcess
before(async () => {
  broker = await startBrokerProcess()
})
after(async () => {
  await broker?.stop()
})

async function python(script: string, args: string[]): Promise<unknown> {
  return runPython(await readFile(join(clientScriptsDir, script), 'utf8'), { args })
}

async function readCommitted(topic: string): Promise<[number, number, string][]> {
  const result = (await python('read_topic.py', [broker.bootstrap, topic, '2', 'read_committed'])) as {
    records: [number, number, string | null, string][]
  }
  return result.records.map(([partition, offset, , value]) => [partition, offset, value])
}

const confluentFenced = { name: '_FENCED', code: -144, fatal: true }

test('confluent-kafka: the first producer gets a fatal _FENCED on commit and on its next send', {
  skip: requireClient('confluent-kafka'),
  timeout: 60_000,
}, async () => {
  const topic = 'fencing-confluent'
  await createTopic(broker.bootstrap, topic, 2)
  assert.deepEqual(await python('fencing.py', [broker.bootstrap, topic]), {
    commit: confluentFenced,
    produce: confluentFenced,
  })
  // Partition 0: "a-open" (0), ABORT marker (1) written when B fenced A, "b-committed" (2), COMMIT (3).
  assert.deepEqual(await readCommitted(topic), [[0, 2, 'b-committed']])
})

/** The kafkajs protocol error type behind a rejection (kafkajs may wrap it). */
async function kafkajsErrorType(call: Promise<unknown>): Promise<string | null> {
  try {
    await call
    return null
  } catch (error) {
    for (let current: unknown = error; current !== undefined && current !== null; ) {
      const { type, cause, originalError } = current as {
        type?: string
        cause?: unknown
        originalError?: unknown
      }
      if (type !== undefined) return type
      current = cause ?? originalError
    }
    return `no protocol error type: ${String(error)}`
  }
}

test('kafkajs: the first producer gets INVALID_PRODUCER_EPOCH on commit and on its next send', {
  timeout: 60_000,
}, async () => {
  const topic = 'fencing-kafkajs'
  await createTopic(broker.bootstrap, topic, 2)
  const kafka = testKafka(broker.bootstrap, 'fencing')
  const producer = () =>
    kafka.producer({
      transactionalId: 'kafkajs-fenced',
      maxInFlightRequests: 1,
      idempotent: true,
      retry: { retries: 1 },
    })
  const first = producer()
  const second = producer()
  const third = producer()
  await Promise.all([first.connect(), second.connect(), third.connect()])
  try {
    const fenced = await first.transaction()
    await fenced.send({ topic, messages: [{ value: 'a-open', partition: 0 }] })
    const current = await second.transaction() // InitProducerId: fences `first`, aborts its transaction
    await current.send({ topic, messages: [{ value: 'b-committed', partition: 0 }] })
    await current.commit()
    assert.equal(
      await kafkajsErrorType(fenced.commit()),
      'INVALID_PRODUCER_EPOCH',
      'commit of the fenced producer',
    )

    // `second` is fenced by `third` while idle; its next transaction's send fails.
    const newest = await third.transaction()
    await newest.abort()
    const next = await second.transaction()
    assert.equal(
      await kafkajsErrorType(next.send({ topic, messages: [{ value: 'c-fenced', partition: 1 }] })),
      'INVALID_PRODUCER_EPOCH',
      'send in the next transaction of a fenced producer',
    )
  } finally {
    await Promise.all([first.disconnect(), second.disconnect(), third.disconnect()])
  }
  if (requireClient('confluent-kafka') === false)
    assert.deepEqual(await readCommitted(topic), [[0, 2, 'b-committed']])
})
