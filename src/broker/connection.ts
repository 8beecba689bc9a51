// One client connection: frames in, responses out strictly in request order (clients match
// responses by position as well as correlation id). Requests are handled concurrently; a response
// that is ready early waits for those before it. A frame that cannot be read, or a request that
// fails, closes this connection only. Reading pauses while too many requests are in flight, while
// the connection holds too many bytes (requests unanswered, responses the client has not read), and
// while the client is throttled by a quota (KIP-219: the connection is muted for the throttle time).

import type { Socket } from 'node:net'
import type { BrokerLimits } from '../config/limits.ts'
import { FrameTooLargeError, StreamlineError } from '../errors.ts'
import type { Logger } from '../log.ts'
import { type ByteSink, deferredSourceOf, discardDeferred } from '../protocol/deferred-bytes.ts'
import { FrameReader } from './frame-reader.ts'
import type { ConnectionInfo, ResponseChunks, Router } from './router.ts'

/** While streaming deferred bytes (a Fetch's records), more are read only below this many bytes queued
 * in the socket: enough to keep the kernel's send buffer full, little enough to bound memory. */
const streamQueuedBytesMax = 2 * 1024 * 1024

interface PendingResponse {
  /** undefined while the request is being handled; null when it gets no response. */
  chunks: ResponseChunks | null | undefined
}

export class Connection {
  private readonly socket: Socket
  private readonly router: Router
  private readonly limits: BrokerLimits
  private readonly log: Logger
  private readonly frames: FrameReader
  private readonly pending: PendingResponse[] = []
  private closed = false
  /** A response with deferred bytes is being streamed: the responses after it wait. */
  private streaming = false
  /** The socket as deferred bytes see it (streamed Fetch records). */
  private readonly sink: ByteSink = {
    write: (chunk, done) => {
      this.socket.write(chunk, () => done())
    },
    ready: () => this.socketReady(),
  }
  /** Frame bytes of the requests read and not yet answered (connectionBufferedBytesMax). */
  private pendingRequestBytes = 0
  /** Quota throttling: nothing is read before this time. */
  private mutedUntilMs = 0
  private unmuteTimer: NodeJS.Timeout | undefined
  readonly clientAddress: string
  /** What the router learns about this connection: address, authentication state, listener services. */
  private readonly info: ConnectionInfo

  constructor(
    socket: Socket,
    router: Router,
    limits: BrokerLimits,
    log: Logger,
    listenerInfo: Omit<ConnectionInfo, 'clientAddress'> = {},
  ) {
    this.socket = socket
    this.router = router
    this.limits = limits
    this.clientAddress = `${socket.remoteAddress}:${socket.remotePort}`
    this.log = log.child({ client: this.clientAddress })
    this.info = {
      ...listenerInfo,
      clientAddress: this.clientAddress,
      mute: (throttleMs) => this.mute(throttleMs),
    }
    this.frames = new FrameReader(limits.requestBytesMax)
    socket.setNoDelay(true)
    socket.setTimeout(limits.connectionsMaxIdleMs)
    socket.on('data', (chunk: Buffer) => this.onData(chunk))
    socket.on('timeout', () => this.close('idle for connections.max.idle.ms'))
    socket.on('error', (error) => this.close(`socket error: ${error.message}`))
    socket.on('close', () => {
      this.closed = true
      this.discardPending()
      this.info.session?.dispose()
    })
    socket.on('drain', () => this.resumeIfRoom())
    // SASL listeners: a connection that does not authenticate in time is closed (src/security/session.ts).
    this.info.session?.watchAuthentication((reason) => this.close(reason))
  }

  private onData(chunk: Buffer): void {
    if (this.closed) return
    let frames: Buffer[]
    try {
      // Before SASL authentication frames are bounded like Kafka's sasl.server.max.receive.size.
      this.frames.frameBytesMax =
        this.info.session?.frameBytesMax(this.limits.requestBytesMax) ?? this.limits.requestBytesMax
      frames = this.frames.push(chunk)
    } catch (error) {
      this.closeOnError(error, 'unreadable frame')
      return
    }
    for (const frame of frames) this.startRequest(frame)
  }

  private startRequest(frame: Buffer): void {
    const slot: PendingResponse = { chunks: undefined }
    this.pending.push(slot)
    this.pendingRequestBytes += frame.length
    if (!this.hasRoom()) this.socket.pause()
    this.router.route(frame, this.info).then(
      (chunks) => {
        this.pendingRequestBytes -= frame.length
        slot.chunks = chunks
        this.flush()
      },
      (error: unknown) => this.closeOnError(error, 'request failed', frame),
    )
  }

  /** Writes every response at the head of the queue that is ready, in order. */
  private flush(): void {
    if (this.streaming) return // the stream's end flushes again
    // Corked: every chunk of every ready response leaves in one writev, not one syscall per chunk
    // (a response is a header and a body at least; with setNoDelay each write would be a packet).
    this.socket.cork()
    try {
      while (this.pending.length > 0 && this.pending[0].chunks !== undefined) {
        const head = this.pending.shift() as PendingResponse
        if (head.chunks === null || head.chunks === undefined) continue
        if (this.closed) {
          discardDeferred(head.chunks)
          continue
        }
        if (head.chunks.some((chunk) => deferredSourceOf(chunk) !== undefined)) {
          this.stream(head.chunks)
          return
        }
        for (const chunk of head.chunks) this.socket.write(chunk)
        if (head.chunks.closeAfter === true) {
          this.endAfterResponse()
          return
        }
      }
    } finally {
      if (this.socket.writableCorked > 0) this.socket.uncork()
    }
    this.resumeIfRoom()
  }

  /** A failed SASL step: its own response is the last (the router marks it). */
  private endAfterResponse(): void {
    this.closed = true
    this.discardPending()
    if (this.socket.writableCorked > 0) this.socket.uncork()
    this.socket.end(() => this.socket.destroy())
  }

  /** Writes a response with deferred bytes (a Fetch's records streamed from the log); the responses
   * after it wait until it is written. A stream that fails closes the connection: the client has a
   * response head whose bytes cannot all come. */
  private stream(chunks: ResponseChunks): void {
    this.streaming = true
    this.writeStreamed(chunks).then(
      () => {
        this.streaming = false
        if (chunks.closeAfter === true) this.endAfterResponse()
        else this.flush()
      },
      (error: unknown) => {
        this.streaming = false
        // A client that went away mid-response is no failure worth a log line.
        if (!this.closed && !this.socket.destroyed) this.closeOnError(error, 'streaming a response failed')
        else this.discardPending()
      },
    )
  }

  private async writeStreamed(chunks: ResponseChunks): Promise<void> {
    for (let index = 0; index < chunks.length; index += 1) {
      const source = deferredSourceOf(chunks[index])
      if (source === undefined) {
        this.socket.write(chunks[index])
        continue
      }
      try {
        if (this.socket.writableCorked > 0) this.socket.uncork()
        // The next partition's first read runs while this one is sent (many small partitions).
        const next = chunks.slice(index + 1).find((chunk) => deferredSourceOf(chunk) !== undefined)
        if (next !== undefined) deferredSourceOf(next)?.prefetch?.()
        await source.writeTo(this.sink)
      } catch (error) {
        discardDeferred(chunks.slice(index + 1))
        throw error
      }
    }
  }

  /** Resolves when the socket can take more streamed bytes; rejects once the connection is gone. */
  private socketReady(): Promise<void> {
    if (this.closed || this.socket.destroyed) return Promise.reject(new Error('connection closed'))
    if (this.socket.writableLength < streamQueuedBytesMax) return Promise.resolve()
    return new Promise<void>((resolve, reject) => {
      const onDrain = (): void => {
        this.socket.off('close', onClose)
        resolve()
      }
      const onClose = (): void => {
        this.socket.off('drain', onDrain)
        reject(new Error('connection closed'))
      }
      this.socket.once('drain', onDrain)
      this.socket.once('close', onClose)
    })
  }

  /** Frees the deferred bytes of responses that will not be written now. */
  private discardPending(): void {
    for (const slot of this.pending) if (slot.chunks) discardDeferred(slot.chunks)
  }

  /** Whether another request may be read: not throttled, few enough in flight, few enough bytes held. */
  private hasRoom(): boolean {
    return (
      Date.now() >= this.mutedUntilMs &&
      !this.socket.writableNeedDrain &&
      this.pending.length < this.limits.inflightRequestsPerConnectionMax &&
      this.pendingRequestBytes + this.socket.writableLength < this.limits.connectionBufferedBytesMax
    )
  }

  /** Reads again once few enough requests are in flight and the client is reading its responses. */
  private resumeIfRoom(): void {
    if (this.closed) return
    if (!this.hasRoom()) {
      this.socket.pause()
      return
    }
    this.socket.resume()
  }

  /** KIP-219: a client over its quota is not read from until its throttle time has passed. */
  private mute(throttleMs: number): void {
    const untilMs = Date.now() + throttleMs
    if (this.closed || untilMs <= this.mutedUntilMs) return
    this.mutedUntilMs = untilMs
    this.socket.pause()
    clearTimeout(this.unmuteTimer)
    this.unmuteTimer = setTimeout(() => {
      this.unmuteTimer = undefined
      this.mutedUntilMs = 0 // timers and Date.now() may disagree by a millisecond
      this.resumeIfRoom()
    }, throttleMs)
  }

  private closeOnError(error: unknown, what: string, frame?: Buffer): void {
    const expected = error instanceof StreamlineError
    const details: Record<string, unknown> = { err: error }
    if (frame !== undefined && frame.length >= 4) {
      details.apiKey = frame.readInt16BE(0)
      details.apiVersion = frame.readInt16BE(2)
    }
    if (error instanceof FrameTooLargeError) details.frameBytes = error.size
    // Bad input is the client's fault (warn); anything else is ours (error).
    if (expected) this.log.warn(details, `${what}; closing connection`)
    else this.log.error(details, `${what}; closing connection`)
    this.close(what)
  }

  close(reason: string): void {
    if (this.closed) return
    this.closed = true
    clearTimeout(this.unmuteTimer)
    this.log.debug({ reason }, 'connection closed')
    this.discardPending()
    this.socket.destroy()
  }
}
