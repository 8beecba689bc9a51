// Writer: the byte-level encoder primitives used by the generated codecs and the record code.
// Small values go into a growing scratch buffer; large byte fields (record batches in a Fetch
// response) are kept as separate chunks so they are never copied: `toChunks()` hands the list to
// `socket.write`/`writev`, `toBuffer()` joins them when one buffer is wanted.

import { EncodeError } from '../errors.ts'
import { deferredSourceOf } from './deferred-bytes.ts'

/** Byte fields at least this large are referenced, not copied. */
const chunkReferenceBytesMin = 4096
const initialScratchBytes = 256

export class Writer {
  private chunks: Buffer[] = []
  private scratch: Buffer
  private position = 0
  private flushedBytes = 0

  // Scratch buffers are not zeroed: only the bytes written (0..position) ever leave (toChunks' subarray),
  // and zeroing a batch-sized scratch cost as much as encoding into it (streamline-cli produce --file).
  constructor(initialBytes = initialScratchBytes) {
    this.scratch = Buffer.allocUnsafe(initialBytes)
  }

  /** Total bytes written so far. */
  get length(): number {
    return this.flushedBytes + this.position
  }

  private ensure(bytes: number): void {
    if (this.position + bytes <= this.scratch.length) return
    const grown = Buffer.allocUnsafe(Math.max(this.scratch.length * 2, this.position + bytes))
    this.scratch.copy(grown, 0, 0, this.position)
    this.scratch = grown
  }

  writeInt8(value: number): this {
    this.ensure(1)
    this.scratch.writeInt8(value, this.position)
    this.position += 1
    return this
  }

  writeBool(value: boolean): this {
    return this.writeInt8(value ? 1 : 0)
  }

  writeInt16(value: number): this {
    this.ensure(2)
    this.scratch.writeInt16BE(value, this.position)
    this.position += 2
    return this
  }

  writeUInt16(value: number): this {
    this.ensure(2)
    this.scratch.writeUInt16BE(value, this.position)
    this.position += 2
    return this
  }

  writeInt32(value: number): this {
    this.ensure(4)
    this.scratch.writeInt32BE(value, this.position)
    this.position += 4
    return this
  }

  writeUInt32(value: number): this {
    this.ensure(4)
    this.scratch.writeUInt32BE(value, this.position)
    this.position += 4
    return this
  }

  writeInt64(value: bigint): this {
    this.ensure(8)
    this.scratch.writeBigInt64BE(value, this.position)
    this.position += 8
    return this
  }

  writeFloat64(value: number): this {
    this.ensure(8)
    this.scratch.writeDoubleBE(value, this.position)
    this.position += 8
    return this
  }

  /** A UUID in canonical hex form (dashes optional) as 16 bytes. */
  writeUuid(value: string): this {
    const hex = value.replaceAll('-', '')
    if (!/^[0-9a-fA-F]{32}$/.test(hex)) throw new EncodeError(`invalid uuid ${JSON.stringify(value)}`)
    this.ensure(16)
    this.scratch.write(hex, this.position, 'hex')
    this.position += 16
    return this
  }

  writeUnsignedVarint(value: number): this {
    if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) {
      throw new EncodeError(`unsigned varint out of range: ${value}`)
    }
    this.ensure(5)
    let remaining = value
    while (remaining >= 0x80) {
      this.scratch[this.position++] = (remaining % 0x80) | 0x80
      remaining = Math.floor(remaining / 0x80)
    }
    this.scratch[this.position++] = remaining
    return this
  }

  writeVarint(value: number): this {
    return this.writeUnsignedVarint(value >= 0 ? value * 2 : -value * 2 - 1)
  }

  writeVarlong(value: bigint): this {
    let raw = BigInt.asUintN(64, (value << 1n) ^ (value >> 63n))
    this.ensure(10)
    while (raw >= 0x80n) {
      this.scratch[this.position++] = Number(raw & 0x7fn) | 0x80
      raw >>= 7n
    }
    this.scratch[this.position++] = Number(raw)
    return this
  }

  /** A zigzag varlong from a number: the same bytes as writeVarlong for |value| <= 2^51, without
   * BigInt arithmetic (record timestamp deltas, millions per second on a producer's hot path). */
  writeVarlongNumber(value: number): this {
    if (!Number.isSafeInteger(value) || Math.abs(value) > 2 ** 51) {
      throw new EncodeError(`varlong out of the number range: ${value}`)
    }
    this.ensure(8)
    let remaining = value >= 0 ? value * 2 : -value * 2 - 1
    while (remaining >= 0x80) {
      this.scratch[this.position++] = (remaining % 0x80) | 0x80
      remaining = Math.floor(remaining / 0x80)
    }
    this.scratch[this.position++] = remaining
    return this
  }

  /** Raw bytes, no length prefix. Large buffers are referenced, not copied. */
  writeRawBytes(bytes: Buffer): this {
    // A deferred field's stand-in (deferred-bytes.ts) is always a chunk of its own, whatever its length.
    if (bytes.length >= chunkReferenceBytesMin || deferredSourceOf(bytes) !== undefined) {
      this.flushScratch()
      this.chunks.push(bytes)
      this.flushedBytes += bytes.length
      return this
    }
    this.ensure(bytes.length)
    // TypedArray#set: a plain memcpy; Buffer#copy builds a view per call (it showed in profiles of
    // 1 KiB values).
    this.scratch.set(bytes, this.position)
    this.position += bytes.length
    return this
  }

  private writeUtf8(value: string, length: number): void {
    this.ensure(length)
    this.scratch.write(value, this.position, length, 'utf8')
    this.position += length
  }

  writeString(value: string): this {
    const length = Buffer.byteLength(value, 'utf8')
    if (length > 0x7fff) throw new EncodeError(`string of ${length} bytes exceeds 32767`)
    this.writeInt16(length)
    this.writeUtf8(value, length)
    return this
  }

  writeNullableString(value: string | null): this {
    if (value === null) return this.writeInt16(-1)
    return this.writeString(value)
  }

  writeCompactString(value: string): this {
    const length = Buffer.byteLength(value, 'utf8')
    this.writeUnsignedVarint(length + 1)
    this.writeUtf8(value, length)
    return this
  }

  writeCompactNullableString(value: string | null): this {
    if (value === null) return this.writeUnsignedVarint(0)
    return this.writeCompactString(value)
  }

  writeBytes(value: Buffer): this {
    this.writeInt32(value.length)
    return this.writeRawBytes(value)
  }

  writeNullableBytes(value: Buffer | null): this {
    if (value === null) return this.writeInt32(-1)
    return this.writeBytes(value)
  }

  writeCompactBytes(value: Buffer): this {
    this.writeUnsignedVarint(value.length + 1)
    return this.writeRawBytes(value)
  }

  writeCompactNullableBytes(value: Buffer | null): this {
    if (value === null) return this.writeUnsignedVarint(0)
    return this.writeCompactBytes(value)
  }

  writeArrayLength(length: number | null): this {
    return this.writeInt32(length === null ? -1 : length)
  }

  writeCompactArrayLength(length: number | null): this {
    return this.writeUnsignedVarint(length === null ? 0 : length + 1)
  }

  /** Overwrites an int32 already written at absolute position `at` (used for size prefixes). */
  patchInt32(at: number, value: number): void {
    const relative = at - this.flushedBytes
    if (relative < 0 || relative + 4 > this.position) throw new EncodeError(`cannot patch int32 at ${at}`)
    this.scratch.writeInt32BE(value, relative)
  }

  private flushScratch(): void {
    if (this.position === 0) return
    this.chunks.push(this.scratch.subarray(0, this.position))
    this.flushedBytes += this.position
    // Writing goes on in the scratch's unused tail (disjoint from the chunk just pushed): no new buffer
    // for a presized writer (a producer's batch left ~20 KiB of one allocated at each end).
    const tailBytes = this.scratch.length - this.position
    this.scratch =
      tailBytes >= initialScratchBytes
        ? this.scratch.subarray(this.position)
        : Buffer.allocUnsafe(initialScratchBytes)
    this.position = 0
  }

  /** The encoded bytes as a list of chunks (no copy of large byte fields). */
  toChunks(): Buffer[] {
    this.flushScratch()
    return this.chunks
  }

  /** The encoded bytes as one buffer. */
  toBuffer(): Buffer {
    const chunks = this.toChunks()
    if (chunks.some((chunk) => deferredSourceOf(chunk) !== undefined))
      throw new EncodeError('a deferred byte field cannot be joined into one buffer')
    return chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, this.flushedBytes)
  }
}
