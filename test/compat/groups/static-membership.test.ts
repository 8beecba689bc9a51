// Goal: a static member (KIP-345, librdkafka `group.instance.id`) that restarts within its session
// timeout gets its partitions back without a rebalance of the others: the others see no revoke and
// no assign, and the group's generation does not change.
// Method: the broker as a process; three confluent-kafka consumers in child processes, each with its
// own group.instance.id and a 20 s session timeout, share a 6-partition topic. Each member in turn
// (so the leader is among them) is SIGKILLed and a new process with the same group.instance.id is
// started at once; instance a joins first and alone, so it is the leader (the coordinator keeps the
// first member as leader), and it restarts last, after the two followers. After each restart: the new process is assigned exactly the old partitions; the
// other two saw no callback; every member's generation (librdkafka's own consumer group metadata)
// equals the one before; DescribeGroups (kafkajs admin) shows the group Stable with the same three
// instance ids and the same assignments. Records produced after the restarts are all consumed.
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import type { Admin } from 'kafkajs'
import { type BrokerProcess, startBrokerProcess } from '../../helpers/broker-process.ts'
import { requireClient } from '../../helpers/clients.ts'
import { makeRecords } from '../../helpers/data-path-records.ts'
import {
  assertConsumedSet,
  createTopic,
  GroupMember,
  type MemberSpec,
  produceRecords,
  testKafka,
  waitForDisjointCover,
  waitUntil,
} from './group-members.ts'

const skip = requireClient('confluent-kafka')
const partitions = 6
const group = 'static-group'
const topic = 'static'
/** Silence after a restart in which a rebalance of the others would have shown. */
const quietPeriodMs = 3_000

let broker: BrokerProcess
let admin: Admin
before(async () => {
  if (skip !== false) return
  broker = await startBrokerProcess()
  admin = testKafka(broker.bootstrap).admin()
  await admin.connect()
})
after(async () => {
  await admin?.disconnect()
  await broker?.stop()
})

function specOf(instance: string): MemberSpec {
  return {
    bootstrap: broker.bootstrap,
    group,
    topic,
    client_id: `static-${instance}`,
    config: { 'group.instance.id': `instance-${instance}`, 'session.timeout.ms': 20_000 },
  }
}

interface GroupView {
  state: string
  members: { instance: string | null; clientId: string; partitions: number[] }[]
}

async function describeGroup(): Promise<GroupView> {
  const { groups } = await admin.describeGroups([group])
  const [described] = groups
  const { AssignerProtocol } = await import('kafkajs')
  return {
    state: described.state,
    members: described.members
      .map((member) => {
        const decoded = AssignerProtocol.MemberAssignment.decode(member.memberAssignment)
        return {
          instance: (member as { groupInstanceId?: string | null }).groupInstanceId ?? null,
          clientId: member.clientId,
          partitions: [...(decoded?.assignment[topic] ?? [])].sort((a, b) => a - b),
        }
      })
      .sort((a, b) => a.clientId.localeCompare(b.clientId)),
  }
}

test('a restarted static member gets its partitions back without a rebalance', { skip }, async () => {
  await createTopic(broker.bootstrap, topic, partitions)
  const instances = ['a', 'b', 'c']
  const members = [GroupMember.start('confluent-kafka', specOf('a'))]
  const everyone = [...members]
  try {
    await waitForDisjointCover(members, partitions, 40_000, 'instance a alone (the leader)')
    for (const instance of ['b', 'c']) members.push(GroupMember.start('confluent-kafka', specOf(instance)))
    everyone.push(members[1], members[2])
    await waitForDisjointCover(members, partitions, 40_000, 'three static members')
    await new Promise((resolve) => setTimeout(resolve, quietPeriodMs))
    const generation = (await members[0].state()).generation
    assert.ok(typeof generation === 'number' && generation > 0, `generation ${generation}`)
    const describedBefore = await describeGroup()
    assert.equal(describedBefore.state, 'Stable')

    for (const index of [2, 1, 0]) {
      const old = members[index]
      const others = members.filter((_, other) => other !== index)
      const otherIndexes = others.map((member) => member.events.length)
      const ownedBefore = old.owned
      await old.kill()
      const restarted = GroupMember.start('confluent-kafka', specOf(instances[index]))
      everyone.push(restarted)
      members[index] = restarted
      await waitUntil(
        () => restarted.owned.length > 0,
        15_000,
        () => `restarted ${restarted.describe()}`,
      )
      await new Promise((resolve) => setTimeout(resolve, quietPeriodMs))
      const what = `restart of instance-${instances[index]}${index === 0 ? ' (the leader)' : ''}`
      assert.deepEqual(
        restarted.rebalanceEvents().map((event) => [event.event, event.partitions]),
        [['assigned', ownedBefore]],
        `${what}: the new process gets exactly the old partitions`,
      )
      others.forEach((member, n) => {
        assert.deepEqual(
          member.rebalanceEvents(otherIndexes[n]),
          [],
          `${what}: ${member.name} saw no rebalance`,
        )
      })
      for (const member of members) {
        assert.equal((await member.state()).generation, generation, `${what}: ${member.name}'s generation`)
      }
      assert.deepEqual(await describeGroup(), describedBefore, `${what}: DescribeGroups`)
    }

    const records = makeRecords({ count: 60, partitions, source: 'static' })
    const before = members.map((member) => member.records.length)
    await produceRecords(broker.bootstrap, topic, records)
    const fresh = () => members.flatMap((member, n) => member.records.slice(before[n]))
    await waitUntil(
      () => new Set(fresh().map((r) => `${r.partition}/${r.offset}`)).size >= records.length,
      30_000,
      () => members.map((m) => m.describe()).join('\n'),
    )
    assertConsumedSet(fresh(), records, 'records produced after the restarts')
  } catch (error) {
    const detail = everyone.map((member) => member.describe()).join('\n  ')
    throw new Error(
      `${(error as Error).message}\n--- members ---\n  ${detail}\n--- broker (tail) ---\n${broker.output().slice(-5_000)}`,
      { cause: error },
    )
  } finally {
    for (const member of everyone) if (!member.exited) await member.kill()
  }
})
