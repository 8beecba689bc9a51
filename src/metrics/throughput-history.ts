// A short in-memory history of the broker's throughput, for the console's live charts: every
// `intervalMs` the running totals of BrokerMetrics are sampled and the rates since the previous sample
// kept, at most `samplesMax` of them (a ring: the oldest drops). So a page opened now shows the last
// minutes at once instead of starting from an empty chart.
//
// Cost: one unref'd timer and four additions per sample; nothing at start beyond creating the timer.

import type { BrokerMetrics, ThroughputTotals } from './broker-metrics.ts'

/** Sampling period. */
export const throughputIntervalMs = 2000
/** Samples kept: 180 × 2 s = the last 6 minutes. */
export const throughputSamplesMax = 180

export interface ThroughputSample {
  /** End of the sampled interval, ms since the epoch. */
  timeMs: number
  recordsInPerSec: number
  bytesInPerSec: number
  recordsOutPerSec: number
  bytesOutPerSec: number
  requestsPerSec: number
  /** Mean time per request over the interval (ms); 0 without requests. */
  requestMeanMs: number
  /** Median and 99th percentile of the interval's request times (ms); 0 without requests. */
  requestP50Ms: number
  requestP99Ms: number
  connections: number
}

export class ThroughputHistory {
  private readonly samples: ThroughputSample[] = []
  private previous: { totals: ThroughputTotals; timeMs: number }
  private timer: NodeJS.Timeout | null = null

  constructor(
    private readonly metrics: BrokerMetrics,
    private readonly options = { intervalMs: throughputIntervalMs, samplesMax: throughputSamplesMax },
  ) {
    this.previous = { totals: metrics.totals(), timeMs: Date.now() }
  }

  start(): void {
    if (this.timer !== null) return
    this.timer = setInterval(() => this.sample(), this.options.intervalMs)
    this.timer.unref()
  }

  stop(): void {
    if (this.timer !== null) clearInterval(this.timer)
    this.timer = null
  }

  get intervalMs(): number {
    return this.options.intervalMs
  }

  /** Oldest first. */
  list(): readonly ThroughputSample[] {
    return this.samples
  }

  /** Takes one sample now (the timer calls it; tests may too). */
  sample(): void {
    const totals = this.metrics.totals()
    const timeMs = Date.now()
    const seconds = Math.max((timeMs - this.previous.timeMs) / 1000, 0.001)
    const before = this.previous.totals
    const requests = totals.requests - before.requests
    const latency = this.metrics.takeLatencyPercentiles()
    const rate = (now: number, then: number) => Math.round(((now - then) / seconds) * 100) / 100
    this.samples.push({
      timeMs,
      recordsInPerSec: rate(totals.recordsIn, before.recordsIn),
      bytesInPerSec: rate(totals.bytesIn, before.bytesIn),
      recordsOutPerSec: rate(totals.recordsOut, before.recordsOut),
      bytesOutPerSec: rate(totals.bytesOut, before.bytesOut),
      requestsPerSec: rate(totals.requests, before.requests),
      requestMeanMs:
        requests === 0
          ? 0
          : Math.round(((totals.requestSeconds - before.requestSeconds) / requests) * 1e6) / 1000,
      requestP50Ms: latency.p50Ms,
      requestP99Ms: latency.p99Ms,
      connections: this.metrics.connectionCount(),
    })
    if (this.samples.length > this.options.samplesMax) this.samples.shift()
    this.previous = { totals, timeMs }
  }
}
