// Goal: streamed records write exactly the slice's bytes in order, in chunks, and give every pooled
// buffer back and release the slice once; a slice that yields fewer bytes than it promised (a failing
// disk) or a sink that goes away makes writeTo reject, still releasing everything.
// Method: an in-memory LogSlice over a known buffer (optionally cut short) and a sink that collects
// what it is given; the socket side is covered by test/broker/fetch-streamed.test.ts.

import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { it } from 'node:test'
import type { ByteSink } from '../../../protocol/deferred-bytes.ts'
import type { LogSlice } from '../../../storage/types.ts'
import { pooledBufferCount, StreamedRecords, streamChunkBytes } from './streamed-records.ts'

function sliceOver(bytes: Buffer, options: { available?: number } = {}) {
  const available = options.available ?? bytes.length
  const state = { releases: 0 }
  const slice: LogSlice = {
    length: bytes.length,
    recordCount: 1,
    async readInto(buffer, at, length) {
      const end = Math.min(at + length, available)
      if (end <= at) return 0
      bytes.copy(buffer, 0, at, end)
      return end - at
    },
    release() {
      state.releases += 1
    },
  }
  return { slice, state }
}

function collectingSink(options: { failAfter?: number } = {}) {
  const chunks: Buffer[] = []
  const sink: ByteSink = {
    write(chunk, done) {
      chunks.push(Buffer.from(chunk))
      setImmediate(done)
    },
    async ready() {
      if (options.failAfter !== undefined && chunks.length >= options.failAfter)
        throw new Error('connection closed')
    },
  }
  return { sink, chunks }
}

it('writes the slice in order, in pooled chunks, and releases it once', async () => {
  const bytes = randomBytes(2 * streamChunkBytes + 12345)
  const { slice, state } = sliceOver(bytes)
  const { sink, chunks } = collectingSink()
  const records = new StreamedRecords(slice)
  assert.equal(records.length, bytes.length)
  await records.writeTo(sink)
  assert.equal(chunks.length, 3)
  assert.ok(Buffer.concat(chunks).equals(bytes))
  await new Promise((resolve) => setImmediate(resolve))
  assert.equal(state.releases, 1)
  assert.ok(pooledBufferCount() >= 3, 'the buffers went back to the pool')
  records.discard()
  assert.equal(state.releases, 1, 'discard after writeTo releases nothing twice')
})

it('rejects a short slice and still releases it', async () => {
  const bytes = randomBytes(streamChunkBytes + 500)
  const { slice, state } = sliceOver(bytes, { available: streamChunkBytes + 100 })
  const { sink, chunks } = collectingSink()
  await assert.rejects(new StreamedRecords(slice).writeTo(sink), /gave 100 of 500 bytes/)
  assert.equal(chunks.length, 1, 'only the whole first chunk went out')
  assert.equal(state.releases, 1)
})

it('rejects when the sink goes away, releasing the slice; a prefetched then discarded slice is released', async () => {
  const bytes = randomBytes(3 * streamChunkBytes)
  const { slice, state } = sliceOver(bytes)
  const { sink } = collectingSink({ failAfter: 1 })
  await assert.rejects(new StreamedRecords(slice).writeTo(sink), /connection closed/)
  assert.equal(state.releases, 1)
  const other = sliceOver(bytes)
  const prefetched = new StreamedRecords(other.slice)
  prefetched.prefetch()
  prefetched.discard()
  await new Promise((resolve) => setImmediate(resolve))
  assert.equal(other.state.releases, 1)
})
