// Hand-written Kafka wire bytes for tests that exercise the broker's framing directly
// (pipelining, KIP-511, fuzzing). Deliberately independent of src/protocol: a bug there must not
// be able to hide itself in the test. Only what those tests need: request headers v1/v2, the
// ApiVersions and Metadata request bodies, and decoders for their responses.
import { connect, type Socket } from 'node:net'

export const apiKeyMetadata = 3
export const apiKeyApiVersions = 18
export const errorUnsupportedVersion = 35

// ---------------------------------------------------------------- writing

class ByteWriter {
  readonly #bytes: number[] = []
  int8(value: number): this {
    const buffer = Buffer.alloc(1)
    buffer.writeInt8(value)
    return this.raw(buffer)
  }
  int16(value: number): this {
    const buffer = Buffer.alloc(2)
    buffer.writeInt16BE(value)
    return this.raw(buffer)
  }
  int32(value: number): this {
    const buffer = Buffer.alloc(4)
    buffer.writeInt32BE(value)
    return this.raw(buffer)
  }
  unsignedVarint(value: number): this {
    let rest = value >>> 0
    while (rest >= 0x80) {
      this.#bytes.push((rest & 0x7f) | 0x80)
      rest >>>= 7
    }
    this.#bytes.push(rest)
    return this
  }
  /** int16 length + UTF-8; null as length -1. */
  nullableString(value: string | null): this {
    if (value === null) return this.int16(-1)
    const bytes = Buffer.from(value, 'utf8')
    return this.int16(bytes.length).raw(bytes)
  }
  /** unsigned varint (length + 1) + UTF-8. */
  compactString(value: string): this {
    const bytes = Buffer.from(value, 'utf8')
    return this.unsignedVarint(bytes.length + 1).raw(bytes)
  }
  raw(bytes: Uint8Array): this {
    for (const byte of bytes) this.#bytes.push(byte)
    return this
  }
  toBuffer(): Buffer {
    return Buffer.from(this.#bytes)
  }
}

export interface RequestSpec {
  apiKey: number
  apiVersion: number
  correlationId: number
  clientId?: string | null
  /** Request header v2 (flexible: a tagged-field section after the client id) instead of v1. */
  flexibleHeader: boolean
  body: Buffer
}

/** A complete frame: 4-byte size, request header v1 or v2, body. */
export function encodeRequestFrame(spec: RequestSpec): Buffer {
  const message = new ByteWriter()
    .int16(spec.apiKey)
    .int16(spec.apiVersion)
    .int32(spec.correlationId)
    .nullableString(spec.clientId === undefined ? 'streamline-test' : spec.clientId)
  if (spec.flexibleHeader) message.unsignedVarint(0)
  const bytes = message.raw(spec.body).toBuffer()
  return new ByteWriter().int32(bytes.length).raw(bytes).toBuffer()
}

/** ApiVersions request v0-v3 (v3 is flexible and names the client software). */
export function apiVersionsRequest(apiVersion: number, correlationId: number): Buffer {
  const flexible = apiVersion >= 3
  const body = flexible
    ? new ByteWriter().compactString('streamline-test').compactString('0.0.1').unsignedVarint(0).toBuffer()
    : Buffer.alloc(0)
  return encodeRequestFrame({
    apiKey: apiKeyApiVersions,
    apiVersion,
    correlationId,
    flexibleHeader: flexible,
    body,
  })
}

/** Metadata request v1-v12 asking for no topics (an empty, non-null list). */
export function metadataRequest(apiVersion: number, correlationId: number): Buffer {
  if (apiVersion < 1 || apiVersion > 12) throw new RangeError(`metadata v${apiVersion} not encodable here`)
  const flexible = apiVersion >= 9
  const body = new ByteWriter()
  if (flexible) body.unsignedVarint(1)
  else body.int32(0)
  if (apiVersion >= 4) body.int8(0) // allow_auto_topic_creation
  if (apiVersion >= 8 && apiVersion <= 10) body.int8(0) // include_cluster_authorized_operations
  if (apiVersion >= 8) body.int8(0) // include_topic_authorized_operations
  if (flexible) body.unsignedVarint(0)
  return encodeRequestFrame({
    apiKey: apiKeyMetadata,
    apiVersion,
    correlationId,
    flexibleHeader: flexible,
    body: body.toBuffer(),
  })
}

// ---------------------------------------------------------------- reading

export class ByteReader {
  offset = 0
  constructor(readonly buffer: Buffer) {}
  get remaining(): number {
    return this.buffer.length - this.offset
  }
  #take(length: number, what: string): Buffer {
    if (length < 0 || length > this.remaining) {
      throw new RangeError(`${what}: needs ${length} bytes at offset ${this.offset}, ${this.remaining} left`)
    }
    const slice = this.buffer.subarray(this.offset, this.offset + length)
    this.offset += length
    return slice
  }
  int8(): number {
    return this.#take(1, 'int8').readInt8()
  }
  int16(): number {
    return this.#take(2, 'int16').readInt16BE()
  }
  int32(): number {
    return this.#take(4, 'int32').readInt32BE()
  }
  int64(): bigint {
    return this.#take(8, 'int64').readBigInt64BE()
  }
  unsignedVarint(): number {
    let value = 0
    for (let shift = 0; shift < 35; shift += 7) {
      const byte = this.#take(1, 'varint')[0]
      value += (byte & 0x7f) * 2 ** shift
      if ((byte & 0x80) === 0) return value
    }
    throw new RangeError(`varint longer than 5 bytes at offset ${this.offset}`)
  }
  nullableString(): string | null {
    const length = this.int16()
    return length === -1 ? null : this.#take(length, 'string').toString('utf8')
  }
  compactNullableString(): string | null {
    const lengthPlusOne = this.unsignedVarint()
    return lengthPlusOne === 0 ? null : this.#take(lengthPlusOne - 1, 'compact string').toString('utf8')
  }
  bytes(length: number): Buffer {
    return this.#take(length, 'bytes')
  }
  /** Skips a tagged-field section, returning the tags seen. */
  taggedFields(): number[] {
    const tags: number[] = []
    const count = this.unsignedVarint()
    for (let index = 0; index < count; index++) {
      tags.push(this.unsignedVarint())
      this.#take(this.unsignedVarint(), 'tagged field')
    }
    return tags
  }
}

export interface ApiVersionRange {
  apiKey: number
  minVersion: number
  maxVersion: number
}

export interface ApiVersionsResponse {
  errorCode: number
  apiKeys: ApiVersionRange[]
  throttleTimeMs: number | null
}

/** ApiVersions response body v0-v3 (after the v0 response header); must consume every byte. */
export function decodeApiVersionsResponse(body: Buffer, apiVersion: number): ApiVersionsResponse {
  const reader = new ByteReader(body)
  const flexible = apiVersion >= 3
  const errorCode = reader.int16()
  const count = flexible ? reader.unsignedVarint() - 1 : reader.int32()
  const apiKeys: ApiVersionRange[] = []
  for (let index = 0; index < count; index++) {
    apiKeys.push({ apiKey: reader.int16(), minVersion: reader.int16(), maxVersion: reader.int16() })
    if (flexible) reader.taggedFields()
  }
  const throttleTimeMs = apiVersion >= 1 ? reader.int32() : null
  if (flexible) reader.taggedFields()
  if (reader.remaining !== 0)
    throw new RangeError(`${reader.remaining} bytes left after ApiVersions v${apiVersion}`)
  return { errorCode, apiKeys, throttleTimeMs }
}

export interface MetadataBroker {
  nodeId: number
  host: string | null
  port: number
  rack: string | null
}

export interface MetadataResponse {
  throttleTimeMs: number | null
  brokers: MetadataBroker[]
  clusterId: string | null
  controllerId: number | null
  topicCount: number
  clusterAuthorizedOperations: number | null
}

/**
 * Metadata response body v1-v12 for a request that asked for no topics (so the topic list must be
 * empty; a non-empty one fails the decode). Must consume every byte.
 */
export function decodeMetadataResponse(body: Buffer, apiVersion: number): MetadataResponse {
  const reader = new ByteReader(body)
  const flexible = apiVersion >= 9
  const string = (): string | null => (flexible ? reader.compactNullableString() : reader.nullableString())
  const arrayLength = (): number => (flexible ? reader.unsignedVarint() - 1 : reader.int32())
  const throttleTimeMs = apiVersion >= 3 ? reader.int32() : null
  const brokers: MetadataBroker[] = []
  const brokerCount = arrayLength()
  for (let index = 0; index < brokerCount; index++) {
    const nodeId = reader.int32()
    const host = string()
    const port = reader.int32()
    const rack = apiVersion >= 1 ? string() : null
    if (flexible) reader.taggedFields()
    brokers.push({ nodeId, host, port, rack })
  }
  const clusterId = apiVersion >= 2 ? string() : null
  const controllerId = apiVersion >= 1 ? reader.int32() : null
  const topicCount = arrayLength()
  if (topicCount !== 0) throw new RangeError(`expected no topics, got ${topicCount}`)
  const clusterAuthorizedOperations = apiVersion >= 8 && apiVersion <= 10 ? reader.int32() : null
  if (flexible) reader.taggedFields()
  if (reader.remaining !== 0)
    throw new RangeError(`${reader.remaining} bytes left after Metadata v${apiVersion}`)
  return { throttleTimeMs, brokers, clusterId, controllerId, topicCount, clusterAuthorizedOperations }
}

// ---------------------------------------------------------------- connection

export interface ResponseFrame {
  correlationId: number
  /** Everything after the correlation id (for flexible response headers, the tagged fields too). */
  rest: Buffer
}

/** Splits a byte stream into size-prefixed frames. */
export class FrameSplitter {
  #pending: Buffer = Buffer.alloc(0)
  push(chunk: Buffer): Buffer[] {
    this.#pending = this.#pending.length === 0 ? chunk : Buffer.concat([this.#pending, chunk])
    const frames: Buffer[] = []
    while (this.#pending.length >= 4) {
      const size = this.#pending.readInt32BE(0)
      if (size < 0) throw new RangeError(`negative response size ${size}`)
      if (this.#pending.length < 4 + size) break
      frames.push(this.#pending.subarray(4, 4 + size))
      this.#pending = this.#pending.subarray(4 + size)
    }
    return frames
  }
  get pendingBytes(): number {
    return this.#pending.length
  }
}

/** A raw TCP connection that collects response frames and remembers how it ended. */
export class RawConnection {
  readonly frames: ResponseFrame[] = []
  readonly errors: Error[] = []
  closed = false
  readonly #socket: Socket
  readonly #splitter = new FrameSplitter()
  readonly #waiters = new Set<() => void>()

  private constructor(socket: Socket) {
    this.#socket = socket
    socket.on('data', (chunk: Buffer) => {
      try {
        for (const frame of this.#splitter.push(chunk)) {
          this.frames.push({ correlationId: frame.readInt32BE(0), rest: frame.subarray(4) })
        }
      } catch (error) {
        this.errors.push(error as Error)
        socket.destroy()
      }
      this.#notify()
    })
    socket.on('error', (error) => {
      this.errors.push(error)
    })
    socket.on('close', () => {
      this.closed = true
      this.#notify()
    })
  }

  static open(host: string, port: number, timeoutMs = 10_000): Promise<RawConnection> {
    return new Promise((resolvePromise, reject) => {
      const socket = connect({ host, port, noDelay: true })
      const timer = setTimeout(() => {
        socket.destroy()
        reject(new Error(`connect to ${host}:${port} timed out after ${timeoutMs} ms`))
      }, timeoutMs)
      socket.once('error', (error) => {
        clearTimeout(timer)
        reject(error)
      })
      socket.once('connect', () => {
        clearTimeout(timer)
        socket.removeAllListeners('error')
        resolvePromise(new RawConnection(socket))
      })
    })
  }

  write(bytes: Uint8Array): Promise<void> {
    return new Promise((resolvePromise) => {
      if (this.#socket.destroyed) {
        resolvePromise()
        return
      }
      // A write to a connection the broker has closed may fail; that shows up in `errors`/`closed`.
      this.#socket.write(bytes, () => resolvePromise())
    })
  }

  /** Half-closes: no more bytes from us. */
  end(): void {
    this.#socket.end()
  }

  destroy(): void {
    this.#socket.destroy()
  }

  #notify(): void {
    for (const waiter of this.#waiters) waiter()
  }

  /** Resolves true once `condition()` holds, false after `timeoutMs`. */
  waitFor(condition: () => boolean, timeoutMs: number): Promise<boolean> {
    if (condition()) return Promise.resolve(true)
    return new Promise((resolvePromise) => {
      const check = (): void => {
        if (!condition()) return
        finish(true)
      }
      const finish = (result: boolean): void => {
        clearTimeout(timer)
        this.#waiters.delete(check)
        resolvePromise(result)
      }
      const timer = setTimeout(() => finish(false), timeoutMs)
      this.#waiters.add(check)
    })
  }

  waitForFrames(count: number, timeoutMs: number): Promise<boolean> {
    return this.waitFor(() => this.frames.length >= count || this.closed, timeoutMs).then(
      () => this.frames.length >= count,
    )
  }

  waitForClose(timeoutMs: number): Promise<boolean> {
    return this.waitFor(() => this.closed, timeoutMs)
  }
}
