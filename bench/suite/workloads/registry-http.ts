// HTTP plumbing for the registry workload: a pool of keep-alive HTTP/1.1 connections (one request in
// flight on each, as serializers' HTTP clients do; no pipelining), and an open-loop load at a fixed
// offered rate (requests start on schedule whatever the answers do, so a slow answer shows as
// latency, not as a lower rate; latency is measured from the scheduled start, so time queued for a
// free connection counts).
//
// The client writes requests and reads answers on raw sockets (node:net) instead of node:http: at
// 5,000 req/s node:http's client cost ~150 µs of CPU per request here, as much as the registry's
// answer, on the same 2 cores, so the generator, not the registry, set the latency. The answers are
// our own registry's (always Content-Length, never chunked); anything else fails the request.
import { connect, type Socket } from 'node:net'

export interface OpenLoopResult {
  achievedPerSec: number
  p50Ms: number
  p99Ms: number
  maxMs: number
  failures: number
  samples: number
  /** CPU time of this process (the generator) per request, µs. */
  clientCpuMicrosPerRequest: number
}

interface PendingRequest {
  bytes: Buffer
  resolve(status: number): void
  reject(error: Error): void
}

const headerEnd = Buffer.from('\r\n\r\n')
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
      const done = this.current
      this.current = null
      done.resolve(status)
      onIdle(this)
    })
    const fail = (error: Error): void => {
      if (this.closed) return
      this.closed = true
      this.current?.reject(error)
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
    const payload = body === undefined ? null : Buffer.from(body)
    const head =
      `${method} ${path} HTTP/1.1\r\nHost: ${this.host}:${this.port}\r\n` +
      'Content-Type: application/vnd.schemaregistry.v1+json\r\n' +
      `Content-Length: ${payload?.length ?? 0}\r\n\r\n`
    const bytes =
      payload === null ? Buffer.from(head, 'latin1') : Buffer.concat([Buffer.from(head, 'latin1'), payload])
    return new Promise((resolve, reject) => {
      const request = { bytes, resolve, reject }
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
    })
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

  async openLoop(rate: number, seconds: number, next: () => Promise<number>): Promise<OpenLoopResult> {
    const total = Math.max(1, Math.round(rate * seconds))
    const latencies: number[] = []
    let failures = 0
    const cpuBefore = process.cpuUsage()
    const started = performance.now()
    const pending: Promise<void>[] = []
    for (let index = 0; index < total; index++) {
      const scheduled = started + (index * 1000) / rate
      const wait = scheduled - performance.now()
      if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait))
      pending.push(
        next().then(
          (status) => {
            if (status !== 200) failures++
            latencies.push(performance.now() - scheduled)
          },
          () => {
            failures++
          },
        ),
      )
    }
    await Promise.all(pending)
    const elapsedSeconds = (performance.now() - started) / 1000
    const cpu = process.cpuUsage(cpuBefore)
    latencies.sort((a, b) => a - b)
    const at = (quantile: number): number =>
      latencies[Math.min(latencies.length - 1, Math.floor(quantile * latencies.length))] ?? Number.NaN
    return {
      achievedPerSec: latencies.length / elapsedSeconds,
      p50Ms: at(0.5),
      p99Ms: at(0.99),
      maxMs: at(1),
      failures,
      samples: latencies.length,
      clientCpuMicrosPerRequest: (cpu.user + cpu.system) / total,
    }
  }

  close(): void {
    for (const connection of this.connections) connection.close()
    this.connections.clear()
    for (const request of this.queued.splice(0)) request.reject(new Error('the client was closed'))
  }
}
