// Goal: the bench's end-to-end stamps (bench/suite/load/stamp.ts) survive the broker's checks and read
// back exactly: a stamped batch still passes the produce-side batch validation (the CRC was
// recomputed), the stamp sits where a full decode finds it (first record only, or every record), and
// readStamp walks the framing to the same value. Method: build a batch with the codecs, stamp it, then
// validate and decode it with src/protocol/records (no broker, no sockets).
import assert from 'node:assert/strict'
import { test } from 'node:test'
import {
  buildPlainBatch,
  readStamp,
  stampBytes,
  valuePositions,
  writeStamp,
} from '../../bench/suite/load/stamp.ts'
import { validateBatch } from '../../src/protocol/records/batch-header.ts'
import { decodeBatch } from '../../src/protocol/records/batch-v2.ts'

const stampMs = 1_763_900_000_123.456

test('a batch stamped in its first record validates and reads back the stamp', async () => {
  const batch = await buildPlainBatch({ recordBytes: 100, recordsPerBatch: 5 })
  const positions = valuePositions(batch, 0, 'first')
  assert.equal(positions.length, 1)
  writeStamp(batch, 0, positions, stampMs)
  validateBatch(batch, 0, { origin: 'produce' })
  assert.equal(readStamp(batch, 0), stampMs)
  const decoded = await decodeBatch(batch)
  assert.equal(decoded.records[0].value?.readDoubleBE(0), stampMs)
  assert.equal(decoded.records[1].value?.readDoubleBE(0) === stampMs, false)
  assert.equal(decoded.records[0].value?.length, 100)
})

test('stamping every record puts the stamp at the start of each value', async () => {
  const batch = await buildPlainBatch({ recordBytes: 1024, recordsPerBatch: 16 })
  const positions = valuePositions(batch, 0, 'all')
  assert.equal(positions.length, 16)
  writeStamp(batch, 0, positions, stampMs)
  validateBatch(batch, 0, { origin: 'produce' })
  const decoded = await decodeBatch(batch)
  assert.deepEqual(
    decoded.records.map((record) => record.value?.readDoubleBE(0)),
    new Array(16).fill(stampMs),
  )
})

test('a batch whose values are shorter than a stamp carries none', async () => {
  assert.throws(() => buildPlainBatch({ recordBytes: stampBytes - 1, recordsPerBatch: 1 }), RangeError)
  const batch = await buildPlainBatch({ recordBytes: stampBytes, recordsPerBatch: 2 })
  assert.equal(valuePositions(batch, 0, 'all').length, 2)
  assert.ok(Number.isNaN(readStamp(batch.subarray(0, 61), 0)))
})
