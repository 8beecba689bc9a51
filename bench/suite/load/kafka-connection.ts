// A pipelined Kafka connection for the load clients: whole request frames go out as they are given,
// and responses are matched to requests in order. Kafka answers the requests of one connection in the
// order they arrived, so a FIFO of waiters is enough and the correlation id can stay the same in a
// frame that is sent many times (pre-encoded frames are reused without patching).
//
// A response frame that arrives in one socket chunk is handed out as a view (no copy); one that spans
// chunks is joined once, when its last byte has arrived. Every wait is bounded by the caller's deadline
// or by `close()`, which fails what is still pending.
import { connect, type Socket } from 'node:net'
import { apiCodecs } from '../../../src/protocol/generated/api-codecs.ts'
import type { ApiKey, ApiMessages } from '../../../src/protocol/generated/index.ts'
import {
  encodeRequestHeaderV1,
  encodeRequestHeaderV2,
} from '../../../src/protocol/generated/request-header.ts'
import {
  decodeResponseHeaderV0,
  decodeResponseHeaderV1,
} from '../../../src/protocol/generated/response-header.ts'
import { requestHeaderVersion, responseHeaderVersion } from '../../../src/protocol/headers.ts'
import { Reader } from '../../../src/protocol/reader.ts'
import { Writer } from '../../../src/protocol/writer.ts'

const connectTimeoutMs = 10_000
const sizePrefixBytes = 4
/** Frames at least this large are joined into the connection's reused buffer (see #join). */
const reusedJoinBytesMin = 1024 * 1024

/** Largest response frame accepted (a Fetch with max_bytes 64 MiB fits with room). */
const responseBytesMax = 256 * 1024 * 1024

export type RequestOf<K extends ApiKey> = ApiMessages[K]['request']
export type ResponseOf<K extends ApiKey> = ApiMessages[K]['response']

interface Waiter {
  resolve(frame: Buffer): void
  reject(error: Error): void
}

/** A whole request frame (size prefix, header, body) built with the generated codecs. */
export function encodeRequestFrame<K extends ApiKey>(
  apiKey: K,
  apiVersion: number,
  body: RequestOf<K>,
  correlationId = 1,
): Buffer {
  const encode = apiCodecs[apiKey].request.encoders[apiVersion]
  if (encode === undefined) throw new RangeError(`API ${apiKey} v${apiVersion} has no encoder`)
  const writer = new Writer()
  writer.writeInt32(0) // size prefix, patched below
  const header = { requestApiKey: apiKey, requestApiVersion: apiVersion, correlationId, clientId: 'sl-bench' }
  if (requestHeaderVersion(apiKey, apiVersion) === 2) encodeRequestHeaderV2(writer, header)
  else encodeRequestHeaderV1(writer, header)
  encode(writer, body)
  const frame = writer.toBuffer()
  frame.writeInt32BE(frame.length - sizePrefixBytes, 0)
  return frame
}

/** Decodes a response frame (correlation id first, size prefix already removed). */
export function decodeResponseFrame<K extends ApiKey>(
  apiKey: K,
  apiVersion: number,
  frame: Buffer,
): ResponseOf<K> {
  const decode = apiCodecs[apiKey].response.decoders[apiVersion]
  if (decode === undefined) throw new RangeError(`API ${apiKey} v${apiVersion} has no decoder`)
  const reader = new Reader(frame)
  if (responseHeaderVersion(apiKey, apiVersion) === 1) decodeResponseHeaderV1(reader)
  else decodeResponseHeaderV0(reader)
  return decode(reader) as ResponseOf<K>
}

export class KafkaConnection {
  readonly #socket: Socket
  readonly #waiters: Waiter[] = []
  #waiterHead = 0
  #chunks: Buffer[] = []
  #buffered = 0
  /** Reused for joining large frames (see #join). */
  #joined: Buffer = Buffer.alloc(0)
  #closedError: Error | null = null

  private constructor(socket: Socket) {
    this.#socket = socket
    socket.on('data', (chunk: Buffer) => this.#onData(chunk))
    socket.on('error', (error) => this.#fail(error))
    socket.on('close', () => this.#fail(new Error('connection closed')))
  }

  static open(host: string, port: number): Promise<KafkaConnection> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host, port, noDelay: true })
      const timer = setTimeout(() => {
        socket.destroy()
        reject(new Error(`connect to ${host}:${port}: no answer within ${connectTimeoutMs} ms`))
      }, connectTimeoutMs)
      socket.once('error', (error) => {
        clearTimeout(timer)
        reject(error)
      })
      socket.once('connect', () => {
        clearTimeout(timer)
        socket.removeAllListeners('error')
        resolve(new KafkaConnection(socket))
      })
    })
  }

  /** Requests sent and not answered yet. */
  get inflight(): number {
    return this.#waiters.length - this.#waiterHead
  }

  /**
   * Sends a whole frame, given as one buffer or as chunks (one writev: a pre-encoded frame whose record
   * batch is shared between requests); resolves with the response frame (correlation id first).
   */
  send(frame: Buffer | readonly Buffer[]): Promise<Buffer> {
    if (this.#closedError !== null) return Promise.reject(this.#closedError)
    return new Promise((resolve, reject) => {
      this.#waiters.push({ resolve, reject })
      this.#write(frame)
    })
  }

  /** Sends a frame the broker does not answer (Produce with acks=0); resolves once the socket took it. */
  sendWithoutResponse(frame: Buffer | readonly Buffer[]): Promise<void> {
    if (this.#closedError !== null) return Promise.reject(this.#closedError)
    return new Promise((resolve, reject) => {
      this.#write(frame, (error) => (error ? reject(error) : resolve()))
    })
  }

  #write(frame: Buffer | readonly Buffer[], done?: (error?: Error | null) => void): void {
    if (Buffer.isBuffer(frame)) {
      this.#socket.write(frame, done)
      return
    }
    this.#socket.cork()
    for (let index = 0; index < frame.length; index++) {
      this.#socket.write(frame[index], index === frame.length - 1 ? done : undefined)
    }
    this.#socket.uncork()
  }

  /** Encodes, sends and decodes one request with the generated codecs. */
  async request<K extends ApiKey>(apiKey: K, apiVersion: number, body: RequestOf<K>): Promise<ResponseOf<K>> {
    const frame = await this.send(encodeRequestFrame(apiKey, apiVersion, body))
    return decodeResponseFrame(apiKey, apiVersion, frame)
  }

  close(): void {
    this.#socket.destroy()
    this.#fail(new Error('connection closed by the client'))
  }

  #onData(chunk: Buffer): void {
    this.#chunks.push(chunk)
    this.#buffered += chunk.length
    for (;;) {
      if (this.#buffered < sizePrefixBytes) return
      if (this.#chunks[0].length < sizePrefixBytes) this.#join()
      const size = this.#chunks[0].readInt32BE(0)
      if (size < 0 || size > responseBytesMax) {
        this.#socket.destroy()
        this.#fail(new Error(`response frame of ${size} bytes (limit ${responseBytesMax})`))
        return
      }
      const total = sizePrefixBytes + size
      if (this.#buffered < total) return
      if (this.#chunks[0].length < total) this.#join()
      const first = this.#chunks[0]
      const frame = first.subarray(sizePrefixBytes, total)
      if (first.length === total) this.#chunks.shift()
      else this.#chunks[0] = first.subarray(total)
      this.#buffered -= total
      this.#deliver(frame)
    }
  }

  /** Joins the buffered chunks into one (only when a prefix or a frame spans chunks). */
  #join(): void {
    // A large frame (a catch-up Fetch response: tens of MiB) is joined into one buffer kept for the
    // connection, not a fresh one: faulting in 64 MiB of new pages per response cost more than the
    // copy. Only with one request in flight: then the frame is consumed (walked) before another
    // response can arrive and overwrite it.
    if (this.#buffered >= reusedJoinBytesMin && this.inflight === 1) {
      if (this.#joined.length < this.#buffered) this.#joined = Buffer.allocUnsafeSlow(this.#buffered)
      let offset = 0
      // Buffer#copy is memmove: the first chunk may itself be a view of #joined (a frame's leftover).
      for (const chunk of this.#chunks) offset += chunk.copy(this.#joined, offset)
      this.#chunks = [this.#joined.subarray(0, this.#buffered)]
      return
    }
    this.#chunks = [Buffer.concat(this.#chunks, this.#buffered)]
  }

  #deliver(frame: Buffer): void {
    if (this.#waiterHead >= this.#waiters.length) {
      this.#socket.destroy()
      this.#fail(new Error('a response arrived with no request waiting for it'))
      return
    }
    const waiter = this.#waiters[this.#waiterHead++]
    // Compact the FIFO now and then instead of shifting on every response.
    if (this.#waiterHead > 1024 && this.#waiterHead * 2 > this.#waiters.length) {
      this.#waiters.splice(0, this.#waiterHead)
      this.#waiterHead = 0
    }
    waiter.resolve(frame)
  }

  #fail(error: Error): void {
    if (this.#closedError === null) this.#closedError = error
    const waiters = this.#waiters.splice(this.#waiterHead)
    this.#waiters.length = 0
    this.#waiterHead = 0
    for (const waiter of waiters) waiter.reject(error)
  }
}
