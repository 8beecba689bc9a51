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
    this.requests = new Counter({
      name: 'streamline_registry_requests_total',
      help: 'Schema registry requests answered, by method, route template and HTTP status.',
      labelNames: ['method', 'route', 'status'],
      registers,
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

  /** The label-bound children per method, route and status: prom-client hashes a label object on
   * every call otherwise (a measurable share of a cached read's few microseconds). Bounded like the
   * labels (routes of the table, HTTP statuses). */
  private readonly children = new Map<
    string,
    { requests: { inc(): void }; seconds: { observe(value: number): void } }
  >()

  answered(method: string, route: string, status: number, seconds: number): void {
    const key = `${method} ${route} ${status}`
    let child = this.children.get(key)
    if (child === undefined) {
      child = {
        requests: this.requests.labels({ method, route, status: String(status) }),
        seconds: this.seconds.labels({ method, route }),
      }
      this.children.set(key, child)
    }
    child.requests.inc()
    child.seconds.observe(seconds)
  }
}
