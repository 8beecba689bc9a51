// The router with two additions the broker's lifecycle and metrics need, both at the one place every
// request passes: it counts and times requests per API and version, and it knows how many are in
// flight, so a graceful shutdown can stop taking new requests and wait for the running ones.

import { performance } from 'node:perf_hooks'
import type { AnyHandler, BrokerServices } from '../broker/handler.ts'
import { type ConnectionInfo, type ResponseChunks, Router } from '../broker/router.ts'
import { apiDefinitions } from '../protocol/generated/index.ts'
import type { BrokerMetrics } from './broker-metrics.ts'

export function apiNameOf(frame: Buffer): string {
  if (frame.length < 2) return 'unknown'
  const definition = (apiDefinitions as Record<number, { name: string } | undefined>)[frame.readInt16BE(0)]
  return definition?.name ?? 'unknown'
}

export class InstrumentedRouter extends Router {
  private readonly metrics: BrokerMetrics
  private inFlight = 0
  private draining = false
  private idleWaiters: Array<() => void> = []

  constructor(handlers: readonly AnyHandler[], services: BrokerServices, metrics: BrokerMetrics) {
    super(handlers, services)
    this.metrics = metrics
  }

  override async route(frame: Buffer, connection: ConnectionInfo): Promise<ResponseChunks | null> {
    // While draining, a new request is held unanswered: the connection still sends the responses of
    // the requests before it, and is closed at the end of the drain (the client then retries).
    if (this.draining) return new Promise<never>(() => {})
    const startedMs = performance.now()
    this.inFlight += 1
    this.metrics.requestStarted()
    try {
      const response = await super.route(frame, connection)
      const version = frame.length >= 4 ? frame.readInt16BE(2) : -1
      this.metrics.requestDone(apiNameOf(frame), version, (performance.now() - startedMs) / 1000)
      return response
    } catch (error) {
      this.metrics.requestFailed(apiNameOf(frame))
      throw error
    } finally {
      this.inFlight -= 1
      if (this.inFlight === 0) this.wakeIdleWaiters()
    }
  }

  get requestsInFlight(): number {
    return this.inFlight
  }

  /** Stops taking new requests; resolves true when none is in flight, false after `timeoutMs`. */
  drain(timeoutMs: number): Promise<boolean> {
    this.draining = true
    if (this.inFlight === 0) return Promise.resolve(true)
    return new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => {
        this.idleWaiters = this.idleWaiters.filter((waiter) => waiter !== onIdle)
        resolve(false)
      }, timeoutMs)
      const onIdle = (): void => {
        clearTimeout(timer)
        resolve(true)
      }
      this.idleWaiters.push(onIdle)
    })
  }

  private wakeIdleWaiters(): void {
    const waiters = this.idleWaiters
    this.idleWaiters = []
    for (const waiter of waiters) waiter()
  }
}
