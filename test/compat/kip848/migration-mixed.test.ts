// Goal: KIP-848 online migration with real clients, as Kafka 3.9/4.0 do it. A classic group of
// kafkajs consumers is upgraded when a node-rdkafka consumer (`group.protocol=consumer`) joins;
// classic members keep working inside the consumer group (JoinGroup/SyncGroup/Heartbeat answered
// from its assignment); when the last KIP-848 member leaves, the group is a classic group again, and
// a new KIP-848 member upgrades it once more. Members come and go while records flow: every record
// is processed, no partition is owned by two members at once (each member's own rebalance events),
// no offset below the end is left unprocessed; ListGroups / DescribeGroups / ConsumerGroupDescribe tell the
// group's type at each step; after a SIGKILL the restarted broker has the mixed group (members,
// protocol) and every committed offset, its two members carry on where they were, and when the
// KIP-848 one leaves the group is classic again.
// Method: the broker as a process (initial rebalance delay 0, KIP-848 heartbeat 500 ms) behind a
// TCP relay it advertises (so the clients reach the restarted process); clients in this process
// (mixed-group.ts: the Ledger records ownership and processing in order); a kafkajs producer writes
// one record per partition every 25 ms while a flow runs; the group's type is read with raw
// ListGroups v5 / DescribeGroups v5 / ConsumerGroupDescribe v1 (generated codecs), whose MemberType
// tells which members of the consumer group still speak the classic protocol.
import assert from 'node:assert/strict'
import { after, test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { Kafka, logLevel, type Producer } from 'kafkajs'
import { ApiKey } from '../../../src/protocol/generated/index.ts'
import {
  type BrokerProcess,
  makeTempDir,
  removeTempDir,
  startBrokerProcess,
} from '../../helpers/broker-process.ts'
import { CodecClient } from '../../helpers/kafka-codec-client.ts'
import { connectKafkajsAdmin, type TestAdmin } from '../../helpers/kafkajs.ts'
import { kafkajsMember, Ledger, type Member, rdkafkaMember, startRelay } from './mixed-group.ts'
import { rdkafkaSkip } from './rdkafka.ts'

const skip = rdkafkaSkip()
const topic = 'migration-orders'
const group = 'migration-group'
const partitions = [0, 1, 2, 3]
const brokerArgs = [
  '--groups-initial-rebalance-delay-ms',
  '0',
  '--groups-consumer-heartbeat-interval-ms',
  '500',
  // Long enough that no member's session expires while the broker restarts under a loaded machine
  // (librdkafka's reconnect backoff grows; a member fenced then is a zombie that still owns its
  // partitions for a moment, which Kafka allows and this test's no-overlap check would count).
  // No step of the test waits for a session to expire: members leave.
  '--groups-consumer-session-timeout-ms',
  '20000',
  '--no-registry',
  '--no-connect',
]

const cleanups: (() => Promise<void>)[] = []
let diagnostics: () => unknown = () => null
after(async () => {
  // Bounded: a client that cannot leave cleanly must not hold the file past its timeout.
  for (const cleanup of cleanups.reverse()) await Promise.race([cleanup().catch(() => {}), sleep(15_000)])
})

/** Waits until `check()` holds, polling; the test timeout bounds the wait. */
async function until(
  what: string,
  check: () => boolean | Promise<boolean>,
  timeoutMs = 20_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > deadline)
      throw new Error(`timed out waiting until ${what}: ${JSON.stringify(diagnostics())}`)
    await sleep(50)
  }
}

/** The group as the three admin APIs answer: ListGroups type/state, DescribeGroups, ConsumerGroupDescribe. */
async function groupView(client: CodecClient) {
  const listed = await client.request(ApiKey.ListGroups, 5, { statesFilter: [], typesFilter: [] })
  const entry = listed.groups.find((candidate) => candidate.groupId === group)
  const described = await client.request(ApiKey.DescribeGroups, 5, {
    groups: [group],
    includeAuthorizedOperations: false,
  })
  const consumer = await client.request(ApiKey.ConsumerGroupDescribe, 1, {
    groupIds: [group],
    includeAuthorizedOperations: false,
  })
  const [classic] = described.groups
  const [modern] = consumer.groups
  return {
    type: entry?.groupType ?? null,
    protocolType: entry?.protocolType ?? null,
    classic: { state: classic.groupState, members: classic.members.map((member) => member.clientId).sort() },
    consumer: {
      errorCode: modern.errorCode,
      // "client=classic" / "client=consumer" from v1's MemberType (0 classic, 1 consumer).
      members: modern.members
        .map(
          (member) => `${member.clientId}=${['classic', 'consumer'][member.memberType] ?? member.memberType}`,
        )
        .sort(),
    },
  }
}

/** True when the members' own assignments cover every partition once and `names` all hold some. */
function sharedBy(ledger: Ledger, names: string[]): boolean {
  const owners = ledger.owners()
  const owned = names.flatMap((name) => owners[name] ?? [])
  return (
    names.every((name) => (owners[name] ?? []).length > 0) &&
    Object.keys(owners).every((name) => names.includes(name) || owners[name].length === 0) &&
    owned.length === partitions.length &&
    new Set(owned).size === partitions.length
  )
}

async function endOffsetsOf(admin: TestAdmin['admin']): Promise<number[]> {
  const offsets = await admin.fetchTopicOffsets(topic)
  return partitions.map((partition) => Number(offsets.find((entry) => entry.partition === partition)?.high))
}

async function startFlow(
  bootstrap: string,
): Promise<{ producer: Producer; stop: () => Promise<Set<string>> }> {
  const kafka = new Kafka({
    clientId: 'migration-producer',
    brokers: [bootstrap],
    logLevel: logLevel.NOTHING,
  })
  const producer = kafka.producer()
  await producer.connect()
  const produced = new Set<string>()
  let running = true
  let next = 0
  const loop = (async () => {
    while (running) {
      const values = partitions.map((partition) => ({ partition, value: `record-${next++}-p${partition}` }))
      await producer.send({ topic, acks: -1, messages: values })
      for (const { value } of values) produced.add(value)
      await sleep(25)
    }
  })()
  return {
    producer,
    async stop() {
      running = false
      await loop
      await producer.disconnect()
      return produced
    },
  }
}

test('a mixed classic/KIP-848 group upgrades, downgrades and upgrades again while records flow', {
  skip,
  timeout: 180_000,
}, async () => {
  const dataDir = await makeTempDir()
  cleanups.push(() => removeTempDir(dataDir))
  const relay = await startRelay()
  cleanups.push(() => relay.close())
  const args = [...brokerArgs, '--advertised-addr', `127.0.0.1:${relay.port}`]
  let broker: BrokerProcess = await startBrokerProcess({ dataDir, args })
  relay.target(broker.port)
  const bootstrap = `127.0.0.1:${relay.port}`
  cleanups.push(() => broker.stop())
  const { admin }: TestAdmin = await connectKafkajsAdmin(bootstrap)
  cleanups.push(() => admin.disconnect())
  await admin.createTopics({ topics: [{ topic, numPartitions: partitions.length }] })
  const raw = await CodecClient.open(broker.host, broker.port)
  cleanups.push(async () => raw.close())
  const ledger = new Ledger()
  diagnostics = () => ({
    owners: ledger.owners(),
    events: ledger.events.slice(-12),
    broker: broker
      .output()
      .split('\n')
      .filter((line) => line.includes('group'))
      .slice(-15),
  })
  const members: Member[] = []
  const join = async (kind: 'classic' | 'consumer', name: string) => {
    const options = { name, bootstrap, group, topic, ledger }
    const member = kind === 'classic' ? await kafkajsMember(options) : await rdkafkaMember(options)
    members.push(member)
    cleanups.push(() => member.stop())
    return member
  }
  const leave = async (member: Member) => {
    members.splice(members.indexOf(member), 1)
    await member.stop()
  }
  const flow = await startFlow(bootstrap)

  // A classic group of one kafkajs consumer.
  const classicA = await join('classic', 'classic-a')
  await until('classic-a owns every partition', () => sharedBy(ledger, ['classic-a']))
  assert.deepEqual(await groupView(raw), {
    type: 'classic',
    protocolType: 'consumer',
    classic: { state: 'Stable', members: ['classic-a'] },
    consumer: { errorCode: 69, members: [] }, // GROUP_ID_NOT_FOUND: "is not a consumer group"
  })

  // A KIP-848 member joins: upgraded; the classic member stays and gives up part of its partitions.
  const modernB = await join('consumer', 'kip848-b')
  await until('classic-a and kip848-b share the partitions', () =>
    sharedBy(ledger, ['classic-a', 'kip848-b']),
  )
  assert.deepEqual(await groupView(raw), {
    type: 'consumer',
    protocolType: 'consumer',
    classic: { state: 'Dead', members: [] },
    consumer: { errorCode: 0, members: ['classic-a=classic', 'kip848-b=consumer'] },
  })

  // Another classic consumer joins the consumer group; then the first one leaves.
  await join('classic', 'classic-c')
  await until('three members share', () => sharedBy(ledger, ['classic-a', 'kip848-b', 'classic-c']))
  await leave(classicA)
  await until('kip848-b and classic-c share', () => sharedBy(ledger, ['kip848-b', 'classic-c']))
  assert.deepEqual((await groupView(raw)).consumer.members, ['classic-c=classic', 'kip848-b=consumer'])

  // The last KIP-848 member leaves: a classic group again, classic-c takes everything.
  await leave(modernB)
  await until('classic-c owns every partition', () => sharedBy(ledger, ['classic-c']))
  await until('the classic group is Stable', async () => (await groupView(raw)).classic.state === 'Stable')
  assert.deepEqual(await groupView(raw), {
    type: 'classic',
    protocolType: 'consumer',
    classic: { state: 'Stable', members: ['classic-c'] },
    consumer: { errorCode: 69, members: [] },
  })

  // And upgraded once more by a new KIP-848 member.
  await join('consumer', 'kip848-d')
  await until('classic-c and kip848-d share', () => sharedBy(ledger, ['classic-c', 'kip848-d']))
  assert.equal((await groupView(raw)).type, 'consumer')

  // The flow stops; every record is processed, ownership never overlapped, no offset was left unprocessed.
  const produced = await flow.stop()
  const ends = await endOffsetsOf(admin)
  assert.equal(
    ends.reduce((sum, end) => sum + end, 0),
    produced.size,
  )
  await until('every record is processed', () => {
    const seen = new Set(ledger.processed.map((event) => event.value))
    return [...produced].every((value) => seen.has(value))
  })
  assert.deepEqual(new Set(ledger.processed.map((event) => event.value)), produced)
  assert.deepEqual(ledger.overlaps(), [])
  assert.deepEqual(ledger.gaps(ends), [])
  const committed = async (client: TestAdmin['admin']) =>
    (await client.fetchOffsets({ groupId: group, topics: [topic] }))[0].partitions
      .map((entry) => [entry.partition, Number(entry.offset)])
      .sort((left, right) => left[0] - right[0])
  const expected = partitions.map((partition) => [partition, ends[partition]])
  await until('every processed record is committed', async () => {
    try {
      assert.deepEqual(await committed(admin), expected)
      return true
    } catch {
      return false
    }
  })

  // SIGKILL: the restarted broker has the mixed group (both members, consumer protocol) and the offsets.
  const before = await groupView(raw)
  assert.deepEqual(before.consumer.members, ['classic-c=classic', 'kip848-d=consumer'])
  raw.close()
  await broker.kill()
  broker = await startBrokerProcess({ dataDir, args })
  relay.target(broker.port)
  const rawAfter = await CodecClient.open(broker.host, broker.port)
  cleanups.push(async () => rawAfter.close())
  assert.deepEqual(await groupView(rawAfter), before)
  assert.deepEqual(await committed(admin), expected)

  // Its members carry on through the relay: new records reach them, nothing is skipped.
  const secondFlow = await startFlow(bootstrap)
  // Longer than a session: a member that gave up on the restart rejoins under a new member id and
  // gets its old self's partitions only once that session expires (20 s).
  await until(
    'both members process new records',
    () => {
      const late = ledger.processed.filter((event) => !produced.has(event.value))
      return ['classic-c', 'kip848-d'].every((name) => late.some((event) => event.member === name))
    },
    40_000,
  )
  // The KIP-848 member leaves: classic again, with classic-c alone.
  const modernD = members.find((member) => member.name === 'kip848-d')
  assert.ok(modernD !== undefined)
  await leave(modernD)
  await until('classic-c owns every partition again', () => sharedBy(ledger, ['classic-c']))
  for (const value of await secondFlow.stop()) produced.add(value)
  const finalEnds = await endOffsetsOf(admin)
  await until('every record is processed', () => {
    const seen = new Set(ledger.processed.map((event) => event.value))
    return [...produced].every((value) => seen.has(value))
  })
  assert.deepEqual(new Set(ledger.processed.map((event) => event.value)), produced)
  assert.deepEqual(ledger.overlaps(), [])
  assert.deepEqual(ledger.gaps(finalEnds), [])
  assert.deepEqual(
    { type: (await groupView(rawAfter)).type, members: (await groupView(rawAfter)).classic.members },
    { type: 'classic', members: ['classic-c'] },
  )
  const duplicates = ledger.duplicates()
  // Measured, not asserted beyond at-least-once: records processed twice across all the handovers.
  assert.ok(duplicates < produced.size, `${duplicates} duplicates of ${produced.size} records`)
  process.stdout.write(`# ${produced.size} records, ${duplicates} processed twice on handovers\n`)
})
