// Per-task counters (Kafka's source-task-metrics / sink-task-metrics names), read by /metrics.

import type { State } from '../storage/status-store.ts'

export class TaskMetrics {
  /** The task's last reported state (Kafka's connector-task-metrics status). */
  state: State = 'UNASSIGNED'
  sourceRecordPollTotal = 0
  sourceRecordWriteTotal = 0
  sinkRecordReadTotal = 0
  sinkRecordSendTotal = 0
  offsetCommitCompletionTotal = 0

  recordsPolled(count: number): void {
    this.sourceRecordPollTotal += count
  }
  recordsWritten(count: number): void {
    this.sourceRecordWriteTotal += count
  }
  recordsRead(count: number): void {
    this.sinkRecordReadTotal += count
  }
  recordsPut(count: number): void {
    this.sinkRecordSendTotal += count
  }
  offsetsCommitted(): void {
    this.offsetCommitCompletionTotal++
  }
}
