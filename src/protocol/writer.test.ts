// Goal: Writer's output is exactly the bytes written, in order, whether byte fields are copied into
// the scratch buffer or referenced as chunks (>= 4 KiB), and a chunk handed out is never written into
// afterwards (the writer goes on in the scratch's unused tail after a flush).
// Method: write mixed fields around large referenced chunks and compare with the same bytes built by
// hand; keep the chunks of a first toChunks() and check they are unchanged after more writes.

import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { Writer } from './writer.ts'

describe('Writer', () => {
  it('small fields, large referenced chunks and a patched int32 give exactly the bytes written', () => {
    const large = Buffer.alloc(5000, 7)
    const writer = new Writer(1 << 16)
    writer.writeInt32(0)
    writer.writeInt16(-2)
    // A size is patched while it is still in the scratch buffer (before a chunk is referenced).
    writer.patchInt32(0, 0x01020304)
    writer.writeRawBytes(large)
    writer.writeCompactString('après')
    writer.writeRawBytes(Buffer.from([1, 2, 3]))
    writer.writeRawBytes(large)
    writer.writeVarint(-300)
    const text = Buffer.from('après')
    const expected = Buffer.concat([
      Buffer.from([0, 0, 0, 0, 0xff, 0xfe]),
      large,
      Buffer.from([text.length + 1]),
      text,
      Buffer.from([1, 2, 3]),
      large,
      Buffer.from([0xd7, 0x04]),
    ])
    expected.writeInt32BE(0x01020304, 0)
    assert.deepEqual(writer.toBuffer(), expected)
  })

  it('chunks handed out by toChunks are not written into by later writes', () => {
    const writer = new Writer(4096)
    writer.writeRawBytes(Buffer.alloc(1000, 1))
    const first = writer.toChunks().map((chunk) => Buffer.from(chunk))
    const handedOut = writer.toChunks()[0]
    for (let index = 0; index < 3000; index++) writer.writeInt8(9)
    writer.writeRawBytes(Buffer.alloc(6000, 3))
    assert.deepEqual(handedOut, first[0])
    const all = writer.toBuffer()
    assert.equal(all.length, 1000 + 3000 + 6000)
    assert.deepEqual(
      all,
      Buffer.concat([Buffer.alloc(1000, 1), Buffer.alloc(3000, 9), Buffer.alloc(6000, 3)]),
    )
  })
})
