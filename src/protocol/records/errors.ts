// Errors of the record-format library. Every malformed batch, message set or compressed payload
// becomes a CorruptRecordError: a KafkaError carrying CORRUPT_MESSAGE (2), which is what a Java broker
// answers for a batch that fails its checks. `reason` says which check failed, so callers and tests
// branch on a stable value, never on the message text.

import { DecodeError, KafkaError } from '../../errors.ts'
import { ErrorCode } from '../generated/error-codes.ts'

/** Kafka's CORRUPT_MESSAGE error code (also spelled CORRUPT_RECORD in the Java client). */
export const corruptMessageErrorCode = ErrorCode.CORRUPT_MESSAGE
/** Kafka's UNSUPPORTED_COMPRESSION_TYPE error code (KIP-110), for codec ids 5..7. */
export const unsupportedCompressionTypeErrorCode = ErrorCode.UNSUPPORTED_COMPRESSION_TYPE

export type CorruptRecordReason =
  | 'truncated' // fewer bytes than a length or header says
  | 'length' // a length field outside its valid range
  | 'magic' // a magic byte this code does not handle where it must
  | 'crc' // checksum mismatch
  | 'count' // record count inconsistent with the header or the bytes
  | 'offset' // offsets out of range or inconsistent (lastOffsetDelta, wrapper offsets)
  | 'integer-range' // an int64 outside Number's safe-integer range
  | 'attributes' // reserved codec id, or a flag not allowed here
  | 'record' // a record inside the batch does not decode
  | 'compression' // a compressed payload does not decompress
  | 'decompressed-size' // decompression would exceed the named limit (a decompression bomb)

const brand = Symbol.for('streamline.records.corrupt')

export class CorruptRecordError extends KafkaError {
  readonly reason: CorruptRecordReason
  readonly [brand] = true

  constructor(reason: CorruptRecordReason, detail: string, options: { cause?: unknown } = {}) {
    super(corruptMessageErrorCode, detail, options)
    this.reason = reason
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    return KafkaError[Symbol.hasInstance](value) && (value as Record<symbol, unknown>)[brand] === true
  }
}

/**
 * Runs `decode` and turns a DecodeError (a bad varint or length found by Reader) into a
 * CorruptRecordError with reason 'record', keeping the DecodeError (offset, field path) as the cause.
 */
export function asCorruptRecord<T>(context: string, decode: () => T): T {
  try {
    return decode()
  } catch (error) {
    if (error instanceof DecodeError) {
      throw new CorruptRecordError('record', `${context}: ${error.message}`, { cause: error })
    }
    throw error
  }
}
