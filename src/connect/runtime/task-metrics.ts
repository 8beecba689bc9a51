// Per-task counters and timings (Kafka's source-task-metrics / sink-task-metrics /
// connector-task-metrics names), read by /metrics.

import type { State } from '../storage/status-store.ts'

/** Average and maximum of what was recorded (over the task's lifetime; Kafka's over its sample window). */
export class Stat {
  count = 0
  total = 0
  max = Number.NaN

  record(value: number): void {
    this.count++
    this.total += value
    this.max = this.count === 1 ? value : Math.max(this.max, value)
  }

  /** NaN before anything was recorded, as Kafka's Avg. */
  average(): number {
    return this.count === 0 ? Number.NaN : this.total / this.count
  }
}

export class TaskMetrics {
  /** The task's last reported state (Kafka's connector-task-metrics status). */
  state: State = 'UNASSIGNED'
  sourceRecordPollTotal = 0
  sourceRecordWriteTotal = 0
  sinkRecordReadTotal = 0
  sinkRecordSendTotal = 0
  offsetCommitCompletionTotal = 0
  /** poll-batch-avg/max-time-ms: SourceTask.poll() calls that returned records. */
  readonly pollBatchTimeMs = new Stat()
  /** put-batch-avg/max-time-ms: SinkTask.put() calls. */
  readonly putBatchTimeMs = new Stat()
  /** offset-commit-avg/max-time-ms: commits that completed. */
  readonly offsetCommitTimeMs = new Stat()
  /** batch-size-avg/max: records per polled (source) or consumed (sink) batch. */
  readonly batchSize = new Stat()

  /** A poll returned `count` records after `elapsedMs`. */
  recordsPolled(count: number, elapsedMs: number): void {
    this.sourceRecordPollTotal += count
    this.batchSize.record(count)
    this.pollBatchTimeMs.record(elapsedMs)
  }
  recordsWritten(count: number): void {
    this.sourceRecordWriteTotal += count
  }
  recordsRead(count: number): void {
    this.sinkRecordReadTotal += count
    this.batchSize.record(count)
  }
  /** put() took `elapsedMs` for `count` records. */
  recordsPut(count: number, elapsedMs: number): void {
    this.sinkRecordSendTotal += count
    this.putBatchTimeMs.record(elapsedMs)
  }
  offsetsCommitted(elapsedMs: number): void {
    this.offsetCommitCompletionTotal++
    this.offsetCommitTimeMs.record(elapsedMs)
  }
}
