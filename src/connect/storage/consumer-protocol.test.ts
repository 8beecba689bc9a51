// Goal: the consumer protocol bytes are Kafka's (ConsumerProtocol v0) and RangeAssignor splits as Kafka's.
// Method: round trips, a subscription compared with the bytes Kafka writes for it, Kafka's documented
// range example, and cut or garbled input refused with a RangeError (the member skips it).
import assert from 'node:assert/strict'
import { test } from 'node:test'
import {
  decodeAssignment,
  decodeSubscription,
  encodeAssignment,
  encodeSubscription,
  rangeAssign,
} from './consumer-protocol.ts'

test('subscription and assignment bytes round-trip in ConsumerProtocol v0', () => {
  const subscription = encodeSubscription(['a', 'bc'])
  // version 0, 2 topics, "a", "bc", null user data
  assert.equal(subscription.toString('hex'), '00000000000200016100026263ffffffff')
  assert.deepEqual(decodeSubscription(subscription), ['a', 'bc'])
  const partitions = [
    { topic: 't', partition: 0 },
    { topic: 't', partition: 2 },
    { topic: 'u', partition: 1 },
  ]
  assert.deepEqual(decodeAssignment(encodeAssignment(partitions)), partitions)
  assert.deepEqual(decodeAssignment(Buffer.alloc(0)), [])
})

test('cut or garbled bytes are refused', () => {
  const bytes = encodeAssignment([{ topic: 'topic', partition: 3 }])
  for (let cut = 1; cut < bytes.length - 4; cut++)
    assert.throws(() => decodeAssignment(bytes.subarray(0, cut)), RangeError)
  assert.throws(() => decodeSubscription(Buffer.from('0000ffffffff', 'hex')), RangeError)
  assert.throws(() => decodeSubscription(Buffer.from('00007fffffff', 'hex')), RangeError)
})

test('RangeAssignor: contiguous ranges per topic, the first members take the remainder', () => {
  // Kafka's javadoc example: two consumers, t0 and t1 with 3 partitions each.
  const plan = rangeAssign(
    new Map([
      ['C1', ['t0', 't1']],
      ['C0', ['t0', 't1']],
    ]),
    new Map([
      ['t0', 3],
      ['t1', 3],
    ]),
  )
  assert.deepEqual(plan.get('C0'), [
    { topic: 't0', partition: 0 },
    { topic: 't0', partition: 1 },
    { topic: 't1', partition: 0 },
    { topic: 't1', partition: 1 },
  ])
  assert.deepEqual(plan.get('C1'), [
    { topic: 't0', partition: 2 },
    { topic: 't1', partition: 2 },
  ])
  // A topic that does not exist yet assigns nothing.
  assert.deepEqual(rangeAssign(new Map([['C0', ['missing']]]), new Map()).get('C0'), [])
})
