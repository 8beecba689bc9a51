// Prometheus metrics of one broker (prom-client), each documented in docs/metrics.md. Every broker
// has its own Registry, so several brokers in one process (embedded mode) never share counters.
//
// Counters are fed by small hooks on the request path: the instrumented router (requests, latency,
// failures, in flight), router.ts (error codes in responses), produce.ts (bytes/records in, durable
// append latency) and fetch.ts (bytes/records out). Gauges of state (partitions, connections, fetch
// sessions, disk) are read when Prometheus scrapes, from the sources given to `attach`.

import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client'
import { errorName } from '../protocol/generated/error-codes.ts'
import { forEachBatch } from '../protocol/records/batch-framing.ts'
import { type MetricSources, registerStateGauges } from './state-gauges.ts'

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

export class BrokerMetrics {
  readonly registry = new Registry()
  private readonly requests: Counter<'api' | 'version'>
  private readonly requestSeconds: Histogram<'api' | 'version'>
  private readonly requestFailures: Counter<'api'>
  private readonly inFlight: Gauge
  private readonly responseErrors: Counter<'api' | 'error'>
  private readonly bytesIn: Counter<'topic'>
  private readonly recordsIn: Counter<'topic'>
  private readonly bytesOut: Counter<'topic'>
  private readonly recordsOut: Counter<'topic'>
  private readonly durableAppendSeconds: Histogram
  private sources: MetricSources | null = null

  constructor(options: BrokerMetricsOptions) {
    const registers = [this.registry]
    if (options.processMetrics !== false) collectDefaultMetrics({ register: this.registry })
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
    registerStateGauges(this.registry, () => this.sources)
  }

  /** Gives the scrape-time gauges their sources (once the log is open and the listener runs). */
  attach(sources: MetricSources): void {
    this.sources = sources
  }

  requestStarted(): void {
    this.inFlight.inc()
  }

  requestDone(api: string, version: number, seconds: number): void {
    this.inFlight.dec()
    const labels = { api, version: String(version) }
    this.requests.inc(labels)
    this.requestSeconds.observe(labels, seconds)
  }

  requestFailed(api: string): void {
    this.inFlight.dec()
    this.requestFailures.inc({ api })
  }

  /** Counts every non-zero `errorCode` field in a decoded response (router.ts hook). */
  countResponseErrors(api: string, response: unknown): void {
    visitErrorCodes(response, (code) => this.responseErrors.inc({ api, error: errorName(code) }))
  }

  /** produce.ts hook: one partition append done. */
  appended(topic: string, appended: { bytes: number; records: number; durableSeconds: number | null }): void {
    this.bytesIn.inc({ topic }, appended.bytes)
    this.recordsIn.inc({ topic }, appended.records)
    if (appended.durableSeconds !== null) this.durableAppendSeconds.observe(appended.durableSeconds)
  }

  /** fetch.ts hook: batches of one partition returned to a consumer. */
  fetched(topic: string, records: Buffer): void {
    if (records.length === 0) return
    let count = 0
    forEachBatch(records, (batch) => {
      count += batch.magic === 2 ? batch.bytes.readInt32BE(recordCountOffset) : 1
    })
    this.bytesOut.inc({ topic }, records.length)
    if (count > 0) this.recordsOut.inc({ topic }, count)
  }

  /** Prometheus text exposition. */
  async exposition(): Promise<string> {
    return this.registry.metrics()
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
