// The hot reads without node:http. At 5,000 requests/s node:http's per-request objects (IncomingMessage,
// ServerResponse, their streams' state, header objects, timers) were most of the registry's CPU and ~9 KB
// of garbage per request, a young-generation GC every ~1,700 requests. The registry's port (plain HTTP,
// without basic auth) therefore reads each connection's bytes itself first: a request that is a hot read
// (`GET /schemas/ids/{id}` with no query and no body, or a lookup `POST /subjects/{s}` with a
// Content-Length body), in the plain shape every HTTP/1.1 client sends, is answered here with one write
// of ready-made bytes (app.ts `answerHot`: the kept answer, or the route's). The first request that is
// anything else (another route, HEAD, HTTP/1.0, `Connection: close`, `Expect`, chunked bodies, a head
// over 8 KiB, any header line it does not read plainly, garbage) hands the connection to node:http:
// its bytes not yet answered are put back (`unshift`) and node:http's own connection listener takes the
// socket, which it then serves for the rest of its life, with node:http's parsing, errors and timeouts.
// So nothing here decides an error answer: a request is either plainly a hot read or node:http's.
// Answers keep node:http's order and headers (content-type, content-length, Date, Connection,
// Keep-Alive), one request at a time per connection (pipelined requests wait their turn).

import type { Server } from 'node:http'
import { STATUS_CODES } from 'node:http'
import type { Socket } from 'node:net'
import type { RegistryAnswer } from './app.ts'
import { responseContentType } from './http-io.ts'

/**
 * Answers a hot read: a kept answer at once, or the answer later; null for a request that is not one
 * (app.ts `answerHot`, or a build of the app first).
 */
export type HotReads = (
  method: string,
  url: string,
  body: { text: string; contentType: string | undefined } | undefined,
) => RegistryAnswer | Promise<RegistryAnswer | null> | null

/** A head longer than this goes to node:http (which refuses heads over its 16 KiB with 431). */
const headBytesMax = 8 * 1024
/** A lookup body longer than this goes to node:http (a schema that large is no hot read). */
const bodyBytesMax = 64 * 1024
/**
 * How long a request may stay incomplete here before its connection goes to node:http, whose header
 * and request timeouts then apply (a client trickling a head in byte by byte).
 */
const incompleteRequestMs = 5_000
/** Bytes received and not answered yet beyond which a connection is closed (see `onData`). */
const pendingBytesMax = 1024 * 1024
const crlf = Buffer.from('\r\n')
const crlfcrlf = Buffer.from('\r\n\r\n')
const getPrefix = Buffer.from('GET ')
const postPrefix = Buffer.from('POST ')
const versionSuffix = Buffer.from(' HTTP/1.1')
const names = {
  contentLength: Buffer.from('content-length'),
  contentType: Buffer.from('content-type'),
  host: Buffer.from('host'),
  connection: Buffer.from('connection'),
  transferEncoding: Buffer.from('transfer-encoding'),
  expect: Buffer.from('expect'),
  upgrade: Buffer.from('upgrade'),
}
const keepAlive = Buffer.from('keep-alive')
/** No bytes pending (shared: a request answered whole leaves nothing to keep). */
const nothing = Buffer.alloc(0)

/** A request read from the front of a connection's bytes. */
interface HotRequest {
  method: string
  url: string
  body: { text: string; contentType: string | undefined } | undefined
  /** Bytes of the request (head and body). */
  length: number
}

/** True when bytes[start, end) are `expected` (lower-case ASCII letters and '-'), in any case. */
function equalsIgnoringCase(bytes: Buffer, start: number, end: number, expected: Buffer): boolean {
  if (end - start !== expected.length) return false
  for (let index = 0; index < expected.length; index++)
    if ((bytes[start + index] | 0x20) !== expected[index]) return false
  return true
}

/**
 * True when `expected` is at `bytes[start]`. Compared in place: a subarray per comparison was three
 * Buffer objects of garbage per request (~190 bytes), at 5,000 requests/s a share of the scavenges.
 */
function startsAt(bytes: Buffer, start: number, expected: Buffer): boolean {
  if (bytes.length < start + expected.length) return false
  for (let index = 0; index < expected.length; index++)
    if (bytes[start + index] !== expected[index]) return false
  return true
}

/** RFC 9110 token characters (a header name's), by byte. */
const tokenBytes = new Uint8Array(256)
for (const character of "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
  tokenBytes[character.charCodeAt(0)] = 1

/**
 * The request at the front of `bytes`: 'incomplete' (wait for more), 'other' (node:http's: not a hot
 * read's plain shape, or malformed), or the request. Reads the bytes in place (a request's only
 * strings are its URL, content type and body).
 */
export function readHotRequest(bytes: Buffer): HotRequest | 'incomplete' | 'other' {
  const headEnd = bytes.indexOf(crlfcrlf)
  if (headEnd < 0) return bytes.length > headBytesMax ? 'other' : 'incomplete'
  if (headEnd > headBytesMax) return 'other'
  // The request line: GET or POST, an origin-form target of visible ASCII, HTTP/1.1.
  const lineEnd = bytes.indexOf(crlf)
  const method = startsAt(bytes, 0, getPrefix) ? 'GET' : startsAt(bytes, 0, postPrefix) ? 'POST' : null
  if (method === null) return 'other'
  const urlStart = method.length + 1
  const urlEnd = lineEnd - versionSuffix.length
  if (urlEnd <= urlStart || bytes[urlStart] !== 0x2f) return 'other'
  if (!startsAt(bytes, urlEnd, versionSuffix)) return 'other'
  for (let index = urlStart; index < urlEnd; index++)
    if (bytes[index] < 0x21 || bytes[index] > 0x7e) return 'other'
  let contentLength = -1
  let contentType: string | undefined
  let host = false
  for (let start = lineEnd + 2; start < headEnd + 2; ) {
    const end = bytes.indexOf(crlf, start)
    let colon = start
    while (colon < end && bytes[colon] !== 0x3a) {
      if (tokenBytes[bytes[colon]] !== 1) return 'other'
      colon++
    }
    if (colon === start || colon === end) return 'other'
    // The value without its surrounding spaces and tabs; no control characters in it.
    let valueStart = colon + 1
    let valueEnd = end
    while (valueStart < valueEnd && (bytes[valueStart] === 0x20 || bytes[valueStart] === 0x09)) valueStart++
    while (valueEnd > valueStart && (bytes[valueEnd - 1] === 0x20 || bytes[valueEnd - 1] === 0x09)) valueEnd--
    for (let index = valueStart; index < valueEnd; index++) {
      const byte = bytes[index]
      if ((byte < 0x20 && byte !== 0x09) || byte === 0x7f) return 'other'
    }
    if (equalsIgnoringCase(bytes, start, colon, names.contentLength)) {
      if (contentLength >= 0 || valueEnd === valueStart || valueEnd - valueStart > 7) return 'other'
      contentLength = 0
      for (let index = valueStart; index < valueEnd; index++) {
        const digit = bytes[index] - 0x30
        if (digit < 0 || digit > 9) return 'other'
        contentLength = contentLength * 10 + digit
      }
    } else if (equalsIgnoringCase(bytes, start, colon, names.contentType)) {
      if (contentType !== undefined) return 'other'
      contentType = bytes.toString('latin1', valueStart, valueEnd)
    } else if (equalsIgnoringCase(bytes, start, colon, names.host)) {
      if (host) return 'other'
      host = true
    } else if (equalsIgnoringCase(bytes, start, colon, names.connection)) {
      if (!equalsIgnoringCase(bytes, valueStart, valueEnd, keepAlive)) return 'other'
    } else if (
      equalsIgnoringCase(bytes, start, colon, names.transferEncoding) ||
      equalsIgnoringCase(bytes, start, colon, names.expect) ||
      equalsIgnoringCase(bytes, start, colon, names.upgrade)
    )
      return 'other'
    start = end + 2
  }
  // node:http refuses an HTTP/1.1 request without Host (400); it decides that answer.
  if (!host) return 'other'
  const url = bytes.toString('latin1', urlStart, urlEnd)
  const bodyStart = headEnd + crlfcrlf.length
  if (method === 'GET') {
    if (contentLength > 0) return 'other'
    return { method, url, body: undefined, length: bodyStart }
  }
  if (contentLength < 0 || contentLength > bodyBytesMax) return 'other'
  const length = bodyStart + contentLength
  if (bytes.length < length) return 'incomplete'
  return { method, url, body: { text: bytes.toString('utf8', bodyStart, length), contentType }, length }
}

/** `Date:` as node:http writes it (with the rest of the head after it), built once a second. */
let dateSecond = -1
let dateBytes = Buffer.alloc(0)
function dateAndRest(keepAliveSeconds: number): Buffer {
  const second = Math.floor(Date.now() / 1000)
  if (second !== dateSecond) {
    dateSecond = second
    const date = new Date(second * 1000).toUTCString()
    dateBytes = Buffer.from(
      `\r\nDate: ${date}\r\nConnection: keep-alive\r\nKeep-Alive: timeout=${keepAliveSeconds}\r\n\r\n`,
    )
  }
  return dateBytes
}

/** Status line, content type and the name of the length header, per status. */
const headStarts = new Map<number, Buffer>()
function headStart(status: number): Buffer {
  let start = headStarts.get(status)
  if (start === undefined) {
    start = Buffer.from(
      `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Unknown'}\r\ncontent-type: ${responseContentType}\r\ncontent-length: `,
    )
    headStarts.set(status, start)
  }
  return start
}

function digitsOf(value: number): number {
  let digits = 1
  for (let above = 10; above <= value; above *= 10) digits++
  return digits
}

/** The whole answer in one buffer (one write): node:http's status line and headers, then the body. */
export function answerBytes(status: number, body: string | Buffer, keepAliveSeconds: number): Buffer {
  const bodyLength = typeof body === 'string' ? Buffer.byteLength(body) : body.length
  const start = headStart(status)
  const rest = dateAndRest(keepAliveSeconds)
  const digits = digitsOf(bodyLength)
  const bytes = Buffer.allocUnsafe(start.length + digits + rest.length + bodyLength)
  let at = start.copy(bytes, 0)
  for (let index = digits - 1, value = bodyLength; index >= 0; index--, value = Math.floor(value / 10))
    bytes[at + index] = 0x30 + (value % 10)
  at += digits
  at += rest.copy(bytes, at)
  if (typeof body === 'string') bytes.write(body, at, 'utf8')
  else body.copy(bytes, at)
  return bytes
}

/**
 * Takes the connections of a node:http server: each is read here until its first request that is not
 * a hot read, then given to node:http's own connection listener.
 */
export class FastPath {
  private readonly connections = new Set<FastConnection>()
  private readonly httpListeners: ((socket: Socket) => void)[]

  constructor(
    private readonly server: Server,
    private readonly hotReads: HotReads,
    /** False while every request must go through node:http (basic auth required). */
    private readonly enabled: () => boolean,
    private readonly keepAliveMs: number,
  ) {
    this.httpListeners = server.listeners('connection') as ((socket: Socket) => void)[]
    server.removeAllListeners('connection')
    server.on('connection', (socket: Socket) => this.accept(socket))
  }

  /** Connections still read here (not yet given to node:http). */
  get size(): number {
    return this.connections.size
  }

  /** Gives `socket` (and `pending`, its bytes not answered) to node:http. */
  handOver(socket: Socket, pending: Buffer): void {
    if (pending.length > 0) socket.unshift(pending)
    for (const listener of this.httpListeners) listener.call(this.server, socket)
  }

  closeAll(): void {
    for (const connection of this.connections) connection.destroy()
    this.connections.clear()
  }

  private accept(socket: Socket): void {
    if (!this.enabled()) {
      this.handOver(socket, Buffer.alloc(0))
      return
    }
    const connection = new FastConnection(socket, this.hotReads, this.keepAliveMs, {
      handOver: (pending) => {
        this.connections.delete(connection)
        this.handOver(socket, pending)
      },
      closed: () => this.connections.delete(connection),
    })
    this.connections.add(connection)
  }
}

class FastConnection {
  private pending: Buffer = nothing
  /** A hot read's answer is being built; requests behind it wait. */
  private answering = false
  /** Set while the request at the front is incomplete (see `incompleteRequestMs`). */
  private incompleteTimer: NodeJS.Timeout | null = null
  private ended = false
  private done = false
  private readonly onData = (chunk: Buffer): void => {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk])
    // Requests piling up behind an answer not yet built or sent (a client pipelining without reading).
    if (this.pending.length > pendingBytesMax) this.destroy()
    else this.serve()
  }
  private readonly onEnd = (): void => {
    this.ended = true
    this.serve()
  }
  private readonly onTimeout = (): void => {
    // Idle past the keep-alive timeout: closed, as node:http closes it. A request still incomplete
    // goes to node:http, whose header and request timeouts then apply.
    if (this.pending.length > 0 && !this.answering) this.handOver()
    else this.destroy()
  }
  private readonly onClose = (): void => {
    this.finish(false)
    this.events.closed()
  }
  private readonly onDrain = (): void => this.serve()

  constructor(
    private readonly socket: Socket,
    private readonly hotReads: HotReads,
    private readonly keepAliveMs: number,
    private readonly events: { handOver(pending: Buffer): void; closed(): void },
  ) {
    socket.on('data', this.onData)
    socket.on('end', this.onEnd)
    socket.on('close', this.onClose)
    socket.on('drain', this.onDrain)
    socket.on('error', this.onClose)
    socket.on('timeout', this.onTimeout)
    socket.setTimeout(keepAliveMs)
  }

  destroy(): void {
    this.finish(false)
    this.socket.destroy()
  }

  /** Ends the connection once the answers written are sent. */
  private end(): void {
    this.finish(false)
    this.socket.end()
  }

  /** Answers the complete hot reads at the front, in order, until one is pending or not a hot read. */
  private serve(): void {
    while (!this.done && !this.answering && !this.socket.writableNeedDrain) {
      if (this.pending.length === 0) {
        if (this.ended) this.end()
        return
      }
      const request = readHotRequest(this.pending)
      if (request === 'incomplete') {
        if (this.ended) this.end()
        // A request trickling in goes to node:http after a while: its header timeout then applies.
        else this.incompleteTimer ??= setTimeout(() => this.handOver(), incompleteRequestMs).unref()
        return
      }
      this.clearIncompleteTimer()
      const answer = request === 'other' ? null : this.hotReads(request.method, request.url, request.body)
      if (request === 'other' || answer === null) {
        this.handOver()
        return
      }
      if (!(answer instanceof Promise)) {
        this.send(request, answer)
        continue
      }
      this.answering = true
      answer.then(
        (built) => {
          this.answering = false
          if (this.done) return
          if (built === null) {
            this.handOver()
            return
          }
          this.send(request, built)
          this.serve()
        },
        () => {
          // The registry could not be built: node:http's path answers (and retries the build).
          this.answering = false
          if (!this.done) this.handOver()
        },
      )
      return
    }
  }

  private send(request: HotRequest, answer: RegistryAnswer): void {
    this.pending = request.length === this.pending.length ? nothing : this.pending.subarray(request.length)
    this.socket.write(answerBytes(answer.status, answer.body, Math.floor(this.keepAliveMs / 1000)))
  }

  private handOver(): void {
    if (this.done) return
    if (this.ended) {
      // The peer finished sending and its end was read here: node:http cannot be given bytes back
      // after the end; the answers so far are sent and the connection closed.
      this.end()
      return
    }
    this.finish(true)
    this.socket.setTimeout(0)
    this.events.handOver(this.pending)
    this.pending = nothing
  }

  private clearIncompleteTimer(): void {
    if (this.incompleteTimer === null) return
    clearTimeout(this.incompleteTimer)
    this.incompleteTimer = null
  }

  /** Stops reading here: the listeners removed (node:http adds its own on a hand-over). */
  private finish(handingOver: boolean): void {
    if (this.done) return
    this.done = true
    this.clearIncompleteTimer()
    this.socket.off('data', this.onData)
    this.socket.off('end', this.onEnd)
    this.socket.off('close', this.onClose)
    this.socket.off('drain', this.onDrain)
    this.socket.off('error', this.onClose)
    this.socket.off('timeout', this.onTimeout)
    // A socket closed here may still report an error (a reset while its last answer is sent).
    if (!handingOver) this.socket.on('error', ignore)
  }
}

const ignore = (): void => {}
