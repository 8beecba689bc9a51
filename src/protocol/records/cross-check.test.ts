// Goal: our record formats and codecs agree with implementations no one here wrote. Method:
// kafka-python (python3-kafka) builds v2 batches and v0/v1 message sets with each codec; we decode
// them to the exact records. We build the same and kafka-python decodes ours (CRC valid, same
// records). The Python bindings of liblz4, libsnappy and libzstd produce raw codec payloads with
// framing options our own encoder never writes (linked LZ4 blocks, checksums, content sizes, raw
// snappy), and decode ours. Needs /usr/bin/python3 with the Debian packages (see testing/kafka-python.ts).

import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { buildBatch, decodeBatch } from './batch-v2.ts'
import { CompressionCodec, compress, decompress } from './compression/index.ts'
import type { LegacyMagic } from './legacy-message.ts'
import { batchesToMessageSet, decodeMessageSet } from './message-set.ts'
import { callKafkaPython, fromBase64, kafkaPythonUnavailable, toBase64 } from './testing/kafka-python.ts'

const skip = kafkaPythonUnavailable() ?? false

// Repetitive values so kafka-python keeps the compression (it sends uncompressed when it does not help).
const records = Array.from({ length: 20 }, (_, index) => ({
  offset: index,
  timestamp: 1700000000000 + index * 7,
  key: index % 3 === 0 ? null : Buffer.from(`key-${index}`),
  value: index === 5 ? null : Buffer.from(`value ${index} `.repeat(40)),
  headers: index % 4 === 0 ? [{ key: `h${index}`, value: index % 8 === 0 ? null : Buffer.from('hv') }] : [],
}))

function toWire(record: (typeof records)[number]) {
  return {
    offset: record.offset,
    timestamp: record.timestamp,
    key: toBase64(record.key),
    value: toBase64(record.value),
    headers: record.headers.map((header) => [header.key, toBase64(header.value)]),
  }
}

interface PythonRecord {
  offset: number
  timestamp: number | null
  key: string | null
  value: string | null
  headers: Array<[string, string | null]>
}
interface PythonBatch {
  magic: number
  compression: number
  crcValid: boolean
  records: PythonRecord[]
}

function fromPython(record: PythonRecord) {
  return {
    offset: record.offset,
    // kafka-python reports a v0 message's missing timestamp as None; we use Kafka's NO_TIMESTAMP (-1).
    timestamp: record.timestamp ?? -1,
    key: fromBase64(record.key),
    value: fromBase64(record.value),
    headers: record.headers.map(([key, value]) => ({ key, value: fromBase64(value) })),
  }
}

describe('kafka-python v2 batches', { skip }, () => {
  for (const codec of [0, 1, 2, 3, 4] as const) {
    it(`decodes kafka-python's codec ${codec} batch exactly, and kafka-python decodes ours`, async () => {
      const producer = { id: 9001, epoch: 4, sequence: 100, transactional: true }
      const [built] = callKafkaPython([
        { op: 'build_v2', compression: codec, records: records.map(toWire), producer },
      ])
      const theirs = fromBase64(built.data) as Buffer
      const decoded = await decodeBatch(theirs, 0, { origin: 'produce' })
      assert.deepEqual(decoded.records, records)
      assert.equal(decoded.header.compression, codec)
      assert.deepEqual(
        [decoded.header.producerId, decoded.header.producerEpoch, decoded.header.baseSequence],
        [9001n, 4, 100],
      )

      const ours = await buildBatch({
        records,
        compression: codec,
        producerId: 9001n,
        producerEpoch: 4,
        baseSequence: 100,
        isTransactional: true,
        partitionLeaderEpoch: 0,
      })
      if (codec === 0) assert.ok(ours.equals(theirs), 'uncompressed batches are byte-identical')
      const [result] = callKafkaPython([{ op: 'decode', data: toBase64(ours) }])
      const [batch] = result.batches as PythonBatch[]
      assert.deepEqual([batch.magic, batch.compression, batch.crcValid], [2, codec, true])
      assert.deepEqual(batch.records.map(fromPython), records)
    })
  }
})

describe('kafka-python legacy message sets', { skip }, () => {
  const legacyRecords = records.map((record) => ({ ...record, headers: [] }))
  for (const magic of [0, 1] as const) {
    for (const codec of [0, 1, 2, 3] as const) {
      it(`decodes kafka-python's magic ${magic} codec ${codec} set, and kafka-python decodes our down-conversion`, async () => {
        const wire = legacyRecords.map(toWire)
        const [built] = callKafkaPython([{ op: 'build_legacy', magic, compression: codec, records: wire }])
        const entries = await decodeMessageSet(fromBase64(built.data) as Buffer)
        const expectedTimestamp = (timestamp: number) => (magic === 1 ? timestamp : -1)
        // kafka-python, as a producer, writes wrapper offset 0 with relative inner offsets 0..n-1, so
        // v1 inner messages resolve to offsets ending at 0; v0 keeps them as written.
        const shift = magic === 1 && codec !== 0 ? -(legacyRecords.length - 1) : 0
        assert.deepEqual(
          entries.flatMap((entry) => entry.records),
          legacyRecords.map((record) => ({
            ...record,
            offset: record.offset + shift,
            timestamp: expectedTimestamp(record.timestamp),
          })),
        )

        const batch = await buildBatch({ records: legacyRecords, compression: codec, baseOffset: 500 })
        const set = await batchesToMessageSet(batch, magic as LegacyMagic)
        const [result] = callKafkaPython([{ op: 'decode', data: toBase64(set) }])
        const batches = result.batches as PythonBatch[]
        assert.ok(
          batches.every((entry) => entry.magic === magic && entry.crcValid && entry.compression === codec),
        )
        assert.deepEqual(
          batches.flatMap((entry) => entry.records.map(fromPython)),
          legacyRecords.map((record) => ({
            ...record,
            offset: record.offset + 500,
            timestamp: expectedTimestamp(record.timestamp),
          })),
        )
      })
    }
  }
})

describe('codec payloads from the Python bindings', { skip }, () => {
  const payload = Buffer.concat([
    Buffer.from('0123456789abcdef'.repeat(9000)),
    Buffer.from(Array.from({ length: 70000 }, (_, i) => (i * 7919) % 251)),
  ])
  const variants: Array<[string, CompressionCodec, Record<string, unknown>]> = [
    [
      'lz4 linked blocks, content checksum, content size',
      CompressionCodec.lz4,
      { codec: 'lz4-frame', blockLinked: true, contentChecksum: true },
    ],
    [
      'lz4 block checksums, 256 KiB blocks',
      CompressionCodec.lz4,
      { codec: 'lz4-frame', blockChecksum: true, blockSize: 5, storeSize: false },
    ],
    ['snappy raw block', CompressionCodec.snappy, { codec: 'snappy-raw' }],
    ['snappy xerial (kafka-python)', CompressionCodec.snappy, { codec: 'snappy-xerial' }],
    ['zstd with content size and checksum', CompressionCodec.zstd, { codec: 'zstd', writeChecksum: true }],
    ['zstd without content size', CompressionCodec.zstd, { codec: 'zstd', writeContentSize: false }],
    ['gzip (kafka-python)', CompressionCodec.gzip, { codec: 'gzip' }],
  ]
  for (const [name, codec, options] of variants) {
    it(`decodes ${name}`, async () => {
      const [result] = callKafkaPython([{ op: 'compress', data: toBase64(payload), ...options }])
      assert.ok((await decompress(codec, fromBase64(result.data) as Buffer)).equals(payload))
    })
  }

  it('decodes the KIP-57 legacy LZ4 frame of kafka-python (lz4_encode_old_kafka) only in legacy mode', async () => {
    const [result] = callKafkaPython([{ op: 'compress', data: toBase64(payload), codec: 'lz4-old-kafka' }])
    const frame = fromBase64(result.data) as Buffer
    assert.ok(
      (await decompress(CompressionCodec.lz4, frame, { lz4HeaderChecksum: 'accept-legacy' })).equals(payload),
    )
    await assert.rejects(() => decompress(CompressionCodec.lz4, frame, { lz4HeaderChecksum: 'strict' }))
  })

  const names: Record<number, string> = { 1: 'gzip', 2: 'snappy', 3: 'lz4-frame', 4: 'zstd' }
  for (const codec of [1, 2, 3, 4] as const) {
    it(`the Python binding decodes our codec ${codec} payload`, async () => {
      const ours = await compress(codec, payload)
      const [result] = callKafkaPython([{ op: 'decompress', codec: names[codec], data: toBase64(ours) }])
      assert.ok((fromBase64(result.data) as Buffer).equals(payload))
    })
  }
})
