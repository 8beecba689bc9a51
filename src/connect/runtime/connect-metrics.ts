// Per-task Connect metrics on the broker's /metrics, read at scrape time from the running tasks, with
// Kafka Connect's metric group and names (connect.html, "Monitoring"; what the JMX exporter prints):
//   kafka_connect_connector_task_metrics_status{connector,task,status} 1
//   kafka_connect_source_task_metrics_source_record_poll_total / _source_record_write_total
//   kafka_connect_sink_task_metrics_sink_record_read_total / _sink_record_send_total
//   kafka_connect_connector_task_metrics_offset_commit_completion_total
// Only tasks this process runs appear (another worker reports its own).

import type { Registry } from 'prom-client'
import { promClient } from '../../metrics/prom-client.ts'
import type { TaskMetrics } from './task-metrics.ts'
import type { TaskMetricsEntry } from './worker.ts'

type TasksOf = () => TaskMetricsEntry[]

function taskGauge(
  registry: Registry,
  tasksOf: TasksOf,
  metric: { name: string; help: string; type?: 'source' | 'sink'; read: (metrics: TaskMetrics) => number },
): void {
  const { Gauge } = promClient()
  new Gauge({
    name: metric.name,
    help: metric.help,
    labelNames: ['connector', 'task'],
    registers: [registry],
    collect() {
      this.reset()
      for (const entry of tasksOf()) {
        if (metric.type !== undefined && entry.type !== metric.type) continue
        this.set({ connector: entry.connector, task: String(entry.task) }, metric.read(entry.metrics))
      }
    },
  })
}

export function registerConnectTaskMetrics(registry: Registry, tasksOf: TasksOf): void {
  const { Gauge } = promClient()
  new Gauge({
    name: 'kafka_connect_connector_task_metrics_status',
    help: "A task's state (Kafka: connector-task-metrics status): 1 for its current status.",
    labelNames: ['connector', 'task', 'status'],
    registers: [registry],
    collect() {
      this.reset()
      for (const entry of tasksOf())
        this.set(
          { connector: entry.connector, task: String(entry.task), status: entry.metrics.state.toLowerCase() },
          1,
        )
    },
  })
  const metrics = [
    {
      name: 'kafka_connect_source_task_metrics_source_record_poll_total',
      help: 'Records polled from the source task (Kafka: source-record-poll-total).',
      type: 'source' as const,
      read: (task: TaskMetrics) => task.sourceRecordPollTotal,
    },
    {
      name: 'kafka_connect_source_task_metrics_source_record_write_total',
      help: 'Records written to Kafka and acknowledged (Kafka: source-record-write-total).',
      type: 'source' as const,
      read: (task: TaskMetrics) => task.sourceRecordWriteTotal,
    },
    {
      name: 'kafka_connect_sink_task_metrics_sink_record_read_total',
      help: 'Records read from Kafka (Kafka: sink-record-read-total).',
      type: 'sink' as const,
      read: (task: TaskMetrics) => task.sinkRecordReadTotal,
    },
    {
      name: 'kafka_connect_sink_task_metrics_sink_record_send_total',
      help: 'Records given to the sink task after transforms (Kafka: sink-record-send-total).',
      type: 'sink' as const,
      read: (task: TaskMetrics) => task.sinkRecordSendTotal,
    },
    {
      name: 'kafka_connect_connector_task_metrics_offset_commit_completion_total',
      help: 'Offset commits that completed (Kafka: offset-commit-completion-total).',
      read: (task: TaskMetrics) => task.offsetCommitCompletionTotal,
    },
  ]
  for (const metric of metrics) taskGauge(registry, tasksOf, metric)
}
