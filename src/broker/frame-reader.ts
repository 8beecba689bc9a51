// Splits a TCP byte stream into Kafka request frames: a 4-byte big-endian size, then that many
// bytes. The size is checked against the limit before any byte of the body is kept, so a 2 GiB
// prefix costs nothing. Chunks are only joined when a frame spans several of them.

import { DecodeError, FrameTooLargeError } from '../errors.ts'

const sizePrefixBytes = 4

export class FrameReader {
  private chunks: Buffer[] = []
  private bufferedBytes = 0
  /** The largest frame accepted; the connection lowers it until SASL authentication completes. */
  frameBytesMax: number

  constructor(frameBytesMax: number) {
    this.frameBytesMax = frameBytesMax
  }

  /** Bytes received that do not yet form a whole frame. */
  get pendingBytes(): number {
    return this.bufferedBytes
  }

  /** Adds received bytes; returns the frames they complete (without their size prefix). */
  push(chunk: Buffer): Buffer[] {
    this.chunks.push(chunk)
    this.bufferedBytes += chunk.length
    const frames: Buffer[] = []
    while (this.bufferedBytes >= sizePrefixBytes) {
      const size = this.peekSize()
      if (size < 0) throw new DecodeError(`negative frame size ${size}`, 0, 'size')
      if (size > this.frameBytesMax) throw new FrameTooLargeError(size, this.frameBytesMax)
      if (this.bufferedBytes < sizePrefixBytes + size) break
      frames.push(this.take(sizePrefixBytes + size).subarray(sizePrefixBytes))
    }
    return frames
  }

  private peekSize(): number {
    const first = this.chunks[0]
    if (first.length >= sizePrefixBytes) return first.readInt32BE(0)
    return Buffer.concat(this.chunks, this.bufferedBytes).readInt32BE(0)
  }

  private take(bytes: number): Buffer {
    const first = this.chunks[0]
    if (first.length >= bytes) {
      this.chunks[0] = first.subarray(bytes)
      if (this.chunks[0].length === 0) this.chunks.shift()
      this.bufferedBytes -= bytes
      return first.subarray(0, bytes)
    }
    const joined = Buffer.concat(this.chunks, this.bufferedBytes)
    this.chunks = joined.length > bytes ? [joined.subarray(bytes)] : []
    this.bufferedBytes -= bytes
    return joined.subarray(0, bytes)
  }
}
