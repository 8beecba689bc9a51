// Goal: the leader's assignments balance connectors and tasks, move only what must move
// (incremental cooperative), keep a departed worker's work aside for scheduled.rebalance.max.delay.ms,
// and revoke work of deleted connectors.
// Method: the assignor alone, rounds played by hand as the group would run them.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import {
  type ConfiguredWork,
  eagerAssign,
  IncrementalCooperativeAssignor,
  type MemberState,
} from './assignor.ts'
import type { Allocation } from './connect-protocol.ts'

const work: ConfiguredWork = {
  connectors: ['a', 'b'],
  tasks: [0, 1, 2, 3].map((task) => ({ connector: 'a', task })).concat([{ connector: 'b', task: 0 }]),
}
const none = (): Allocation => ({ connectors: [], tasks: [] })
const count = (allocation: Allocation): number => allocation.connectors.length + allocation.tasks.length

function apply(held: Allocation, assigned: Allocation, revoked: Allocation): Allocation {
  const gone = new Set(revoked.tasks.map(({ connector, task }) => `${connector}-${task}`))
  return {
    connectors: held.connectors
      .filter((name) => !revoked.connectors.includes(name))
      .concat(assigned.connectors),
    tasks: held.tasks
      .filter(({ connector, task }) => !gone.has(`${connector}-${task}`))
      .concat(assigned.tasks),
  }
}

test('eager: round-robin over members sorted by id, connectors then tasks', () => {
  const plan = eagerAssign(
    [
      { memberId: 'm2', allocation: none() },
      { memberId: 'm1', allocation: none() },
    ],
    work,
  )
  // One circular iterator for connectors and then tasks, as Kafka's EagerAssignor.
  assert.deepEqual(plan.get('m1')?.assigned, {
    connectors: ['a'],
    tasks: [
      { connector: 'a', task: 0 },
      { connector: 'a', task: 2 },
      { connector: 'b', task: 0 },
    ],
  })
  assert.deepEqual(plan.get('m2')?.assigned.connectors, ['b'])
  assert.equal(plan.get('m2')?.assigned.tasks.length, 2)
})

test('incremental: a joining worker gets its share through revocation, then a second round', () => {
  const assignor = new IncrementalCooperativeAssignor(1_000)
  let members: MemberState[] = [{ memberId: 'm1', allocation: none() }]
  const first = assignor.assign(members, work, 1, 0)
  assert.equal(count(first.get('m1')?.assigned ?? none()), 7)
  members = [
    { memberId: 'm1', allocation: first.get('m1')?.assigned ?? none() },
    { memberId: 'm2', allocation: none() },
  ]
  const second = assignor.assign(members, work, 2, 10)
  const revoked = second.get('m1')?.revoked ?? none()
  assert.equal(revoked.connectors.length, 1)
  assert.equal(revoked.tasks.length, 2)
  assert.equal(count(second.get('m2')?.assigned ?? none()), 0, 'revoked work moves next round')
  members = [
    { memberId: 'm1', allocation: apply(members[0].allocation, none(), revoked) },
    { memberId: 'm2', allocation: none() },
  ]
  const third = assignor.assign(members, work, 3, 20)
  assert.equal(count(third.get('m2')?.assigned ?? none()), 3)
  assert.equal(count(third.get('m1')?.revoked ?? none()), 0)
})

test("incremental: a departed worker's work waits the delay, then goes to the others", () => {
  const assignor = new IncrementalCooperativeAssignor(5_000)
  const m1: Allocation = { connectors: ['a'], tasks: [0, 1].map((task) => ({ connector: 'a', task })) }
  const m2: Allocation = {
    connectors: ['b'],
    tasks: [
      { connector: 'a', task: 2 },
      { connector: 'a', task: 3 },
      { connector: 'b', task: 0 },
    ],
  }
  // The leader learns who runs what (generation 1), then m2 dies (generation 2).
  assignor.assign(
    [
      { memberId: 'm1', allocation: m1 },
      { memberId: 'm2', allocation: m2 },
    ],
    work,
    1,
    0,
  )
  const waiting = assignor.assign([{ memberId: 'm1', allocation: m1 }], work, 2, 1_000)
  assert.equal(waiting.get('m1')?.scheduledDelayMs, 5_000)
  assert.equal(count(waiting.get('m1')?.assigned ?? none()), 0)
  const still = assignor.assign([{ memberId: 'm1', allocation: m1 }], work, 3, 4_000)
  assert.equal(still.get('m1')?.scheduledDelayMs, 2_000)
  const moved = assignor.assign([{ memberId: 'm1', allocation: m1 }], work, 4, 6_000)
  assert.equal(moved.get('m1')?.scheduledDelayMs, 0)
  assert.deepEqual(moved.get('m1')?.assigned, { connectors: ['b'], tasks: m2.tasks })
})

test('incremental: work of a deleted connector is revoked', () => {
  const assignor = new IncrementalCooperativeAssignor(0)
  const held: Allocation = { connectors: ['gone', 'a'], tasks: [{ connector: 'gone', task: 0 }] }
  const plan = assignor.assign([{ memberId: 'm1', allocation: held }], { connectors: ['a'], tasks: [] }, 1, 0)
  assert.deepEqual(plan.get('m1')?.revoked, { connectors: ['gone'], tasks: [{ connector: 'gone', task: 0 }] })
})
