// Goal: readUnsignedVarint's one- and two-byte fast path answers what the general loop does, at the
// byte boundaries, inside a narrowed reader, and fails on an encoding cut at the reader's end.
// Goal: readVarlongSmall answers exactly what readVarlong does (as a number when the encoding is at
// most 7 bytes, else the same bigint), leaves the reader at the same byte, and fails the same way on
// truncated input.
// Method: encode boundary values around 2^48/2^49 and the 64-bit extremes with writeVarlong, read each
// with both methods and compare values and positions; cut an encoding short and compare the errors.

import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { Reader } from './reader.ts'
import { Writer } from './writer.ts'

function encoded(value: bigint): Buffer {
  return new Writer(16).writeVarlong(value).toBuffer()
}

describe('Reader.readVarlongSmall', () => {
  it('gives readVarlong’s value and position, as a number up to 7 encoded bytes', () => {
    const values = [0n, 1n, -1n, 63n, -64n, 64n, 300n, -301n, 2n ** 31n, -(2n ** 31n)]
    for (const edge of [2n ** 47n, 2n ** 48n]) values.push(edge - 1n, edge, -edge, -edge - 1n)
    values.push(2n ** 62n, 2n ** 63n - 1n, -(2n ** 63n))
    for (const value of values) {
      const bytes = encoded(value)
      const small = new Reader(bytes)
      const answer = small.readVarlongSmall('f')
      assert.equal(BigInt(answer), value, `value ${value}`)
      assert.equal(typeof answer, bytes.length <= 7 ? 'number' : 'bigint', `type for ${value}`)
      const big = new Reader(bytes)
      big.readVarlong('f')
      assert.equal(small.offset, big.offset)
    }
  })

  it('fails on a cut encoding exactly as readVarlong does', () => {
    for (const value of [2n ** 20n, 2n ** 60n]) {
      const cut = encoded(value).subarray(0, 2)
      assert.throws(
        () => new Reader(cut).readVarlongSmall('f'),
        (error: Error) => {
          assert.throws(() => new Reader(cut).readVarlong('f'), { message: error.message })
          return true
        },
      )
    }
  })
})

describe('Reader.readUnsignedVarint', () => {
  it('reads every length around the one-, two- and three-byte boundaries', () => {
    for (const value of [
      0,
      1,
      127,
      128,
      129,
      255,
      300,
      16_383,
      16_384,
      16_385,
      2 ** 21 - 1,
      2 ** 21,
      2 ** 32 - 1,
    ]) {
      const bytes = new Writer(8).writeUnsignedVarint(value).writeInt8(7).toBuffer()
      const reader = new Reader(bytes)
      assert.equal(reader.readUnsignedVarint('f'), value)
      assert.equal(reader.offset, bytes.length - 1, `position after ${value}`)
      assert.equal(reader.readInt8('f'), 7)
    }
  })

  it('fails when a two-byte encoding is cut by the end of a narrowed reader', () => {
    const bytes = new Writer(8).writeInt8(1).writeUnsignedVarint(300).toBuffer()
    const outer = new Reader(bytes)
    outer.readInt8('f')
    const narrowed = outer.narrow(1, 'f')
    assert.throws(() => narrowed.readUnsignedVarint('len'), { message: /needs 1 bytes, 0 remain/ })
  })
})
