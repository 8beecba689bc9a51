// Goal: a batch built one record at a time (RecordBatchBuilder, used by Connect's source tasks) is
// byte for byte the batch buildBatch makes of the same records, and decodes back to them.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { EncodeError } from '../../errors.ts'
import { RecordBatchBuilder } from './batch-builder.ts'
import { buildBatch, decodeBatch } from './batch-v2.ts'
import type { RecordInput } from './record.ts'

const records: RecordInput[] = [
  { timestamp: 1_700_000_000_500, key: Buffer.from('k1'), value: Buffer.from('first'), headers: [] },
  { timestamp: 1_700_000_000_400, key: null, value: Buffer.from('earlier clock'), headers: [] },
  {
    timestamp: 1_700_000_009_000,
    key: Buffer.from('k3'),
    value: null,
    headers: [
      { key: 'trace', value: Buffer.from('abc') },
      { key: 'empty', value: null },
    ],
  },
  // A value large enough for the writer to keep it as a chunk of its own.
  { timestamp: 1_700_000_009_001, key: null, value: Buffer.alloc(10_000, 7), headers: [] },
]

test('a batch built record by record equals buildBatch of the same records and decodes back', async () => {
  const builder = new RecordBatchBuilder(16)
  for (const record of records) builder.append(record)
  assert.equal(builder.recordCount, 4)
  const built = builder.build()
  assert.equal(builder.sizeBytes, built.length)
  assert.deepEqual(built, await buildBatch({ records }))
  const { header, records: decoded } = await decodeBatch(built)
  assert.equal(header.baseTimestamp, 1_700_000_000_500)
  assert.equal(header.maxTimestamp, 1_700_000_009_001)
  assert.equal(header.lastOffsetDelta, 3)
  assert.deepEqual(
    decoded.map((record) => [record.offset, record.timestamp, record.key?.toString(), record.value?.length]),
    [
      [0, 1_700_000_000_500, 'k1', 5],
      [1, 1_700_000_000_400, undefined, 13],
      [2, 1_700_000_009_000, 'k3', undefined],
      [3, 1_700_000_009_001, undefined, 10_000],
    ],
  )
  assert.deepEqual(decoded[2].headers, [
    { key: 'trace', value: Buffer.from('abc') },
    { key: 'empty', value: null },
  ])
})

test('an empty builder and a timestamp that is not an integer are refused', () => {
  assert.throws(() => new RecordBatchBuilder(64).build(), EncodeError)
  assert.throws(() => new RecordBatchBuilder(64).append({ timestamp: 1.5, value: null }), EncodeError)
})
