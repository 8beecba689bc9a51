// Goal: every codec round-trips exactly, rejects malformed input with a typed error, and refuses a
// decompression bomb before allocating it. Method: fixed and random payloads; hand-made frames for
// the LZ4 and zstd edge cases (legacy header checksum, linked blocks, declared sizes).

import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { describe, it } from 'node:test'
import { gzipSync } from 'node:zlib'
import fc from 'fast-check'
import { CorruptRecordError, type CorruptRecordReason } from '../errors.ts'
import { CompressionCodec, compress, decompress, toCompressionCodec } from './index.ts'
import { decodeLz4Frames, encodeLz4Frame } from './lz4-frame.ts'
import { encodeSnappyRaw, isXerialFramed } from './snappy.ts'
import { xxhash32 } from './xxhash32.ts'
import { zstdDecompressedBound } from './zstd.ts'

const codecs = [
  CompressionCodec.none,
  CompressionCodec.gzip,
  CompressionCodec.snappy,
  CompressionCodec.lz4,
  CompressionCodec.zstd,
] as const

function sample(): Buffer {
  // Compressible text, incompressible noise and a long zero run: exercises literals, matches and
  // the "stored uncompressed" block paths, across several 32/64/128 KiB blocks.
  return Buffer.concat([Buffer.from('streamline '.repeat(20000)), randomBytes(150000), Buffer.alloc(300000)])
}

async function assertRejects(run: () => Promise<unknown>, reason: CorruptRecordReason): Promise<void> {
  await assert.rejects(run, (error: unknown) => {
    assert.ok(error instanceof CorruptRecordError, `expected CorruptRecordError, got ${String(error)}`)
    assert.equal(error.errorCode, 2)
    assert.equal(error.reason, reason, error.message)
    return true
  })
}

describe('compress/decompress', () => {
  for (const codec of codecs) {
    it(`round-trips codec ${codec}: sample, empty and one byte`, async () => {
      for (const input of [sample(), Buffer.alloc(0), Buffer.from([7])]) {
        const output = await decompress(codec, await compress(codec, input))
        assert.ok(output.equals(input))
      }
    })
  }

  for (const codec of codecs.slice(1)) {
    it(`codec ${codec} refuses output above decompressedBytesMax`, async () => {
      const bomb = await compress(codec, Buffer.alloc(4 * 1024 * 1024))
      assert.ok(bomb.length < 300 * 1024)
      await assertRejects(
        () => decompress(codec, bomb, { decompressedBytesMax: 1024 * 1024 }),
        'decompressed-size',
      )
      assert.equal(
        (await decompress(codec, bomb, { decompressedBytesMax: 4 * 1024 * 1024 })).length,
        4 * 1024 * 1024,
      )
    })

    it(`codec ${codec} rejects truncated and garbage input with a typed error`, async () => {
      const compressed = await compress(codec, sample())
      await assertRejects(
        () => decompress(codec, compressed.subarray(0, compressed.length >> 1)),
        'compression',
      )
      await assertRejects(
        () => decompress(codec, Buffer.from('definitely not compressed data')),
        'compression',
      )
      await assertRejects(() => decompress(codec, Buffer.alloc(0)), 'compression')
    })

    it(`codec ${codec} never throws anything but CorruptRecordError on random bytes`, async () => {
      await fc.assert(
        fc.asyncProperty(fc.uint8Array({ maxLength: 256 }), async (bytes) => {
          try {
            await decompress(codec, Buffer.from(bytes), { decompressedBytesMax: 1024 * 1024 })
          } catch (error) {
            assert.ok(error instanceof CorruptRecordError, String(error))
          }
        }),
        { numRuns: 300 },
      )
    })
  }

  it('rejects the reserved codec ids 5..7', async () => {
    for (const id of [5, 6, 7]) {
      assert.throws(
        () => toCompressionCodec(id),
        (error: unknown) => error instanceof CorruptRecordError,
      )
    }
  })

  it('gzip reports a bomb as decompressed-size, not as garbage', async () => {
    const bomb = gzipSync(Buffer.alloc(10 * 1024 * 1024))
    await assertRejects(
      () => decompress(CompressionCodec.gzip, bomb, { decompressedBytesMax: 65536 }),
      'decompressed-size',
    )
  })
})

describe('snappy framing', () => {
  it('writes xerial framing with 32 KiB blocks and reads raw blocks too', async () => {
    const input = sample()
    const framed = await compress(CompressionCodec.snappy, input)
    assert.equal(framed.subarray(0, 16).toString('hex'), '82534e415050590000000001' + '00000001')
    assert.ok(isXerialFramed(framed))
    const raw = encodeSnappyRaw(input)
    assert.ok(!isXerialFramed(raw))
    assert.ok((await decompress(CompressionCodec.snappy, raw)).equals(input))
  })

  it('checks each xerial block length against what remains', async () => {
    const framed = await compress(CompressionCodec.snappy, Buffer.from('hello hello hello'))
    framed.writeInt32BE(0x7fffffff, 16)
    await assertRejects(() => decompress(CompressionCodec.snappy, framed), 'compression')
  })
})

describe('lz4 frames', () => {
  it('xxhash32 matches the reference vectors', () => {
    assert.equal(xxhash32(Buffer.alloc(0)), 0x02cc5d05)
    assert.equal(xxhash32(Buffer.from('abc')), 0x32d153ff)
    assert.equal(xxhash32(Buffer.from('Nobody inspects the spammish repetition')), 0xe2293b2f)
  })

  it('writes the Java client header: version 1, independent blocks, 64 KiB, correct HC', () => {
    const frame = encodeLz4Frame(Buffer.from('abc'), { headerChecksum: 'standard' })
    assert.equal(frame.subarray(0, 7).toString('hex'), '04224d18604082')
    // KIP-57: the v0 checksum covers the magic bytes too.
    const legacy = encodeLz4Frame(Buffer.from('abc'), { headerChecksum: 'legacy-kafka' })
    const legacyChecksum = (xxhash32(legacy, 0, 6) >>> 8) & 0xff
    assert.equal(legacy[6], legacyChecksum)
    assert.notEqual(legacy[6], frame[6])
  })

  it('accepts the legacy header checksum only when asked (v0/v1 message sets)', () => {
    const legacy = encodeLz4Frame(Buffer.from('legacy kafka'), { headerChecksum: 'legacy-kafka' })
    const limits = { decompressedBytesMax: 1024 }
    assert.equal(
      decodeLz4Frames(legacy, { ...limits, headerChecksum: 'accept-legacy' }).toString(),
      'legacy kafka',
    )
    assert.throws(
      () => decodeLz4Frames(legacy, { ...limits, headerChecksum: 'strict' }),
      (error: unknown) => error instanceof CorruptRecordError && error.reason === 'compression',
    )
    const broken = Buffer.from(legacy)
    broken[6] ^= 0xff
    assert.throws(
      () => decodeLz4Frames(broken, { ...limits, headerChecksum: 'accept-legacy' }),
      CorruptRecordError,
    )
  })

  it('decodes a hand-made frame with a linked block, block and content checksums and a content size', () => {
    // Block 1 stores "abcd" uncompressed; block 2 is one sequence: no literal, match offset 4,
    // length 4 + 4 (reaching into block 1, allowed because blocks are linked), then 1 literal "e".
    const descriptor = Buffer.from([0x5c, 0x40, ...Buffer.alloc(8)]) // linked, block+content checksum, size
    descriptor.writeBigUInt64LE(13n, 2)
    const blockTwo = Buffer.from([0x04, 0x04, 0x00, 0x10, 0x65])
    const content = Buffer.from('abcdabcdabcde')
    const parts = [
      Buffer.from([0x04, 0x22, 0x4d, 0x18]),
      descriptor,
      Buffer.from([(xxhash32(descriptor) >>> 8) & 0xff]),
      u32le(0x80000004),
      Buffer.from('abcd'),
      u32le(xxhash32(Buffer.from('abcd'))),
      u32le(blockTwo.length),
      blockTwo,
      u32le(xxhash32(blockTwo)),
      u32le(0),
      u32le(xxhash32(content)),
    ]
    const frame = Buffer.concat(parts)
    const limits = { decompressedBytesMax: 1024, headerChecksum: 'strict' } as const
    assert.equal(decodeLz4Frames(frame, limits).toString(), 'abcdabcdabcde')
    const independent = Buffer.from(frame)
    independent[4] |= 0x20
    independent[14] = (xxhash32(independent, 4, 14) >>> 8) & 0xff
    assert.throws(() => decodeLz4Frames(independent, limits), /outside the window/)
    const wrongChecksum = Buffer.from(frame)
    wrongChecksum[frame.length - 1] ^= 1
    assert.throws(() => decodeLz4Frames(wrongChecksum, limits), /content checksum/)
  })
})

describe('zstd bound', () => {
  it('bounds frames with and without a declared content size', async () => {
    const input = Buffer.alloc(1000, 1)
    const ours = await compress(CompressionCodec.zstd, input)
    assert.ok(zstdDecompressedBound(ours) >= 1000)
    // A frame with a declared content size of 5 (single segment) holding one raw block "hello".
    const declared = Buffer.from([
      0x28,
      0xb5,
      0x2f,
      0xfd,
      0x20,
      0x05,
      0x29,
      0x00,
      0x00,
      ...Buffer.from('hello'),
    ])
    assert.equal(zstdDecompressedBound(declared), 5)
    assert.equal((await decompress(CompressionCodec.zstd, declared)).toString(), 'hello')
  })

  it('refuses an RLE bomb before decoding it', async () => {
    // 64 RLE blocks of 128 KiB each (8 MiB) in 4 + 1 + 1 + 64 * 4 bytes.
    const blocks: number[] = []
    for (let index = 0; index < 64; index++) {
      const header = ((128 * 1024) << 3) | (1 << 1) | (index === 63 ? 1 : 0)
      blocks.push(header & 0xff, (header >>> 8) & 0xff, (header >>> 16) & 0xff, 0x41)
    }
    const bomb = Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0x00, 0x58, ...blocks])
    assert.equal(zstdDecompressedBound(bomb), 8 * 1024 * 1024)
    await assertRejects(
      () => decompress(CompressionCodec.zstd, bomb, { decompressedBytesMax: 1024 * 1024 }),
      'decompressed-size',
    )
    const output = await decompress(CompressionCodec.zstd, bomb)
    assert.equal(output.length, 8 * 1024 * 1024)
    assert.equal(output[12345], 0x41)
  })
})

function u32le(value: number): Buffer {
  const bytes = Buffer.alloc(4)
  bytes.writeUInt32LE(value >>> 0)
  return bytes
}
