// One client connection: frames in, responses out strictly in request order (clients match
// responses by position as well as correlation id). Requests are handled concurrently; a response
// that is ready early waits for those before it. A frame that cannot be read, or a request that
// fails, closes this connection only. Reading pauses while too many requests are in flight.

import type { Socket } from 'node:net'
import type { BrokerLimits } from '../config/limits.ts'
import { FrameTooLargeError, StreamlineError } from '../errors.ts'
import type { Logger } from '../log.ts'
import { FrameReader } from './frame-reader.ts'
import type { ConnectionInfo, ResponseChunks, Router } from './router.ts'

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
    this.info = { ...listenerInfo, clientAddress: this.clientAddress }
    this.frames = new FrameReader(limits.requestBytesMax)
    socket.setNoDelay(true)
    socket.setTimeout(limits.connectionsMaxIdleMs)
    socket.on('data', (chunk: Buffer) => this.onData(chunk))
    socket.on('timeout', () => this.close('idle for connections.max.idle.ms'))
    socket.on('error', (error) => this.close(`socket error: ${error.message}`))
    socket.on('close', () => {
      this.closed = true
    })
    socket.on('drain', () => this.resumeIfRoom())
  }

  private onData(chunk: Buffer): void {
    if (this.closed) return
    let frames: Buffer[]
    try {
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
    if (this.pending.length >= this.limits.inflightRequestsPerConnectionMax) this.socket.pause()
    this.router.route(frame, this.info).then(
      (chunks) => {
        slot.chunks = chunks
        this.flush()
      },
      (error: unknown) => this.closeOnError(error, 'request failed', frame),
    )
  }

  /** Writes every response at the head of the queue that is ready, in order. */
  private flush(): void {
    // Corked: every chunk of every ready response leaves in one writev, not one syscall per chunk
    // (a response is a header and a body at least; with setNoDelay each write would be a packet).
    this.socket.cork()
    try {
      while (this.pending.length > 0 && this.pending[0].chunks !== undefined) {
        const head = this.pending.shift() as PendingResponse
        if (this.closed || head.chunks === null || head.chunks === undefined) continue
        for (const chunk of head.chunks) this.socket.write(chunk)
        // A failed SASL authentication: its response is the last (src/security/session.ts).
        if (this.info.session?.closeAfterResponse === true) {
          this.closed = true
          this.socket.uncork()
          this.socket.end(() => this.socket.destroy())
          return
        }
      }
    } finally {
      if (this.socket.writableCorked > 0) this.socket.uncork()
    }
    this.resumeIfRoom()
  }

  /** Reads again once few enough requests are in flight and the client is reading its responses. */
  private resumeIfRoom(): void {
    if (this.closed) return
    if (
      this.socket.writableNeedDrain ||
      this.pending.length >= this.limits.inflightRequestsPerConnectionMax
    ) {
      this.socket.pause()
      return
    }
    this.socket.resume()
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
    this.log.debug({ reason }, 'connection closed')
    this.socket.destroy()
  }
}
