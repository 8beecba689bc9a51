// Goal: the cooperative-sticky assignor keeps owned partitions within balance, withholds a partition
// that moves until its owner gave it up, resolves two claims by generation, and ends balanced.
// Method: the assignor on member subscriptions as the group leader decodes them; exact assignments.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { GroupMemberSubscription } from './assignors.ts'
import { cooperativeSticky } from './cooperative-sticky.ts'

const t = (partition: number) => ({ topic: 't', partition })
const member = (memberId: string, owned: number[], generationId = 1): GroupMemberSubscription => ({
  memberId,
  topics: ['t'],
  owned: owned.map(t),
  generationId,
})
const run = (members: GroupMemberSubscription[], partitions = 6) =>
  Object.fromEntries(
    [...cooperativeSticky.assign(members, () => partitions)].map(([id, list]) => [
      id,
      list.map((entry) => entry.partition),
    ]),
  )

test('a newcomer gets nothing while the owner still holds what moves; then it gets them', () => {
  assert.deepEqual(run([member('a', [0, 1, 2, 3, 4, 5]), member('b', [])]), { a: [0, 1, 2], b: [] })
  // a gave up 3, 4, 5 and joined again.
  assert.deepEqual(run([member('a', [0, 1, 2], 2), member('b', [], 2)]), { a: [0, 1, 2], b: [3, 4, 5] })
})

test('three members: each keeps its share, the extra ones move, balance is exact', () => {
  assert.deepEqual(run([member('a', [0, 1, 2]), member('b', [3, 4, 5]), member('c', [])]), {
    a: [0, 1],
    b: [3, 4],
    c: [],
  })
  assert.deepEqual(run([member('a', [0, 1], 2), member('b', [3, 4], 2), member('c', [], 2)]), {
    a: [0, 1],
    b: [3, 4],
    c: [2, 5],
  })
})

test('a partition claimed twice goes to the newer generation; a tie is dealt like a free partition', () => {
  assert.deepEqual(run([member('a', [0, 1, 2], 3), member('b', [2, 3, 4, 5], 2)]), {
    a: [0, 1, 2],
    b: [3, 4, 5],
  })
  const tie = run([member('a', [0, 1, 2], 2), member('b', [2, 3, 4], 2)], 5)
  assert.deepEqual(tie, { a: [0, 1, 2], b: [3, 4] })
})

test('a member that left: its partitions go to the others at once (nobody owns them)', () => {
  assert.deepEqual(run([member('a', [0, 1, 2]), member('c', [])]), { a: [0, 1, 2], c: [3, 4, 5] })
})
