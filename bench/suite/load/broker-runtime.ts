// What the broker process itself went through during a load phase, read from its /metrics (the bare
// HTTP server answers it; prom-client's default process metrics, docs/metrics.md):
// - event-loop delay: `nodejs_eventloop_lag_p99_seconds` / `_max_seconds` come from a
//   perf_hooks.monitorEventLoopDelay histogram (10 ms sampling) that prom-client resets on every
//   scrape, so a scrape before the phase and one after give the phase's own delay;
// - GC pauses: `streamline_gc_pause_seconds` (src/metrics/gc-pauses.ts: every 'gc' performance entry;
//   prom-client's `nodejs_gc_duration_seconds` keeps only the first of each batch), a cumulative
//   histogram: the difference of two scrapes is the phase's pause count, total and (bucket bound)
//   longest pause;
// - durable appends: `streamline_durable_append_duration_seconds` (append to fdatasync done, group
//   commit included), same difference, for the acks=all phase;
// - CPU seconds from /proc (broker.ts).
import type { LaunchedBroker } from '../broker.ts'

export interface HistogramTotals {
  count: number
  sumSeconds: number
  /** Cumulative counts by upper bound (seconds), ascending; +Inf last. */
  buckets: Array<[number, number]>
}

export interface RuntimeSnapshot {
  eventLoopP99Ms: number
  eventLoopMaxMs: number
  gc: HistogramTotals
  /** The mark-compacts alone (`kind="major"`; their incremental marking steps are `incremental`). */
  majorGc: HistogramTotals
  durableAppend: HistogramTotals
  cpuSeconds: number
}

export interface RuntimeDuringPhase {
  /** The broker's event-loop delay over the phase (10 ms sampling). */
  eventLoopDelayP99Ms: number
  eventLoopDelayMaxMs: number
  gcPauses: number
  gcPauseTotalMs: number
  /** Upper bound of the longest GC pause (the histogram's bucket bound: 0.5, 1, 2.5, 5, 10 ms, ...). */
  gcPauseMaxBoundMs: number
  /** Mark-compacts (major GCs) in the phase and their pauses. */
  majorGcPauses: number
  majorGcPauseTotalMs: number
  durableAppends: number
  /** Upper bucket bound under which 99 % of the durable appends finished (NaN without any). */
  durableAppendP99BoundMs: number
  durableAppendMeanMs: number
  brokerCpuSeconds: number
}

/** `http://host:port` of the broker's HTTP listener, from its `http listening` log line. */
export function httpUrlOfBroker(broker: LaunchedBroker): string {
  for (const line of broker.output().split('\n')) {
    if (!line.includes('"http listening"')) continue
    const { host, port } = JSON.parse(line) as { host: string; port: number }
    return `http://${host}:${port}`
  }
  throw new Error('no "http listening" line in the broker output')
}

function sampleValue(text: string, name: string): number {
  const match = new RegExp(`^${name} ([0-9.eE+-]+|NaN)$`, 'm').exec(text)
  return match === null ? Number.NaN : Number(match[1])
}

/** Sums a histogram's series over all label sets except `le` (e.g. the GC `kind`s), or over those
 * whose labels include `label` (`kind="major"`). */
function histogramTotals(text: string, name: string, label?: string): HistogramTotals {
  const byBound = new Map<number, number>()
  let count = 0
  let sumSeconds = 0
  for (const line of text.split('\n')) {
    if (!line.startsWith(name) || (label !== undefined && !line.includes(label))) continue
    const space = line.lastIndexOf(' ')
    const value = Number(line.slice(space + 1))
    const series = line.slice(0, space)
    if (series.startsWith(`${name}_bucket{`)) {
      const le = /le="([^"]+)"/.exec(series)?.[1]
      if (le === undefined) continue
      const bound = le === '+Inf' ? Number.POSITIVE_INFINITY : Number(le)
      byBound.set(bound, (byBound.get(bound) ?? 0) + value)
    } else if (series.startsWith(`${name}_count`)) count += value
    else if (series.startsWith(`${name}_sum`)) sumSeconds += value
  }
  const buckets = [...byBound.entries()].sort((a, b) => a[0] - b[0])
  return { count, sumSeconds, buckets }
}

/** Scrapes /metrics (which also restarts the event-loop delay histogram). */
export async function snapshotRuntime(httpUrl: string, broker: LaunchedBroker): Promise<RuntimeSnapshot> {
  const response = await fetch(`${httpUrl}/metrics`)
  if (!response.ok) throw new Error(`GET /metrics: HTTP ${response.status}`)
  const text = await response.text()
  return {
    eventLoopP99Ms: sampleValue(text, 'nodejs_eventloop_lag_p99_seconds') * 1000,
    eventLoopMaxMs: sampleValue(text, 'nodejs_eventloop_lag_max_seconds') * 1000,
    gc: histogramTotals(text, 'streamline_gc_pause_seconds'),
    majorGc: histogramTotals(text, 'streamline_gc_pause_seconds', 'kind="major"'),
    durableAppend: histogramTotals(text, 'streamline_durable_append_duration_seconds'),
    cpuSeconds: broker.cpuSeconds(),
  }
}

function difference(after: HistogramTotals, before: HistogramTotals): HistogramTotals {
  const earlier = new Map(before.buckets)
  return {
    count: after.count - before.count,
    sumSeconds: after.sumSeconds - before.sumSeconds,
    buckets: after.buckets.map(([bound, count]) => [bound, count - (earlier.get(bound) ?? 0)]),
  }
}

/** The smallest bucket bound (ms) under which `share` of the observations fall. */
function boundMs(totals: HistogramTotals, share: number): number {
  if (totals.count <= 0) return Number.NaN
  const rank = Math.ceil(totals.count * share)
  for (const [bound, count] of totals.buckets) if (count >= rank) return bound * 1000
  return Number.POSITIVE_INFINITY
}

/** The phase between two snapshots (the event-loop figures are the `after` scrape's own). */
export function runtimeDuring(before: RuntimeSnapshot, after: RuntimeSnapshot): RuntimeDuringPhase {
  const gc = difference(after.gc, before.gc)
  const durable = difference(after.durableAppend, before.durableAppend)
  const major = difference(after.majorGc, before.majorGc)
  return {
    eventLoopDelayP99Ms: after.eventLoopP99Ms,
    eventLoopDelayMaxMs: after.eventLoopMaxMs,
    gcPauses: gc.count,
    gcPauseTotalMs: gc.sumSeconds * 1000,
    gcPauseMaxBoundMs: boundMs(gc, 1),
    majorGcPauses: major.count,
    majorGcPauseTotalMs: major.sumSeconds * 1000,
    durableAppends: durable.count,
    durableAppendP99BoundMs: boundMs(durable, 0.99),
    durableAppendMeanMs: durable.count > 0 ? (durable.sumSeconds * 1000) / durable.count : Number.NaN,
    brokerCpuSeconds: after.cpuSeconds - before.cpuSeconds,
  }
}
