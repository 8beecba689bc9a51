// Goal: v2 batches decode to exactly the records they were built from, for every codec and header
// option, and malformed batches (bad varints, lengths, counts) fail with CorruptRecordError, never a
// crash. Method: round trips with fixed records, single-byte corruptions re-signed with a valid CRC
// (so the record decoder, not the CRC, must catch them), and fast-check random records and bytes.

import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import fc from 'fast-check'
import { Writer } from '../writer.ts'
import {
  BatchField,
  computeBatchCrc,
  readBatchHeader,
  setLogAppendTime,
  validateBatch,
} from './batch-header.ts'
import { buildBatch, decodeBatch, decodeBatches } from './batch-v2.ts'
import { CompressionCodec } from './compression/index.ts'
import {
  buildEndTransactionMarkerBatch,
  ControlRecordType,
  decodeControlRecordKey,
  decodeEndTransactionMarker,
} from './control-record.ts'
import { CorruptRecordError } from './errors.ts'
import type { RecordInput } from './record.ts'

const records: RecordInput[] = [
  {
    timestamp: 1700000000000,
    key: Buffer.from('k1'),
    value: Buffer.from('v1'),
    headers: [{ key: 'h', value: Buffer.from('x') }],
  },
  { timestamp: 1699999999990, key: null, value: null, headers: [{ key: 'ü', value: null }] },
  { timestamp: 1700000000100, key: Buffer.alloc(0), value: Buffer.alloc(3000, 'z') },
]

function resign(batch: Buffer): Buffer {
  batch.writeUInt32BE(computeBatchCrc(batch, 0, batch.readInt32BE(BatchField.batchLength)), BatchField.crc)
  return batch
}

describe('buildBatch / decodeBatch round trips', () => {
  for (const codec of [0, 1, 2, 3, 4] as const) {
    it(`round-trips records exactly with codec ${codec}`, async () => {
      const batch = await buildBatch({
        records,
        compression: codec,
        baseOffset: 1000,
        partitionLeaderEpoch: 7,
        producerId: 4242n,
        producerEpoch: 3,
        baseSequence: 17,
        isTransactional: true,
      })
      const decoded = await decodeBatch(batch, 0, { origin: 'produce' })
      assert.equal(decoded.sizeBytes, batch.length)
      assert.deepEqual(decoded.records, [
        {
          offset: 1000,
          timestamp: 1700000000000,
          key: Buffer.from('k1'),
          value: Buffer.from('v1'),
          headers: [{ key: 'h', value: Buffer.from('x') }],
        },
        {
          offset: 1001,
          timestamp: 1699999999990,
          key: null,
          value: null,
          headers: [{ key: 'ü', value: null }],
        },
        {
          offset: 1002,
          timestamp: 1700000000100,
          key: Buffer.alloc(0),
          value: Buffer.alloc(3000, 'z'),
          headers: [],
        },
      ])
      const { header } = decoded
      assert.deepEqual(
        [
          header.compression,
          header.lastOffsetDelta,
          header.recordCount,
          header.baseTimestamp,
          header.maxTimestamp,
        ],
        [codec, 2, 3, 1700000000000, 1700000000100],
      )
      assert.deepEqual(
        [
          header.producerId,
          header.producerEpoch,
          header.baseSequence,
          header.partitionLeaderEpoch,
          header.isTransactional,
        ],
        [4242n, 3, 17, 7, true],
      )
    })
  }
})

describe('record encoding edges', () => {
  it('timestamp deltas past 2^51 (the BigInt path) and values past the chunk threshold round-trip', async () => {
    const edge: RecordInput[] = [
      { timestamp: 0, key: Buffer.from('first'), value: Buffer.alloc(5000, 'a') },
      { timestamp: Number.MAX_SAFE_INTEGER, key: null, value: Buffer.from('far'), headers: [] },
      {
        timestamp: 2 ** 51,
        value: Buffer.alloc(4096, 'b'),
        headers: [{ key: 'k', value: Buffer.alloc(4100) }],
      },
    ]
    const decoded = await decodeBatch(await buildBatch({ records: edge }), 0, { origin: 'produce' })
    assert.deepEqual(
      decoded.records.map((record) => [record.timestamp, record.key, record.value, record.headers]),
      [
        [0, Buffer.from('first'), Buffer.alloc(5000, 'a'), []],
        [Number.MAX_SAFE_INTEGER, null, Buffer.from('far'), []],
        [2 ** 51, null, Buffer.alloc(4096, 'b'), [{ key: 'k', value: Buffer.alloc(4100) }]],
      ],
    )
  })

  it('writeVarlongNumber writes the bytes writeVarlong writes', () => {
    fc.assert(
      fc.property(fc.integer({ min: -(2 ** 51), max: 2 ** 51 }), (value) => {
        const fromNumber = new Writer().writeVarlongNumber(value).toBuffer()
        const fromBigInt = new Writer().writeVarlong(BigInt(value)).toBuffer()
        assert.deepEqual(fromNumber, fromBigInt)
      }),
    )
    for (const value of [2 ** 51, -(2 ** 51), 0, -1, 63, -64, 64])
      assert.deepEqual(
        new Writer().writeVarlongNumber(value).toBuffer(),
        new Writer().writeVarlong(BigInt(value)).toBuffer(),
      )
    assert.throws(() => new Writer().writeVarlongNumber(2 ** 51 + 1), /out of the number range/)
  })
})

describe('buildBatch options', () => {
  it('keeps explicit offset deltas and lastOffsetDelta (compacted batches), and empty batches', async () => {
    const batch = await buildBatch({
      records: [
        { offsetDelta: 0, timestamp: 1, value: Buffer.from('a') },
        { offsetDelta: 5, timestamp: 2, value: Buffer.from('b') },
      ],
      lastOffsetDelta: 9,
      baseOffset: 100,
    })
    const decoded = await decodeBatch(batch)
    assert.deepEqual(
      decoded.records.map((record) => record.offset),
      [100, 105],
    )
    assert.equal(validateBatch(batch, 0, { origin: 'log' }).lastOffset, 109)
    const empty = await buildBatch({ records: [], lastOffsetDelta: 4, baseTimestamp: 5 })
    assert.deepEqual((await decodeBatch(empty)).records, [])
    await assert.rejects(() => buildBatch({ records: [] }), /explicit lastOffsetDelta/)
    await assert.rejects(() =>
      buildBatch({
        records: [
          { offsetDelta: 2, timestamp: 0 },
          { offsetDelta: 2, timestamp: 0 },
        ],
      }),
    )
  })

  it('gives every record the append time in LogAppendTime batches', async () => {
    const built = await buildBatch({ records, compression: CompressionCodec.lz4 })
    setLogAppendTime(built, 0, 1800000000000)
    const decoded = await decodeBatch(built)
    assert.deepEqual(
      decoded.records.map((record) => record.timestamp),
      [1800000000000, 1800000000000, 1800000000000],
    )
  })

  it('stores the delete horizon as baseTimestamp and keeps record timestamps', async () => {
    const batch = await buildBatch({ records, deleteHorizonMs: 1690000000000 })
    const header = readBatchHeader(batch, 0)
    assert.equal(header.hasDeleteHorizon, true)
    assert.equal(header.baseTimestamp, 1690000000000)
    const decoded = await decodeBatch(batch)
    assert.deepEqual(
      decoded.records.map((record) => record.timestamp),
      [1700000000000, 1699999999990, 1700000000100],
    )
  })

  it('decodeBatches walks consecutive batches and rejects trailing bytes', async () => {
    const first = await buildBatch({ records, baseOffset: 0 })
    const second = await buildBatch({ records, baseOffset: 3, compression: CompressionCodec.gzip })
    const all = await decodeBatches(Buffer.concat([first, second]))
    assert.deepEqual(
      all.flatMap((batch) => batch.records.map((record) => record.offset)),
      [0, 1, 2, 3, 4, 5],
    )
    await assert.rejects(() => decodeBatches(Buffer.concat([first, Buffer.alloc(5)])), CorruptRecordError)
  })
})

describe('control records', () => {
  it('encode and decode COMMIT/ABORT markers as Kafka lays them out', async () => {
    const batch = await buildEndTransactionMarkerBatch({
      marker: { type: ControlRecordType.commit, coordinatorEpoch: 12 },
      producerId: 77n,
      producerEpoch: 2,
      timestamp: 1700000000000,
      baseOffset: 50,
    })
    const decoded = await decodeBatch(batch)
    assert.equal(decoded.header.isControl, true)
    assert.equal(decoded.header.isTransactional, true)
    assert.equal(decoded.header.baseSequence, -1)
    const [record] = decoded.records
    assert.equal(record.key?.toString('hex'), '00000001')
    assert.equal(record.value?.toString('hex'), '00000000000c')
    assert.deepEqual(decodeControlRecordKey(record.key), { version: 0, type: 1 })
    assert.deepEqual(decodeEndTransactionMarker(record), { type: 1, coordinatorEpoch: 12 })
    assert.throws(() => decodeControlRecordKey(Buffer.from([0, 0])), CorruptRecordError)
    assert.throws(
      () => decodeEndTransactionMarker({ key: Buffer.from('00000005', 'hex'), value: null }),
      CorruptRecordError,
    )
  })
})

describe('malformed batches', () => {
  it('fails every single-byte change of the records section with a typed error (CRC re-signed)', async () => {
    const batch = await buildBatch({ records })
    for (let position = 61; position < 120; position++) {
      for (const value of [0x00, 0x7f, 0x80, 0xff]) {
        const changed = Buffer.from(batch)
        if (changed[position] === value) continue
        changed[position] = value
        try {
          await decodeBatch(resign(changed))
        } catch (error) {
          assert.ok(error instanceof CorruptRecordError, `byte ${position} = ${value}: ${String(error)}`)
        }
      }
    }
  })

  it('rejects a record count that does not fit the decompressed records before allocating', async () => {
    const batch = await buildBatch({ records, compression: CompressionCodec.zstd })
    batch.writeInt32BE(0x7fffffff, BatchField.recordCount)
    batch.writeInt32BE(0x7ffffffe, BatchField.lastOffsetDelta)
    await assert.rejects(
      () => decodeBatch(resign(batch)),
      (error: unknown) => error instanceof CorruptRecordError && error.reason === 'count',
    )
  })

  it('rejects records left over or missing', async () => {
    const batch = await buildBatch({ records })
    batch.writeInt32BE(2, BatchField.recordCount)
    batch.writeInt32BE(1, BatchField.lastOffsetDelta)
    await assert.rejects(() => decodeBatch(resign(batch)), /trailing bytes/)
  })

  it('never throws anything but CorruptRecordError on random batches (fast-check)', async () => {
    const recordArbitrary = fc.record({
      timestamp: fc.integer({ min: 0, max: 2 ** 45 }),
      key: fc.option(fc.uint8Array({ maxLength: 40 }).map((bytes) => Buffer.from(bytes))),
      value: fc.option(fc.uint8Array({ maxLength: 200 }).map((bytes) => Buffer.from(bytes))),
      headers: fc.array(
        fc.record({
          key: fc.string({ maxLength: 10 }),
          value: fc.option(fc.uint8Array({ maxLength: 20 }).map((bytes) => Buffer.from(bytes))),
        }),
        { maxLength: 3 },
      ),
    })
    await fc.assert(
      fc.asyncProperty(
        fc.array(recordArbitrary, { minLength: 1, maxLength: 8 }),
        fc.constantFrom(0, 1, 2, 3, 4),
        fc.nat(),
        fc.integer({ min: 0, max: 255 }),
        async (inputs, codec, where, byte) => {
          const batch = await buildBatch({ records: inputs, compression: codec as CompressionCodec })
          const decoded = await decodeBatch(batch)
          assert.deepEqual(
            decoded.records.map((record) => [record.key, record.value, record.headers, record.timestamp]),
            inputs.map((input) => [
              input.key,
              input.value,
              input.headers.map((header) => ({ key: header.key, value: header.value })),
              input.timestamp,
            ]),
          )
          const changed = Buffer.from(batch)
          changed[61 + (where % (batch.length - 61))] = byte
          try {
            await decodeBatch(resign(changed))
          } catch (error) {
            assert.ok(error instanceof CorruptRecordError, String(error))
          }
        },
      ),
      { numRuns: 200 },
    )
  })
})
