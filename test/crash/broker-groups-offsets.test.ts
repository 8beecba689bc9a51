// Goal: committed offsets (with their metadata strings, verbatim) and classic group state survive a
// SIGKILL of the broker, and a consumer that starts after the restart resumes exactly at the last
// committed offsets.
// Method: the broker as a process on a data dir this test keeps. A kafka-python member of group
// "crash-group" (session timeout 20 s) commits offsets with metadata in two rounds (the second wins),
// then its process exits without LeaveGroup, so the group is Stable with one member. The broker is
// SIGKILLed right after, and restarted on the same data dir. Then, in order:
// - DescribeGroups (kafkajs) equals the answer from before the crash: Stable, the same member id,
//   client id, host, protocol and assignment;
// - OffsetFetch returns the second round's offsets and metadata exactly (kafka-python's
//   committed(metadata=True) and kafkajs fetchOffsets), and librdkafka (confluent-kafka committed())
//   reads the same offsets;
// - a new confluent-kafka member joins: once the dead member's session has expired it gets all three
//   partitions in generation N+1 (N: the generation of the commits), and its first record of each
//   partition is at exactly the committed offset; it consumes exactly the records from there on.
// - it commits everything; it and then the broker are SIGKILLed again; after a second restart
//   OffsetFetch returns the end offsets (10 per partition): the resumer's for partitions 0 and 1, the
//   committer's (with its metadata) for partition 2, where nothing was left to consume.
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import {
  assertConsumedSet,
  createTopic,
  GroupMember,
  produceRecords,
  testKafka,
  waitForDisjointCover,
  waitUntil,
} from '../compat/groups/group-members.ts'
import {
  type BrokerProcess,
  makeTempDir,
  removeTempDir,
  startBrokerProcess,
} from '../helpers/broker-process.ts'
import { requireClient } from '../helpers/clients.ts'
import { makeRecords } from '../helpers/data-path-records.ts'
import { runPython } from '../helpers/python.ts'

const skip = requireClient('kafka-python') || requireClient('confluent-kafka')
const topic = 'crash-offsets'
const group = 'crash-group'
const partitions = 3
const perPartition = 10

/** The second (last) round of commits: offset and metadata per partition. */
const lastCommits = [
  { partition: 0, offset: 4, metadata: 'ünïcødé ✓ {"json": [1, 2]} \t tab' },
  { partition: 1, offset: 7, metadata: '' },
  { partition: 2, offset: 10, metadata: 'm'.repeat(300) },
]

const committerScript = `
import json, os, sys, time
from kafka import KafkaConsumer, TopicPartition
from kafka.structs import OffsetAndMetadata

bootstrap, topic, group, rounds = sys.argv[1], sys.argv[2], sys.argv[3], json.loads(sys.argv[4])
consumer = KafkaConsumer(bootstrap_servers=bootstrap, group_id=group, client_id='crash-committer',
                         session_timeout_ms=20000, heartbeat_interval_ms=1000, max_poll_interval_ms=20000,
                         enable_auto_commit=False, auto_offset_reset='earliest')
consumer.subscribe([topic])
deadline = time.time() + 30
while len(consumer.assignment()) < 3 and time.time() < deadline:
    consumer.poll(timeout_ms=200, max_records=1)
for commits in rounds:
    consumer.commit({TopicPartition(topic, c['partition']): OffsetAndMetadata(c['offset'], c['metadata'])
                     for c in commits})
generation = consumer._coordinator._generation
sys.stdout.write(json.dumps({'assigned': sorted(tp.partition for tp in consumer.assignment()),
                             'generation': generation.generation_id, 'member_id': generation.member_id}) + '\\n')
sys.stdout.flush()
os._exit(0)  # no LeaveGroup: the group stays Stable with this member
`

const kafkaPythonCommittedScript = `
import json, sys
from kafka import KafkaConsumer, TopicPartition
bootstrap, topic, group = sys.argv[1], sys.argv[2], sys.argv[3]
consumer = KafkaConsumer(bootstrap_servers=bootstrap, group_id=group, enable_auto_commit=False)
committed = [consumer.committed(TopicPartition(topic, p), metadata=True) for p in range(3)]
print(json.dumps([[p, c.offset, c.metadata] for p, c in enumerate(committed)]))
consumer.close(autocommit=False)
`

const confluentCommittedScript = `
import json, sys
from confluent_kafka import Consumer, TopicPartition
bootstrap, topic, group = sys.argv[1], sys.argv[2], sys.argv[3]
consumer = Consumer({'bootstrap.servers': bootstrap, 'group.id': group})
committed = consumer.committed([TopicPartition(topic, p) for p in range(3)], timeout=15)
print(json.dumps([[tp.partition, tp.offset, tp.error.code() if tp.error else 0] for tp in committed]))
consumer.close()
`

let dataDir: string
let broker: BrokerProcess | undefined
before(async () => {
  dataDir = await makeTempDir('streamline-groups-crash-')
})
after(async () => {
  await broker?.kill()
  await removeTempDir(dataDir)
})

async function describeGroup(bootstrap: string) {
  const admin = testKafka(bootstrap).admin()
  await admin.connect()
  try {
    const { groups } = await admin.describeGroups([group])
    return groups
  } finally {
    await admin.disconnect()
  }
}

async function fetchOffsets(bootstrap: string) {
  const admin = testKafka(bootstrap).admin()
  await admin.connect()
  try {
    const [result] = await admin.fetchOffsets({ groupId: group, topics: [topic] })
    return result.partitions.sort((a, b) => a.partition - b.partition)
  } finally {
    await admin.disconnect()
  }
}

test('committed offsets and group state survive SIGKILL; a consumer resumes at them', { skip }, async () => {
  try {
    await crashAndResume()
  } catch (error) {
    const output = broker?.output().slice(-6_000) ?? ''
    throw new Error(`${(error as Error).stack}\n--- broker (tail) ---\n${output}`, { cause: error })
  }
})

async function crashAndResume(): Promise<void> {
  broker = await startBrokerProcess({ dataDir })
  await createTopic(broker.bootstrap, topic, partitions)
  const records = makeRecords({ count: partitions * perPartition, partitions, source: 'crash' })
  await produceRecords(broker.bootstrap, topic, records)

  const firstRound = lastCommits.map((commit) => ({ ...commit, offset: commit.offset - 1, metadata: 'old' }))
  const committed = (await runPython(committerScript, {
    args: [broker.bootstrap, topic, group, JSON.stringify([firstRound, lastCommits])],
  })) as { assigned: number[]; generation: number; member_id: string }
  assert.deepEqual(committed.assigned, [0, 1, 2])
  const describedBefore = await describeGroup(broker.bootstrap)
  assert.equal(describedBefore[0].state, 'Stable')
  assert.deepEqual(
    describedBefore[0].members.map((member) => [member.memberId, member.clientId]),
    [[committed.member_id, 'crash-committer']],
  )

  await broker.kill()
  broker = await startBrokerProcess({ dataDir })
  assert.deepEqual(await describeGroup(broker.bootstrap), describedBefore, 'DescribeGroups after the restart')
  // The resumer joins now; the join phase lasts until the dead member's session (20 s from the load)
  // expires, so it cannot commit anything before the OffsetFetch checks below.
  const resumed = GroupMember.start('confluent-kafka', {
    bootstrap: broker.bootstrap,
    group,
    topic,
    client_id: 'crash-resumer',
  })
  try {
    assert.deepEqual(
      await runPython(kafkaPythonCommittedScript, { args: [broker.bootstrap, topic, group] }),
      lastCommits.map(({ partition, offset, metadata }) => [partition, offset, metadata]),
      'OffsetFetch (kafka-python committed(metadata=True)) after the restart: metadata verbatim',
    )
    // kafkajs's fetchOffsets maps an empty metadata string to null (\`metadata || null\`, admin/index.js).
    const expectedOffsets = lastCommits.map(({ partition, offset, metadata }) => ({
      partition,
      offset: String(offset),
      metadata: metadata === '' ? null : metadata,
    }))
    assert.deepEqual(
      await fetchOffsets(broker.bootstrap),
      expectedOffsets,
      'OffsetFetch (kafkajs) after the restart',
    )
    assert.deepEqual(
      await runPython(confluentCommittedScript, { args: [broker.bootstrap, topic, group] }),
      lastCommits.map(({ partition, offset }) => [partition, offset, 0]),
      'committed() (librdkafka) after the restart',
    )
    await waitForDisjointCover([resumed], partitions, 40_000, 'the resumed consumer owns every partition')
    assert.equal((await resumed.state()).generation, committed.generation + 1, 'generation after the restart')
    const expected = records.filter((record) => (record.offset ?? 0) >= lastCommits[record.partition].offset)
    await waitUntil(
      () => new Set(resumed.records.map((r) => `${r.partition}/${r.offset}`)).size >= expected.length,
      30_000,
      () => resumed.describe(),
    )
    for (const { partition, offset } of lastCommits) {
      const first = resumed.records.find((record) => record.partition === partition)
      assert.equal(first?.offset ?? perPartition, offset, `first offset consumed from partition ${partition}`)
    }
    assertConsumedSet(resumed.records, expected, 'records consumed after the restart')
    await new Promise((resolve) => setTimeout(resolve, 500)) // commits are synchronous; let the last land
  } catch (error) {
    throw new Error(
      `${(error as Error).message}\n${resumed.describe()}\n--- broker ---\n${broker.output().slice(-4_000)}`,
      {
        cause: error,
      },
    )
  } finally {
    await resumed.kill()
  }

  await broker.kill()
  broker = await startBrokerProcess({ dataDir })
  assert.deepEqual(
    await fetchOffsets(broker.bootstrap),
    // Partitions 0 and 1 now hold the resumer's commits (librdkafka sends no metadata); partition 2
    // had nothing left to consume, so it keeps the committer's commit.
    [
      { partition: 0, offset: String(perPartition), metadata: null },
      { partition: 1, offset: String(perPartition), metadata: null },
      { partition: 2, offset: String(perPartition), metadata: lastCommits[2].metadata },
    ],
    'OffsetFetch after the second restart',
  )
}
