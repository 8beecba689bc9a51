// Kafka Connect's connect-worker-rebalance-metrics for a worker in a Connect group (DistributedHerder's
// HerderMetrics): connect-protocol, leader-name, epoch, rebalancing, completed-rebalances-total,
// rebalance-avg-time-ms, rebalance-max-time-ms, time-since-last-rebalance-ms.
// A rebalance starts when the member begins to (re)join and completes once the assignment it got has been
// applied (revoked work stopped, assigned work started), so its time is what the worker spent without a
// settled assignment. Average and maximum cover the metrics sample window (metrics.num.samples ×
// metrics.sample.window.ms, 2 × 30 s by default), as Kafka's: NaN with no rebalance completed inside it;
// the time since the last one is +Inf before the first, as Kafka reports it.

import { kafkaSampleWindow, SampledStat, type SampleWindow } from '../../metrics/sampled-stat.ts'

export interface RebalanceSnapshot {
  /** The Connect group (Kafka's group.id; a label on every series). */
  groupId: string
  /** compatible or eager (Kafka's connect.protocol in use). */
  connectProtocol: string
  /** The leader's REST URL, '' until the first assignment. */
  leaderName: string
  /** The group generation of the last assignment (-1 before it). */
  epoch: number
  rebalancing: boolean
  completedRebalancesTotal: number
  rebalanceAvgTimeMs: number
  rebalanceMaxTimeMs: number
  timeSinceLastRebalanceMs: number
}

export class RebalanceMetrics {
  private startedMs: number | null = null
  private completedMs: number | null = null
  private completed = 0
  private readonly timeMs: SampledStat
  private leaderUrl = ''
  private generation = -1
  private protocol: string

  constructor(
    private readonly groupId: string,
    protocol: string,
    window: SampleWindow = kafkaSampleWindow,
  ) {
    this.protocol = protocol
    this.timeMs = new SampledStat(window)
  }

  /** A (re)join begins; a rebalance already running keeps its start. */
  rebalanceStarted(nowMs: number): void {
    this.startedMs ??= nowMs
  }

  /** The assignment of `generation` (led by `leaderUrl`, over `protocol`) has been applied. */
  rebalanceSucceeded(
    nowMs: number,
    assigned: { generation: number; leaderUrl: string; protocol: string },
  ): void {
    const durationMs = Math.max(0, nowMs - (this.startedMs ?? nowMs))
    this.startedMs = null
    this.completedMs = nowMs
    this.completed++
    this.timeMs.record(durationMs, nowMs)
    this.generation = assigned.generation
    this.leaderUrl = assigned.leaderUrl
    this.protocol = assigned.protocol
  }

  snapshot(nowMs: number): RebalanceSnapshot {
    return {
      groupId: this.groupId,
      connectProtocol: this.protocol,
      leaderName: this.leaderUrl,
      epoch: this.generation,
      rebalancing: this.startedMs !== null,
      completedRebalancesTotal: this.completed,
      rebalanceAvgTimeMs: this.timeMs.avg(nowMs),
      rebalanceMaxTimeMs: this.timeMs.maximum(nowMs),
      timeSinceLastRebalanceMs:
        this.completedMs === null ? Number.POSITIVE_INFINITY : Math.max(0, nowMs - this.completedMs),
    }
  }
}
