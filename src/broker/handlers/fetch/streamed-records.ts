// A partition's records in a Fetch response as deferred bytes (protocol/deferred-bytes.ts): the log
// slice is read in chunks into pooled buffers and each chunk is written to the socket as soon as it is
// read, the next reads already running while the socket sends (the overlap Kafka gets from sendfile).
// A pooled buffer goes back to the pool when the socket is done with it, so a catch-up read allocates
// nothing per Fetch. If the file yields fewer bytes than the slice promised (it cannot while the
// segment is retained, but a disk may fail), the response cannot be completed: writeTo rejects and
// the connection closes, as Kafka closes a connection whose sendfile failed.

import type { ByteSink, DeferredBytes } from '../../../protocol/deferred-bytes.ts'
import type { LogSlice } from '../../../storage/types.ts'

/** Bytes read and written at a time. */
export const streamChunkBytes = 1024 * 1024
/** Reads running ahead of the socket per stream. */
const readsAhead = 2
/** Buffers the pool keeps for reuse (more are allocated when many streams run at once). */
const pooledBuffersMax = 16

const pool: Buffer[] = []

function takeBuffer(): Buffer {
  return pool.pop() ?? Buffer.allocUnsafeSlow(streamChunkBytes)
}

function giveBack(buffer: Buffer): void {
  if (pool.length < pooledBuffersMax) pool.push(buffer)
}

/** Buffers waiting in the pool (tests: every buffer comes back). */
export function pooledBufferCount(): number {
  return pool.length
}

export class ShortSliceReadError extends Error {
  override readonly name = 'ShortSliceReadError'
}

interface ChunkRead {
  buffer: Buffer
  expected: number
  bytesRead: number
  error?: unknown
}

export class StreamedRecords implements DeferredBytes {
  readonly length: number
  readonly #slice: LogSlice

  constructor(slice: LogSlice) {
    this.#slice = slice
    this.length = slice.length
  }

  /** Reads started and not yet written, in order. */
  readonly #reads: Promise<ChunkRead>[] = []
  #readAt = 0
  #discarded = false

  #startRead(): void {
    const at = this.#readAt
    const expected = Math.min(streamChunkBytes, this.length - at)
    this.#readAt += expected
    const buffer = takeBuffer()
    // Settles, never rejects: an abandoned read must not become an unhandled rejection.
    this.#reads.push(
      this.#slice.readInto(buffer, at, expected).then(
        (bytesRead) => ({ buffer, expected, bytesRead }),
        (error: unknown) => ({ buffer, expected, bytesRead: 0, error }),
      ),
    )
  }

  prefetch(): void {
    if (!this.#discarded && this.#reads.length === 0 && this.#readAt === 0) this.#startRead()
  }

  async writeTo(sink: ByteSink): Promise<void> {
    const reads = this.#reads
    const startRead = (): void => this.#startRead()
    try {
      while (reads.length < readsAhead && this.#readAt < this.length) startRead()
      while (reads.length > 0) {
        const chunk = await (reads.shift() as Promise<ChunkRead>)
        if (chunk.error !== undefined || chunk.bytesRead !== chunk.expected) {
          giveBack(chunk.buffer)
          throw (
            chunk.error ??
            new ShortSliceReadError(`log slice gave ${chunk.bytesRead} of ${chunk.expected} bytes`)
          )
        }
        if (this.#readAt < this.length) startRead()
        try {
          await sink.ready()
        } catch (error) {
          giveBack(chunk.buffer)
          throw error
        }
        sink.write(chunk.buffer.subarray(0, chunk.expected), () => giveBack(chunk.buffer))
      }
    } finally {
      await this.#settleAndRelease()
    }
  }

  discard(): void {
    if (this.#discarded) return
    this.#discarded = true
    void this.#settleAndRelease()
  }

  /** Reads still running write into pooled buffers: those go back, and the slice ends, once settled. */
  async #settleAndRelease(): Promise<void> {
    this.#discarded = true
    const running = this.#reads.splice(0)
    for (const chunk of await Promise.all(running)) giveBack(chunk.buffer)
    this.#slice.release()
  }
}
