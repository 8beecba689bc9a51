// Per-task counters, windowed stats and state times (Kafka's source-task-metrics / sink-task-metrics /
// connector-task-metrics), read by /metrics. Totals cover the task's life; averages, maxima, rates and
// commit success shares cover the sample window (metrics.num.samples × metrics.sample.window.ms), as
// Kafka's sensors; running-ratio and pause-ratio cover the task's life, as Kafka's StateTracker.
// The tasks call these once per batch or commit, never per record.

import { kafkaSampleWindow, SampledStat, type SampleWindow } from '../../metrics/sampled-stat.ts'
import { StateTimeRatios } from '../../metrics/state-time-ratios.ts'
import type { State } from '../storage/status-store.ts'
import { TaskErrorMetrics } from './task-error-metrics.ts'

export interface TaskMetricsOptions {
  window?: SampleWindow
  /** Milliseconds now (tests inject one). */
  clock?: () => number
}

export class TaskMetrics {
  readonly clock: () => number
  private readonly states = new StateTimeRatios<State>()
  sourceRecordPollTotal = 0
  sourceRecordWriteTotal = 0
  sinkRecordReadTotal = 0
  sinkRecordSendTotal = 0
  offsetCommitCompletionTotal = 0
  /** source-/sink-record-active-count: polled and not yet written (source), read and not yet committed (sink). */
  activeRecordCount = 0
  /** Sink: partitions assigned to the task's consumer (Kafka's partition-count). */
  partitionCount = 0
  /** Sink: the sequence number of the last offset commit started (Kafka's offset-commit-seq-no). */
  offsetCommitSeqNo = 0
  /** task-error-metrics, counted by the task's ErrorHandler. */
  readonly errors: TaskErrorMetrics
  /** Records per polled (source) or consumed (sink) batch: batch-size-avg/max and the poll/read rate. */
  readonly batchSize: SampledStat
  /** Records written (source) or put (sink) per batch: source-record-write-rate / sink-record-send-rate. */
  readonly recordsOut: SampledStat
  /** poll-batch-avg/max-time-ms: SourceTask.poll() calls that returned records. */
  readonly pollBatchTimeMs: SampledStat
  /** put-batch-avg/max-time-ms: SinkTask.put() calls. */
  readonly putBatchTimeMs: SampledStat
  /** offset-commit-avg/max-time-ms: commits that completed. */
  readonly offsetCommitTimeMs: SampledStat
  /** 1 per completed commit, 0 per failed one: offset-commit-success/failure-percentage. */
  readonly offsetCommitOutcomes: SampledStat
  /** 1 per completed commit: offset-commit-completion-rate. */
  readonly offsetCommitCompletions: SampledStat
  /** activeRecordCount at each change: source-/sink-record-active-count-max/-avg. */
  readonly activeRecords: SampledStat
  /** Sink: the most records an assigned partition was behind its log end, at each poll (sink-record-lag-max). */
  readonly recordLag: SampledStat

  constructor(options: TaskMetricsOptions = {}) {
    this.clock = options.clock ?? Date.now
    const window = options.window ?? kafkaSampleWindow
    this.batchSize = new SampledStat(window)
    this.recordsOut = new SampledStat(window)
    this.pollBatchTimeMs = new SampledStat(window)
    this.putBatchTimeMs = new SampledStat(window)
    this.offsetCommitTimeMs = new SampledStat(window)
    this.offsetCommitOutcomes = new SampledStat(window)
    this.offsetCommitCompletions = new SampledStat(window)
    this.activeRecords = new SampledStat(window)
    this.recordLag = new SampledStat(window)
    this.errors = new TaskErrorMetrics(this.clock)
  }

  /** The task's last reported state (Kafka's connector-task-metrics status). */
  get state(): State {
    return this.states.current ?? 'UNASSIGNED'
  }

  /** A status the task reported (RUNNING, PAUSED, FAILED, …): the state times move on. */
  changeState(state: State): void {
    this.states.change(state, this.clock())
  }

  /** running-ratio / pause-ratio: the share of the task's life in `state` (0 before its first status). */
  stateRatio(state: State): number {
    return this.states.ratio(state, this.clock())
  }

  /** A poll returned `count` records after `elapsedMs`. */
  recordsPolled(count: number, elapsedMs: number): void {
    const now = this.clock()
    this.sourceRecordPollTotal += count
    this.batchSize.record(count, now)
    this.pollBatchTimeMs.record(elapsedMs, now)
    this.setActiveRecords(this.activeRecordCount + count, now)
  }
  /**
   * `count` records were written and acknowledged; `done` polled records are finished with, those and the
   * ones dropped by a transform or skipped by error tolerance (no longer active).
   */
  recordsWritten(count: number, done = count): void {
    const now = this.clock()
    this.sourceRecordWriteTotal += count
    this.recordsOut.record(count, now)
    this.setActiveRecords(Math.max(0, this.activeRecordCount - done), now)
  }
  recordsRead(count: number): void {
    this.sinkRecordReadTotal += count
    this.batchSize.record(count, this.clock())
  }
  /** put() took `elapsedMs` for `count` records. */
  recordsPut(count: number, elapsedMs: number): void {
    const now = this.clock()
    this.sinkRecordSendTotal += count
    this.recordsOut.record(count, now)
    this.putBatchTimeMs.record(elapsedMs, now)
  }
  /** A commit completed (as Kafka, also one with nothing new to commit). */
  offsetsCommitted(elapsedMs: number): void {
    const now = this.clock()
    this.offsetCommitCompletionTotal++
    this.offsetCommitTimeMs.record(elapsedMs, now)
    this.offsetCommitOutcomes.record(1, now)
    this.offsetCommitCompletions.record(1, now)
  }
  /** A commit failed (its time is not recorded, as Kafka's). */
  offsetCommitFailed(): void {
    this.offsetCommitOutcomes.record(0, this.clock())
  }

  /**
   * A sink task's consumer after a poll or a commit: `partitions` assigned, `uncommitted` records read
   * and not committed, `lag` the most records a partition is behind its log end (null: not known, not
   * recorded; given after polls only).
   */
  sinkProgress(partitions: number, uncommitted: number, lag: number | null = null): void {
    const now = this.clock()
    this.partitionCount = partitions
    this.setActiveRecords(uncommitted, now)
    if (lag !== null) this.recordLag.record(lag, now)
  }
  /** A sink task begins an offset commit (Kafka's commitSeqno). */
  offsetCommitStarted(): void {
    this.offsetCommitSeqNo++
  }

  private setActiveRecords(count: number, now: number): void {
    this.activeRecordCount = count
    this.activeRecords.record(count, now)
  }
}
