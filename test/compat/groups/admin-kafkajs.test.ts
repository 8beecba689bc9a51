// Goal: kafkajs's group admin calls get Kafka's exact results from the broker: listGroups,
// describeGroups (state, protocol, members with member ids, client ids, hosts, metadata and
// assignments; an unknown group is Dead), deleteGroups (NON_EMPTY_GROUP=68 while members exist,
// GROUP_ID_NOT_FOUND=69 for an unknown group, success once empty), fetchOffsets (one topic, all
// topics, unknown group), setOffsets and resetOffsets (earliest/latest) and fetchOffsets with
// resolveOffsets.
// Method: the broker as a process; two kafkajs consumers in this process (group "kjs-live",
// kafkajs's round-robin assigner) read a 3-partition topic of 30 records and commit; a kafkajs admin
// makes the calls and each result is compared with the exact expected value. kafkajs's setOffsets
// joins the group with a consumer of its own and refuses (client-side) unless the group is Empty;
// the main test waits for Empty before each call, and a second test makes two calls back to back,
// as an application would. The broker runs without the 3 s initial rebalance delay.
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { type Admin, AssignerProtocol, type Consumer } from 'kafkajs'
import { type BrokerProcess, startBrokerProcess } from '../../helpers/broker-process.ts'
import { makeRecords } from '../../helpers/data-path-records.ts'
import { createTopic, produceRecords, testKafka, waitUntil } from './group-members.ts'

const topic = 'kjs-orders'
let broker: BrokerProcess
let admin: Admin
const consumers: Consumer[] = []
const memberIds = new Map<number, string>()
before(async () => {
  // No initial rebalance delay: each of kafkajs's setOffsets/resetOffsets joins the group with a
  // consumer of its own, and 16 of them waited 3 s each (nothing here is about that delay).
  broker = await startBrokerProcess({ args: ['--groups-initial-rebalance-delay-ms', '0'] })
  await createTopic(broker.bootstrap, topic, 3)
  await produceRecords(broker.bootstrap, topic, makeRecords({ count: 30, partitions: 3, source: 'kjs' }))
  admin = testKafka(broker.bootstrap).admin()
  await admin.connect()
})
after(async () => {
  for (const consumer of consumers) await consumer.disconnect()
  await admin?.disconnect()
  await broker?.stop()
})

const offsetsOf = (values: (number | string)[], metadata: (string | null)[] = [null, null, null]) => [
  {
    topic,
    partitions: values.map((offset, partition) => ({
      partition,
      offset: String(offset),
      metadata: metadata[partition],
    })),
  },
]

async function stateOf(groupId: string): Promise<string> {
  return (await admin.describeGroups([groupId])).groups[0].state
}

/** Polls DescribeGroups until the group is Empty (kafkajs setOffsets refuses any other state). */
async function untilEmpty(groupId: string): Promise<void> {
  const deadline = Date.now() + 10_000
  for (let state = await stateOf(groupId); state !== 'Empty'; state = await stateOf(groupId)) {
    if (Date.now() > deadline) throw new Error(`group ${groupId} still ${state} after 10 s`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

async function deleteOutcome(groupIds: string[]): Promise<unknown> {
  try {
    return { resolved: await admin.deleteGroups(groupIds) }
  } catch (error) {
    const failure = error as { name: string; groups?: { groupId: string; errorCode: number }[] }
    return {
      rejected: failure.name,
      groups: failure.groups?.map((group) => [group.groupId, group.errorCode]),
    }
  }
}

// The first three tests run in order on one group ("kjs-live"): members first, then the calls that
// need members, then the calls that need the group empty.

test('two kafkajs consumers join kjs-live, read everything and commit', async () => {
  for (const n of [1, 2]) {
    const consumer = testKafka(broker.bootstrap, `kjs-member-${n}`).consumer({
      groupId: 'kjs-live',
      sessionTimeout: 6_000,
      heartbeatInterval: 500,
    })
    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => memberIds.set(n, payload.memberId))
    await consumer.connect()
    await consumer.subscribe({ topics: [topic], fromBeginning: true })
    await consumer.run({ eachMessage: async () => {} })
    consumers.push(consumer)
  }
  const committedAll = JSON.stringify(offsetsOf([10, 10, 10]))
  await waitUntil(
    () => memberIds.size === 2,
    30_000,
    () => 'both consumers joined',
  )
  let live = await admin.fetchOffsets({ groupId: 'kjs-live', topics: [topic] })
  const deadline = Date.now() + 30_000
  while (
    (JSON.stringify(live) !== committedAll ||
      (await admin.describeGroups(['kjs-live'])).groups[0].members.length !== 2) &&
    Date.now() < deadline
  ) {
    await new Promise((resolve) => setTimeout(resolve, 200))
    live = await admin.fetchOffsets({ groupId: 'kjs-live', topics: [topic] })
  }
  assert.deepEqual(live, offsetsOf([10, 10, 10]), 'fetchOffsets after the consumers read everything')
})

test('kafkajs admin with members: listGroups, describeGroups, fetchOffsets, deleteGroups (68, 69)', async () => {
  await admin.setOffsets({
    groupId: 'kjs-empty',
    topic,
    partitions: [
      { partition: 0, offset: '5' },
      { partition: 1, offset: '6' },
      { partition: 2, offset: '7' },
    ],
  })
  await untilEmpty('kjs-empty')
  const listed = await admin.listGroups()
  assert.deepEqual(
    listed.groups.sort((a, b) => a.groupId.localeCompare(b.groupId)),
    [
      { groupId: 'kjs-empty', protocolType: 'consumer' },
      { groupId: 'kjs-live', protocolType: 'consumer' },
    ],
  )

  const described = await admin.describeGroups(['kjs-live', 'kjs-empty', 'kjs-missing'])
  const member = (n: number, partitions: number[]) => ({
    memberId: memberIds.get(n),
    clientId: `kjs-member-${n}`,
    clientHost: '/127.0.0.1',
    memberMetadata: { version: 0, topics: [topic], userData: Buffer.alloc(0) },
    memberAssignment: { version: 0, assignment: { [topic]: partitions }, userData: Buffer.alloc(0) },
  })
  assert.deepEqual(
    described.groups.map((group) => ({
      ...group,
      members: group.members
        .map((m) => ({
          ...m,
          memberMetadata: AssignerProtocol.MemberMetadata.decode(m.memberMetadata),
          memberAssignment: AssignerProtocol.MemberAssignment.decode(m.memberAssignment),
        }))
        .sort((a, b) => a.clientId.localeCompare(b.clientId)),
    })),
    [
      {
        errorCode: 0,
        groupId: 'kjs-live',
        state: 'Stable',
        protocolType: 'consumer',
        protocol: 'RoundRobinAssigner',
        // round-robin over members sorted by id: partitions 0 and 2 to member 1, 1 to member 2.
        members: [member(1, [0, 2]), member(2, [1])],
      },
      {
        errorCode: 0,
        groupId: 'kjs-empty',
        state: 'Empty',
        protocolType: 'consumer',
        protocol: '',
        members: [],
      },
      { errorCode: 0, groupId: 'kjs-missing', state: 'Dead', protocolType: '', protocol: '', members: [] },
    ],
  )

  assert.deepEqual(await admin.fetchOffsets({ groupId: 'kjs-empty', topics: [topic] }), offsetsOf([5, 6, 7]))
  assert.deepEqual(
    await admin.fetchOffsets({ groupId: 'kjs-missing', topics: [topic] }),
    offsetsOf([-1, -1, -1]),
  )
  const all = await admin.fetchOffsets({ groupId: 'kjs-live' })
  all[0].partitions.sort((a, b) => a.partition - b.partition)
  assert.deepEqual(all, offsetsOf([10, 10, 10]), 'fetchOffsets of every topic')

  assert.deepEqual(await deleteOutcome(['kjs-live']), {
    rejected: 'KafkaJSDeleteGroupsError',
    groups: [['kjs-live', 68]],
  })
  assert.deepEqual(await deleteOutcome(['kjs-missing']), {
    rejected: 'KafkaJSDeleteGroupsError',
    groups: [['kjs-missing', 69]],
  })
})

test('kafkajs admin once empty: setOffsets, resetOffsets, fetchOffsets resolveOffsets, deleteGroups', async () => {
  for (const consumer of consumers.splice(0)) await consumer.disconnect()
  await untilEmpty('kjs-live')
  await admin.setOffsets({
    groupId: 'kjs-live',
    topic,
    partitions: [
      { partition: 0, offset: '3' },
      { partition: 1, offset: '5' },
      { partition: 2, offset: '0' },
    ],
  })
  assert.deepEqual(await admin.fetchOffsets({ groupId: 'kjs-live', topics: [topic] }), offsetsOf([3, 5, 0]))
  // resetOffsets commits kafkajs's markers (-2 earliest, -1 latest) as they are; the broker keeps them.
  await untilEmpty('kjs-live')
  await admin.resetOffsets({ groupId: 'kjs-live', topic, earliest: true })
  assert.deepEqual(
    await admin.fetchOffsets({ groupId: 'kjs-live', topics: [topic] }),
    offsetsOf([-2, -2, -2]),
  )
  await untilEmpty('kjs-live')
  await admin.resetOffsets({ groupId: 'kjs-live', topic, earliest: false })
  assert.deepEqual(
    await admin.fetchOffsets({ groupId: 'kjs-live', topics: [topic] }),
    offsetsOf([-1, -1, -1]),
  )
  // resolveOffsets turns the markers into offsets (ListOffsets) and commits those (setOffsets).
  await untilEmpty('kjs-live')
  assert.deepEqual(
    await admin.fetchOffsets({ groupId: 'kjs-live', topics: [topic], resolveOffsets: true }),
    offsetsOf([10, 10, 10]),
  )
  assert.deepEqual(
    await admin.fetchOffsets({ groupId: 'kjs-live', topics: [topic] }),
    offsetsOf([10, 10, 10]),
  )

  await untilEmpty('kjs-live')
  assert.deepEqual(await deleteOutcome(['kjs-live', 'kjs-empty']), {
    resolved: [
      { groupId: 'kjs-live', errorCode: 0 },
      { groupId: 'kjs-empty', errorCode: 0 },
    ],
  })
  assert.deepEqual((await admin.listGroups()).groups, [])
  assert.deepEqual(
    await admin.fetchOffsets({ groupId: 'kjs-live', topics: [topic] }),
    offsetsOf([-1, -1, -1]),
  )
})

test('kafkajs setOffsets then resetOffsets back to back (the group is Empty once the first call returns)', async () => {
  // setOffsets joins with a consumer, commits and leaves (LeaveGroup). Kafka completes the join phase
  // of a group with no members left in that same step, so the group is Empty when setOffsets returns
  // and the next setOffsets/resetOffsets is accepted.
  const groupId = 'kjs-back-to-back'
  await admin.setOffsets({ groupId, topic, partitions: [{ partition: 0, offset: '4' }] })
  await admin.resetOffsets({ groupId, topic, earliest: true })
  assert.deepEqual(await admin.fetchOffsets({ groupId, topics: [topic] }), offsetsOf([-2, -2, -2]))
})
