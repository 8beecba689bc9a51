// Goal: the table function's lean record decoder gives exactly what the reference decoder
// (protocol/records decodeRecords) gives — offsets, timestamps, keys, values, headers, nulls, non-UTF-8
// bytes, LogAppendTime — applies the scan's ranges, and fails with an Error (never a crash or a
// silent wrong row) on malformed bytes.
// Method: batches built with buildBatch, decompressed sections decoded both ways; then truncated and
// corrupted sections.

import assert from 'node:assert/strict'
import { test } from 'node:test'
import { batchHeaderBytes, readBatchHeader, TimestampType } from '../protocol/records/batch-header.ts'
import { buildBatch } from '../protocol/records/batch-v2.ts'
import { decodeRecords, type RecordInput } from '../protocol/records/record.ts'
import type { ScanSpec } from './pushdown.ts'
import { decodeBatchRows, headersOf, textOf } from './record-columns.ts'
import type { ScannedBatch } from './topic-scan.ts'

const everything: ScanSpec = {
  topic: 't',
  partitions: null,
  offsetFrom: null,
  offsetTo: null,
  timestampFromMs: null,
  timestampToMs: null,
  recordsMax: null,
}

const inputs: RecordInput[] = [
  { timestamp: 1_700_000_000_000, key: Buffer.from('k'), value: Buffer.from('{"a":1}') },
  { timestamp: 1_699_999_999_000, key: null, value: null, headers: [{ key: 'h', value: null }] },
  {
    timestamp: 1_700_000_005_000,
    key: Buffer.from([0xff]),
    value: Buffer.from('héllo €'),
    headers: [
      { key: 'x', value: Buffer.from('1') },
      { key: 'x', value: Buffer.from([0xc3, 0x28]) },
    ],
  },
]

async function scanned(options: { baseOffset: number; logAppendTime?: boolean }): Promise<ScannedBatch> {
  const bytes = await buildBatch({
    records: inputs,
    baseOffset: options.baseOffset,
    ...(options.logAppendTime === true
      ? { timestampType: TimestampType.logAppendTime, maxTimestamp: 1_800_000_000_000 }
      : {}),
  })
  return { partition: 0, header: readBatchHeader(bytes, 0), records: bytes.subarray(batchHeaderBytes) }
}

test('the same records as decodeRecords, field by field', async () => {
  for (const logAppendTime of [false, true]) {
    const batch = await scanned({ baseOffset: 40, logAppendTime })
    const reference = decodeRecords(batch.records, batch.header.recordCount, {
      baseOffset: 40,
      baseTimestamp: batch.header.baseTimestamp,
      logAppendTime: logAppendTime ? batch.header.maxTimestamp : null,
    })
    const rows = decodeBatchRows(batch, everything)
    assert.equal(rows.count, 3)
    reference.forEach((record, row) => {
      assert.equal(rows.offsets[row], record.offset)
      assert.equal(rows.timestamps[row], record.timestamp)
      const bytesAt = (start: number, end: number) => (start < 0 ? null : batch.records.subarray(start, end))
      assert.deepEqual(bytesAt(rows.keyStart[row], rows.keyEnd[row]), record.key)
      assert.deepEqual(bytesAt(rows.valueStart[row], rows.valueEnd[row]), record.value)
      assert.deepEqual(headersOf(batch.records, rows.headersStart[row], rows.headersEnd[row]), record.headers)
    })
  }
})

test('varints of every width (1 to 6 bytes, both signs) decode as decodeRecords decodes them', async () => {
  // Timestamp deltas from 0 to ±2^40 and lengths from 0 to 3 bytes (the decoder reads up to 4 bytes
  // in integer arithmetic, longer varints and those near the section's end another way).
  const base = 1_700_000_000_000
  const deltas = [
    0,
    63,
    -64,
    8191,
    -8192,
    2 ** 20,
    -(2 ** 20),
    2 ** 27 - 1,
    -(2 ** 27),
    2 ** 31,
    -(2 ** 35),
    2 ** 40,
  ]
  const records: RecordInput[] = deltas.map((delta, index) => ({
    timestamp: base + delta,
    key: index % 2 === 0 ? null : Buffer.alloc(index * 30, 0x61),
    value: Buffer.alloc([0, 1, 63, 64, 8191, 8192, 20_000][index % 7], 0x62),
  }))
  const bytes = await buildBatch({ records, baseOffset: 2 ** 40 })
  const batch = { partition: 0, header: readBatchHeader(bytes, 0), records: bytes.subarray(batchHeaderBytes) }
  const reference = decodeRecords(batch.records, batch.header.recordCount, {
    baseOffset: 2 ** 40,
    baseTimestamp: batch.header.baseTimestamp,
    logAppendTime: null,
  })
  const rows = decodeBatchRows(batch, everything)
  assert.equal(rows.count, deltas.length)
  reference.forEach((record, row) => {
    assert.equal(rows.offsets[row], record.offset)
    assert.equal(rows.timestamps[row], record.timestamp)
    assert.equal(rows.timestamps[row], base + deltas[row])
    const bytesAt = (start: number, end: number) => (start < 0 ? null : batch.records.subarray(start, end))
    assert.deepEqual(bytesAt(rows.keyStart[row], rows.keyEnd[row]), record.key)
    assert.deepEqual(bytesAt(rows.valueStart[row], rows.valueEnd[row]), record.value)
  })
})

test('text is NULL for null and non-UTF-8 bytes, exact otherwise', async () => {
  const batch = await scanned({ baseOffset: 0 })
  const rows = decodeBatchRows(batch, everything)
  const keys = [0, 1, 2].map((row) => textOf(batch.records, rows.keyStart[row], rows.keyEnd[row]))
  const values = [0, 1, 2].map((row) => textOf(batch.records, rows.valueStart[row], rows.valueEnd[row]))
  assert.deepEqual(keys, ['k', null, null])
  assert.deepEqual(values, ['{"a":1}', null, 'héllo €'])
  assert.equal(textOf(Buffer.from('a\uFFFDb'), 0, 5), 'a\uFFFDb')
})

test('offset and timestamp ranges are applied', async () => {
  const batch = await scanned({ baseOffset: 10 })
  assert.deepEqual([...decodeBatchRows(batch, { ...everything, offsetFrom: 11 }).offsets], [11, 12])
  assert.deepEqual([...decodeBatchRows(batch, { ...everything, offsetTo: 10 }).offsets], [10])
  assert.deepEqual(
    [...decodeBatchRows(batch, { ...everything, timestampFromMs: 1_700_000_000_000 }).offsets],
    [10, 12],
  )
  assert.deepEqual(
    [...decodeBatchRows(batch, { ...everything, timestampToMs: 1_699_999_999_999 }).offsets],
    [11],
  )
})

test('malformed records fail with an Error', async () => {
  const batch = await scanned({ baseOffset: 0 })
  for (const cut of [1, 5, 12, batch.records.length - 1]) {
    const truncated = { ...batch, records: batch.records.subarray(0, cut) }
    assert.throws(
      () => decodeBatchRows(truncated, everything),
      /corrupt (record|batch) in the log/,
      `cut ${cut}`,
    )
  }
  const extra = { ...batch, records: Buffer.concat([batch.records, Buffer.from([0])]) }
  assert.throws(() => decodeBatchRows(extra, everything), /bytes after the last record/)
  const badLength = Buffer.from(batch.records)
  badLength[0] = 0x7f // a record length far past the end
  assert.throws(() => decodeBatchRows({ ...batch, records: badLength }, everything), /corrupt record/)
  assert.throws(() => headersOf(Buffer.from([0x03]), 0, 1), /corrupt record in the log: -2 headers/)
})
