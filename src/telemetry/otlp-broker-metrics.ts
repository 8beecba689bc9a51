// The broker's own metrics exported over OTLP/HTTP: every `metrics_export_interval_ms` (and once more
// on close) the broker's prom-client registry, the one `/metrics` serves, is collected and sent to
// `<endpoint>/v1/metrics` as OTLP JSON, encoded by OpenTelemetry's own serializer (otlp-transformer).
// The names are exactly those of `/metrics` (`streamline_requests_total`, …), so a dashboard or alert
// written for one works on the other. Counters become monotonic cumulative sums, gauges gauges,
// histograms explicit-bucket histograms with the same bounds; summaries (prom-client has none here)
// are skipped. Imported by open.ts only with `[otel] enabled`, so a default broker loads none of this.

import type { Attributes, HrTime } from '@opentelemetry/api'
import { JsonMetricsSerializer } from '@opentelemetry/otlp-transformer'
import { resourceFromAttributes } from '@opentelemetry/resources'
import {
  AggregationTemporality,
  DataPointType,
  type MetricData,
  type ResourceMetrics,
} from '@opentelemetry/sdk-metrics'
import type { MetricObjectWithValues, MetricValue, MetricValueWithName, Registry } from 'prom-client'
import type { Logger } from '../log.ts'

/** One export may take this long before it is abandoned (the next interval tries again). */
const exportTimeoutMs = 10_000
/** A failing endpoint is logged at most this often. */
const failureLogIntervalMs = 60_000

export interface BrokerMetricsExportOptions {
  registry: () => Registry
  /** OTLP/HTTP base URL. */
  endpoint: string
  intervalMs: number
  serviceName: string
  serviceVersion: string
  nodeId: number
  log: Logger
}

export interface BrokerMetricsExport {
  /** Exports the current values now (tests, close). Resolves when the endpoint answered or failed. */
  exportNow(): Promise<void>
  /** Stops the timer after one last export. */
  close(): Promise<void>
  readonly counts: { exports: number; failures: number }
}

export function startBrokerMetricsExport(options: BrokerMetricsExportOptions): BrokerMetricsExport {
  const resource = resourceFromAttributes({
    'service.name': options.serviceName,
    'service.version': options.serviceVersion,
    'service.instance.id': String(options.nodeId),
  })
  const startTime = hrTimeOf(Date.now())
  const counts = { exports: 0, failures: 0 }
  let lastFailureLogMs = 0
  let running: Promise<void> | undefined
  const exportOnce = async (): Promise<void> => {
    try {
      const families = await options.registry().getMetricsAsJSON()
      const resourceMetrics: ResourceMetrics = {
        resource,
        scopeMetrics: [
          {
            scope: { name: 'streamline', version: options.serviceVersion },
            metrics: metricDataOf(families as MetricObjectWithValues<MetricValue<string>>[], startTime),
          },
        ],
      }
      const body = JsonMetricsSerializer.serializeRequest(resourceMetrics)
      if (body === undefined) throw new Error('the OTLP serializer returned nothing')
      const response = await fetch(`${options.endpoint}/v1/metrics`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
        signal: AbortSignal.timeout(exportTimeoutMs),
      })
      await response.arrayBuffer()
      if (!response.ok) throw new Error(`OTLP endpoint answered ${response.status}`)
      counts.exports += 1
    } catch (error) {
      counts.failures += 1
      const nowMs = Date.now()
      if (nowMs - lastFailureLogMs >= failureLogIntervalMs) {
        lastFailureLogMs = nowMs
        options.log.warn({ err: error }, 'exporting broker metrics over OTLP failed')
      }
    }
  }
  // One export at a time: a slow endpoint makes the next tick wait its turn instead of piling up.
  const exportNow = (): Promise<void> => {
    running ??= exportOnce().finally(() => {
      running = undefined
    })
    return running
  }
  const timer = setInterval(() => void exportNow(), options.intervalMs)
  timer.unref()
  return {
    counts,
    exportNow,
    async close() {
      clearInterval(timer)
      await running
      await exportNow()
    },
  }
}

function hrTimeOf(epochMs: number): HrTime {
  return [Math.floor(epochMs / 1000), (epochMs % 1000) * 1_000_000]
}

/** prom-client's families as OpenTelemetry MetricData, with the same names, help and labels. */
export function metricDataOf(
  families: MetricObjectWithValues<MetricValue<string>>[],
  startTime: HrTime,
): MetricData[] {
  const endTime = hrTimeOf(Date.now())
  const metrics: MetricData[] = []
  for (const family of families) {
    const descriptor = {
      name: family.name,
      description: family.help,
      unit: family.name.endsWith('_seconds') ? 's' : family.name.endsWith('_bytes') ? 'By' : '',
      valueType: 1, // ValueType.DOUBLE
    }
    const type = String(family.type)
    if (type === 'counter' || type === 'gauge') {
      const dataPoints = family.values.map((value) => ({
        startTime,
        endTime,
        attributes: attributesOf(value.labels),
        value: value.value,
      }))
      metrics.push(
        type === 'counter'
          ? {
              descriptor,
              aggregationTemporality: AggregationTemporality.CUMULATIVE,
              dataPointType: DataPointType.SUM,
              isMonotonic: true,
              dataPoints,
            }
          : {
              descriptor,
              aggregationTemporality: AggregationTemporality.CUMULATIVE,
              dataPointType: DataPointType.GAUGE,
              dataPoints,
            },
      )
    } else if (type === 'histogram') {
      metrics.push({
        descriptor,
        aggregationTemporality: AggregationTemporality.CUMULATIVE,
        dataPointType: DataPointType.HISTOGRAM,
        dataPoints: histogramPointsOf(family.name, family.values, startTime, endTime),
      })
    }
  }
  return metrics
}

interface HistogramSeries {
  attributes: Attributes
  /** Cumulative counts by upper bound (prom-client's `le`), +Inf included. */
  cumulative: Array<{ bound: number; count: number }>
  sum: number
  count: number
}

/** prom-client's `_bucket`/`_sum`/`_count` values grouped per label set (less `le`) into OTel points. */
function histogramPointsOf(name: string, values: MetricValue<string>[], startTime: HrTime, endTime: HrTime) {
  const bySeries = new Map<string, HistogramSeries>()
  for (const value of values as MetricValueWithName<string>[]) {
    const { le, ...labels } = value.labels as Record<string, string | number | undefined>
    const key = JSON.stringify(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : 1)))
    let series = bySeries.get(key)
    if (series === undefined) {
      series = { attributes: attributesOf(labels), cumulative: [], sum: 0, count: 0 }
      bySeries.set(key, series)
    }
    if (value.metricName === `${name}_bucket`) {
      series.cumulative.push({
        bound: le === '+Inf' ? Number.POSITIVE_INFINITY : Number(le),
        count: value.value,
      })
    } else if (value.metricName === `${name}_sum`) {
      series.sum = value.value
    } else if (value.metricName === `${name}_count`) {
      series.count = value.value
    }
  }
  return [...bySeries.values()].map((series) => {
    const sorted = series.cumulative.sort((a, b) => a.bound - b.bound)
    const boundaries = sorted.filter((bucket) => Number.isFinite(bucket.bound)).map((bucket) => bucket.bound)
    // OTLP wants each bucket's own count; Prometheus buckets are cumulative.
    const counts = sorted.map(
      (bucket, index) => bucket.count - (index === 0 ? 0 : (sorted[index - 1]?.count ?? 0)),
    )
    return {
      startTime,
      endTime,
      attributes: series.attributes,
      value: { buckets: { boundaries, counts }, sum: series.sum, count: series.count },
    }
  })
}

function attributesOf(labels: Record<string, string | number | undefined>): Attributes {
  const attributes: Attributes = {}
  for (const [key, value] of Object.entries(labels)) {
    if (value !== undefined) attributes[key] = String(value)
  }
  return attributes
}
