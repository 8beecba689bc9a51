// Reader: the byte-level decoder primitives used by the generated codecs and the record code.
// Every read checks what remains before touching the buffer, and every length prefix is checked
// against what remains *before* anything is allocated (a 2 GiB prefix on a 10-byte frame is a
// DecodeError, not an allocation). Errors name the byte offset and the field path the caller passed.
// Slices (bytes, records) are views into the frame (no copy): callers that keep them past the
// request's lifetime must copy.

import { DecodeError } from '../errors.ts'

/** A tagged field the decoder did not know; kept so it can be re-encoded (round-trips). */
export interface TaggedField {
  tag: number
  data: Buffer
}

const uuidHex = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

export class Reader {
  readonly buffer: Buffer
  offset: number
  /** The end of the readable region: reads never go past it (tagged fields use narrowed readers). */
  readonly end: number

  constructor(buffer: Buffer, offset = 0, end = buffer.length) {
    this.buffer = buffer
    this.offset = offset
    this.end = end
  }

  get remaining(): number {
    return this.end - this.offset
  }

  fail(message: string, field: string): never {
    throw new DecodeError(message, this.offset, field)
  }

  private need(bytes: number, field: string): void {
    if (bytes > this.end - this.offset) {
      this.fail(`needs ${bytes} bytes, ${this.end - this.offset} remain`, field)
    }
  }

  readInt8(field = ''): number {
    this.need(1, field)
    const value = this.buffer.readInt8(this.offset)
    this.offset += 1
    return value
  }

  readBool(field = ''): boolean {
    return this.readInt8(field) !== 0
  }

  readInt16(field = ''): number {
    this.need(2, field)
    const value = this.buffer.readInt16BE(this.offset)
    this.offset += 2
    return value
  }

  readUInt16(field = ''): number {
    this.need(2, field)
    const value = this.buffer.readUInt16BE(this.offset)
    this.offset += 2
    return value
  }

  readInt32(field = ''): number {
    this.need(4, field)
    const value = this.buffer.readInt32BE(this.offset)
    this.offset += 4
    return value
  }

  readUInt32(field = ''): number {
    this.need(4, field)
    const value = this.buffer.readUInt32BE(this.offset)
    this.offset += 4
    return value
  }

  readInt64(field = ''): bigint {
    this.need(8, field)
    const value = this.buffer.readBigInt64BE(this.offset)
    this.offset += 8
    return value
  }

  readFloat64(field = ''): number {
    this.need(8, field)
    const value = this.buffer.readDoubleBE(this.offset)
    this.offset += 8
    return value
  }

  /** A 16-byte UUID, returned in its canonical lower-case hex form. */
  readUuid(field = ''): string {
    this.need(16, field)
    const hex = this.buffer.toString('hex', this.offset, this.offset + 16)
    this.offset += 16
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
  }

  /** Unsigned LEB128, at most 5 bytes (32 bits), as the protocol's UNSIGNED_VARINT. */
  readUnsignedVarint(field = ''): number {
    // One or two bytes (under 16,384) is nearly every varint inside records (lengths of keys and
    // values, deltas, header counts): answered without the loop and its per-byte checks (a sink task
    // decodes five per record).
    const buffer = this.buffer
    const offset = this.offset
    if (offset < this.end) {
      const first = buffer[offset]
      if (first < 0x80) {
        this.offset = offset + 1
        return first
      }
      if (offset + 1 < this.end) {
        const second = buffer[offset + 1]
        if (second < 0x80) {
          this.offset = offset + 2
          return (first & 0x7f) | (second << 7)
        }
      }
    }
    let value = 0
    for (let shift = 0; shift < 35; shift += 7) {
      this.need(1, field)
      const byte = this.buffer[this.offset++]
      value += (byte & 0x7f) * 2 ** shift
      if ((byte & 0x80) === 0) {
        if (value > 0xffffffff) this.fail('unsigned varint exceeds 32 bits', field)
        return value
      }
    }
    return this.fail('unsigned varint longer than 5 bytes', field)
  }

  /** Zig-zag signed varint (32 bits), as used inside records. */
  readVarint(field = ''): number {
    const raw = this.readUnsignedVarint(field)
    return raw % 2 === 0 ? raw / 2 : -(raw + 1) / 2
  }

  /** Zig-zag signed varlong (64 bits), as used inside records. */
  readVarlong(field = ''): bigint {
    let raw = 0n
    for (let shift = 0n; shift < 70n; shift += 7n) {
      this.need(1, field)
      const byte = this.buffer[this.offset++]
      raw |= BigInt(byte & 0x7f) << shift
      if ((byte & 0x80) === 0) {
        if (raw > 0xffffffffffffffffn) this.fail('varlong exceeds 64 bits', field)
        return (raw >> 1n) ^ -(raw & 1n)
      }
    }
    return this.fail('varlong longer than 10 bytes', field)
  }

  /**
   * readVarlong answered as a number when it is encoded in at most 7 bytes (below 2^49: exact), else
   * as readVarlong's bigint. Records' timestamp deltas are nearly always small: no BigInt per record.
   */
  readVarlongSmall(field = ''): number | bigint {
    const start = this.offset
    let raw = 0
    let scale = 1
    for (let index = 0; index < 7; index++) {
      this.need(1, field)
      const byte = this.buffer[this.offset++]
      raw += (byte & 0x7f) * scale
      if ((byte & 0x80) === 0) return raw % 2 === 0 ? raw / 2 : -(raw + 1) / 2
      scale *= 128
    }
    this.offset = start
    return this.readVarlong(field)
  }

  /** `count` raw bytes as a view into the frame (no copy). */
  readRawBytes(count: number, field = ''): Buffer {
    if (count < 0) this.fail(`negative length ${count}`, field)
    this.need(count, field)
    const slice = this.buffer.subarray(this.offset, this.offset + count)
    this.offset += count
    return slice
  }

  private readUtf8(length: number, field: string): string {
    this.need(length, field)
    const value = this.buffer.toString('utf8', this.offset, this.offset + length)
    this.offset += length
    return value
  }

  readString(field = ''): string {
    const length = this.readInt16(field)
    if (length < 0) this.fail(`null where a string is required (length ${length})`, field)
    return this.readUtf8(length, field)
  }

  readNullableString(field = ''): string | null {
    const length = this.readInt16(field)
    if (length === -1) return null
    if (length < -1) this.fail(`invalid string length ${length}`, field)
    return this.readUtf8(length, field)
  }

  readCompactString(field = ''): string {
    const lengthPlusOne = this.readUnsignedVarint(field)
    if (lengthPlusOne === 0) this.fail('null where a string is required', field)
    return this.readUtf8(lengthPlusOne - 1, field)
  }

  readCompactNullableString(field = ''): string | null {
    const lengthPlusOne = this.readUnsignedVarint(field)
    if (lengthPlusOne === 0) return null
    return this.readUtf8(lengthPlusOne - 1, field)
  }

  readBytes(field = ''): Buffer {
    const length = this.readInt32(field)
    if (length < 0) this.fail(`null where bytes are required (length ${length})`, field)
    return this.readRawBytes(length, field)
  }

  readNullableBytes(field = ''): Buffer | null {
    const length = this.readInt32(field)
    if (length === -1) return null
    if (length < -1) this.fail(`invalid bytes length ${length}`, field)
    return this.readRawBytes(length, field)
  }

  readCompactBytes(field = ''): Buffer {
    const lengthPlusOne = this.readUnsignedVarint(field)
    if (lengthPlusOne === 0) this.fail('null where bytes are required', field)
    return this.readRawBytes(lengthPlusOne - 1, field)
  }

  readCompactNullableBytes(field = ''): Buffer | null {
    const lengthPlusOne = this.readUnsignedVarint(field)
    if (lengthPlusOne === 0) return null
    return this.readRawBytes(lengthPlusOne - 1, field)
  }

  /**
   * An array length (int32, -1 = null). `elementBytesMin` is the smallest encoding of one element:
   * a count that cannot fit in what remains fails before any allocation.
   */
  readArrayLength(elementBytesMin: number, field = ''): number {
    const length = this.readInt32(field)
    if (length < -1) this.fail(`invalid array length ${length}`, field)
    this.checkArrayFits(length, elementBytesMin, field)
    return length
  }

  /** A compact array length (unsigned varint of length + 1, 0 = null). */
  readCompactArrayLength(elementBytesMin: number, field = ''): number {
    const length = this.readUnsignedVarint(field) - 1
    this.checkArrayFits(length, elementBytesMin, field)
    return length
  }

  private checkArrayFits(length: number, elementBytesMin: number, field: string): void {
    // Elements of zero bytes are possible (an empty struct); bound them by the bytes left anyway,
    // since no real message sends more elements than it has bytes.
    if (length > 0 && length * Math.max(elementBytesMin, 1) > this.remaining) {
      this.fail(`array of ${length} elements cannot fit in ${this.remaining} bytes`, field)
    }
  }

  /** A reader over the next `size` bytes, for one tagged field; this reader skips past them. */
  narrow(size: number, field = ''): Reader {
    this.need(size, field)
    const narrowed = new Reader(this.buffer, this.offset, this.offset + size)
    this.offset += size
    return narrowed
  }

  /** Fails unless every byte of this reader was consumed (used for tagged fields and whole bodies). */
  expectEnd(field = ''): void {
    if (this.offset !== this.end) this.fail(`${this.end - this.offset} unexpected trailing bytes`, field)
  }
}

export function isUuid(value: string): boolean {
  return uuidHex.test(value)
}
