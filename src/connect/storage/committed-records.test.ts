// Goal: the read_committed filter of Connect's state-topic reader drops exactly the aborted batches and
// the markers, also when one producer id aborted two transactions in one Fetch answer (each restart of
// an exactly-once task bumps the epoch of the same producer id), and moves the position past them.
// Method: Fetch answers built by hand as the broker sends them (batches with attributes, producer ids,
// control records with Kafka's key layout, the aborted-transactions list).
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { committedRecords, type PartitionAnswer } from './committed-records.ts'

const transactional = 0x10
const control = 0x20

function data(offset: number, producerId: bigint, value: string, attributes = transactional) {
  return {
    firstOffset: BigInt(offset),
    lastOffsetDelta: 0,
    attributes,
    producerId,
    firstTimestamp: 0n,
    records: [{ offsetDelta: 0, timestampDelta: 0n, key: null, value: Buffer.from(value), headers: [] }],
  }
}

function marker(offset: number, producerId: bigint, type: 'ABORT' | 'COMMIT') {
  const key = Buffer.alloc(4)
  key.writeInt16BE(0, 0)
  key.writeInt16BE(type === 'ABORT' ? 0 : 1, 2)
  return {
    firstOffset: BigInt(offset),
    lastOffsetDelta: 0,
    attributes: transactional | control,
    producerId,
    firstTimestamp: 0n,
    records: [{ offsetDelta: 0, timestampDelta: 0n, key, value: Buffer.alloc(6), headers: [] }],
  }
}

test('two aborted transactions of one producer id, a committed one between, markers skipped', () => {
  const answer: PartitionAnswer = {
    abortedTransactions: [
      { producerId: 7n, firstOffset: 0n },
      { producerId: 7n, firstOffset: 4n },
    ],
    records: [
      data(0, 7n, 'aborted-1'),
      marker(1, 7n, 'ABORT'),
      data(2, 7n, 'committed-1'),
      marker(3, 7n, 'COMMIT'),
      data(4, 7n, 'aborted-2'),
      data(5, 9n, 'plain', 0),
      marker(6, 7n, 'ABORT'),
    ],
  }
  const read = committedRecords('t', 0, answer, 0)
  assert.deepEqual(
    read.records.map((record) => [record.offset, record.value?.toString()]),
    [
      [2, 'committed-1'],
      [5, 'plain'],
    ],
  )
  assert.equal(read.next, 7)
})

test('a position inside the answer skips earlier records; an empty answer keeps the position', () => {
  const answer: PartitionAnswer = {
    abortedTransactions: [],
    records: [data(3, 1n, 'a', 0), data(4, 1n, 'b', 0)],
  }
  assert.deepEqual(
    committedRecords('t', 0, answer, 4).records.map((record) => record.offset),
    [4],
  )
  assert.deepEqual(committedRecords('t', 0, {}, 12), { records: [], next: 12 })
})

test('a control batch with a short or missing key is skipped, not applied, and does not throw', () => {
  const broken = {
    ...marker(0, 3n, 'ABORT'),
    records: [{ offsetDelta: 0, timestampDelta: 0n, key: Buffer.alloc(1), value: null, headers: [] }],
  }
  const read = committedRecords(
    't',
    0,
    { abortedTransactions: [{ producerId: 3n, firstOffset: 0n }], records: [broken] },
    0,
  )
  assert.deepEqual(read, { records: [], next: 1 })
})
