// Goal: issue 20's failure test: idempotent producers with acks=all keep writing while a broker is
// SIGKILLed every few seconds, three rounds (each killed broker replaced by a new one), and afterwards
// every acknowledged record is in the topic exactly once, in send order per partition.
// Method: real processes (cluster-helpers.ts: PostgreSQL 15, s3rver, three brokers, 1.5 s leases);
// two idempotent producers at once: Debian's python3-confluent-kafka (librdkafka: delivery reports
// printed per record) and kafkajs (one record per send, maxInFlightRequests 1); a round waits until
// the killed broker's partitions are led again (leases in PostgreSQL) and a replacement broker has
// joined; kcat reads everything back at the end.

import assert from 'node:assert/strict'
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process'
import { after, before, test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { Kafka, logLevel, Partitioners } from 'kafkajs'
import pg from 'pg'
import { httpUrlOf } from '../helpers/broker-process.ts'
import { debianPython, requireClient } from '../helpers/clients.ts'
import { requirePostgres } from '../helpers/postgres-cluster-server.ts'
import { readTopic, startCluster, type TestCluster, waitFor } from './cluster-helpers.ts'

const skip = requirePostgres() || requireClient('kcat') || requireClient('confluent-kafka')
const topic = 'chaos'
const partitionCount = 6
const rounds = 3
let cluster: TestCluster
let database: pg.Client

before(async () => {
  if (skip) return
  cluster = await startCluster(3)
  database = new pg.Client({ connectionString: cluster.postgres.url })
  await database.connect()
})

after(async () => {
  if (skip) return
  await database?.end()
  await cluster?.dispose()
})

/** True when every partition of the topic has a leader with a valid lease other than `brokerId`. */
async function everyPartitionLedWithout(brokerId: number): Promise<true | null> {
  const result = await database.query<{ leader_broker: number }>(
    `SELECT p.leader_broker FROM partitions p JOIN topics t USING (topic_id)
     WHERE t.name = $1 AND p.lease_expires_at > now()`,
    [topic],
  )
  return result.rows.length === partitionCount && result.rows.every((row) => row.leader_broker !== brokerId)
    ? true
    : null
}

async function brokerIdOfPort(port: number): Promise<number> {
  const result = await database.query<{ broker_id: number }>(
    'SELECT broker_id FROM brokers WHERE port = $1 AND NOT stopped ORDER BY broker_id DESC LIMIT 1',
    [port],
  )
  assert.equal(result.rows.length, 1, `a registered broker on port ${port}`)
  return result.rows[0].broker_id
}

// librdkafka's idempotent producer: one record every 5 ms until "stop" arrives on stdin, then a flush;
// each delivery report is one line: `ok <partition> <value>` or `err <value> <error name>`.
const confluentProducerScript = `
import sys, threading, time
from confluent_kafka import Producer
stop = threading.Event()
threading.Thread(target=lambda: (sys.stdin.readline(), stop.set()), daemon=True).start()
producer = Producer({'bootstrap.servers': sys.argv[1], 'enable.idempotence': True, 'acks': 'all',
                     'message.timeout.ms': 60000, 'linger.ms': 5})
def report(error, message):
    value = message.value().decode()
    if error is None:
        print('ok', message.partition(), value, flush=True)
    else:
        print('err', value, error.name(), flush=True)
index = 0
while not stop.is_set():
    producer.produce('${topic}', key=f'k-{index % 12}', value=f'cf-{index}', on_delivery=report)
    producer.poll(0)
    index += 1
    time.sleep(0.005)
left = producer.flush(60)
print('done', index, left, flush=True)
`

interface ProducerOutcome {
  acknowledged: Map<number, string[]>
  failed: number
  sent: number
}

function startConfluentProducer(bootstrap: string): {
  child: ChildProcessWithoutNullStreams
  finished: Promise<ProducerOutcome>
} {
  const child = spawn(debianPython, ['-c', confluentProducerScript, bootstrap])
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString()
  })
  child.stderr.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000)
  })
  const finished = new Promise<ProducerOutcome>((resolve, reject) => {
    child.once('close', (code) => {
      if (code !== 0) {
        reject(new Error(`confluent-kafka producer exited ${code}: ${stderr}`))
        return
      }
      const outcome: ProducerOutcome = { acknowledged: new Map(), failed: 0, sent: 0 }
      for (const line of stdout.split('\n')) {
        const [kind, first, second] = line.split(' ')
        if (kind === 'ok') {
          const partition = Number(first)
          outcome.acknowledged.set(partition, [...(outcome.acknowledged.get(partition) ?? []), second])
        } else if (kind === 'err') outcome.failed++
        else if (kind === 'done') outcome.sent = Number(first)
      }
      resolve(outcome)
    })
  })
  return { child, finished }
}

async function runKafkajsProducer(kafka: Kafka, stopped: () => boolean): Promise<ProducerOutcome> {
  const producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    createPartitioner: Partitioners.DefaultPartitioner,
  })
  await producer.connect()
  const outcome: ProducerOutcome = { acknowledged: new Map(), failed: 0, sent: 0 }
  while (!stopped()) {
    const value = `js-${outcome.sent}`
    outcome.sent++
    try {
      const [result] = await producer.send({
        topic,
        acks: -1,
        messages: [{ key: `k-${outcome.sent % 12}`, value }],
      })
      outcome.acknowledged.set(result.partition, [
        ...(outcome.acknowledged.get(result.partition) ?? []),
        value,
      ])
    } catch {
      outcome.failed++
    }
  }
  await producer.disconnect()
  return outcome
}

function assertExactlyOnceInOrder(
  name: string,
  prefix: string,
  outcome: ProducerOutcome,
  read: Map<number, string[]>,
) {
  for (const [partition, values] of outcome.acknowledged) {
    const stored = (read.get(partition) ?? []).filter((value) => value.startsWith(prefix))
    assert.equal(new Set(stored).size, stored.length, `${name}, partition ${partition}: no record twice`)
    const acknowledged = new Set(values)
    assert.deepEqual(
      stored.filter((value) => acknowledged.has(value)),
      values,
      `${name}, partition ${partition}: every acknowledged record, in send order`,
    )
  }
}

test('a broker SIGKILLed every few seconds, three rounds: every acknowledged record exactly once, in order', {
  skip,
  timeout: 240_000,
}, async (context) => {
  const kafka = new Kafka({
    clientId: 'cluster-chaos',
    brokers: cluster.bootstrap().split(','),
    logLevel: logLevel.NOTHING,
    retry: { retries: 30, initialRetryTime: 100, maxRetryTime: 1_000 },
  })
  // Created through one broker's HTTP API, and leaders waited for in PostgreSQL: kafkajs' createTopics
  // reads Metadata right after, which another broker can answer UNKNOWN_TOPIC_OR_PARTITION until its
  // next sync has read the new topic.
  const created = await fetch(`${httpUrlOf(cluster.brokers[0])}/api/v1/topics`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: topic, partitions: partitionCount }),
  })
  assert.equal(created.status, 201, await created.text())
  await waitFor('every partition of the new topic led', () => everyPartitionLedWithout(-1))

  const confluent = startConfluentProducer(cluster.bootstrap())
  let stopping = false
  const kafkajs = runKafkajsProducer(kafka, () => stopping)
  try {
    for (let round = 1; round <= rounds; round++) {
      await sleep(2_000)
      // The oldest broker still running: each round kills one of the brokers the producers started with
      // or a replacement, never the only one.
      const victim = cluster.brokers.find((broker) => broker.isAlive())
      assert.ok(victim)
      const victimId = await brokerIdOfPort(victim.port)
      const killedAt = Date.now()
      await victim.kill()
      await waitFor(`round ${round}: partitions of broker ${victimId} led again`, () =>
        everyPartitionLedWithout(victimId),
      )
      context.diagnostic(
        `round ${round}: killed broker ${victimId}, partitions led again after ${Date.now() - killedAt} ms`,
      )
      await cluster.addBroker()
    }
    await sleep(2_000)
  } finally {
    stopping = true
    confluent.child.stdin.end('stop\n')
  }
  const stoppedAt = Date.now()
  const [fromConfluent, fromKafkajs] = await Promise.all([confluent.finished, kafkajs])
  context.diagnostic(`producers finished ${Date.now() - stoppedAt} ms after stop`)
  for (const [name, outcome] of [
    ['confluent-kafka', fromConfluent],
    ['kafkajs', fromKafkajs],
  ] as const) {
    const acknowledged = [...outcome.acknowledged.values()].reduce((sum, values) => sum + values.length, 0)
    context.diagnostic(
      `${name}: ${acknowledged} acknowledged of ${outcome.sent} sent, ${outcome.failed} failed`,
    )
    assert.ok(acknowledged > 0, `${name} got records acknowledged`)
  }
  const read = await readTopic(cluster.bootstrap(), topic)
  assertExactlyOnceInOrder('confluent-kafka', 'cf-', fromConfluent, read)
  assertExactlyOnceInOrder('kafkajs', 'js-', fromKafkajs, read)
})
