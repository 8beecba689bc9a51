// Goal: three stateless brokers on one PostgreSQL and one S3 API server form one Kafka cluster:
// every broker's Metadata lists all three, partitions are spread over them, records produced with
// acks=all by kcat (librdkafka) and kafkajs are read back exactly once and in order per partition;
// SIGKILL of a broker moves its partitions to the others (leader epoch + 1) and every acknowledged
// record stays readable, now from the object store; a SIGSTOPped leader resumed after another broker
// took its partitions commits nothing; a broker added later takes its share of the partitions.
// Each broker has a rack (broker.rack): Metadata and DescribeCluster list them, and a consumer with
// client.rack is sent by a partition's leader to a broker of its rack (KIP-392), which serves it.
// Method: real processes (test/cluster/cluster-helpers.ts: Debian's PostgreSQL 15, s3rver, three
// `streamline` processes with --cluster-metadata/--object-store, 200 ms heartbeats, 1.5 s leases);
// kcat and kafkajs as clients; leases read from PostgreSQL to find leaders and epochs.

import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { after, before, test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { Kafka, logLevel, Partitioners } from 'kafkajs'
import pg from 'pg'
import { type BrokerProcess, httpUrlOf } from '../helpers/broker-process.ts'
import { requireClient } from '../helpers/clients.ts'
import { CodecClient, fetchRequestBody } from '../helpers/kafka-codec-client.ts'
import { requirePostgres } from '../helpers/postgres-cluster-server.ts'
import { startCluster, type TestCluster, waitFor } from './cluster-helpers.ts'

const skip = requirePostgres() || requireClient('kcat')
const topic = 'orders'
const partitionCount = 6
let cluster: TestCluster
let database: pg.Client
/** Every value acknowledged so far, in the order each producer sent it. */
const acknowledged: string[] = []

interface KcatResult {
  status: number | null
  stdout: string
  stderr: string
}

function kcat(args: string[], input = '', timeoutMs = 60_000): Promise<KcatResult> {
  return new Promise((resolve) => {
    const child = spawn('kcat', args, { stdio: ['pipe', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString()
    })
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString()
    })
    child.once('close', (status) => {
      clearTimeout(timer)
      resolve({ status, stdout, stderr })
    })
    child.stdin.end(input)
  })
}

interface Leader {
  partition: number
  brokerId: number
  leaderEpoch: number
  port: number
}

/** Partitions of `topic` with a valid lease, from PostgreSQL. */
async function leaders(): Promise<Leader[]> {
  const result = await database.query<{
    partition: number
    broker_id: number
    leader_epoch: number
    port: number
  }>(
    `SELECT p.partition, p.leader_broker AS broker_id, p.leader_epoch, b.port
     FROM partitions p JOIN topics t USING (topic_id) JOIN brokers b ON b.broker_id = p.leader_broker
     WHERE t.name = $1 AND p.lease_expires_at > now() ORDER BY p.partition`,
    [topic],
  )
  return result.rows.map((row) => ({
    partition: row.partition,
    brokerId: row.broker_id,
    leaderEpoch: row.leader_epoch,
    port: row.port,
  }))
}

/** Everything in the topic, read with kcat from `bootstrap`: partition → values in offset order. */
async function consumeAll(bootstrap: string): Promise<Map<number, string[]>> {
  const result = await kcat([
    '-b',
    bootstrap,
    '-C',
    '-t',
    topic,
    '-o',
    'beginning',
    '-e',
    '-q',
    '-f',
    '%p|%o|%s\n',
  ])
  assert.equal(result.status, 0, result.stderr)
  const byPartition = new Map<number, Array<{ offset: number; value: string }>>()
  for (const line of result.stdout.split('\n').filter((each) => each !== '')) {
    const [partition, offset, value] = line.split('|')
    const list = byPartition.get(Number(partition)) ?? []
    list.push({ offset: Number(offset), value })
    byPartition.set(Number(partition), list)
  }
  const values = new Map<number, string[]>()
  for (const [partition, list] of byPartition) {
    list.sort((a, b) => a.offset - b.offset)
    assert.deepEqual(
      list.map((entry) => entry.offset),
      list.map((_, index) => index),
      `offsets of partition ${partition} are dense from 0`,
    )
    values.set(
      partition,
      list.map((entry) => entry.value),
    )
  }
  return values
}

/** Every acknowledged value exactly once, and each partition in the order it was produced. */
function assertExactlyAcknowledged(read: Map<number, string[]>): void {
  const all = [...read.values()].flat()
  assert.deepEqual([...all].sort(), [...acknowledged].sort())
  const sentIndex = new Map(acknowledged.map((value, index) => [value, index]))
  for (const [partition, values] of read) {
    const indexes = values.map((value) => sentIndex.get(value) ?? -1)
    assert.deepEqual(
      indexes,
      [...indexes].sort((a, b) => a - b),
      `partition ${partition} in produce order`,
    )
  }
}

async function getJson(broker: BrokerProcess, path: string): Promise<unknown> {
  const response = await fetch(`${httpUrlOf(broker)}${path}`)
  assert.equal(response.status, 200, `GET ${path}`)
  return response.json()
}

interface MembersBody {
  members: Array<{ brokerId: number; port: number; live: boolean; stopped: boolean; partitionLeases: number }>
}
interface LeasesBody {
  partitions: Array<{ topic: string; partition: number; leaderId: number | null; leaderEpoch: number }>
  groupCoordinators: Array<{ slot: number; brokerId: number | null }>
}

function brokerOf(port: number): BrokerProcess {
  const found = cluster.brokers.find((broker) => broker.port === port)
  assert.ok(found, `a broker process on port ${port}`)
  return found
}

before(async () => {
  if (skip !== false) return
  cluster = await startCluster(3, [], (index) => ['--broker-rack', `az-${index}`])
  database = new pg.Client({ connectionString: cluster.postgres.url })
  await database.connect()
})

after(async () => {
  await database?.end()
  await cluster?.dispose()
})

test('three brokers form one cluster: each lists all three', { skip }, async () => {
  const expected = cluster.brokers.map((broker) => broker.bootstrap).sort()
  const listedBy = async (broker: BrokerProcess): Promise<string[]> => {
    const result = await kcat(['-b', broker.bootstrap, '-L', '-J'])
    assert.equal(result.status, 0, result.stderr)
    const metadata = JSON.parse(result.stdout) as { brokers: Array<{ id: number; name: string }> }
    return metadata.brokers.map((each) => each.name).sort()
  }
  // A broker sees the others at its next sync (every 200 ms here): the last one started may not be
  // listed yet by the first, so the test waits for the state it asserts on.
  const listed = await waitFor('every broker lists all three', async () => {
    const all = await Promise.all(cluster.brokers.map(listedBy))
    return all.every((names) => names.join() === expected.join()) ? all : null
  })
  for (const names of listed) assert.deepEqual(names, expected)
  // The HTTP API of every broker gives the same cluster: mode, the three brokers, the three members.
  const ports = cluster.brokers.map((broker) => broker.port).sort()
  for (const broker of cluster.brokers) {
    const info = (await getJson(broker, '/api/v1/cluster')) as {
      mode: string
      brokers: Array<{ port: number }>
    }
    assert.equal(info.mode, 'cluster')
    assert.deepEqual(info.brokers.map((each) => each.port).sort(), ports)
    const { members } = (await getJson(broker, '/api/v1/cluster/members')) as MembersBody
    assert.deepEqual(
      members.map((member) => [member.port, member.live, member.stopped]).sort(),
      ports.map((port) => [port, true, false]),
    )
  }
})

test('acks=all through kcat and kafkajs, partitions spread, read back exactly once in order', {
  skip,
}, async () => {
  const kafka = new Kafka({
    clientId: 'cluster-test',
    brokers: cluster.bootstrap().split(','),
    logLevel: logLevel.NOTHING,
  })
  const admin = kafka.admin()
  await admin.connect()
  await admin.createTopics({ topics: [{ topic, numPartitions: partitionCount }], waitForLeaders: true })
  await admin.disconnect()
  const spread = await waitFor('every partition led, two per broker', async () => {
    const found = await leaders()
    const perBroker = new Set(found.map((leader) => leader.brokerId))
    return found.length === partitionCount && perBroker.size === 3 ? found : null
  })
  assert.deepEqual(
    spread.map((leader) => leader.leaderEpoch),
    spread.map(() => 1),
  )
  const kcatValues = Array.from({ length: 120 }, (_, index) => `kcat-${index}`)
  const produced = await kcat(
    ['-b', cluster.bootstrap(), '-P', '-t', topic, '-K', ':', '-X', 'acks=all'],
    `${kcatValues.map((value) => `${value}:${value}`).join('\n')}\n`,
  )
  assert.equal(produced.status, 0, produced.stderr)
  acknowledged.push(...kcatValues)
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner })
  await producer.connect()
  const kafkajsValues = Array.from({ length: 60 }, (_, index) => `kafkajs-${index}`)
  for (const value of kafkajsValues) {
    const [record] = await producer.send({ topic, acks: -1, messages: [{ key: value, value }] })
    assert.equal(record.errorCode, 0)
    acknowledged.push(value)
  }
  await producer.disconnect()
  const read = await consumeAll(cluster.bootstrap())
  assert.equal(read.size, partitionCount, 'keys spread over every partition')
  assertExactlyAcknowledged(read)
})

/** A counter of a broker's /metrics (0 when absent). */
async function metricOf(broker: BrokerProcess, name: string): Promise<number> {
  const text = await (await fetch(`${httpUrlOf(broker)}/metrics`)).text()
  const line = text.split('\n').find((each) => each.startsWith(`${name} `))
  return line === undefined ? 0 : Number(line.slice(name.length + 1))
}

test('racks: listed by Metadata and DescribeCluster; client.rack fetches from a broker of its rack', {
  skip,
}, async () => {
  const [first] = cluster.brokers
  const client = await CodecClient.open(first.host, first.port)
  try {
    const described = await client.request(60, 1, {
      includeClusterAuthorizedOperations: false,
      endpointType: 1,
    })
    const racks = described.brokers.map((broker) => [broker.port, broker.rack]).sort()
    const expected = cluster.brokers.map((broker, index) => [broker.port, `az-${index}`]).sort()
    assert.deepEqual(racks, expected)
    const metadata = await client.request(3, 12, {
      topics: null,
      allowAutoTopicCreation: false,
      includeClusterAuthorizedOperations: false,
      includeTopicAuthorizedOperations: false,
    })
    assert.deepEqual(metadata.brokers.map((broker) => [broker.port, broker.rack]).sort(), expected)
  } finally {
    client.close()
  }
  // A partition led by one broker, read by a consumer in another broker's rack.
  const [led] = await leaders()
  const leader = brokerOf(led.port)
  const local = cluster.brokers.find((broker) => broker.port !== led.port)
  assert.ok(local)
  const localRack = `az-${cluster.brokers.indexOf(local)}`
  const localId = (await brokerIdOf(local.port)) ?? -1
  // The leader answers a Fetch from that rack with the broker to use and no records (as Kafka).
  const toLeader = await CodecClient.open(leader.host, leader.port)
  try {
    const answer = await toLeader.request(1, 12, {
      ...fetchRequestBody(topic, led.partition, 0n),
      rackId: localRack,
    })
    const partition = answer.responses[0].partitions[0]
    assert.equal(partition.errorCode, 0)
    assert.equal(partition.preferredReadReplica, localId)
    assert.equal(partition.records?.length ?? 0, 0)
    // The same Fetch without a rack is served by the leader.
    const plain = await toLeader.request(1, 12, fetchRequestBody(topic, led.partition, 0n))
    assert.equal(plain.responses[0].partitions[0].preferredReadReplica, -1)
    assert.ok((plain.responses[0].partitions[0].records?.length ?? 0) > 0)
  } finally {
    toLeader.close()
  }
  // librdkafka (kcat) with client.rack follows it: every record of the partition, served by the broker
  // of its rack (its index reads grow, the leader's do not).
  const expectedValues = (await consumeAll(cluster.bootstrap())).get(led.partition)
  assert.ok(expectedValues !== undefined && expectedValues.length > 0)
  const metric = 'streamline_cluster_index_queries_total'
  // Long polls of the reads above end up to fetch.wait.max.ms (500 ms) after kcat exits, with a last read.
  const leaderReadsBefore = await settledMetricOf(leader, metric)
  const localReadsBefore = await metricOf(local, metric)
  const result = await kcat([
    '-b',
    cluster.bootstrap(),
    '-X',
    `client.rack=${localRack}`,
    '-C',
    '-t',
    topic,
    '-p',
    String(led.partition),
    '-o',
    'beginning',
    '-e',
    '-q',
    '-f',
    '%s\n',
  ])
  assert.equal(result.status, 0, result.stderr)
  assert.deepEqual(
    result.stdout.split('\n').filter((line) => line !== ''),
    expectedValues,
  )
  assert.equal(await metricOf(leader, metric), leaderReadsBefore, 'the leader served no read')
  assert.ok((await metricOf(local, metric)) > localReadsBefore, 'the broker of the rack served the reads')
  assert.ok((await metricOf(local, 'streamline_cluster_index_query_seconds_total')) > 0)
})

/** A counter once it has not moved for a second (bounded). */
async function settledMetricOf(broker: BrokerProcess, name: string): Promise<number> {
  let last = await metricOf(broker, name)
  for (let round = 0; round < 20; round++) {
    await sleep(1_000)
    const now = await metricOf(broker, name)
    if (now === last) return now
    last = now
  }
  throw new Error(`${name} kept moving`)
}

/** The broker id registered for the broker listening on `port`, from PostgreSQL. */
async function brokerIdOf(port: number): Promise<number | null> {
  const result = await database.query<{ broker_id: number }>(
    'SELECT broker_id FROM brokers WHERE port = $1 AND NOT stopped ORDER BY broker_id DESC LIMIT 1',
    [port],
  )
  return result.rows[0]?.broker_id ?? null
}

test('SIGKILL of a broker: its partitions move with epoch + 1, every acknowledged record readable', {
  skip,
}, async (context) => {
  const before = await leaders()
  const victim = brokerOf(before[0].port)
  const victimId = before[0].brokerId
  const killedAtMs = Date.now()
  await victim.kill()
  const after = await waitFor('partitions of the killed broker moved', async () => {
    const found = await leaders()
    return found.length === partitionCount && found.every((leader) => leader.brokerId !== victimId)
      ? found
      : null
  })
  const failoverMs = Date.now() - killedAtMs
  context.diagnostic(`failover (kill to every partition led again): ${failoverMs} ms`)
  for (const old of before.filter((leader) => leader.brokerId === victimId)) {
    const moved = after.find((leader) => leader.partition === old.partition)
    assert.equal(moved?.leaderEpoch, old.leaderEpoch + 1, `partition ${old.partition} epoch`)
  }
  assert.ok(failoverMs < 10_000, `failover took ${failoverMs} ms`)
  // A survivor's HTTP API: the killed broker no longer live, the leases where PostgreSQL has them.
  const survivor = cluster.brokers.find((broker) => broker.isAlive())
  assert.ok(survivor)
  const { members } = (await getJson(survivor, '/api/v1/cluster/members')) as MembersBody
  const killed = members.find((member) => member.brokerId === victimId)
  assert.deepEqual([killed?.live, killed?.partitionLeases], [false, 0])
  const leased = (await getJson(survivor, '/api/v1/cluster/leases')) as LeasesBody
  assert.deepEqual(
    leased.partitions
      .filter((lease) => lease.topic === topic)
      .map((lease) => [lease.partition, lease.leaderId, lease.leaderEpoch]),
    after.map((leader) => [leader.partition, leader.brokerId, leader.leaderEpoch]),
  )
  assert.equal(leased.groupCoordinators.length, 50)
  assert.ok(leased.groupCoordinators.every((lease) => lease.brokerId !== victimId))
  // The survivors read the moved partitions from the object store.
  assertExactlyAcknowledged(await consumeAll(cluster.bootstrap()))
  const more = Array.from({ length: 30 }, (_, index) => `after-kill-${index}`)
  const produced = await kcat(
    ['-b', cluster.bootstrap(), '-P', '-t', topic, '-K', ':', '-X', 'acks=all'],
    `${more.map((value) => `${value}:${value}`).join('\n')}\n`,
  )
  assert.equal(produced.status, 0, produced.stderr)
  acknowledged.push(...more)
  assertExactlyAcknowledged(await consumeAll(cluster.bootstrap()))
})

test('SIGSTOP: a paused leader resumed after the takeover commits nothing', { skip }, async () => {
  const current = await leaders()
  const paused = current[0]
  const pausedBroker = brokerOf(paused.port)
  const objectsOfEpoch = async (): Promise<number> =>
    (
      await database.query<{ count: number }>(
        `SELECT count(*)::int AS count FROM partition_objects o JOIN topics t USING (topic_id)
         WHERE t.name = $1 AND o.partition = $2 AND o.leader_epoch = $3`,
        [topic, paused.partition, paused.leaderEpoch],
      )
    ).rows[0].count
  const committedBefore = await objectsOfEpoch()
  process.kill(pausedBroker.pid, 'SIGSTOP')
  try {
    // A producer that only knows the paused broker: its requests wait in the socket until SIGCONT.
    const values = Array.from({ length: 10 }, (_, index) => `paused-${index}`)
    const producing = kcat(
      ['-b', pausedBroker.bootstrap, '-P', '-t', topic, '-p', String(paused.partition), '-X', 'acks=all'],
      `${values.join('\n')}\n`,
    )
    await waitFor("the paused broker's partition taken over", async () => {
      const moved = (await leaders()).find((leader) => leader.partition === paused.partition)
      return moved !== undefined && moved.brokerId !== paused.brokerId ? moved : null
    })
    process.kill(pausedBroker.pid, 'SIGCONT')
    const produced = await producing
    assert.equal(produced.status, 0, produced.stderr)
    acknowledged.push(...values)
  } finally {
    process.kill(pausedBroker.pid, 'SIGCONT')
  }
  assert.equal(await objectsOfEpoch(), committedBefore, 'nothing committed at the fenced epoch')
  const moved = (await leaders()).find((leader) => leader.partition === paused.partition)
  assert.ok(moved !== undefined && moved.leaderEpoch > paused.leaderEpoch)
  assertExactlyAcknowledged(await consumeAll(cluster.bootstrap()))
})

test('a broker added later takes its share of the partitions; nothing acknowledged moves or is lost', {
  skip,
}, async () => {
  const before = await leaders()
  const liveBefore = new Set(before.map((leader) => leader.brokerId)).size
  const added = await cluster.addBroker()
  const spread = await waitFor('the new broker leads partitions', async () => {
    const found = await leaders()
    const perBroker = new Map<number, number>()
    for (const leader of found) perBroker.set(leader.brokerId, (perBroker.get(leader.brokerId) ?? 0) + 1)
    const share = Math.ceil(partitionCount / (liveBefore + 1))
    const balanced = [...perBroker.values()].every((count) => count <= share)
    return found.length === partitionCount && found.some((leader) => leader.port === added.port) && balanced
      ? found
      : null
  })
  assert.ok(spread.some((leader) => leader.port === added.port))
  const more = Array.from({ length: 20 }, (_, index) => `after-join-${index}`)
  const produced = await kcat(
    ['-b', cluster.bootstrap(), '-P', '-t', topic, '-K', ':', '-X', 'acks=all'],
    `${more.map((value) => `${value}:${value}`).join('\n')}\n`,
  )
  assert.equal(produced.status, 0, produced.stderr)
  acknowledged.push(...more)
  assertExactlyAcknowledged(await consumeAll(added.bootstrap))
})
