// The three kinds of error in Streamline (see docs/errors.md):
// 1. Kafka outcomes: an ErrorCode carried in a response. A lower layer may throw KafkaError when a whole
//    operation fails; the handler or router turns it into the response at the right level.
// 2. Operating errors: DecodeError / FrameTooLargeError close one connection; StorageError fails one
//    partition's write with KAFKA_STORAGE_ERROR; ConfigError refuses to start.
// 3. Programmer errors: node:assert on invariants.
// Every class is branded with Symbol.for('streamline.error') so `instanceof` works across copies of the
// module (the undici pattern).

const brand = Symbol.for('streamline.error')

/** Stable codes, documented in docs/errors.md. */
export type StreamlineErrorCode =
  | 'SL_ERR_KAFKA'
  | 'SL_ERR_DECODE'
  | 'SL_ERR_ENCODE'
  | 'SL_ERR_FRAME_TOO_LARGE'
  | 'SL_ERR_STORAGE'
  | 'SL_ERR_CORRUPT_LOG'
  | 'SL_ERR_CONFIG'
  | 'SL_ERR_AUTHENTICATION'
  | 'SL_ERR_SQL'
  | 'SL_ERR_CLI'

export interface StreamlineErrorOptions {
  /** The Kafka protocol error code this error maps to, when it reaches a client. */
  errorCode?: number
  cause?: unknown
}

export class StreamlineError extends Error {
  readonly code: StreamlineErrorCode
  readonly errorCode: number | undefined
  readonly [brand] = true

  constructor(code: StreamlineErrorCode, message: string, options: StreamlineErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.name = new.target.name
    this.code = code
    this.errorCode = options.errorCode
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    // Subclasses that define no check of their own (class InvalidRecordsError extends KafkaError)
    // use the prototype chain; the branded checks below work across copies of this module.
    if (this !== StreamlineError) return Function.prototype[Symbol.hasInstance].call(this, value)
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[brand] === true
  }
}

/** A Kafka outcome for a whole operation, e.g. NOT_COORDINATOR. `errorCode` is always set. */
export class KafkaError extends StreamlineError {
  declare readonly errorCode: number
  constructor(errorCode: number, detail: string, options: { cause?: unknown } = {}) {
    super('SL_ERR_KAFKA', detail, { errorCode, cause: options.cause })
  }
  static override [Symbol.hasInstance](value: unknown): boolean {
    if (this !== KafkaError) return Function.prototype[Symbol.hasInstance].call(this, value)
    return StreamlineError[Symbol.hasInstance](value) && (value as StreamlineError).code === 'SL_ERR_KAFKA'
  }
}

/** Bytes that do not decode: says where (byte offset) and what (field path). Closes the connection. */
export class DecodeError extends StreamlineError {
  readonly offset: number
  readonly fieldPath: string
  constructor(message: string, offset: number, fieldPath: string) {
    super('SL_ERR_DECODE', `${message} at byte ${offset}${fieldPath ? ` (${fieldPath})` : ''}`)
    this.offset = offset
    this.fieldPath = fieldPath
  }
  static override [Symbol.hasInstance](value: unknown): boolean {
    if (this !== DecodeError) return Function.prototype[Symbol.hasInstance].call(this, value)
    return StreamlineError[Symbol.hasInstance](value) && (value as StreamlineError).code === 'SL_ERR_DECODE'
  }
}

/** A value that cannot be encoded in the requested version (e.g. a non-ignorable field). */
export class EncodeError extends StreamlineError {
  constructor(message: string) {
    super('SL_ERR_ENCODE', message)
  }
  static override [Symbol.hasInstance](value: unknown): boolean {
    if (this !== EncodeError) return Function.prototype[Symbol.hasInstance].call(this, value)
    return StreamlineError[Symbol.hasInstance](value) && (value as StreamlineError).code === 'SL_ERR_ENCODE'
  }
}

/** A size prefix above the configured limit: the connection is closed before anything is allocated. */
export class FrameTooLargeError extends StreamlineError {
  readonly size: number
  readonly limit: number
  constructor(size: number, limit: number) {
    super('SL_ERR_FRAME_TOO_LARGE', `frame of ${size} bytes exceeds the limit of ${limit} bytes`)
    this.size = size
    this.limit = limit
  }
  static override [Symbol.hasInstance](value: unknown): boolean {
    if (this !== FrameTooLargeError) return Function.prototype[Symbol.hasInstance].call(this, value)
    return (
      StreamlineError[Symbol.hasInstance](value) &&
      (value as StreamlineError).code === 'SL_ERR_FRAME_TOO_LARGE'
    )
  }
}

/** An I/O failure of the log; reaches clients as KAFKA_STORAGE_ERROR (56). The errno error is the cause. */
export class StorageError extends StreamlineError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super('SL_ERR_STORAGE', message, { errorCode: 56, cause: options.cause })
  }
  static override [Symbol.hasInstance](value: unknown): boolean {
    if (this !== StorageError) return Function.prototype[Symbol.hasInstance].call(this, value)
    return StreamlineError[Symbol.hasInstance](value) && (value as StreamlineError).code === 'SL_ERR_STORAGE'
  }
}

/** An invalid configuration value: start-up stops and names the key path. */
export class ConfigError extends StreamlineError {
  readonly key: string
  constructor(key: string, message: string) {
    super('SL_ERR_CONFIG', `${key}: ${message}`)
    this.key = key
  }
  static override [Symbol.hasInstance](value: unknown): boolean {
    if (this !== ConfigError) return Function.prototype[Symbol.hasInstance].call(this, value)
    return StreamlineError[Symbol.hasInstance](value) && (value as StreamlineError).code === 'SL_ERR_CONFIG'
  }
}

/** A client that failed SASL authentication or sent other requests before it: closes that connection. */
export class AuthenticationError extends StreamlineError {
  constructor(message: string) {
    super('SL_ERR_AUTHENTICATION', message, { errorCode: 58 })
  }
  static override [Symbol.hasInstance](value: unknown): boolean {
    if (this !== AuthenticationError) return Function.prototype[Symbol.hasInstance].call(this, value)
    return (
      StreamlineError[Symbol.hasInstance](value) &&
      (value as StreamlineError).code === 'SL_ERR_AUTHENTICATION'
    )
  }
}
