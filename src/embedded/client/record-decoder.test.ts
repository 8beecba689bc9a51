// Goal: the in-process consumer's record decoder reads exactly what the broker's own record decoder
// (protocol/records/record.ts) reads, and refuses what it refuses. Method: batches built by
// buildBatch (null keys and values, headers with null values and UTF-8 keys, empty values, negative
// and large timestamp deltas, offset gaps, LogAppendTime) decoded by both and compared record by
// record; malformed sections (every truncation of a valid one, a length past the end, a record with
// bytes left over, a count the bytes cannot hold, a 6-byte varint) are CorruptRecordErrors, never a
// crash or a partial result taken for a whole one.

import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { batchHeaderBytes } from '../../protocol/records/batch-header.ts'
import { buildBatch, decodeBatch } from '../../protocol/records/batch-v2.ts'
import { CorruptRecordError } from '../../protocol/records/errors.ts'
import { decodeFetchedPartition } from './fetched-records.ts'
import { type ConsumedRecordContext, decodeConsumedRecords } from './record-decoder.ts'
import type { ConsumedRecord } from './types.ts'

const baseTimestamp = 1_700_000_000_000
const inputs = [
  { timestamp: baseTimestamp, key: Buffer.from('k'), value: Buffer.from('v'), headers: [] },
  { timestamp: baseTimestamp - 5_000, key: null, value: null, headers: [{ key: 'é-key', value: null }] },
  {
    offsetDelta: 7,
    timestamp: baseTimestamp + 2 ** 40,
    key: Buffer.alloc(0),
    value: Buffer.alloc(300, 7),
    headers: [
      { key: 'a', value: Buffer.from('1') },
      { key: '', value: Buffer.alloc(0) },
    ],
  },
]

function contextOf(baseOffset: number, fromOffset = 0): ConsumedRecordContext {
  return {
    topic: 't',
    partition: 2,
    baseOffset,
    baseTimestamp,
    logAppendTime: null,
    timestampType: 0,
    fromOffset,
  }
}

describe('decodeConsumedRecords', () => {
  it('reads what decodeBatch reads (keys, values, headers, offsets, timestamps)', async () => {
    const batch = await buildBatch({ baseOffset: 40, records: inputs })
    const reference = await decodeBatch(batch)
    const records: ConsumedRecord[] = []
    decodeConsumedRecords(batch.subarray(batchHeaderBytes), 3, contextOf(40), records)
    assert.deepEqual(
      records,
      reference.records.map((record) => ({ topic: 't', partition: 2, timestampType: 0, ...record })),
    )
    assert.deepEqual(
      records.map((record) => record.offset),
      [40, 41, 47],
    )
  })

  it('skips records below the fetch offset; LogAppendTime stamps every record with maxTimestamp', async () => {
    const batch = await buildBatch({ baseOffset: 10, records: inputs })
    const records: ConsumedRecord[] = []
    const context = { ...contextOf(10, 11), logAppendTime: 123, timestampType: 1 as const }
    decodeConsumedRecords(batch.subarray(batchHeaderBytes), 3, context, records)
    assert.deepEqual(
      records.map((record) => [record.offset, record.timestamp, record.timestampType]),
      [
        [11, 123, 1],
        [17, 123, 1],
      ],
    )
  })

  it('refuses every truncation, a length past the end, leftover bytes, an impossible count', async () => {
    const section = (await buildBatch({ records: inputs })).subarray(batchHeaderBytes)
    const decode = (data: Buffer, count = 3) => decodeConsumedRecords(data, count, contextOf(0), [])
    for (let length = 0; length < section.length; length++)
      assert.throws(() => decode(section.subarray(0, length)), CorruptRecordError, `truncated at ${length}`)
    assert.throws(() => decode(Buffer.concat([section, Buffer.from([0])])), /after the last record/)
    assert.throws(() => decode(section, 2), /after the last record/)
    assert.throws(() => decode(section, 1000), /cannot fit/)
    // A record whose length says 12 but whose fields end after 6 bytes.
    const padded = Buffer.from([24, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0])
    assert.throws(() => decode(padded, 1), /bytes after its headers/)
    const longVarint = Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0x01, 0, 0, 0, 0, 0, 0])
    assert.throws(() => decode(longVarint, 1), /longer than 5 bytes/)
    const keyPastEnd = Buffer.from([14, 0, 0, 0, 100, 0, 0, 0, 0, 0, 0, 0, 0, 0])
    assert.throws(() => decode(keyPastEnd, 1), /key length 50/)
  })
})

describe('decodeFetchedPartition', () => {
  it('checks the CRC of batches read from files, not of the in-memory engine batches', async () => {
    const batch = await buildBatch({ baseOffset: 0, records: inputs })
    batch[batch.length - 1] ^= 1 // the last value byte: the CRC no longer matches
    const fetched = {
      topic: 't',
      partition: 0,
      fetchOffset: 0,
      abortedTransactions: null,
    }
    await assert.rejects(decodeFetchedPartition({ ...fetched, records: batch }), /CRC32C/)
    const fromMemory = await decodeFetchedPartition({ ...fetched, records: null, recordBatches: [batch] })
    assert.deepEqual(
      [fromMemory.records.length, fromMemory.nextOffset, fromMemory.sizeBytes],
      [3, 8, batch.length],
    )
  })
})
