// The registry on the broker's /metrics (docs/metrics.md, docs/schema-registry.md), registered in the
// broker's prom-client Registry when the registry is built (first request), so an idle broker's
// scrape does not list them:
//   streamline_registry_requests_total{method, route, status}   requests answered, by route template
//   streamline_registry_request_seconds{method, route}          latency histogram
//   streamline_registry_schemas / _subjects / _schema_versions  read from the state at scrape time
//   streamline_registry_store_appends_total / _store_records_total  appends to `_schemas` (one
//     fdatasync each) and the records they carried: records/appends is the group commit's batching
// Labels are bounded: routes come from the route table (`unmatched` for 404/405 paths; requests refused
// by basic auth are not counted), statuses are HTTP codes.

import type { Counter, Histogram } from 'prom-client'
import type { BrokerMetrics } from '../metrics/broker-metrics.ts'
import { promClient } from '../metrics/prom-client.ts'
import type { RegistryState } from './store/state.ts'

/** Seconds: a read from memory (~100 µs) to a durable registration behind others (seconds). */
const buckets = [0.0001, 0.00025, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5]

export class RegistryMetrics {
  private readonly requests: Counter<'method' | 'route' | 'status'>
  private readonly seconds: Histogram<'method' | 'route'>

  constructor(
    broker: BrokerMetrics,
    state: RegistryState,
    commits: { readonly appends: number; readonly records: number } = { appends: 0, records: 0 },
  ) {
    const { Counter, Gauge, Histogram } = promClient()
    const registers = [broker.registry]
    const countAnswered = (): void => this.countAnswered()
    this.requests = new Counter({
      name: 'streamline_registry_requests_total',
      help: 'Schema registry requests answered, by method, route template and HTTP status.',
      labelNames: ['method', 'route', 'status'],
      registers,
      collect: countAnswered,
    })
    this.seconds = new Histogram({
      name: 'streamline_registry_request_seconds',
      help: 'Schema registry request latency (received to answered), by method and route template.',
      labelNames: ['method', 'route'],
      buckets,
      registers,
    })
    new Counter({
      name: 'streamline_registry_store_appends_total',
      help: 'Appends to _schemas, each made durable by one fdatasync (the group commit of the writes queued).',
      registers,
      collect() {
        this.reset()
        this.inc(commits.appends)
      },
    })
    new Counter({
      name: 'streamline_registry_store_records_total',
      help: 'Records written to _schemas by the registry (divided by the appends: records per group commit).',
      registers,
      collect() {
        this.reset()
        this.inc(commits.records)
      },
    })
    new Gauge({
      name: 'streamline_registry_schemas',
      help: 'Distinct schemas (global ids) registered and not permanently deleted.',
      registers,
      collect() {
        this.set(state.contents.size)
      },
    })
    new Gauge({
      name: 'streamline_registry_subjects',
      help: 'Subjects with at least one version (soft-deleted ones included).',
      registers,
      collect() {
        this.set(state.subjects.size)
      },
    })
    new Gauge({
      name: 'streamline_registry_schema_versions',
      help: 'Subject-versions (soft-deleted ones included).',
      registers,
      collect() {
        let versions = 0
        for (const subject of state.subjects.values()) versions += subject.size
        this.set(versions)
      },
    })
  }

  /**
   * Per method, route and status: the requests answered since the last scrape (added to the counter
   * by its collect) and the latency histogram's label-bound child. Nested maps, not a joined key: a
   * kept answer costs a few microseconds, and prom-client's own `inc` and `labels` build a label hash
   * string per call. Bounded like the labels (routes of the table, HTTP statuses).
   */
  private readonly children = new Map<string, Map<string, Map<number, AnsweredCount>>>()

  answered(method: string, route: string, status: number, seconds: number): void {
    let byRoute = this.children.get(method)
    if (byRoute === undefined) {
      byRoute = new Map()
      this.children.set(method, byRoute)
    }
    let byStatus = byRoute.get(route)
    if (byStatus === undefined) {
      byStatus = new Map()
      byRoute.set(route, byStatus)
    }
    let child = byStatus.get(status)
    if (child === undefined) {
      child = {
        labels: { method, route, status: String(status) },
        uncounted: 0,
        seconds: this.seconds.labels({ method, route }),
      }
      byStatus.set(status, child)
    }
    child.uncounted++
    child.seconds.observe(seconds)
  }

  /** Adds the requests answered since the last scrape to the counter (its collect). */
  private countAnswered(): void {
    for (const byRoute of this.children.values())
      for (const byStatus of byRoute.values())
        for (const child of byStatus.values()) {
          if (child.uncounted === 0) continue
          this.requests.inc(child.labels, child.uncounted)
          child.uncounted = 0
        }
  }
}

interface AnsweredCount {
  labels: { method: string; route: string; status: string }
  /** Answered since the last scrape. */
  uncounted: number
  seconds: { observe(value: number): void }
}
