// The protobuf wire format, as far as OTLP metrics need it: a reader that walks the fields of one
// message (varint, fixed64, length-delimited, fixed32) and fails on anything that does not fit the
// bytes it was given, and the few writers the forwarder uses to add resource attributes. Hand-written
// rather than protobufjs: the payload comes from clients, so every length is checked against what
// remains before it is sliced, and a malformed payload is one typed error, never a crash.

import { KafkaError } from '../errors.ts'
import { ErrorCode } from '../protocol/generated/index.ts'

export const WireType = { varint: 0, fixed64: 1, lengthDelimited: 2, fixed32: 5 } as const

/** A protobuf payload that does not decode: the client's metrics are refused with INVALID_RECORD. */
export function malformed(detail: string): KafkaError {
  return new KafkaError(ErrorCode.INVALID_RECORD, `Malformed OTLP metrics payload: ${detail}`)
}

export interface ProtobufField {
  fieldNumber: number
  wireType: number
  /** varint / fixed values as bigint; length-delimited as the bytes (a view, not a copy). */
  value: bigint | Buffer
}

/** The fields of one message, in order. Throws `malformed` on truncation or a group wire type. */
export function* fieldsOf(message: Buffer): Generator<ProtobufField> {
  let offset = 0
  while (offset < message.length) {
    const key = readVarint(message, offset)
    offset = key.next
    const fieldNumber = Number(key.value >> 3n)
    const wireType = Number(key.value & 7n)
    if (fieldNumber === 0) throw malformed(`field number 0 at byte ${offset}`)
    switch (wireType) {
      case WireType.varint: {
        const varint = readVarint(message, offset)
        offset = varint.next
        yield { fieldNumber, wireType, value: varint.value }
        break
      }
      case WireType.fixed64:
        need(message, offset, 8)
        yield { fieldNumber, wireType, value: message.readBigUInt64LE(offset) }
        offset += 8
        break
      case WireType.fixed32:
        need(message, offset, 4)
        yield { fieldNumber, wireType, value: BigInt(message.readUInt32LE(offset)) }
        offset += 4
        break
      case WireType.lengthDelimited: {
        const length = readVarint(message, offset)
        offset = length.next
        if (length.value > BigInt(message.length - offset)) {
          throw malformed(
            `field ${fieldNumber} claims ${length.value} bytes, ${message.length - offset} remain`,
          )
        }
        const end = offset + Number(length.value)
        yield { fieldNumber, wireType, value: message.subarray(offset, end) }
        offset = end
        break
      }
      default:
        throw malformed(`unsupported wire type ${wireType} for field ${fieldNumber}`)
    }
  }
}

function need(message: Buffer, offset: number, bytes: number): void {
  if (offset + bytes > message.length) throw malformed(`truncated at byte ${offset}`)
}

function readVarint(message: Buffer, start: number): { value: bigint; next: number } {
  let value = 0n
  let shift = 0n
  for (let offset = start; offset < message.length && shift < 70n; offset += 1) {
    const byte = message[offset]
    value |= BigInt(byte & 0x7f) << shift
    if ((byte & 0x80) === 0) return { value: BigInt.asUintN(64, value), next: offset + 1 }
    shift += 7n
  }
  throw malformed(`bad varint at byte ${start}`)
}

/** A length-delimited field's bytes, or `malformed` when the field has another wire type. */
export function bytesOf(field: ProtobufField): Buffer {
  if (!(field.value instanceof Buffer)) throw malformed(`field ${field.fieldNumber} is not length-delimited`)
  return field.value
}

export function numberOf(field: ProtobufField): bigint {
  const value = field.value
  if (typeof value !== 'bigint') throw malformed(`field ${field.fieldNumber} is not a number`)
  return value
}

export function stringOf(field: ProtobufField): string {
  return bytesOf(field).toString('utf8')
}

/** A fixed64 field read as an IEEE double. */
export function doubleOf(field: ProtobufField): number {
  if (field.wireType !== WireType.fixed64) throw malformed(`field ${field.fieldNumber} is not a double`)
  const bytes = Buffer.alloc(8)
  bytes.writeBigUInt64LE(numberOf(field))
  return bytes.readDoubleLE(0)
}

// --- writing (the forwarder's added attributes) ---

function varint(value: number): Buffer {
  const bytes: number[] = []
  let rest = value
  while (rest > 0x7f) {
    bytes.push((rest & 0x7f) | 0x80)
    rest = Math.floor(rest / 128)
  }
  bytes.push(rest)
  return Buffer.from(bytes)
}

/** A length-delimited field: key, length, bytes. */
export function lengthDelimited(fieldNumber: number, payload: Buffer): Buffer {
  return Buffer.concat([
    varint((fieldNumber << 3) | WireType.lengthDelimited),
    varint(payload.length),
    payload,
  ])
}
