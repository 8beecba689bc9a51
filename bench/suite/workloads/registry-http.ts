// HTTP plumbing for the registry workload: a pool of keep-alive HTTP/1.1 connections (one request in
// flight on each, as serializers' HTTP clients do; no pipelining), and an open-loop load at a fixed
// offered rate (requests start on schedule whatever the answers do, so a slow answer shows as
// latency, not as a lower rate; latency is measured from the scheduled start, so time queued for a
// free connection counts). A request is never sent before its scheduled time. Node's timers fire on
// whole milliseconds, so a worker thread keeps the schedule: it sleeps in Atomics.wait (a futex with a
// sub-millisecond timeout) until each request is due and then wakes the event loop with a message;
// both threads read the same monotonic clock (process.hrtime). An earlier version sent every request
// due within the next millisecond at once, up to 1 ms early: that hid up to 1 ms of latency and sent
// bursts. The generator runs in its own process (registry-load.ts). Since 2026-12-07 the workload's
// latency phases use the C generator (native/http-open-loop.c, same semantics) and this open loop only
// without a C compiler or with BENCH_REGISTRY_LOAD=node: against a server answering fixed bytes it
// alone made a p99 of 1.3-2 ms at 5,000 req/s here (its GC, a wake per request, 70-90 µs of CPU per
// request beside the server's on 2 cores). The pool also serves the registrations and RSS probes.
//
// The client writes requests and reads answers on raw sockets (node:net) instead of node:http: at
// 5,000 req/s node:http's client cost ~150 µs of CPU per request here, as much as the registry's
// answer, on the same 2 cores, so the generator, not the registry, set the latency. The answers are
// our own registry's (always Content-Length, never chunked); anything else fails the request.
import { connect, type Socket } from 'node:net'
import { Worker } from 'node:worker_threads'
import { type OpenLoopResult, summarizeOpenLoop } from './open-loop-result.ts'

interface PendingRequest {
  bytes: Buffer
  /** The answer's status, or the error that ended the connection first. */
  done(status: number | Error): void
}

const headerEnd = Buffer.from('\r\n\r\n')

/** The bytes of one HTTP/1.1 request to the registry at host:port (a Content-Length, even 0). */
export function httpRequestBytes(
  host: string,
  port: number,
  method: string,
  path: string,
  body?: string,
): Buffer {
  const payload = body === undefined ? null : Buffer.from(body)
  const head =
    `${method} ${path} HTTP/1.1\r\nHost: ${host}:${port}\r\n` +
    'Content-Type: application/vnd.schemaregistry.v1+json\r\n' +
    `Content-Length: ${payload?.length ?? 0}\r\n\r\n`
  return payload === null
    ? Buffer.from(head, 'latin1')
    : Buffer.concat([Buffer.from(head, 'latin1'), payload])
}

/** Milliseconds on the monotonic clock every thread of the process shares. */
const clockMs = (): number => Number(process.hrtime.bigint()) / 1e6

/** The schedule keeper: says it is ready, is sent the schedule's start, then posts request index i when
 * it is due (plain JS: no loader in the worker). The start is set only once the thread runs: a worker
 * takes tens of milliseconds to start, and a schedule started before that began with every request of
 * those milliseconds late (the first 100-200 ms of each phase held most of its answers over 2 ms). */
const tickerSource = `
const { parentPort, workerData } = require('node:worker_threads')
const { intervalMs, total } = workerData
const cell = new Int32Array(new SharedArrayBuffer(4))
parentPort.once('message', (startedMs) => {
  for (let index = 0; index < total; index++) {
    const wait = startedMs + index * intervalMs - Number(process.hrtime.bigint()) / 1e6
    if (wait > 0) Atomics.wait(cell, 0, 0, wait)
    parentPort.postMessage(index)
  }
})
parentPort.postMessage('ready')
`
const connectionsMax = 64

/** One keep-alive connection: one request at a time, answers parsed by Content-Length. */
class Connection {
  private readonly socket: Socket
  private received: Buffer = Buffer.alloc(0)
  private current: PendingRequest | null = null
  closed = false

  constructor(host: string, port: number, onIdle: (connection: Connection) => void, onClosed: () => void) {
    this.socket = connect({ host, port, noDelay: true })
    this.socket.on('data', (chunk: Buffer) => {
      this.received = this.received.length === 0 ? chunk : Buffer.concat([this.received, chunk])
      const status = this.takeAnswer()
      if (status === null || this.current === null) return
      const answered = this.current
      this.current = null
      answered.done(status)
      onIdle(this)
    })
    const fail = (error: Error): void => {
      if (this.closed) return
      this.closed = true
      this.current?.done(error)
      this.current = null
      this.socket.destroy()
      onClosed()
    }
    this.socket.on('error', fail)
    this.socket.on('close', () => fail(new Error('the registry closed the connection')))
  }

  get idle(): boolean {
    return this.current === null && !this.closed
  }

  send(request: PendingRequest): void {
    this.current = request
    this.socket.write(request.bytes)
  }

  /** The status of a complete answer at the front of what was received (consumed), or null. */
  private takeAnswer(): number | null {
    const end = this.received.indexOf(headerEnd)
    if (end < 0) return null
    const head = this.received.toString('latin1', 0, end)
    const length = /\r\ncontent-length: *(\d+)/i.exec(head)
    if (length === null) {
      this.socket.destroy(new Error(`an answer without Content-Length: ${head.slice(0, 200)}`))
      return null
    }
    const total = end + headerEnd.length + Number(length[1])
    if (this.received.length < total) return null
    this.received = this.received.subarray(total)
    return Number(head.slice(9, 12))
  }

  close(): void {
    this.closed = true
    this.socket.destroy()
  }
}

export class RegistryHttp {
  private readonly host: string
  private readonly port: number
  private readonly connections = new Set<Connection>()
  private readonly queued: PendingRequest[] = []

  constructor(base: string) {
    const url = new URL(base)
    this.host = url.hostname
    this.port = Number(url.port)
  }

  /** The status of `method path` (body read and dropped). */
  call(method: string, path: string, body?: string): Promise<number> {
    return new Promise((resolve, reject) => {
      this.send(this.requestBytes(method, path, body), (status) => {
        if (status instanceof Error) reject(status)
        else resolve(status)
      })
    })
  }

  /** The bytes of one request. */
  requestBytes(method: string, path: string, body?: string): Buffer {
    return httpRequestBytes(this.host, this.port, method, path, body)
  }

  /** Sends `bytes` on an idle connection (a new one, or queued when all 64 are busy). */
  send(bytes: Buffer, done: (status: number | Error) => void): void {
    const request = { bytes, done }
    for (const connection of this.connections) {
      if (connection.idle) {
        connection.send(request)
        return
      }
    }
    if (this.connections.size < connectionsMax) {
      this.open().send(request)
      return
    }
    this.queued.push(request)
  }

  private open(): Connection {
    const connection: Connection = new Connection(
      this.host,
      this.port,
      (idle) => {
        const next = this.queued.shift()
        if (next !== undefined) idle.send(next)
      },
      () => this.connections.delete(connection),
    )
    this.connections.add(connection)
    return connection
  }

  /**
   * `rate` requests per second for `seconds`, request `index` sent at `index / rate` s (never before),
   * its latency taken from that scheduled time to its whole answer. `next` gives each request's bytes.
   */
  openLoop(rate: number, seconds: number, next: () => Buffer): Promise<OpenLoopResult> {
    const total = Math.max(1, Math.round(rate * seconds))
    const intervalMs = 1000 / rate
    const latencies = new Float64Array(total)
    /** Each answer's scheduled time from the phase's start (for slowSlots). */
    const offsets = new Float64Array(total)
    let answered = 0
    let failures = 0
    let sent = 0
    let completed = 0
    const cpuBefore = process.cpuUsage()
    let startedMs = Number.NaN
    const ticker = new Worker(tickerSource, { eval: true, workerData: { intervalMs, total } })
    return new Promise((resolve, reject) => {
      const finish = (): void => {
        const cpu = process.cpuUsage(cpuBefore)
        resolve(
          summarizeOpenLoop({
            offsets: offsets.subarray(0, answered),
            latencies: latencies.subarray(0, answered),
            failures,
            total,
            elapsedSeconds: (clockMs() - startedMs) / 1000,
            cpuMicros: cpu.user + cpu.system,
          }),
        )
      }
      const settled = (scheduled: number, status: number | Error): void => {
        if (status instanceof Error) failures++
        else {
          if (status !== 200) failures++
          offsets[answered] = scheduled - startedMs
          latencies[answered++] = clockMs() - scheduled
        }
        if (++completed === total) finish()
      }
      // Sends every request due by now (never one before its time); the ticker's messages may bunch.
      ticker.on('message', (message: number | 'ready') => {
        if (message === 'ready') {
          // The first request is due just after the thread that keeps the schedule runs.
          startedMs = clockMs() + 5
          ticker.postMessage(startedMs)
          return
        }
        for (const now = clockMs(); sent < total; ) {
          const scheduled = startedMs + sent * intervalMs
          if (scheduled > now) return
          sent++
          this.send(next(), (status) => settled(scheduled, status))
        }
      })
      ticker.once('error', reject)
    })
  }

  close(): void {
    for (const connection of this.connections) connection.close()
    this.connections.clear()
    for (const request of this.queued.splice(0)) request.done(new Error('the client was closed'))
  }
}
