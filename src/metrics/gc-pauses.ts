// Every garbage-collection pause of the process, as a histogram on /metrics
// (`streamline_gc_pause_seconds`, docs/metrics.md). prom-client's default `nodejs_gc_duration_seconds`
// observes only the first entry of each PerformanceObserver callback, and a busy event loop delivers
// GC entries in batches, so it undercounts exactly when pauses matter (the latency workload saw 0
// pauses over seconds of load). This observer takes every entry, with buckets fine enough for the
// 1-10 ms pauses that decide a p99.

import { constants, type PerformanceEntry, PerformanceObserver } from 'node:perf_hooks'
import type { Registry } from 'prom-client'
import { promClient } from './prom-client.ts'

const pauseBuckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1]

function kindName(kind: number | undefined): string {
  switch (kind) {
    case constants.NODE_PERFORMANCE_GC_MINOR:
      return 'minor'
    case constants.NODE_PERFORMANCE_GC_MAJOR:
      return 'major'
    case constants.NODE_PERFORMANCE_GC_INCREMENTAL:
      return 'incremental'
    case constants.NODE_PERFORMANCE_GC_WEAKCB:
      return 'weakcb'
    default:
      return 'other'
  }
}

/** Registers the pause histogram and starts observing; the returned function stops observing. */
export function registerGcPauses(registry: Registry): () => void {
  const { Histogram } = promClient()
  const pauses = new Histogram({
    name: 'streamline_gc_pause_seconds',
    help: 'Garbage-collection pauses of the broker process (every one), by kind.',
    labelNames: ['kind'],
    buckets: pauseBuckets,
    registers: [registry],
  })
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      // Node 16+ puts the GC kind in `detail` (typed only on the 'gc' entry subclass).
      const { detail } = entry as PerformanceEntry & { detail?: { kind?: number } | null }
      pauses.observe({ kind: kindName(detail?.kind) }, entry.duration / 1000)
    }
  })
  observer.observe({ entryTypes: ['gc'] })
  return () => observer.disconnect()
}
