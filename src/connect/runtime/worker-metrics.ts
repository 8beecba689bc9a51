// Worker-level counters and the per-connector view (Kafka Connect's connect-worker-metrics and
// connector-metrics groups): what the worker started and how that went, and each connector's class,
// type, version, status and task states as this worker knows them.

import type { RebalanceSnapshot } from '../distributed/rebalance-metrics.ts'

export class WorkerMetrics {
  connectorStartupAttemptsTotal = 0
  connectorStartupSuccessTotal = 0
  connectorStartupFailureTotal = 0
  taskStartupAttemptsTotal = 0
  taskStartupSuccessTotal = 0
  taskStartupFailureTotal = 0
}

export interface ConnectorMetricsEntry {
  connector: string
  className: string
  type: 'source' | 'sink'
  version: string
  /** running, paused, stopped, failed, restarting, unassigned (lower case, as Kafka's metric value). */
  status: string
  /** Task states from connect-status (every worker's tasks of this connector). */
  taskStates: string[]
}

/** What the metrics read from a worker at scrape time. */
export interface WorkerMetricsSource {
  metrics: WorkerMetrics
  connectorMetrics(): ConnectorMetricsEntry[]
  /** Connectors and tasks this worker runs. */
  connectorCount(): number
  taskCount(): number
  /** connect-worker-rebalance-metrics; null for a worker alone. */
  rebalanceMetrics(): RebalanceSnapshot | null
}
