// Worker-level counters and the per-connector view (Kafka Connect's connect-worker-metrics and
// connector-metrics groups): what the worker started and how that went, and each connector's class,
// type, version, status and task states as this worker knows them. The startup success/failure
// percentages cover the metrics sample window (Kafka's Frequencies); the totals the worker's life.

import { kafkaSampleWindow, SampledStat, type SampleWindow } from '../../metrics/sampled-stat.ts'
import type { RebalanceSnapshot } from '../distributed/rebalance-metrics.ts'

export class WorkerMetrics {
  connectorStartupAttemptsTotal = 0
  connectorStartupSuccessTotal = 0
  connectorStartupFailureTotal = 0
  taskStartupAttemptsTotal = 0
  taskStartupSuccessTotal = 0
  taskStartupFailureTotal = 0
  /** 1 per connector start that succeeded, 0 per failed one. */
  readonly connectorStartupResults: SampledStat
  /** 1 per task start that succeeded, 0 per failed one. */
  readonly taskStartupResults: SampledStat

  constructor(
    readonly window: SampleWindow = kafkaSampleWindow,
    readonly clock: () => number = Date.now,
  ) {
    this.connectorStartupResults = new SampledStat(window)
    this.taskStartupResults = new SampledStat(window)
  }

  /** A connector start attempted earlier (connectorStartupAttemptsTotal) succeeded or failed. */
  connectorStarted(succeeded: boolean): void {
    if (succeeded) this.connectorStartupSuccessTotal++
    else this.connectorStartupFailureTotal++
    this.connectorStartupResults.record(succeeded ? 1 : 0, this.clock())
  }

  /** A task start attempted earlier (taskStartupAttemptsTotal) succeeded or failed. */
  taskStarted(succeeded: boolean): void {
    if (succeeded) this.taskStartupSuccessTotal++
    else this.taskStartupFailureTotal++
    this.taskStartupResults.record(succeeded ? 1 : 0, this.clock())
  }
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
