// Per-task Connect metrics on the broker's /metrics, read at scrape time from the running tasks, with
// Kafka Connect's metric group and names (connect.html, "Monitoring"; what the JMX exporter prints):
//   kafka_connect_connector_task_metrics_status{connector,task,status} 1
//   kafka_connect_connector_task_metrics_running_ratio / _pause_ratio (the task's life)
//   kafka_connect_connector_task_metrics_offset_commit_{success,failure}_percentage
//   kafka_connect_connector_task_metrics_offset_commit_{avg,max}_time_ms, _batch_size_{avg,max}
//   kafka_connect_connector_task_metrics_offset_commit_completion_total (ours, source and sink)
//   kafka_connect_source_task_metrics_source_record_{poll,write}_{total,rate}, _poll_batch_{avg,max}_time_ms
//   kafka_connect_sink_task_metrics_sink_record_{read,send}_{total,rate}, _put_batch_{avg,max}_time_ms
//   kafka_connect_sink_task_metrics_offset_commit_{completion,skip}_{total,rate}
//   kafka_connect_{source,sink}_task_metrics_{source,sink}_record_active_count{,_max,_avg}
//   kafka_connect_sink_task_metrics_partition_count, _offset_commit_seq_no, _sink_record_lag_max
//   kafka_connect_task_error_metrics_total_record_{errors,failures}, _total_records_skipped,
//     _total_retries, _total_errors_logged, _deadletterqueue_produce_{requests,failures},
//     _last_error_timestamp (task-error-metrics: totals over the task's life; task-error-metrics.ts)
// Averages, maxima, rates and percentages cover the metrics sample window (metrics/sampled-stat.ts).
// Connector level (connector-metrics) and worker level (connect-worker-metrics):
//   kafka_connect_connector_metrics_status{connector,status} 1
//   kafka_connect_connector_metrics_info{connector,connector_class,connector_type,connector_version} 1
//   kafka_connect_connect_worker_metrics_connector_count / _task_count
//   kafka_connect_connect_worker_metrics_connector_startup_{attempts,success,failure}_total (and task_)
//   kafka_connect_connect_worker_metrics_connector_startup_{success,failure}_percentage (and task_)
//   kafka_connect_connect_worker_metrics_connector_{running,paused,failed,…,total}_task_count{connector}
// Worker in a group: connect-worker-rebalance-metrics (connect-rebalance-metrics.ts).
// Only what this process runs appears (another worker reports its own).

import type { Registry } from 'prom-client'
import { promClient } from '../../metrics/prom-client.ts'
import type { SampledStat } from '../../metrics/sampled-stat.ts'
import { registerConnectRebalanceMetrics } from './connect-rebalance-metrics.ts'
import type { TaskMetrics } from './task-metrics.ts'
import type { TaskMetricsEntry } from './worker.ts'
import type { WorkerMetrics, WorkerMetricsSource } from './worker-metrics.ts'

type TasksOf = () => TaskMetricsEntry[]

/** The WorkerMetrics fields that are plain counters. */
type WorkerCounter = {
  [K in keyof WorkerMetrics]: WorkerMetrics[K] extends number ? K : never
}[keyof WorkerMetrics]

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

/** Every Connect metric, read at scrape time from the worker (none while it is not loaded). */
export function registerConnectMetrics(
  registry: Registry,
  workerOf: () => (WorkerMetricsSource & { taskMetrics(): TaskMetricsEntry[] }) | null,
): void {
  registerConnectTaskMetrics(registry, () => workerOf()?.taskMetrics() ?? [])
  registerConnectWorkerMetrics(registry, workerOf)
  registerConnectRebalanceMetrics(registry, () => workerOf()?.rebalanceMetrics() ?? null)
}

const taskStates = ['running', 'paused', 'failed', 'unassigned', 'restarting'] as const

function registerConnectWorkerMetrics(registry: Registry, workerOf: () => WorkerMetricsSource | null): void {
  const { Gauge } = promClient()
  const perConnector = (
    name: string,
    help: string,
    labelNames: string[],
    labels: (entry: ReturnType<WorkerMetricsSource['connectorMetrics']>[number]) => Record<string, string>,
    value: (entry: ReturnType<WorkerMetricsSource['connectorMetrics']>[number]) => number = () => 1,
  ) =>
    new Gauge({
      name,
      help,
      labelNames,
      registers: [registry],
      collect() {
        this.reset()
        for (const entry of workerOf()?.connectorMetrics() ?? []) this.set(labels(entry), value(entry))
      },
    })
  perConnector(
    'kafka_connect_connector_metrics_status',
    "A connector's state (Kafka: connector-metrics status): 1 for its current status.",
    ['connector', 'status'],
    (entry) => ({ connector: entry.connector, status: entry.status }),
  )
  perConnector(
    'kafka_connect_connector_metrics_info',
    'The connector class, type and version (Kafka: connector-metrics connector-class/-type/-version).',
    ['connector', 'connector_class', 'connector_type', 'connector_version'],
    (entry) => ({
      connector: entry.connector,
      connector_class: entry.className,
      connector_type: entry.type,
      connector_version: entry.version,
    }),
  )
  for (const state of taskStates)
    perConnector(
      `kafka_connect_connect_worker_metrics_connector_${state}_task_count`,
      `Tasks of the connector in state ${state} (Kafka: connector-${state}-task-count).`,
      ['connector'],
      (entry) => ({ connector: entry.connector }),
      (entry) => entry.taskStates.filter((task) => task === state).length,
    )
  perConnector(
    'kafka_connect_connect_worker_metrics_connector_total_task_count',
    'Tasks of the connector (Kafka: connector-total-task-count).',
    ['connector'],
    (entry) => ({ connector: entry.connector }),
    (entry) => entry.taskStates.length,
  )
  const worker = (name: string, help: string, read: (source: WorkerMetricsSource) => number) =>
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        const source = workerOf()
        this.set(source === null ? 0 : read(source))
      },
    })
  worker(
    'kafka_connect_connect_worker_metrics_connector_count',
    'Connectors run by this worker (Kafka: connector-count).',
    (source) => source.connectorCount(),
  )
  worker(
    'kafka_connect_connect_worker_metrics_task_count',
    'Tasks run by this worker (Kafka: task-count).',
    (source) => source.taskCount(),
  )
  const counters: Array<[string, WorkerCounter]> = [
    ['connector_startup_attempts_total', 'connectorStartupAttemptsTotal'],
    ['connector_startup_success_total', 'connectorStartupSuccessTotal'],
    ['connector_startup_failure_total', 'connectorStartupFailureTotal'],
    ['task_startup_attempts_total', 'taskStartupAttemptsTotal'],
    ['task_startup_success_total', 'taskStartupSuccessTotal'],
    ['task_startup_failure_total', 'taskStartupFailureTotal'],
  ]
  for (const [suffix, field] of counters)
    worker(
      `kafka_connect_connect_worker_metrics_${suffix}`,
      `Kafka: connect-worker-metrics ${suffix.replaceAll('_', '-')}.`,
      (source) => source.metrics[field],
    )
  const shares: Array<[string, 'connectorStartupResults' | 'taskStartupResults', boolean]> = [
    ['connector_startup_success_percentage', 'connectorStartupResults', true],
    ['connector_startup_failure_percentage', 'connectorStartupResults', false],
    ['task_startup_success_percentage', 'taskStartupResults', true],
    ['task_startup_failure_percentage', 'taskStartupResults', false],
  ]
  for (const [suffix, field, outcome] of shares)
    worker(
      `kafka_connect_connect_worker_metrics_${suffix}`,
      `Kafka: connect-worker-metrics ${suffix.replaceAll('_', '-')} (a fraction, over the sample window).`,
      (source) => source.metrics[field].share(outcome, source.metrics.clock()),
    )
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
  for (const metric of [
    ...counterMetrics,
    ...windowedMetrics,
    ...statMetrics,
    ...activeMetrics,
    ...sinkProgressMetrics,
    ...errorMetrics,
  ])
    taskGauge(registry, tasksOf, metric)
}

interface TaskMetric {
  name: string
  help: string
  type?: 'source' | 'sink'
  read: (metrics: TaskMetrics) => number
}

/** Totals over the task's life (Kafka's CumulativeSum). */
const counterMetrics: TaskMetric[] = [
  {
    name: 'kafka_connect_source_task_metrics_source_record_poll_total',
    help: 'Records polled from the source task (Kafka: source-record-poll-total).',
    type: 'source',
    read: (task) => task.sourceRecordPollTotal,
  },
  {
    name: 'kafka_connect_source_task_metrics_source_record_write_total',
    help: 'Records written to Kafka and acknowledged (Kafka: source-record-write-total).',
    type: 'source',
    read: (task) => task.sourceRecordWriteTotal,
  },
  {
    name: 'kafka_connect_sink_task_metrics_sink_record_read_total',
    help: 'Records read from Kafka (Kafka: sink-record-read-total).',
    type: 'sink',
    read: (task) => task.sinkRecordReadTotal,
  },
  {
    name: 'kafka_connect_sink_task_metrics_sink_record_send_total',
    help: 'Records given to the sink task after transforms (Kafka: sink-record-send-total).',
    type: 'sink',
    read: (task) => task.sinkRecordSendTotal,
  },
  {
    name: 'kafka_connect_connector_task_metrics_offset_commit_completion_total',
    help: 'Offset commits that completed, source and sink tasks (Kafka has it for sink tasks only).',
    read: (task) => task.offsetCommitCompletionTotal,
  },
  {
    name: 'kafka_connect_sink_task_metrics_offset_commit_completion_total',
    help: 'Offset commits that completed (Kafka: offset-commit-completion-total).',
    type: 'sink',
    read: (task) => task.offsetCommitCompletionTotal,
  },
  {
    name: 'kafka_connect_sink_task_metrics_offset_commit_skip_total',
    help: 'Offset commits completed too late and skipped (Kafka: offset-commit-skip-total); always 0: commits are awaited in turn.',
    type: 'sink',
    read: () => 0,
  },
]

const now = (task: TaskMetrics): number => task.clock()

/** Rates, percentages and state ratios: over the sample window (state ratios over the task's life). */
const windowedMetrics: TaskMetric[] = [
  {
    name: 'kafka_connect_connector_task_metrics_running_ratio',
    help: 'Share of the time the task has spent running (Kafka: running-ratio).',
    read: (task) => task.stateRatio('RUNNING'),
  },
  {
    name: 'kafka_connect_connector_task_metrics_pause_ratio',
    help: 'Share of the time the task has spent paused (Kafka: pause-ratio).',
    read: (task) => task.stateRatio('PAUSED'),
  },
  {
    name: 'kafka_connect_connector_task_metrics_offset_commit_success_percentage',
    help: 'Share of offset commit attempts that succeeded, 0 to 1 (Kafka: offset-commit-success-percentage).',
    read: (task) => task.offsetCommitOutcomes.share(true, now(task)),
  },
  {
    name: 'kafka_connect_connector_task_metrics_offset_commit_failure_percentage',
    help: 'Share of offset commit attempts that failed, 0 to 1 (Kafka: offset-commit-failure-percentage).',
    read: (task) => task.offsetCommitOutcomes.share(false, now(task)),
  },
  {
    name: 'kafka_connect_source_task_metrics_source_record_poll_rate',
    help: 'Records polled per second (Kafka: source-record-poll-rate).',
    type: 'source',
    read: (task) => task.batchSize.rate(now(task)),
  },
  {
    name: 'kafka_connect_source_task_metrics_source_record_write_rate',
    help: 'Records written to Kafka per second (Kafka: source-record-write-rate).',
    type: 'source',
    read: (task) => task.recordsOut.rate(now(task)),
  },
  {
    name: 'kafka_connect_sink_task_metrics_sink_record_read_rate',
    help: 'Records read from Kafka per second (Kafka: sink-record-read-rate).',
    type: 'sink',
    read: (task) => task.batchSize.rate(now(task)),
  },
  {
    name: 'kafka_connect_sink_task_metrics_sink_record_send_rate',
    help: 'Records given to the sink task per second (Kafka: sink-record-send-rate).',
    type: 'sink',
    read: (task) => task.recordsOut.rate(now(task)),
  },
  {
    name: 'kafka_connect_sink_task_metrics_offset_commit_completion_rate',
    help: 'Offset commits completed per second (Kafka: offset-commit-completion-rate).',
    type: 'sink',
    read: (task) => task.offsetCommitCompletions.rate(now(task)),
  },
  {
    name: 'kafka_connect_sink_task_metrics_offset_commit_skip_rate',
    help: 'Offset commits skipped per second (Kafka: offset-commit-skip-rate); always 0.',
    type: 'sink',
    read: () => 0,
  },
]

/** Timings and batch sizes: avg/max over the sample window (NaN with nothing in it). */
interface StatMetric {
  name: string
  unit: '_time_ms' | ''
  type: 'source' | 'sink' | undefined
  kafkaName: string
  stat: (task: TaskMetrics) => SampledStat
}

const stats: StatMetric[] = [
  {
    name: 'source_task_metrics_poll_batch',
    unit: '_time_ms',
    type: 'source',
    kafkaName: 'poll-batch',
    stat: (task) => task.pollBatchTimeMs,
  },
  {
    name: 'sink_task_metrics_put_batch',
    unit: '_time_ms',
    type: 'sink',
    kafkaName: 'put-batch',
    stat: (task) => task.putBatchTimeMs,
  },
  {
    name: 'connector_task_metrics_offset_commit',
    unit: '_time_ms',
    type: undefined,
    kafkaName: 'offset-commit',
    stat: (task) => task.offsetCommitTimeMs,
  },
  {
    name: 'connector_task_metrics_batch_size',
    unit: '',
    type: undefined,
    kafkaName: 'batch-size',
    stat: (task) => task.batchSize,
  },
]

const statMetrics: TaskMetric[] = stats.flatMap(({ name, unit, type, kafkaName, stat }) =>
  (['avg', 'max'] as const).map((kind) => ({
    name: `kafka_connect_${name}_${kind}${unit}`,
    help: `Kafka: ${kafkaName}-${kind}${unit.replaceAll('_', '-')} (over the sample window).`,
    ...(type === undefined ? {} : { type }),
    read: (task: TaskMetrics) => (kind === 'avg' ? stat(task).avg(now(task)) : stat(task).maximum(now(task))),
  })),
)

/** Records polled and not yet written (source), read and not yet committed (sink): now, and max/avg over the window. */
const activeMetrics: TaskMetric[] = (['source', 'sink'] as const).flatMap((type) => {
  const kafkaName = `${type}-record-active-count`
  const name = `kafka_connect_${type}_task_metrics_${type}_record_active_count`
  const what =
    type === 'source' ? 'records polled and not yet written or dropped' : 'records read and not yet committed'
  return [
    {
      name,
      help: `The ${what} (Kafka: ${kafkaName}).`,
      type,
      read: (task: TaskMetrics) => task.activeRecordCount,
    },
    {
      name: `${name}_max`,
      help: `The most ${what} (Kafka: ${kafkaName}-max, over the sample window).`,
      type,
      read: (task: TaskMetrics) => task.activeRecords.maximum(now(task)),
    },
    {
      name: `${name}_avg`,
      help: `The average number of ${what} (Kafka: ${kafkaName}-avg, over the sample window).`,
      type,
      read: (task: TaskMetrics) => task.activeRecords.avg(now(task)),
    },
  ]
})

const sinkProgressMetrics: TaskMetric[] = [
  {
    name: 'kafka_connect_sink_task_metrics_partition_count',
    help: "Partitions assigned to the task's consumer (Kafka: partition-count).",
    type: 'sink',
    read: (task) => task.partitionCount,
  },
  {
    name: 'kafka_connect_sink_task_metrics_offset_commit_seq_no',
    help: 'The sequence number of the last offset commit (Kafka: offset-commit-seq-no).',
    type: 'sink',
    read: (task) => task.offsetCommitSeqNo,
  },
  {
    name: 'kafka_connect_sink_task_metrics_sink_record_lag_max',
    help: 'The most records an assigned partition was behind its log end at a poll (Kafka: sink-record-lag-max, over the sample window).',
    type: 'sink',
    read: (task) => task.recordLag.maximum(now(task)),
  },
]

/** task-error-metrics: totals over the task's life, source and sink tasks. */
const errorMetrics: TaskMetric[] = (
  [
    ['total_record_failures', 'recordFailures', 'Failed attempts of an operation, retried or not'],
    ['total_record_errors', 'recordErrors', 'Operations (converters, transforms) that finally failed'],
    ['total_records_skipped', 'recordsSkipped', 'Records skipped after an error (errors.tolerance=all)'],
    ['total_retries', 'retries', 'Operations retried after a RetriableException'],
    ['total_errors_logged', 'errorsLogged', 'Errors written to the log (errors.log.enable)'],
    [
      'deadletterqueue_produce_requests',
      'deadLetterQueueProduceRequests',
      'Records sent to the dead-letter queue',
    ],
    [
      'deadletterqueue_produce_failures',
      'deadLetterQueueProduceFailures',
      'Dead-letter queue sends that failed',
    ],
    [
      'last_error_timestamp',
      'lastErrorTimestamp',
      'Epoch milliseconds of the last error, 0 before the first',
    ],
  ] as const
).map(([suffix, field, what]) => ({
  name: `kafka_connect_task_error_metrics_${suffix}`,
  help: `${what} (Kafka: task-error-metrics ${suffix.replaceAll('_', '-')}).`,
  read: (task: TaskMetrics) => task.errors[field],
}))
