// Goal: the server-side assignors give exact, balanced and sticky assignments: `uniform` spreads
// partitions evenly (also with different subscriptions) and keeps partitions where they are;
// `range` gives consecutive ranges in member id order and keeps partitions within its quotas.
// Method: the assignors are pure functions of an AssignmentSpec; exact outputs are asserted.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { type Assignment, assignmentOf } from '../consumer-assignment.ts'
import { rangeAssignor } from './range.ts'
import type { AssignmentSpec, PartitionAssignor } from './types.ts'
import { uniformAssignor } from './uniform.ts'

const topics: AssignmentSpec['topics'] = new Map([
  ['id-a', { topicName: 'a', numPartitions: 6 }],
  ['id-b', { topicName: 'b', numPartitions: 3 }],
])

function spec(members: [string, string[], Record<string, number[]>?][]): AssignmentSpec {
  return {
    topics,
    members: members.map(([memberId, subscribed, current]) => ({
      memberId,
      instanceId: null,
      rackId: null,
      subscribedTopicIds: new Set(subscribed),
      currentAssignment: assignmentOf(Object.entries(current ?? {})),
    })),
  }
}

function run(assignor: PartitionAssignor, input: AssignmentSpec): Record<string, Record<string, number[]>> {
  const plain = (assignment: Assignment) =>
    Object.fromEntries([...assignment].map(([id, list]) => [id, [...list]]))
  return Object.fromEntries(
    [...assignor.assign(input)].map(([memberId, assignment]) => [memberId, plain(assignment)]),
  )
}

test('uniform: one member gets everything, three share evenly', () => {
  assert.deepEqual(run(uniformAssignor, spec([['m1', ['id-a', 'id-b']]])), {
    m1: { 'id-a': [0, 1, 2, 3, 4, 5], 'id-b': [0, 1, 2] },
  })
  assert.deepEqual(
    run(
      uniformAssignor,
      spec([
        ['m1', ['id-a']],
        ['m2', ['id-a']],
        ['m3', ['id-a']],
      ]),
    ),
    {
      m1: { 'id-a': [0, 3] },
      m2: { 'id-a': [1, 4] },
      m3: { 'id-a': [2, 5] },
    },
  )
})

test('uniform: sticky when members join and leave', () => {
  const joined = spec([
    ['m1', ['id-a'], { 'id-a': [0, 1, 2] }],
    ['m2', ['id-a'], { 'id-a': [3, 4, 5] }],
    ['m3', ['id-a']],
  ])
  assert.deepEqual(run(uniformAssignor, joined), {
    m1: { 'id-a': [0, 1] },
    m2: { 'id-a': [3, 4] },
    m3: { 'id-a': [2, 5] },
  })
  const left = spec([
    ['m1', ['id-a'], { 'id-a': [0, 1] }],
    ['m3', ['id-a'], { 'id-a': [2, 5] }],
  ])
  assert.deepEqual(run(uniformAssignor, left), { m1: { 'id-a': [0, 1, 3] }, m3: { 'id-a': [2, 4, 5] } })
})

test('uniform: different subscriptions are balanced over the members that can take a partition', () => {
  // m1 alone subscribes to b; a is shared: 9 partitions, 5 and 4 (a first, by name, to the least
  // loaded member; then b to m1; then one of m1's partitions of a moves to m2).
  assert.deepEqual(
    run(
      uniformAssignor,
      spec([
        ['m1', ['id-a', 'id-b']],
        ['m2', ['id-a']],
      ]),
    ),
    {
      m1: { 'id-a': [0, 2], 'id-b': [0, 1, 2] },
      m2: { 'id-a': [1, 3, 4, 5] },
    },
  )
  // Partitions of topics nobody subscribes to, or that no longer exist, are dropped.
  assert.deepEqual(run(uniformAssignor, spec([['m1', ['id-b'], { 'id-a': [0], 'id-b': [7] }]])), {
    m1: { 'id-b': [0, 1, 2] },
  })
})

test('range: consecutive ranges in member id order, the first members one more', () => {
  assert.deepEqual(
    run(
      rangeAssignor,
      spec(
        [
          ['m2', ['id-a', 'id-b']],
          ['m1', ['id-a', 'id-b']],
        ].sort() as [string, string[]][],
      ),
    ),
    {
      m1: { 'id-a': [0, 1, 2], 'id-b': [0, 1] },
      m2: { 'id-a': [3, 4, 5], 'id-b': [2] },
    },
  )
  assert.deepEqual(
    run(
      rangeAssignor,
      spec([
        ['m1', ['id-a']],
        ['m2', ['id-a']],
        ['m3', ['id-a']],
        ['m4', ['id-a']],
      ]),
    ),
    {
      m1: { 'id-a': [0, 1] },
      m2: { 'id-a': [2, 3] },
      m3: { 'id-a': [4] },
      m4: { 'id-a': [5] },
    },
  )
})

test('range: keeps current partitions within the quotas', () => {
  const input = spec([
    ['m1', ['id-a'], { 'id-a': [3, 4, 5] }],
    ['m2', ['id-a'], { 'id-a': [0, 1, 2] }],
    ['m3', ['id-a']],
  ])
  assert.deepEqual(run(rangeAssignor, input), {
    m1: { 'id-a': [3, 4] },
    m2: { 'id-a': [0, 1] },
    m3: { 'id-a': [2, 5] },
  })
})
