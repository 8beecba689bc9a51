// Goal: KIP-848 works with a real client that speaks it: librdkafka 2.12 (node-rdkafka) with
// `group.protocol=consumer` joins, gets the whole topic, scales from one to three members with
// exact sticky assignments from the broker's `uniform` assignor, commits with its member epoch, and
// when a member leaves the two others take over its partitions.
// Method: an in-process broker (its heartbeat interval shortened to 500 ms on the running coordinator;
// the broker has no setting for group.consumer.heartbeat.interval.ms yet), a 6-partition topic, and
// node-rdkafka consumers in this process. Each step waits until the consumers' own assignment
// (librdkafka's `assignments()`) is the expected one; the wait is bounded by the test timeout only.
// Uniform, step by step: A alone gets 0-5; B joins: targets A 0-2, B 3-5; C joins: each member keeps
// the first two of its previous target (A 0,1 and B 3,4) and C gets 2,5; B leaves: A and C keep
// theirs and 3 and 4 go one to each (which one depends on the member ids librdkafka generates).
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { type InProcessBroker, startInProcessBroker } from '../../helpers/in-process-broker.ts'
import { partitionsOf, type RdkafkaConsumer, rdkafkaSkip, startConsumer, stopConsumer } from './rdkafka.ts'

const skip = rdkafkaSkip()
const topic = 'kip848-orders'
const group = 'kip848-group'
const pollMs = 100

let broker: InProcessBroker
const consumers: RdkafkaConsumer[] = []

before(async () => {
  if (skip !== false) return
  broker = await startInProcessBroker()
  broker.broker.groups.consumerGroups.config.heartbeatIntervalMs = 500
  await broker.broker.logs.createTopic(topic, { partitionCount: 6 })
})

after(async () => {
  for (const consumer of consumers.splice(0)) await stopConsumer(consumer).catch(() => {})
  await broker?.stop()
})

async function member(clientId: string): Promise<RdkafkaConsumer> {
  const consumer = await startConsumer({ bootstrap: broker.bootstrap, group, topic, clientId })
  consumers.push(consumer)
  return consumer
}

/** Waits until `read()` deep-equals `expected`; on timeout the test runner reports the last value. */
async function until<T>(read: () => T, expected: T): Promise<void> {
  for (;;) {
    try {
      assert.deepEqual(read(), expected)
      return
    } catch {
      await sleep(pollMs)
    }
  }
}

function groupState() {
  const state = broker.broker.groups.consumerGroups.groups.get(group)
  return state === undefined ? null : { state: state.state(), members: state.members.size }
}

test('librdkafka consumers join, scale from one to three and take over a leaver', {
  skip,
  timeout: 120_000,
}, async () => {
  const a = await member('kip848-a')
  await until(() => partitionsOf(a, topic), [0, 1, 2, 3, 4, 5])
  assert.deepEqual(groupState(), { state: 'Stable', members: 1 })

  // The member commits with its member epoch (OffsetCommit v9), which the coordinator checks.
  a.commit([{ topic, partition: 0, offset: 1 }])
  await until(() => broker.broker.groups.offsets.get(group, topic, 0)?.offset, 1)

  const b = await member('kip848-b')
  await until(
    () => [partitionsOf(a, topic), partitionsOf(b, topic)],
    [
      [0, 1, 2],
      [3, 4, 5],
    ],
  )
  const c = await member('kip848-c')
  await until(
    () => [partitionsOf(a, topic), partitionsOf(b, topic), partitionsOf(c, topic)],
    [
      [0, 1],
      [3, 4],
      [2, 5],
    ],
  )
  await until(groupState, { state: 'Stable', members: 3 })

  consumers.splice(consumers.indexOf(b), 1)
  await stopConsumer(b)
  await until(
    () => {
      const [fromA, fromC] = [partitionsOf(a, topic), partitionsOf(c, topic)]
      const third = (owned: number[], kept: number[]) =>
        owned.filter((partition) => !kept.includes(partition))
      return {
        a: fromA.length,
        c: fromC.length,
        taken: [...third(fromA, [0, 1]), ...third(fromC, [2, 5])].sort(),
      }
    },
    { a: 3, c: 3, taken: [3, 4] },
  )
  assert.deepEqual(
    partitionsOf(a, topic).filter((partition) => partition < 2),
    [0, 1],
  )
  assert.deepEqual(
    partitionsOf(c, topic).filter((partition) => partition === 2 || partition === 5),
    [2, 5],
  )
  await until(groupState, { state: 'Stable', members: 2 })
})
