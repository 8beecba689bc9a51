// Prometheus metrics of one broker (prom-client), each documented in docs/metrics.md. Every broker
// has its own Registry, so several brokers in one process (embedded mode) never share counters.
//
// Counters are fed by small hooks on the request path: the instrumented router (requests, latency,
// failures, in flight), router.ts (error codes in responses), produce.ts (bytes/records in, durable
// append latency), fetch.ts (bytes/records out) and src/quotas (throttle time per quota). Gauges of
// state (partitions, connections, fetch sessions, disk) are read when Prometheus scrapes, from the
// sources given to `attach`.
//
// prom-client and the metric objects (`Instruments`) are created on first use: the first request, the
// first scrape, or `load()`, which the broker calls right after start-up (prom-client.ts says why).

import type { Counter, Gauge, Histogram, Registry } from 'prom-client'
import { errorName } from '../protocol/generated/error-codes.ts'
import { forEachBatch } from '../protocol/records/batch-framing.ts'
import { registerClusterGauges } from './cluster-gauges.ts'
import { registerGcPauses } from './gc-pauses.ts'
import { type LatencyPercentiles, LatencyReservoir } from './latency-reservoir.ts'
import { promClient } from './prom-client.ts'
import { type MetricSources, registerStateGauges } from './state-gauges.ts'
import { registerTieredGauges } from './tiered-gauges.ts'

export type { MetricSources }

/** Seconds: from 100 µs (an ApiVersions) to 30 s (a long-polling Fetch). */
const requestBuckets = [0.0001, 0.0005, 0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30]
const appendBuckets = [0.0001, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5]
/** Offset within a v2 batch of its record count (int32). */
const recordCountOffset = 57

export interface BrokerMetricsOptions {
  version: string
  /** Process memory, CPU, event-loop lag, GC (prom-client defaults). Default true. */
  processMetrics?: boolean
}

/** The prom-client objects of one broker. */
class Instruments {
  readonly registry: Registry
  readonly requests: Counter<'api' | 'version'>
  readonly requestSeconds: Histogram<'api' | 'version'>
  readonly requestFailures: Counter<'api'>
  readonly inFlight: Gauge
  readonly responseErrors: Counter<'api' | 'error'>
  readonly bytesIn: Counter<'topic'>
  readonly recordsIn: Counter<'topic'>
  readonly bytesOut: Counter<'topic'>
  readonly recordsOut: Counter<'topic'>
  readonly durableAppendSeconds: Histogram
  readonly throttleSeconds: Counter<'quota'>
  readonly throttledResponses: Counter<'quota'>
  /** Stops the GC pause observer (a stopped embedded broker must not keep observing). */
  readonly stopObserving: () => void

  constructor(options: BrokerMetricsOptions, sourcesOf: () => MetricSources | null) {
    const { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } = promClient()
    this.registry = new Registry()
    const registers = [this.registry]
    if (options.processMetrics !== false) collectDefaultMetrics({ register: this.registry })
    this.stopObserving = options.processMetrics !== false ? registerGcPauses(this.registry) : () => {}
    new Gauge({
      name: 'streamline_build_info',
      help: 'Always 1; the version label says which Streamline runs.',
      labelNames: ['version'],
      registers,
    }).set({ version: options.version }, 1)
    this.requests = new Counter({
      name: 'streamline_requests_total',
      help: 'Kafka requests handled, per API and version.',
      labelNames: ['api', 'version'],
      registers,
    })
    this.requestSeconds = new Histogram({
      name: 'streamline_request_duration_seconds',
      help: 'Time from a request frame read to its response ready, per API and version.',
      labelNames: ['api', 'version'],
      buckets: requestBuckets,
      registers,
    })
    this.requestFailures = new Counter({
      name: 'streamline_request_failures_total',
      help: 'Requests that could not be answered (unreadable or failed); each closed its connection.',
      labelNames: ['api'],
      registers,
    })
    this.inFlight = new Gauge({
      name: 'streamline_requests_in_flight',
      help: 'Requests being handled now.',
      registers,
    })
    this.responseErrors = new Counter({
      name: 'streamline_response_errors_total',
      help: 'Non-zero Kafka error codes in responses (any level: request, topic, partition), per API and code.',
      labelNames: ['api', 'error'],
      registers,
    })
    const perTopic = (name: string, help: string) =>
      new Counter({ name, help, labelNames: ['topic'] as const, registers })
    this.bytesIn = perTopic('streamline_topic_bytes_in_total', 'Record batch bytes appended by Produce.')
    this.recordsIn = perTopic('streamline_topic_records_in_total', 'Records appended by Produce.')
    this.bytesOut = perTopic('streamline_topic_bytes_out_total', 'Record batch bytes returned by Fetch.')
    this.recordsOut = perTopic('streamline_topic_records_out_total', 'Records in batches returned by Fetch.')
    this.durableAppendSeconds = new Histogram({
      name: 'streamline_durable_append_duration_seconds',
      help: 'Produce appends with acks=all, from append to fdatasync done (group commit included).',
      buckets: appendBuckets,
      registers,
    })
    // Per quota type, not per user or client id: those labels would grow with every client seen.
    this.throttleSeconds = new Counter({
      name: 'streamline_quota_throttle_seconds_total',
      help: 'Throttle time given to clients over a client quota, per quota (producer_byte_rate, ...).',
      labelNames: ['quota'],
      registers,
    })
    this.throttledResponses = new Counter({
      name: 'streamline_quota_throttled_responses_total',
      help: 'Responses sent with a non-zero throttle_time_ms because of a client quota, per quota.',
      labelNames: ['quota'],
      registers,
    })
    registerStateGauges(this.registry, sourcesOf)
    registerTieredGauges(this.registry, sourcesOf)
    registerClusterGauges(this.registry, sourcesOf)
  }
}

/** Broker-wide running totals (plain numbers, no labels): what the console's live charts sample. */
export interface ThroughputTotals {
  bytesIn: number
  recordsIn: number
  bytesOut: number
  recordsOut: number
  requests: number
  requestSeconds: number
}

export class BrokerMetrics {
  private readonly options: BrokerMetricsOptions
  private instruments: Instruments | null = null
  private sources: MetricSources | null = null
  /** Request durations of the current throughput-history interval. */
  private readonly intervalLatencies = new LatencyReservoir()
  private readonly runningTotals: ThroughputTotals = {
    bytesIn: 0,
    recordsIn: 0,
    bytesOut: 0,
    recordsOut: 0,
    requests: 0,
    requestSeconds: 0,
  }

  constructor(options: BrokerMetricsOptions) {
    this.options = options
  }

  private get metrics(): Instruments {
    this.instruments ??= new Instruments(this.options, () => this.sources)
    return this.instruments
  }

  /** Loads prom-client and creates the metrics now (the broker calls this right after start-up). */
  load(): void {
    this.instruments ??= new Instruments(this.options, () => this.sources)
  }

  get registry(): Registry {
    return this.metrics.registry
  }

  /** At broker stop: ends the process observers this broker started. */
  close(): void {
    this.instruments?.stopObserving()
  }

  /** src/quotas hook: a client over `quota` was throttled for `throttleMs`. */
  throttled(quota: string, throttleMs: number): void {
    this.metrics.throttleSeconds.inc({ quota }, throttleMs / 1000)
    this.metrics.throttledResponses.inc({ quota })
  }

  /** A copy of the running totals (src/metrics/throughput-history.ts samples them). */
  totals(): ThroughputTotals {
    return { ...this.runningTotals }
  }

  /** Open Kafka connections now (0 before the listener runs). */
  connectionCount(): number {
    return this.sources?.connectionCount() ?? 0
  }

  /** Gives the scrape-time gauges their sources (once the log is open and the listener runs). */
  attach(sources: MetricSources): void {
    this.sources = sources
  }

  requestStarted(): void {
    this.metrics.inFlight.inc()
  }

  requestDone(api: string, version: number, seconds: number): void {
    this.metrics.inFlight.dec()
    const labels = { api, version: String(version) }
    this.metrics.requests.inc(labels)
    this.metrics.requestSeconds.observe(labels, seconds)
    this.runningTotals.requests += 1
    this.runningTotals.requestSeconds += seconds
    this.intervalLatencies.record(seconds)
  }

  /** p50/p99 of the requests since the last call (the throughput history's sample), in ms. */
  takeLatencyPercentiles(): LatencyPercentiles {
    return this.intervalLatencies.take()
  }

  requestFailed(api: string): void {
    this.metrics.inFlight.dec()
    this.metrics.requestFailures.inc({ api })
  }

  /** Counts every non-zero `errorCode` field in a decoded response (router.ts hook). */
  countResponseErrors(api: string, response: unknown): void {
    visitErrorCodes(response, (code) => this.metrics.responseErrors.inc({ api, error: errorName(code) }))
  }

  /** produce.ts hook: one partition append done. */
  appended(topic: string, appended: { bytes: number; records: number; durableSeconds: number | null }): void {
    this.metrics.bytesIn.inc({ topic }, appended.bytes)
    this.metrics.recordsIn.inc({ topic }, appended.records)
    this.runningTotals.bytesIn += appended.bytes
    this.runningTotals.recordsIn += appended.records
    if (appended.durableSeconds !== null) this.metrics.durableAppendSeconds.observe(appended.durableSeconds)
  }

  /** fetch.ts hook: a partition's batches streamed from the log (counted without reading them). */
  fetchedSlice(topic: string, bytes: number, records: number): void {
    this.metrics.bytesOut.inc({ topic }, bytes)
    if (records > 0) this.metrics.recordsOut.inc({ topic }, records)
    this.runningTotals.bytesOut += bytes
    this.runningTotals.recordsOut += records
  }

  /** fetch.ts hook: batches of one partition returned to a consumer. */
  fetched(topic: string, records: Buffer): void {
    if (records.length === 0) return
    let count = 0
    forEachBatch(records, (batch) => {
      count += batch.magic === 2 ? batch.bytes.readInt32BE(recordCountOffset) : 1
    })
    this.metrics.bytesOut.inc({ topic }, records.length)
    if (count > 0) this.metrics.recordsOut.inc({ topic }, count)
    this.runningTotals.bytesOut += records.length
    this.runningTotals.recordsOut += count
  }

  /** Prometheus text exposition. */
  async exposition(): Promise<string> {
    return this.metrics.registry.metrics()
  }
}

function visitErrorCodes(value: unknown, count: (code: number) => void): void {
  if (typeof value !== 'object' || value === null || Buffer.isBuffer(value)) return
  if (Array.isArray(value)) {
    for (const item of value) visitErrorCodes(item, count)
    return
  }
  for (const [key, field] of Object.entries(value)) {
    if (key === 'errorCode' && typeof field === 'number' && field !== 0) count(field)
    else if (typeof field === 'object') visitErrorCodes(field, count)
  }
}
