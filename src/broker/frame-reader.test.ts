// Goal: framing survives any split of the byte stream and refuses bad size prefixes cheaply.
// Method: a stream of frames is fed split at every offset; oversized and negative prefixes throw
// typed errors before the body arrives.

import assert from 'node:assert/strict'
import { it } from 'node:test'
import { DecodeError, FrameTooLargeError } from '../errors.ts'
import { FrameReader } from './frame-reader.ts'

function frame(body: string): Buffer {
  const bytes = Buffer.from(body)
  const prefix = Buffer.alloc(4)
  prefix.writeInt32BE(bytes.length)
  return Buffer.concat([prefix, bytes])
}

it('yields the same frames whatever the split', () => {
  const stream = Buffer.concat([frame('first'), frame(''), frame('third frame, longer')])
  for (let cut = 0; cut <= stream.length; cut++) {
    for (let secondCut = cut; secondCut <= stream.length; secondCut += 3) {
      const reader = new FrameReader(1024)
      const frames = [
        ...reader.push(stream.subarray(0, cut)),
        ...reader.push(stream.subarray(cut, secondCut)),
        ...reader.push(stream.subarray(secondCut)),
      ]
      assert.deepEqual(
        frames.map((bytes) => bytes.toString()),
        ['first', '', 'third frame, longer'],
        `cut at ${cut}/${secondCut}`,
      )
      assert.equal(reader.pendingBytes, 0)
    }
  }
})

it('refuses a size prefix above the limit before the body arrives', () => {
  const reader = new FrameReader(100)
  const prefix = Buffer.alloc(4)
  prefix.writeInt32BE(0x7fffffff)
  assert.throws(
    () => reader.push(prefix),
    (error: unknown) => error instanceof FrameTooLargeError,
  )
})

it('refuses a negative size prefix', () => {
  const reader = new FrameReader(100)
  assert.throws(
    () => reader.push(Buffer.from([0xff, 0xff, 0xff, 0xfe])),
    (error: unknown) => error instanceof DecodeError,
  )
})
