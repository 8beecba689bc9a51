// Goal: the v2 header reader, validateBatch, the header patches and the batch framing behave exactly
// as specified. Method: a golden batch whose bytes kafka-python produced identically (see
// cross-check.test.ts), then single-field corruptions, each asserting the CorruptRecordError reason.

import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import fc from 'fast-check'
import { KafkaError } from '../../errors.ts'
import { splitBatches } from './batch-framing.ts'
import {
  BatchField,
  computeBatchCrc,
  patchBaseOffset,
  patchPartitionLeaderEpoch,
  readBatchHeader,
  setLogAppendTime,
  validateBatch,
} from './batch-header.ts'
import { crc32, crc32c } from './crc32c.ts'
import { CorruptRecordError, type CorruptRecordReason } from './errors.ts'

// Two records (k1/v1 with header h=x at 1700000000000, null/v2 with header n=null 5 ms later),
// uncompressed, no producer. Byte-identical to kafka-python's DefaultRecordBatchBuilder output.
const goldenHex =
  '00000000000000000000004c0000000002a277d6200000000000010000018bcfe568000000018bcfe56805' +
  'ffffffffffffffffffffffffffff000000021c000000046b31047631020268027816000a020104763202026e01'

function golden(): Buffer {
  return Buffer.from(goldenHex, 'hex')
}

function assertCorrupt(run: () => unknown, reason: CorruptRecordReason): void {
  assert.throws(run, (error: unknown) => {
    assert.ok(error instanceof CorruptRecordError, `expected CorruptRecordError, got ${String(error)}`)
    assert.ok(error instanceof KafkaError)
    assert.equal(error.errorCode, 2)
    assert.equal(error.reason, reason)
    return true
  })
}

describe('crc32c / crc32', () => {
  it('match the standard check values', () => {
    assert.equal(crc32c(Buffer.from('123456789')), 0xe3069283)
    assert.equal(crc32(Buffer.from('123456789')), 0xcbf43926)
    assert.equal(crc32c(Buffer.from('56789'), crc32c(Buffer.from('1234'))), 0xe3069283)
  })
})

describe('readBatchHeader', () => {
  it('decodes every field of the golden batch', () => {
    assert.deepEqual(readBatchHeader(golden(), 0), {
      baseOffset: 0,
      batchLength: 76,
      partitionLeaderEpoch: 0,
      magic: 2,
      crc: 0xa277d620,
      attributes: 0,
      compression: 0,
      timestampType: 0,
      isTransactional: false,
      isControl: false,
      hasDeleteHorizon: false,
      lastOffsetDelta: 1,
      baseTimestamp: 1700000000000,
      maxTimestamp: 1700000000005,
      producerId: -1n,
      producerEpoch: -1,
      baseSequence: -1,
      recordCount: 2,
    })
  })

  it('reads attribute bits', () => {
    const batch = golden()
    batch.writeInt16BE(0x7b, BatchField.attributes) // 0b111_1011: codec 3, LogAppendTime, txn, control, horizon
    const header = readBatchHeader(batch, 0)
    assert.equal(header.compression, 3)
    assert.equal(header.timestampType, 1)
    assert.equal(header.isTransactional, true)
    assert.equal(header.isControl, true)
    assert.equal(header.hasDeleteHorizon, true)
  })

  it('fails on fewer than 61 bytes and on int64 outside the safe range', () => {
    assertCorrupt(() => readBatchHeader(golden().subarray(0, 60), 0), 'truncated')
    const batch = golden()
    batch.writeBigInt64BE(2n ** 60n, BatchField.baseOffset)
    assertCorrupt(() => readBatchHeader(batch, 0), 'integer-range')
  })
})

describe('validateBatch', () => {
  it('accepts the golden batch, also at a non-zero position', () => {
    const result = validateBatch(golden(), 0)
    assert.equal(result.sizeBytes, 88)
    assert.equal(result.lastOffset, 1)
    const shifted = Buffer.concat([Buffer.alloc(5, 0xee), golden(), Buffer.alloc(3)])
    assert.equal(validateBatch(shifted, 5).sizeBytes, 88)
  })

  it('rejects each broken field with its reason', () => {
    // Each case changes the golden batch in place (or cuts it) and names the expected reason.
    const cases: Array<[(batch: Buffer) => Buffer | undefined, CorruptRecordReason]> = [
      [(batch) => batch.subarray(0, 87), 'truncated'],
      [(batch) => void batch.writeInt32BE(48, BatchField.batchLength), 'length'],
      [(batch) => void batch.writeInt32BE(-1, BatchField.batchLength), 'length'],
      [(batch) => void batch.writeInt8(1, BatchField.magic), 'magic'],
      [(batch) => void batch.writeUInt8(batch[80] ^ 1, 80), 'crc'],
      [(batch) => void batch.writeUInt32BE(0, BatchField.crc), 'crc'],
    ]
    for (const [corrupt, reason] of cases) {
      const batch = golden()
      const changed = corrupt(batch) ?? batch
      assertCorrupt(() => validateBatch(changed, 0), reason)
    }
  })

  it('checks counts and offsets after the CRC, per origin', () => {
    const withFields = (fields: {
      recordCount?: number
      lastOffsetDelta?: number
      attributes?: number
    }): Buffer => {
      const batch = golden()
      if (fields.recordCount !== undefined) batch.writeInt32BE(fields.recordCount, BatchField.recordCount)
      if (fields.lastOffsetDelta !== undefined)
        batch.writeInt32BE(fields.lastOffsetDelta, BatchField.lastOffsetDelta)
      if (fields.attributes !== undefined) batch.writeInt16BE(fields.attributes, BatchField.attributes)
      batch.writeUInt32BE(computeBatchCrc(batch, 0, batch.readInt32BE(8)), BatchField.crc)
      return batch
    }
    assertCorrupt(() => validateBatch(withFields({ recordCount: -1 }), 0), 'count')
    assertCorrupt(() => validateBatch(withFields({ recordCount: 0 }), 0), 'count')
    assertCorrupt(() => validateBatch(withFields({ recordCount: 1000 }), 0), 'count')
    assertCorrupt(() => validateBatch(withFields({ lastOffsetDelta: 5 }), 0), 'offset')
    assertCorrupt(() => validateBatch(withFields({ attributes: 5 }), 0), 'attributes')
    // As stored after compaction: fewer records than the offset range, or none at all.
    assert.equal(validateBatch(withFields({ lastOffsetDelta: 5 }), 0, { origin: 'log' }).lastOffset, 5)
    assert.equal(validateBatch(withFields({ recordCount: 0 }), 0, { origin: 'log' }).lastOffset, 1)
    assertCorrupt(() => validateBatch(withFields({ lastOffsetDelta: 0 }), 0, { origin: 'log' }), 'offset')
  })
})

describe('patches', () => {
  it('patchBaseOffset and patchPartitionLeaderEpoch keep the CRC valid', () => {
    const batch = golden()
    patchBaseOffset(batch, 0, 9_007_199_254_740_000)
    patchPartitionLeaderEpoch(batch, 0, 42)
    const { header, lastOffset } = validateBatch(batch, 0)
    assert.equal(header.baseOffset, 9_007_199_254_740_000)
    assert.equal(header.partitionLeaderEpoch, 42)
    assert.equal(lastOffset, 9_007_199_254_740_001)
    assert.equal(batch.subarray(12).toString('hex').slice(8), goldenHex.slice(32))
    assert.throws(() => patchBaseOffset(batch, 0, -1), RangeError)
    assert.throws(() => patchBaseOffset(batch, 0, 2 ** 53), RangeError)
    assert.throws(() => patchPartitionLeaderEpoch(batch, 0, -2), RangeError)
    assertCorrupt(() => patchBaseOffset(batch, 40, 1), 'truncated')
  })

  it('setLogAppendTime sets the type bit and maxTimestamp and recomputes the CRC', () => {
    const batch = golden()
    setLogAppendTime(batch, 0, 1800000000000)
    const { header } = validateBatch(batch, 0)
    assert.equal(header.timestampType, 1)
    assert.equal(header.maxTimestamp, 1800000000000)
    assert.equal(header.baseTimestamp, 1700000000000)
  })
})

describe('splitBatches', () => {
  it('returns whole batches and no trailing part at an exact boundary', () => {
    const buffer = Buffer.concat([golden(), golden()])
    const { batches, trailing } = splitBatches(buffer)
    assert.deepEqual(
      batches.map((batch) => [batch.position, batch.sizeBytes, batch.magic, batch.baseOffset]),
      [
        [0, 88, 2, 0n],
        [88, 88, 2, 0n],
      ],
    )
    assert.ok(batches[1].bytes.equals(golden()))
    assert.equal(trailing, null)
    assert.deepEqual(splitBatches(Buffer.alloc(0)), { batches: [], trailing: null })
  })

  it('reports a cut batch as partial at every cut point', () => {
    const buffer = Buffer.concat([golden(), golden()])
    for (let cut = 89; cut < buffer.length; cut++) {
      const { batches, trailing } = splitBatches(buffer.subarray(0, cut))
      assert.equal(batches.length, 1)
      assert.equal(trailing?.kind, 'partial', `cut at ${cut}`)
      assert.equal(trailing?.position, 88)
      assert.equal(trailing?.sizeBytes, cut - 88)
      assert.equal(trailing?.declaredSizeBytes, cut - 88 >= 12 ? 88 : null)
    }
  })

  it('reports impossible lengths and magics as corrupt and stops there', () => {
    const zeros = Buffer.concat([golden(), Buffer.alloc(100)])
    const zeroTail = splitBatches(zeros).trailing
    assert.equal(zeroTail?.kind, 'corrupt')
    assert.equal(zeroTail?.position, 88)
    const badMagic = Buffer.concat([golden(), golden()])
    badMagic.writeInt8(7, 88 + BatchField.magic)
    assert.equal(splitBatches(badMagic).trailing?.kind, 'corrupt')
    const shortV2 = Buffer.concat([golden(), golden()])
    shortV2.writeInt32BE(30, 88 + BatchField.batchLength)
    assert.equal(splitBatches(shortV2).trailing?.kind, 'corrupt')
  })
})

describe('random input', () => {
  it('splitBatches and validateBatch never throw anything but CorruptRecordError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.nat({ max: 200 }), (bytes, position) => {
        const buffer = Buffer.from(bytes)
        const { batches, trailing } = splitBatches(buffer)
        const covered = batches.reduce((sum, batch) => sum + batch.sizeBytes, 0) + (trailing?.sizeBytes ?? 0)
        assert.equal(covered, buffer.length)
        try {
          validateBatch(buffer, position)
        } catch (error) {
          assert.ok(error instanceof CorruptRecordError, String(error))
        }
      }),
      { numRuns: 2000 },
    )
  })
})
