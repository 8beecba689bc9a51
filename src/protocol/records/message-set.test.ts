// Goal: legacy message sets v0/v1 decode exactly (wrappers, relative offsets, LogAppendTime), convert
// to v2 and back, and malformed sets fail with CorruptRecordError. Method: sets built by our encoder
// with known bytes; kafka-python-built sets are checked in cross-check.test.ts.

import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import fc from 'fast-check'
import { KafkaError } from '../../errors.ts'
import { TimestampType } from './batch-header.ts'
import { buildBatch, decodeBatch } from './batch-v2.ts'
import { CompressionCodec, compress } from './compression/index.ts'
import { xxhash32 } from './compression/xxhash32.ts'
import { buildEndTransactionMarkerBatch, ControlRecordType } from './control-record.ts'
import { CorruptRecordError } from './errors.ts'
import { encodeLegacyMessage, type LegacyMagic, readLegacyMessage } from './legacy-message.ts'
import { batchesToMessageSet, decodeMessageSet, messageSetToBatch } from './message-set.ts'

describe('legacy messages', () => {
  it('encodes v0 with the exact bytes (CRC32 over magic..end)', () => {
    const message = encodeLegacyMessage({
      offset: 5,
      magic: 0,
      key: Buffer.from('k'),
      value: Buffer.from('v'),
    })
    // offset 5 · size 16 · crc · magic 0 · attributes 0 · key len 1 'k' · value len 1 'v'
    assert.equal(message.toString('hex').slice(0, 24), '000000000000000500000010')
    assert.equal(message.subarray(16).toString('hex'), '0000000000016b0000000176')
    const decoded = readLegacyMessage(message, 0)
    assert.deepEqual(
      [
        decoded.offset,
        decoded.magic,
        decoded.timestamp,
        decoded.key?.toString(),
        decoded.value?.toString(),
        decoded.sizeBytes,
      ],
      [5, 0, -1, 'k', 'v', 28],
    )
  })

  it('encodes v1 timestamps and the timestamp type bit', () => {
    const message = encodeLegacyMessage({
      offset: 0,
      magic: 1,
      timestamp: 1700000000000,
      timestampType: 1,
      key: null,
      value: null,
    })
    assert.equal(message.subarray(16, 26).toString('hex'), '01080000018bcfe56800')
    const decoded = readLegacyMessage(message, 0)
    assert.deepEqual(
      [decoded.timestamp, decoded.timestampType, decoded.key, decoded.value],
      [1700000000000, 1, null, null],
    )
  })

  it('rejects bad CRC, magic, sizes and lengths', () => {
    const message = encodeLegacyMessage({
      offset: 0,
      magic: 1,
      timestamp: 1,
      key: Buffer.from('key'),
      value: null,
    })
    const reasons = (change: (bytes: Buffer) => void): string => {
      const bytes = Buffer.from(message)
      change(bytes)
      try {
        readLegacyMessage(bytes, 0)
        return 'none'
      } catch (error) {
        assert.ok(error instanceof CorruptRecordError)
        return error.reason
      }
    }
    assert.equal(
      reasons((bytes) => (bytes[30] ^= 1)),
      'crc',
    )
    assert.equal(
      reasons((bytes) => (bytes[16] = 2)),
      'magic',
    )
    assert.equal(
      reasons((bytes) => bytes.writeInt32BE(21, 8)),
      'length',
    )
    assert.equal(
      reasons((bytes) => bytes.writeInt32BE(1000, 8)),
      'truncated',
    )
  })
})

async function wrapper(
  magic: LegacyMagic,
  codec: CompressionCodec,
  wrapperOffset: number,
  count: number,
  timestampType: TimestampType = TimestampType.createTime,
): Promise<Buffer> {
  const inner = Array.from({ length: count }, (_, index) =>
    encodeLegacyMessage({
      offset: magic === 1 ? index : wrapperOffset - count + 1 + index,
      magic,
      timestamp: 1000 + index,
      key: null,
      value: Buffer.from(`value-${index}`),
    }),
  )
  const value = await compress(codec, Buffer.concat(inner), {
    lz4HeaderChecksum: magic === 0 ? 'legacy-kafka' : 'standard',
  })
  return encodeLegacyMessage({
    offset: wrapperOffset,
    magic,
    compression: codec,
    timestampType,
    timestamp: 2000,
    key: null,
    value,
  })
}

describe('decodeMessageSet', () => {
  for (const magic of [0, 1] as const) {
    for (const codec of [1, 2, 3] as const) {
      it(`resolves inner offsets of a magic ${magic} wrapper with codec ${codec}`, async () => {
        const [entry] = await decodeMessageSet(await wrapper(magic, codec, 41, 3))
        assert.equal(entry.compression, codec)
        assert.deepEqual(
          entry.records.map((record) => [record.offset, record.timestamp, record.value?.toString()]),
          [
            [39, magic === 1 ? 1000 : -1, 'value-0'],
            [40, magic === 1 ? 1001 : -1, 'value-1'],
            [41, magic === 1 ? 1002 : -1, 'value-2'],
          ],
        )
      })
    }
  }

  it('gives inner messages the wrapper time under LogAppendTime', async () => {
    const set = await wrapper(1, CompressionCodec.gzip, 2, 3, TimestampType.logAppendTime)
    const [entry] = await decodeMessageSet(set)
    assert.deepEqual(
      entry.records.map((record) => record.timestamp),
      [2000, 2000, 2000],
    )
  })

  it('rejects nested compression, empty wrappers and a null wrapper value', async () => {
    const nested = await compress(CompressionCodec.gzip, await wrapper(1, CompressionCodec.gzip, 0, 1))
    const outer = encodeLegacyMessage({
      offset: 0,
      magic: 1,
      compression: 1,
      timestamp: 0,
      key: null,
      value: nested,
    })
    await assert.rejects(
      () => decodeMessageSet(outer),
      (error: unknown) => error instanceof CorruptRecordError,
    )
    const empty = encodeLegacyMessage({
      offset: 0,
      magic: 1,
      compression: 1,
      key: null,
      value: await compress(1, Buffer.alloc(0)),
    })
    await assert.rejects(() => decodeMessageSet(empty), /no inner messages/)
    const nullValue = encodeLegacyMessage({ offset: 0, magic: 0, compression: 2, key: null, value: null })
    await assert.rejects(() => decodeMessageSet(nullValue), /null value/)
  })

  it('never throws anything but CorruptRecordError on random bytes', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 300 }), async (bytes) => {
        try {
          await decodeMessageSet(Buffer.from(bytes))
        } catch (error) {
          assert.ok(error instanceof CorruptRecordError, String(error))
        }
      }),
      { numRuns: 500 },
    )
  })
})

describe('messageSetToBatch', () => {
  it('converts a mixed set into one v2 batch with sequential offsets and the source codec', async () => {
    const plain = encodeLegacyMessage({
      offset: 0,
      magic: 1,
      timestamp: 500,
      key: Buffer.from('a'),
      value: Buffer.from('b'),
    })
    const set = Buffer.concat([plain, await wrapper(1, CompressionCodec.snappy, 0, 2)])
    const batch = await messageSetToBatch(set, { baseOffset: 10 })
    const decoded = await decodeBatch(batch, 0, { origin: 'produce' })
    assert.equal(decoded.header.compression, CompressionCodec.snappy)
    assert.deepEqual(
      decoded.records.map((record) => [
        record.offset,
        record.timestamp,
        record.key?.toString() ?? null,
        record.value?.toString(),
      ]),
      [
        [10, 500, 'a', 'b'],
        [11, 1000, null, 'value-0'],
        [12, 1001, null, 'value-1'],
      ],
    )
    const preserved = await decodeBatch(
      await messageSetToBatch(await wrapper(0, 3, 9, 2), { offsets: 'preserve' }),
    )
    assert.deepEqual(
      preserved.records.map((record) => [record.offset, record.timestamp]),
      [
        [8, -1],
        [9, -1],
      ],
    )
    await assert.rejects(() => messageSetToBatch(Buffer.alloc(0)), CorruptRecordError)
  })
})

describe('batchesToMessageSet', () => {
  const inputs = [
    {
      timestamp: 1700000000000,
      key: Buffer.from('k'),
      value: Buffer.from('v'),
      headers: [{ key: 'dropped', value: null }],
    },
    { timestamp: 1700000000009, key: null, value: Buffer.from('w') },
  ]

  for (const magic of [0, 1] as const) {
    for (const codec of [0, 1, 2, 3] as const) {
      it(`down-converts a codec ${codec} batch to magic ${magic} and back`, async () => {
        const batch = await buildBatch({ records: inputs, compression: codec, baseOffset: 70 })
        const marker = await buildEndTransactionMarkerBatch({
          marker: { type: ControlRecordType.abort, coordinatorEpoch: 0 },
          producerId: 1n,
          producerEpoch: 0,
          timestamp: 0,
          baseOffset: 72,
        })
        const set = await batchesToMessageSet(Buffer.concat([batch, marker]), magic)
        const entries = await decodeMessageSet(set)
        assert.equal(entries.length, codec === 0 ? 2 : 1)
        assert.ok(entries.every((entry) => entry.compression === codec && entry.magic === magic))
        if (codec !== 0) {
          assert.equal(entries[0].offset, 71)
          assert.equal(entries[0].timestamp, magic === 1 ? 1700000000009 : -1)
        }
        assert.deepEqual(
          entries.flatMap((entry) => entry.records),
          [
            {
              offset: 70,
              timestamp: magic === 1 ? 1700000000000 : -1,
              key: Buffer.from('k'),
              value: Buffer.from('v'),
              headers: [],
            },
            {
              offset: 71,
              timestamp: magic === 1 ? 1700000000009 : -1,
              key: null,
              value: Buffer.from('w'),
              headers: [],
            },
          ],
        )
        if (codec === CompressionCodec.lz4) {
          // KIP-57: a v0 wrapper's LZ4 frame carries the legacy header checksum, v1 the standard one.
          const frame = entries.length === 1 ? readLegacyMessage(set, 0).value : null
          assert.ok(frame !== null)
          const standard = xxhash32(frame, 4, 6)
          assert.equal(frame[6] === ((standard >>> 8) & 0xff), magic === 1)
        }
      })
    }
  }

  it('fails zstd batches with UNSUPPORTED_COMPRESSION_TYPE', async () => {
    const batch = await buildBatch({ records: inputs, compression: CompressionCodec.zstd })
    await assert.rejects(
      () => batchesToMessageSet(batch, 1),
      (error: unknown) => error instanceof KafkaError && error.errorCode === 76,
    )
  })
})
