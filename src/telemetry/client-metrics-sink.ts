// Where accepted client metrics go (KIP-714's "metrics receiver"):
//  - /metrics: the latest value of every data point per client instance, as
//    `streamline_client_metric{client_instance_id,client_id,name,attributes}` (gauges and sums as they
//    came; histograms and summaries as their sum), plus push counters. Bounded by clientSeriesMax
//    (points beyond are counted as dropped); an instance's series go when it terminates or is evicted.
//  - OTLP: when an endpoint is configured, each push is forwarded as an OTLP/HTTP protobuf export
//    (`<endpoint>/v1/metrics`) with the client's identity added as resource attributes. At most
//    forwardsInFlightMax exports at once; more are dropped and counted rather than queued.

import type { Gauge, Registry } from 'prom-client'
import type { Logger } from '../log.ts'
import { promClient } from '../metrics/prom-client.ts'
import type { ClientMetricsPush, ClientMetricsSink } from './client-telemetry.ts'
import { withResourceAttributes } from './otlp-metrics.ts'

export const clientSeriesMax = 10_000
export const forwardsInFlightMax = 8
const forwardTimeoutMs = 10_000
const failureLogIntervalMs = 10_000

interface Series {
  labels: { client_instance_id: string; client_id: string; name: string; attributes: string }
  value: number
}

export class ClientMetricsExport implements ClientMetricsSink {
  private readonly byInstance = new Map<string, Map<string, Series>>()
  private seriesCount = 0
  private registered = false
  private readonly counts = { pushes: 0, points: 0, dropped: 0, forwarded: 0, forwardFailures: 0 }
  private forwardsInFlight = 0
  private lastFailureLogMs = 0

  constructor(
    private readonly options: {
      registry: () => Registry
      /** OTLP/HTTP base URL (`http://host:4318`); null: no forwarding. */
      otlpEndpoint: string | null
      log: Logger
    },
  ) {}

  accept(push: ClientMetricsPush): void {
    this.register()
    this.counts.pushes += 1
    let series = this.byInstance.get(push.clientInstanceId)
    if (series === undefined) {
      series = new Map()
      this.byInstance.set(push.clientInstanceId, series)
    }
    for (const metric of push.decoded.metrics) {
      for (const point of metric.points) {
        this.counts.points += 1
        const attributes = Object.entries(point.attributes)
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([key, value]) => `${key}=${value}`)
          .join(',')
        const key = `${metric.name}|${attributes}`
        const known = series.get(key)
        if (known !== undefined) {
          known.value = point.value
        } else if (this.seriesCount >= clientSeriesMax) {
          this.counts.dropped += 1
        } else {
          this.seriesCount += 1
          series.set(key, {
            labels: {
              client_instance_id: push.clientInstanceId,
              client_id: push.client.client_id,
              name: metric.name,
              attributes,
            },
            value: point.value,
          })
        }
      }
    }
    if (this.options.otlpEndpoint !== null && push.decoded.metrics.length > 0) this.forward(push)
  }

  forget(clientInstanceId: string): void {
    const series = this.byInstance.get(clientInstanceId)
    if (series === undefined) return
    this.seriesCount -= series.size
    this.byInstance.delete(clientInstanceId)
  }

  private forward(push: ClientMetricsPush): void {
    if (this.forwardsInFlight >= forwardsInFlightMax) {
      this.counts.forwardFailures += 1
      return
    }
    const body = withResourceAttributes(push.payload, {
      client_instance_id: push.clientInstanceId,
      client_id: push.client.client_id,
      client_software_name: push.client.client_software_name,
      client_software_version: push.client.client_software_version,
      client_source_address: push.client.client_source_address,
    })
    this.forwardsInFlight += 1
    fetch(`${this.options.otlpEndpoint}/v1/metrics`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-protobuf' },
      body,
      signal: AbortSignal.timeout(forwardTimeoutMs),
    })
      .then(async (response) => {
        await response.arrayBuffer()
        if (!response.ok) throw new Error(`OTLP endpoint answered ${response.status}`)
        this.counts.forwarded += 1
      })
      .catch((error: unknown) => {
        this.counts.forwardFailures += 1
        const nowMs = Date.now()
        if (nowMs - this.lastFailureLogMs >= failureLogIntervalMs) {
          this.lastFailureLogMs = nowMs
          this.options.log.warn({ err: error }, 'forwarding client metrics over OTLP failed')
        }
      })
      .finally(() => {
        this.forwardsInFlight -= 1
      })
  }

  /** The /metrics families, registered on the first push (prom-client is loaded by then anyway). */
  private register(): void {
    if (this.registered) return
    this.registered = true
    const { Gauge } = promClient()
    const registers = [this.options.registry()]
    const byInstance = this.byInstance
    new Gauge({
      name: 'streamline_client_metric',
      help: 'Latest value of each metric clients pushed (KIP-714), per client instance and data point attributes.',
      labelNames: ['client_instance_id', 'client_id', 'name', 'attributes'],
      registers,
      collect(this: Gauge) {
        this.reset()
        for (const series of byInstance.values())
          for (const entry of series.values()) this.set(entry.labels, entry.value)
      },
    })
    const counts = this.counts
    const counter = (name: string, help: string, read: () => number) =>
      new Gauge({
        name,
        help,
        registers,
        collect(this: Gauge) {
          this.set(read())
        },
      })
    counter(
      'streamline_client_telemetry_pushes_total',
      'PushTelemetry requests accepted.',
      () => counts.pushes,
    )
    counter(
      'streamline_client_telemetry_points_total',
      'Data points in accepted pushes.',
      () => counts.points,
    )
    counter(
      'streamline_client_telemetry_points_dropped_total',
      'Data points not kept on /metrics because clientSeriesMax series exist.',
      () => counts.dropped,
    )
    counter(
      'streamline_client_telemetry_forwarded_total',
      'Pushes forwarded to the OTLP endpoint.',
      () => counts.forwarded,
    )
    counter(
      'streamline_client_telemetry_forward_failures_total',
      'Pushes that could not be forwarded to the OTLP endpoint (failed or too many in flight).',
      () => counts.forwardFailures,
    )
  }
}
