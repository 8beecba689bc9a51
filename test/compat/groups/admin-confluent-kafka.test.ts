// Goal: librdkafka's consumer-group AdminClient calls get Kafka's exact results from the broker:
// ListConsumerGroups (with and without a state filter), DescribeConsumerGroups (members with client
// ids, member ids, hosts and assignments; state; assignor; a missing group is Dead), DeleteGroups
// (NON_EMPTY_GROUP=68 while members exist, GROUP_ID_NOT_FOUND=69 for an unknown group, then
// success), ListConsumerGroupOffsets (all partitions, chosen partitions, unknown group),
// AlterConsumerGroupOffsets (UNKNOWN_MEMBER_ID while the group has members; exact offsets and
// metadata once it is empty) and DeleteConsumerGroupOffsets (GROUP_SUBSCRIBED_TO_TOPIC while
// subscribed).
// Method: the broker as a process; one Python script drives two confluent-kafka consumers (group
// "rdk-live", round-robin, on a 3-partition topic) and librdkafka 2.0.2's Admin API through ctypes
// (members/librdkafka_admin.py: Debian's confluent-kafka 1.7 has no Python wrappers for these calls,
// which arrived in confluent-kafka 2.0 as list_consumer_groups, describe_consumer_groups,
// delete_consumer_groups, list_consumer_group_offsets and alter_consumer_group_offsets, over the
// same C functions). The script prints every result; the test compares each with the exact value.
// librdkafka reports an empty commit metadata string as no metadata (null) and an offset of -1 as
// -1001 (RD_KAFKA_OFFSET_INVALID).
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { type BrokerProcess, startBrokerProcess } from '../../helpers/broker-process.ts'
import { requireClient } from '../../helpers/clients.ts'
import { runPython } from '../../helpers/python.ts'
import { createTopic } from './group-members.ts'

const skip = requireClient('confluent-kafka')
const topic = 'rdk-orders'

const scenario = `
import json, struct, sys, time
from confluent_kafka import Consumer, TopicPartition as ConfluentPartition

bootstrap, topic = sys.argv[1], sys.argv[2]
admin = GroupAdmin(bootstrap)
out = {}


def member_id(consumer):
    data = consumer.consumer_group_metadata()
    return bytes(data[11:]).split(b'\\0')[1].decode('utf-8')


members = [Consumer({'bootstrap.servers': bootstrap, 'group.id': 'rdk-live', 'client.id': 'rdk-member-%d' % n,
                     'session.timeout.ms': 6000, 'heartbeat.interval.ms': 500, 'enable.auto.commit': False,
                     'partition.assignment.strategy': 'roundrobin'}) for n in (1, 2)]
for consumer in members:
    consumer.subscribe([topic])
deadline = time.time() + 30
while time.time() < deadline and (sum(len(c.assignment()) for c in members) < 3 or any(not c.assignment() for c in members)):
    for consumer in members:
        consumer.poll(0.1)
out['assignments'] = [sorted(p.partition for p in c.assignment()) for c in members]
out['member_ids'] = [member_id(c) for c in members]
for consumer in members:
    offsets = [ConfluentPartition(topic, p.partition, 2 + p.partition) for p in consumer.assignment()]
    consumer.commit(offsets=offsets, asynchronous=False)

out['alter_empty'] = admin.alter_offsets('rdk-empty', [[topic, 0, 5, 'meta-0'], [topic, 1, 6, ''], [topic, 2, 7, 'ünï {}']])
out['list'] = admin.list_groups()
out['list_stable'] = admin.list_groups(['Stable'])
out['list_empty'] = admin.list_groups(['Empty'])
out['describe'] = admin.describe_groups(['rdk-live', 'rdk-empty', 'rdk-missing'])
out['offsets_live'] = admin.list_offsets('rdk-live')
out['offsets_live_some'] = admin.list_offsets('rdk-live', [[topic, 0], [topic, 2], ['no-such-topic', 0]])
out['offsets_empty'] = admin.list_offsets('rdk-empty')
out['offsets_missing'] = admin.list_offsets('rdk-missing')
out['delete_busy'] = admin.delete_groups(['rdk-live', 'rdk-missing'])
out['alter_live'] = admin.alter_offsets('rdk-live', [[topic, 0, 1, 'x']])
out['delete_offsets_live'] = admin.delete_offsets('rdk-live', [[topic, 0]])
for consumer in members:
    consumer.poll(0.1)
    consumer.close()
time.sleep(0.5)  # Kafka empties the group at once (errors-raw.test.ts checks that); here only alter is tested
out['describe_after_close'] = admin.describe_groups(['rdk-live'])['rdk-live']['state']
out['alter_closed'] = admin.alter_offsets('rdk-live', [[topic, 0, 1, 'reset'], [topic, 1, 0, ''], [topic, 2, 10, 'end']])
out['offsets_closed'] = admin.list_offsets('rdk-live')
out['delete_offsets_closed'] = admin.delete_offsets('rdk-live', [[topic, 2]])
out['offsets_after_delete'] = admin.list_offsets('rdk-live')
out['delete'] = admin.delete_groups(['rdk-live', 'rdk-empty'])
out['list_after_delete'] = admin.list_groups()
out['offsets_deleted'] = admin.list_offsets('rdk-live')
print(json.dumps(out))
`

let broker: BrokerProcess
before(async () => {
  if (skip !== false) return
  broker = await startBrokerProcess()
  await createTopic(broker.bootstrap, topic, 3)
})
after(async () => {
  await broker?.stop()
})

type Row = [string, number, number, string | null, string]
const ok = [0, 'NO_ERROR']
const offsets = (group: string, partitions: Row[]) => ({ group, error: ok, partitions })

test('librdkafka AdminClient: list, describe, delete groups; list, alter, delete offsets', {
  skip,
}, async () => {
  const library = readFileSync(join(import.meta.dirname, 'members', 'librdkafka_admin.py'), 'utf8')
  const out = (await runPython(library + scenario, {
    args: [broker.bootstrap, topic],
    timeoutMs: 90_000,
  })) as Record<string, unknown>
  const [firstId, secondId] = out.member_ids as string[]
  assert.match(firstId, /^rdk-member-1-/)
  assert.match(secondId, /^rdk-member-2-/)
  // roundrobin over members sorted by id: partitions 0 and 2 to the first, 1 to the second.
  assert.deepEqual(out.assignments, [[0, 2], [1]])
  const emptyOffsets: Row[] = [
    [topic, 0, 5, 'meta-0', 'NO_ERROR'],
    [topic, 1, 6, null, 'NO_ERROR'],
    [topic, 2, 7, 'ünï {}', 'NO_ERROR'],
  ]
  assert.deepEqual(out.alter_empty, offsets('rdk-empty', emptyOffsets))
  assert.deepEqual(out.list, {
    groups: [
      ['rdk-empty', 'Empty', true],
      ['rdk-live', 'Stable', false],
    ],
    errors: [],
  })
  assert.deepEqual(out.list_stable, { groups: [['rdk-live', 'Stable', false]], errors: [] })
  assert.deepEqual(out.list_empty, { groups: [['rdk-empty', 'Empty', true]], errors: [] })
  const member = (n: number, consumerId: string, partitions: number[]) => ({
    client_id: `rdk-member-${n}`,
    group_instance_id: null,
    consumer_id: consumerId,
    host: '/127.0.0.1',
    assignment: partitions.map((partition) => [topic, partition]),
  })
  const noMembers = { error: ok, is_simple: true, assignor: '', coordinator: 0, members: [] }
  assert.deepEqual(out.describe, {
    'rdk-live': {
      error: ok,
      is_simple: false,
      assignor: 'roundrobin',
      state: 'Stable',
      coordinator: 0,
      members: [member(1, firstId, [0, 2]), member(2, secondId, [1])],
    },
    'rdk-empty': { ...noMembers, state: 'Empty' },
    'rdk-missing': { ...noMembers, state: 'Dead' },
  })
  const committed: Row[] = [0, 1, 2].map((p) => [topic, p, 2 + p, null, 'NO_ERROR'])
  assert.deepEqual(out.offsets_live, offsets('rdk-live', committed))
  assert.deepEqual(
    out.offsets_live_some,
    offsets('rdk-live', [['no-such-topic', 0, -1001, null, 'NO_ERROR'], committed[0], committed[2]]),
  )
  assert.deepEqual(out.offsets_empty, offsets('rdk-empty', emptyOffsets))
  assert.deepEqual(out.offsets_missing, offsets('rdk-missing', []))
  assert.deepEqual(out.delete_busy, {
    'rdk-live': [68, 'NON_EMPTY_GROUP'],
    'rdk-missing': [69, 'GROUP_ID_NOT_FOUND'],
  })
  assert.deepEqual(out.alter_live, offsets('rdk-live', [[topic, 0, 1, 'x', 'UNKNOWN_MEMBER_ID']]))
  assert.deepEqual(
    out.delete_offsets_live,
    offsets('rdk-live', [[topic, 0, -1001, null, 'GROUP_SUBSCRIBED_TO_TOPIC']]),
  )
  assert.equal(out.describe_after_close, 'Empty')
  const altered: Row[] = [
    [topic, 0, 1, 'reset', 'NO_ERROR'],
    [topic, 1, 0, null, 'NO_ERROR'],
    [topic, 2, 10, 'end', 'NO_ERROR'],
  ]
  assert.deepEqual(out.alter_closed, offsets('rdk-live', altered))
  assert.deepEqual(out.offsets_closed, offsets('rdk-live', altered))
  assert.deepEqual(out.delete_offsets_closed, offsets('rdk-live', [[topic, 2, -1001, null, 'NO_ERROR']]))
  assert.deepEqual(out.offsets_after_delete, offsets('rdk-live', altered.slice(0, 2)))
  assert.deepEqual(out.delete, { 'rdk-live': ok, 'rdk-empty': ok })
  assert.deepEqual(out.list_after_delete, { groups: [], errors: [] })
  assert.deepEqual(out.offsets_deleted, offsets('rdk-live', []))
})
