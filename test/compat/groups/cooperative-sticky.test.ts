// Goal: with librdkafka's `partition.assignment.strategy=cooperative-sticky` (confluent-kafka), a
// rebalance after a member leaves or dies is incremental: the survivors keep every partition they
// had (no revoke), and are only given the departed member's partitions (incremental assign).
// Method: the broker as a process; three confluent-kafka consumers in child processes join one group
// on a 6-partition topic; once they hold disjoint assignments covering all 6, member 1 closes (clean
// LeaveGroup) and later member 2 is SIGKILLed. For each survivor, the on_assign/on_revoke callbacks
// after each departure must be exactly one incremental assign of partitions it did not own before,
// no revoke, and its final assignment is its old one plus the departed member's; every record
// produced after the kill is consumed.
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { type BrokerProcess, startBrokerProcess } from '../../helpers/broker-process.ts'
import { requireClient } from '../../helpers/clients.ts'
import { makeRecords } from '../../helpers/data-path-records.ts'
import {
  assertConsumedSet,
  createTopic,
  GroupMember,
  produceRecords,
  waitForDisjointCover,
  waitUntil,
} from './group-members.ts'

const skip = requireClient('confluent-kafka')
const partitions = 6
const rebalanceTimeoutMs = 40_000
const cooperative = { 'partition.assignment.strategy': 'cooperative-sticky' }

let broker: BrokerProcess
before(async () => {
  if (skip === false) broker = await startBrokerProcess()
})
after(async () => {
  await broker?.stop()
})

/** Checks that `survivor`'s callbacks since `fromIndex` only added `gained` to what it owned. */
function assertIncrementalGain(
  survivor: GroupMember,
  fromIndex: number,
  ownedBefore: number[],
  gained: number[],
): void {
  const events = survivor
    .rebalanceEvents(fromIndex)
    .map((event) => [event.event, event.protocol, event.partitions])
  const expected = gained.length === 0 ? [] : [['assigned', 'COOPERATIVE', [...gained].sort((a, b) => a - b)]]
  assert.deepEqual(
    events,
    expected,
    `${survivor.name}: callbacks after the departure (owned before: ${ownedBefore})`,
  )
  assert.deepEqual(
    survivor.owned,
    [...ownedBefore, ...gained].sort((a, b) => a - b),
    `${survivor.name}: owned after`,
  )
}

test('cooperative-sticky: a leave and a kill rebalance incrementally', { skip }, async () => {
  const topic = 'cooperative'
  const group = 'cooperative-group'
  await createTopic(broker.bootstrap, topic, partitions)
  const members = [1, 2, 3].map((n) =>
    GroupMember.start('confluent-kafka', {
      bootstrap: broker.bootstrap,
      group,
      topic,
      client_id: `cooperative-${n}`,
      config: cooperative,
    }),
  )
  const [first, second, third] = members
  try {
    await waitForDisjointCover(members, partitions, rebalanceTimeoutMs, 'three cooperative members')
    assert.deepEqual(
      members.map((member) => member.owned.length),
      [2, 2, 2],
    )
    // Let any follow-up cooperative round finish before taking the snapshot.
    await new Promise((resolve) => setTimeout(resolve, 2_000))
    assert.ok(
      members.every((member) => member.owned.length === 2),
      members.map((m) => m.describe()).join('\n'),
    )

    const firstOwned = first.owned
    const [secondBefore, thirdBefore] = [second.owned, third.owned]
    const [secondIndex, thirdIndex] = [second.events.length, third.events.length]
    await first.close()
    await waitForDisjointCover([second, third], partitions, rebalanceTimeoutMs, 'after member 1 left')
    await new Promise((resolve) => setTimeout(resolve, 1_500)) // a stray extra revoke would show here
    const secondGain = second.owned.filter((p) => !secondBefore.includes(p))
    const thirdGain = third.owned.filter((p) => !thirdBefore.includes(p))
    assert.deepEqual(
      [...secondGain, ...thirdGain].sort(),
      [...firstOwned].sort(),
      "member 1's partitions moved",
    )
    assertIncrementalGain(second, secondIndex, secondBefore, secondGain)
    assertIncrementalGain(third, thirdIndex, thirdBefore, thirdGain)

    const secondOwned = second.owned
    const thirdBeforeKill = third.owned
    const thirdKillIndex = third.events.length
    const thirdRecordsBefore = third.records.length
    await second.kill()
    await waitForDisjointCover([third], partitions, rebalanceTimeoutMs, 'after member 2 was killed')
    await new Promise((resolve) => setTimeout(resolve, 1_500))
    assertIncrementalGain(third, thirdKillIndex, thirdBeforeKill, secondOwned)

    const records = makeRecords({ count: 60, partitions, source: 'cooperative' })
    await produceRecords(broker.bootstrap, topic, records)
    await waitUntil(
      () => third.records.length - thirdRecordsBefore >= records.length,
      30_000,
      () => third.describe(),
    )
    assertConsumedSet(third.records.slice(thirdRecordsBefore), records, 'member 3 after the kill')
    await third.close()
  } catch (error) {
    const detail = members.map((member) => member.describe()).join('\n  ')
    throw new Error(`${(error as Error).message}\n--- members ---\n  ${detail}`, { cause: error })
  } finally {
    for (const member of members) if (!member.exited) await member.kill()
  }
})
