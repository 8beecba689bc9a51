// Goal: transactions in cluster mode (docs/cluster.md "Transactions"): transactional ids coordinated
// by the broker holding their coordinator slot, state in PostgreSQL, markers written by each
// partition's leader, read_committed (last stable offset, aborted transactions), zombie fencing,
// coordinator failover, and the expiry of idle transactional ids and producers.
// Method: real processes (cluster-helpers.ts: PostgreSQL, s3rver, three brokers, 1.5 s leases, 3 s
// expirations). kafkajs transactional producers abort, commit and leave a transaction open; kcat reads
// back read_committed and read_uncommitted. Then python3-confluent-kafka (librdkafka) runs a
// consume-transform-produce pipeline (read_committed consumer, transactional producer with
// send_offsets_to_transaction) while the broker coordinating its transactional id is SIGKILLed; the
// output topic, read read_committed, must hold every input record exactly once.

import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { after, before, test } from 'node:test'
import { Kafka, logLevel, Partitioners } from 'kafkajs'
import pg from 'pg'
import { internalPartitionFor } from '../../src/coordinator/internal-topic-log.ts'
import { debianPython, requireClient } from '../helpers/clients.ts'
import { requirePostgres } from '../helpers/postgres-cluster-server.ts'
import { readTopic, startCluster, type TestCluster, waitFor } from './cluster-helpers.ts'

const skip = requirePostgres() || requireClient('kcat') || requireClient('confluent-kafka')
const expirationMs = 3_000
const readCommitted = ['-X', 'isolation.level=read_committed']
let cluster: TestCluster
let database: pg.Client

before(async () => {
  if (skip) return
  cluster = await startCluster(3, [
    '--cluster-transactional-id-expiration-ms',
    String(expirationMs),
    '--cluster-producer-id-expiration-ms',
    String(expirationMs),
  ])
  database = new pg.Client({ connectionString: cluster.postgres.url })
  await database.connect()
})

after(async () => {
  if (skip) return
  await database?.end()
  await cluster?.dispose()
})

/** A client bootstrapped on one broker: the one that creates a topic knows it at once (the others at
 * their next sync), so Metadata right after CreateTopics finds it. */
function kafkaClient(): Kafka {
  return new Kafka({
    clientId: 'cluster-transactions',
    brokers: [cluster.bootstrap().split(',')[0]],
    logLevel: logLevel.NOTHING,
    retry: { retries: 20, initialRetryTime: 100, maxRetryTime: 1_000 },
  })
}

async function createTopic(topic: string, numPartitions: number): Promise<void> {
  const admin = kafkaClient().admin()
  await admin.connect()
  // Leaders are awaited below in PostgreSQL: kafkajs' own wait asks any broker, and one that has not
  // read the new topic yet answers UNKNOWN_TOPIC_OR_PARTITION, which kafkajs does not retry there.
  await admin.createTopics({ topics: [{ topic, numPartitions }], waitForLeaders: false })
  await admin.disconnect()
  await waitFor(`every partition of ${topic} led`, async () => {
    const result = await database.query<{ led: number }>(
      `SELECT count(*)::int AS led FROM partitions p JOIN topics t USING (topic_id)
       WHERE t.name = $1 AND p.lease_expires_at > now()`,
      [topic],
    )
    return result.rows[0].led === numPartitions ? true : null
  })
  // …and every broker's catalog has it (each reads the catalog at its next sync).
  const check = kafkaClient().admin()
  await check.connect()
  await waitFor(`every broker knows ${topic}`, async () => {
    const brokers = await check.describeCluster()
    for (const broker of brokers.brokers) {
      const single = new Kafka({
        brokers: [`${broker.host}:${broker.port}`],
        logLevel: logLevel.NOTHING,
      }).admin()
      await single.connect()
      const known = await single.listTopics()
      await single.disconnect()
      if (!known.includes(topic)) return null
    }
    return true
  })
  await check.disconnect()
}

function transactionalProducer(transactionalId: string) {
  return kafkaClient().producer({
    transactionalId,
    idempotent: true,
    maxInFlightRequests: 1,
    createPartitioner: Partitioners.DefaultPartitioner,
  })
}

test('abort, commit and an open transaction: read_committed sees exactly the committed records', {
  skip,
}, async () => {
  const topic = 'txn-visibility'
  await createTopic(topic, 1)
  const producer = transactionalProducer('visibility')
  await producer.connect()
  const send = async (values: string[], end: 'commit' | 'abort' | 'open') => {
    const transaction = await producer.transaction()
    await transaction.send({ topic, messages: values.map((value) => ({ value, partition: 0 })) })
    if (end === 'commit') await transaction.commit()
    if (end === 'abort') await transaction.abort()
    return transaction
  }
  await send(['aborted-0', 'aborted-1', 'aborted-2'], 'abort')
  await send(['committed-0', 'committed-1'], 'commit')
  const open = await send(['open-0'], 'open')

  const everyBroker = cluster.brokers.map((broker) => broker.bootstrap)
  for (const bootstrap of everyBroker)
    assert.deepEqual((await readTopic(bootstrap, topic, readCommitted)).get(0), [
      'committed-0',
      'committed-1',
    ])
  const readUncommitted = ['-X', 'isolation.level=read_uncommitted']
  assert.deepEqual((await readTopic(everyBroker[0], topic, readUncommitted)).get(0), [
    'aborted-0',
    'aborted-1',
    'aborted-2',
    'committed-0',
    'committed-1',
    'open-0',
  ])
  const aborted = await database.query<{ first_offset: number; last_offset: number }>(
    `SELECT a.first_offset::int, a.last_offset::int FROM aborted_transactions a JOIN topics t USING (topic_id)
     WHERE t.name = $1`,
    [topic],
  )
  // Offsets: aborted 0-2, ABORT marker 3, committed 4-5, COMMIT marker 6, open 7.
  assert.deepEqual(aborted.rows, [{ first_offset: 0, last_offset: 3 }])
  const unstable = await database.query<{ txn_first_offset: number }>(
    `SELECT s.txn_first_offset::int FROM producer_state s JOIN topics t USING (topic_id)
     WHERE t.name = $1 AND s.txn_first_offset IS NOT NULL`,
    [topic],
  )
  assert.deepEqual(unstable.rows, [{ txn_first_offset: 7 }])
  await open.commit()
  assert.deepEqual((await readTopic(everyBroker[1], topic, readCommitted)).get(0), [
    'committed-0',
    'committed-1',
    'open-0',
  ])
  await producer.disconnect()
  // DeleteRecords past the aborted transaction drops its row (read_committed reads start above it).
  const admin = kafkaClient().admin()
  await admin.connect()
  await admin.fetchTopicMetadata({ topics: [topic] })
  await admin.deleteTopicRecords({ topic, partitions: [{ partition: 0, offset: '4' }] })
  await admin.disconnect()
  const left = await database.query(
    `SELECT a.first_offset FROM aborted_transactions a JOIN topics t USING (topic_id) WHERE t.name = $1`,
    [topic],
  )
  assert.deepEqual(left.rows, [])
  assert.deepEqual((await readTopic(everyBroker[2], topic, readCommitted)).get(0), [
    'committed-0',
    'committed-1',
    'open-0',
  ])
})

test('a zombie is fenced: a new incarnation aborts its transaction and its commit is refused', {
  skip,
}, async () => {
  const topic = 'txn-zombie'
  await createTopic(topic, 2)
  const zombie = transactionalProducer('zombie')
  await zombie.connect()
  const stale = await zombie.transaction()
  await stale.send({
    topic,
    messages: [
      { value: 'zombie-0', partition: 0 },
      { value: 'zombie-1', partition: 1 },
    ],
  })
  const successor = transactionalProducer('zombie')
  await successor.connect()
  // kafkajs sends InitProducerId with its first transaction: the epoch bump that fences the zombie.
  const fresh = await successor.transaction()
  await assert.rejects(stale.commit(), (error: Error & { type?: string }) => {
    assert.equal(error.type, 'INVALID_PRODUCER_EPOCH')
    return true
  })
  await fresh.send({ topic, messages: [{ value: 'fresh-0', partition: 0 }] })
  await fresh.commit()
  const committed = await readTopic(cluster.brokers[2].bootstrap, topic, readCommitted)
  assert.deepEqual(committed.get(0), ['fresh-0'])
  assert.equal(committed.get(1), undefined)
  const state = await database.query<{ producer_epoch: number; state: number }>(
    'SELECT producer_epoch, state FROM txn_state WHERE transactional_id = $1',
    ['zombie'],
  )
  // Epoch 0 → 1 by the successor's InitProducerId; CompleteCommit (4).
  assert.deepEqual(state.rows, [{ producer_epoch: 1, state: 4 }])
  await zombie.disconnect()
  await successor.disconnect()
})

// The exactly-once pipeline (librdkafka's documented EOS loop): consume up to 10 records, produce one
// output per input in a transaction with the consumer's positions, commit; an abortable error aborts
// and rewinds to the committed offsets, a fatal one (fenced) starts a new producer and rewinds. Prints
// `progress <committed input records>` after each commit, `error <name>` for each error, and exits 0
// once every input record is committed.
const pipelineScript = `
import sys, time
from confluent_kafka import Consumer, Producer, KafkaException, TopicPartition
bootstrap, total = sys.argv[1], int(sys.argv[2])
consumer = Consumer({'bootstrap.servers': bootstrap, 'group.id': 'eos-group', 'enable.auto.commit': False,
                     'auto.offset.reset': 'earliest', 'isolation.level': 'read_committed',
                     'session.timeout.ms': 10000, 'heartbeat.interval.ms': 500})
def new_producer():
    producer = Producer({'bootstrap.servers': bootstrap, 'transactional.id': 'eos-pipeline',
                         'transaction.timeout.ms': 10000, 'linger.ms': 2})
    producer.init_transactions(30)
    return producer
def positions():
    return [tp for tp in consumer.position(consumer.assignment())]
def rewind():
    for tp in consumer.committed(consumer.assignment(), timeout=10):
        consumer.seek(TopicPartition(tp.topic, tp.partition, max(tp.offset, 0)))
producer = new_producer()
consumer.subscribe(['tx-in'])
deadline = time.time() + 60
while time.time() < deadline:
    messages = [m for m in consumer.consume(num_messages=10, timeout=0.2) if m.error() is None]
    if not messages:
        if sum(max(tp.offset, 0) for tp in positions()) >= total:
            print('done', flush=True)
            sys.exit(0)
        continue
    try:
        producer.begin_transaction()
        for m in messages:
            producer.produce('tx-out', key=m.key(), value=b'out-' + m.value(), partition=m.partition())
        producer.send_offsets_to_transaction(positions(), consumer.consumer_group_metadata(), 30)
        while True:
            try:
                producer.commit_transaction(30)
                break
            except KafkaException as e:
                if not e.args[0].retriable():
                    raise
                print('error', e.args[0].name(), flush=True)
        print('progress', sum(max(tp.offset, 0) for tp in positions()), flush=True)
    except KafkaException as e:
        error = e.args[0]
        print('error', error.name(), flush=True)
        try:
            if error.txn_requires_abort():
                producer.abort_transaction(30)
            else:
                producer = new_producer()
        except KafkaException as again:
            print('error', again.args[0].name(), flush=True)
            producer = new_producer()
        rewind()
print('timeout', flush=True)
sys.exit(1)
`

test('a consume-transform-produce pipeline stays exactly-once across a SIGKILL of its coordinator', {
  skip,
}, async () => {
  const total = 400
  await createTopic('tx-in', 3)
  await createTopic('tx-out', 3)
  const input = kafkaClient().producer({ idempotent: true, maxInFlightRequests: 1 })
  await input.connect()
  await input.send({
    topic: 'tx-in',
    acks: -1,
    messages: Array.from({ length: total }, (_, index) => ({ key: `k-${index % 7}`, value: `in-${index}` })),
  })
  await input.disconnect()

  const slot = internalPartitionFor('eos-pipeline', 50)
  const coordinatorPort = async (): Promise<number | null> => {
    const result = await database.query<{ port: number }>(
      `SELECT b.port FROM coordinator_leases c JOIN brokers b USING (broker_id)
       WHERE c.key_type = 1 AND c.slot = $1 AND c.lease_expires_at > now()`,
      [slot],
    )
    return result.rows[0]?.port ?? null
  }
  const pipeline = spawn(debianPython, ['-c', pipelineScript, cluster.bootstrap(), String(total)])
  const lines: string[] = []
  let progress = 0
  let stderr = ''
  pipeline.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    for (const line of chunk.split('\n').filter((entry) => entry !== '')) {
      lines.push(line)
      if (line.startsWith('progress ')) progress = Number(line.split(' ')[1])
    }
  })
  pipeline.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk
  })
  const exited = new Promise<number | null>((resolve) => pipeline.once('close', resolve))
  try {
    await waitFor('the pipeline to commit its first transactions', async () => (progress >= 60 ? true : null))
    const port = await waitFor('the coordinator of eos-pipeline', coordinatorPort)
    const victim = cluster.brokers.find((broker) => broker.port === port && broker.isAlive())
    assert.ok(victim, `a running broker on port ${port}`)
    const progressAtKill = progress
    await victim.kill()
    const code = await Promise.race([
      exited,
      new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), 45_000)),
    ])
    assert.equal(code, 0, `pipeline: ${lines.join(' | ')} ${stderr}`)
    assert.ok(progressAtKill < total, 'the kill happened while the pipeline ran')
    const newPort = await waitFor('a new coordinator of eos-pipeline', coordinatorPort)
    assert.notEqual(newPort, port)
  } finally {
    pipeline.kill('SIGKILL')
  }
  const output = await readTopic(cluster.bootstrap().split(',')[0], 'tx-out', readCommitted)
  const values = [...output.values()].flat().sort()
  const expected = Array.from({ length: total }, (_, index) => `out-in-${index}`).sort()
  assert.equal(values.length, total, `${values.length} output records for ${total} inputs`)
  assert.deepEqual(values, expected)
  const leftMarkers = await database.query('SELECT 1 FROM txn_markers')
  assert.equal(leftMarkers.rows.length, 0)
})

test('idle transactional ids and producers expire (transactional.id / producer.id.expiration.ms)', {
  skip,
}, async () => {
  const producer = kafkaClient().producer({ idempotent: true, maxInFlightRequests: 1 })
  await producer.connect()
  await producer.send({ topic: 'txn-zombie', acks: -1, messages: [{ value: 'idempotent', partition: 1 }] })
  await producer.disconnect()
  const rows = async (sql: string, values: unknown[]) => (await database.query(sql, values)).rows.length
  // The visibility test's id was last used seconds ago; the zombie's likewise.
  await waitFor(
    'idle transactional ids removed',
    async () =>
      (await rows('SELECT 1 FROM txn_state WHERE transactional_id = ANY($1)', [['visibility', 'zombie']])) ===
      0
        ? true
        : null,
    expirationMs * 4,
  )
  await waitFor(
    'idle producers of txn-zombie removed',
    async () =>
      (await rows(`SELECT 1 FROM producer_state s JOIN topics t USING (topic_id) WHERE t.name = $1`, [
        'txn-zombie',
      ])) === 0
        ? true
        : null,
    expirationMs * 4,
  )
})
