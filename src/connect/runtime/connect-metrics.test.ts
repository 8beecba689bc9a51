// Goal: /metrics shows Kafka Connect's windowed task and worker metrics with Kafka's names: rates,
// commit success/failure percentages, running/pause ratios, windowed avg/max; inside the sample
// window they have exact values, after it the windowed ones fall back (rates and percentages 0,
// avg/max NaN) while the totals and the state ratios (the task's life) stay. Active records (source:
// polled minus written or dropped; sink: read and not committed), partition count, commit sequence
// number, sink lag and the task-error-metrics group show exactly what the tasks recorded.
// Method: TaskMetrics and WorkerMetrics on an injected clock, rendered by prom-client through
// registerConnectMetrics into a fresh registry; the text is parsed and exact values compared.

import assert from 'node:assert/strict'
import { test } from 'node:test'
import { promClient } from '../../metrics/prom-client.ts'
import { registerConnectMetrics } from './connect-metrics.ts'
import { TaskMetrics } from './task-metrics.ts'
import { WorkerMetrics } from './worker-metrics.ts'

async function scrape(registry: import('prom-client').Registry): Promise<Map<string, number>> {
  const text = await registry.metrics()
  const values = new Map<string, number>()
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue
    const space = line.lastIndexOf(' ')
    values.set(line.slice(0, space), Number(line.slice(space + 1)))
  }
  return values
}

/** A source and a sink task and a worker with known records, on a clock the test moves. */
/** The Connect metrics of a worker running one source task ('in') and one sink task ('out'). */
function registryOf(
  worker: WorkerMetrics,
  source: TaskMetrics,
  sink: TaskMetrics,
): import('prom-client').Registry {
  const registry = new (promClient().Registry)()
  registerConnectMetrics(registry, () => ({
    metrics: worker,
    connectorMetrics: () => [],
    connectorCount: () => 2,
    taskCount: () => 2,
    rebalanceMetrics: () => null,
    taskMetrics: () => [
      { connector: 'in', task: 0, type: 'source', metrics: source },
      { connector: 'out', task: 0, type: 'sink', metrics: sink },
    ],
  }))
  return registry
}

function recorded(): { registry: import('prom-client').Registry; at: (ms: number) => void } {
  let now = 0
  const clock = () => now
  const window = { windowMs: 1_000, samples: 2 }
  const source = new TaskMetrics({ window, clock })
  const sink = new TaskMetrics({ window, clock })
  const worker = new WorkerMetrics(window, clock)
  source.changeState('RUNNING')
  sink.changeState('RUNNING')
  now = 100
  source.recordsPolled(10, 5)
  source.recordsWritten(10)
  source.offsetsCommitted(4)
  source.offsetCommitFailed()
  sink.recordsRead(20)
  sink.recordsPut(20, 8)
  sink.offsetsCommitted(6)
  worker.connectorStarted(true)
  worker.taskStarted(true)
  worker.taskStarted(false)
  worker.taskStarted(true)
  worker.taskStarted(true)
  now = 550
  source.changeState('PAUSED')
  const registry = registryOf(worker, source, sink)
  return {
    registry,
    at: (ms) => {
      now = ms
    },
  }
}

test('windowed task and worker metrics, inside and after the sample window', async () => {
  const { registry, at } = recorded()
  const task = (values: Map<string, number>, name: string, connector: string) =>
    values.get(`kafka_connect_${name}{connector="${connector}",task="0"}`)
  // 1 s after the records: the first sample began at 100, so the rates divide by 1 s.
  at(1_100)
  let values = await scrape(registry)
  assert.equal(task(values, 'connector_task_metrics_status', 'in'), undefined)
  assert.equal(
    values.get('kafka_connect_connector_task_metrics_status{connector="in",task="0",status="paused"}'),
    1,
  )
  assert.equal(task(values, 'connector_task_metrics_running_ratio', 'in'), 0.5)
  assert.equal(task(values, 'connector_task_metrics_pause_ratio', 'in'), 0.5)
  assert.equal(task(values, 'connector_task_metrics_running_ratio', 'out'), 1)
  assert.equal(task(values, 'connector_task_metrics_pause_ratio', 'out'), 0)
  assert.equal(task(values, 'connector_task_metrics_offset_commit_success_percentage', 'in'), 0.5)
  assert.equal(task(values, 'connector_task_metrics_offset_commit_failure_percentage', 'in'), 0.5)
  assert.equal(task(values, 'connector_task_metrics_offset_commit_success_percentage', 'out'), 1)
  assert.equal(task(values, 'connector_task_metrics_offset_commit_failure_percentage', 'out'), 0)
  assert.equal(task(values, 'source_task_metrics_source_record_poll_rate', 'in'), 10)
  assert.equal(task(values, 'source_task_metrics_source_record_write_rate', 'in'), 10)
  assert.equal(task(values, 'source_task_metrics_source_record_poll_total', 'in'), 10)
  assert.equal(task(values, 'source_task_metrics_poll_batch_avg_time_ms', 'in'), 5)
  assert.equal(task(values, 'source_task_metrics_poll_batch_max_time_ms', 'in'), 5)
  assert.equal(task(values, 'connector_task_metrics_offset_commit_avg_time_ms', 'in'), 4)
  assert.equal(task(values, 'connector_task_metrics_batch_size_max', 'in'), 10)
  assert.equal(task(values, 'sink_task_metrics_sink_record_read_rate', 'out'), 20)
  assert.equal(task(values, 'sink_task_metrics_sink_record_send_rate', 'out'), 20)
  assert.equal(task(values, 'sink_task_metrics_put_batch_avg_time_ms', 'out'), 8)
  assert.equal(task(values, 'sink_task_metrics_offset_commit_completion_rate', 'out'), 1)
  assert.equal(task(values, 'sink_task_metrics_offset_commit_completion_total', 'out'), 1)
  assert.equal(task(values, 'sink_task_metrics_offset_commit_skip_rate', 'out'), 0)
  assert.equal(task(values, 'sink_task_metrics_offset_commit_skip_total', 'out'), 0)
  // Source-only and sink-only metrics are shown for their own tasks only.
  assert.equal(task(values, 'sink_task_metrics_sink_record_read_rate', 'in'), undefined)
  assert.equal(task(values, 'source_task_metrics_source_record_poll_rate', 'out'), undefined)
  const workerMetric = (name: string) => values.get(`kafka_connect_connect_worker_metrics_${name}`)
  assert.equal(workerMetric('connector_startup_success_percentage'), 1)
  assert.equal(workerMetric('connector_startup_failure_percentage'), 0)
  assert.equal(workerMetric('task_startup_success_percentage'), 0.75)
  assert.equal(workerMetric('task_startup_failure_percentage'), 0.25)
  assert.equal(workerMetric('task_startup_attempts_total'), 0) // counted by the worker where it starts a task
  assert.equal(workerMetric('task_startup_failure_total'), 1)
  // 2 s (samples × window) after the last record the windowed values are gone; totals and ratios stay.
  at(2_200)
  values = await scrape(registry)
  assert.equal(task(values, 'source_task_metrics_source_record_poll_rate', 'in'), 0)
  assert.equal(task(values, 'source_task_metrics_source_record_poll_total', 'in'), 10)
  assert.ok(Number.isNaN(task(values, 'source_task_metrics_poll_batch_avg_time_ms', 'in')))
  assert.ok(Number.isNaN(task(values, 'connector_task_metrics_batch_size_max', 'in')))
  assert.equal(task(values, 'connector_task_metrics_offset_commit_success_percentage', 'in'), 0)
  assert.equal(task(values, 'connector_task_metrics_offset_commit_failure_percentage', 'in'), 0)
  assert.equal(task(values, 'sink_task_metrics_offset_commit_completion_rate', 'out'), 0)
  assert.equal(task(values, 'sink_task_metrics_offset_commit_completion_total', 'out'), 1)
  assert.equal(task(values, 'connector_task_metrics_running_ratio', 'in'), 0.25) // 550 of 2200 ms
  assert.equal(task(values, 'connector_task_metrics_pause_ratio', 'in'), 0.75)
  assert.equal(workerMetric('task_startup_success_percentage'), 0)
  assert.equal(workerMetric('task_startup_failure_total'), 1)
})

test('active records, partition count, commit sequence number, lag and task-error-metrics', async () => {
  let now = 0
  const clock = () => now
  const window = { windowMs: 1_000, samples: 2 }
  const source = new TaskMetrics({ window, clock })
  const sink = new TaskMetrics({ window, clock })
  const registry = registryOf(new WorkerMetrics(window, clock), source, sink)
  now = 100
  // Source: 10 polled, then 6 more; a write of 7 acknowledged with 1 dropped (8 done): 8 left active.
  source.recordsPolled(10, 1)
  source.recordsPolled(6, 1)
  source.recordsWritten(7, 8)
  // Sink: 3 partitions, 40 records read and not committed, 25 behind; then a commit leaves 0.
  sink.sinkProgress(3, 40, 25)
  sink.offsetCommitStarted()
  sink.offsetCommitStarted()
  sink.sinkProgress(3, 0)
  source.errors.recordFailures = 3
  source.errors.retries = 2
  source.errors.recordError()
  sink.errors.deadLetterQueueProduceRequests = 4
  now = 600
  const values = await scrape(registry)
  const task = (name: string, connector: string) =>
    values.get(`kafka_connect_${name}{connector="${connector}",task="0"}`)
  assert.equal(task('source_task_metrics_source_record_active_count', 'in'), 8)
  assert.equal(task('source_task_metrics_source_record_active_count_max', 'in'), 16)
  assert.equal(task('source_task_metrics_source_record_active_count_avg', 'in'), (10 + 16 + 8) / 3)
  assert.equal(task('sink_task_metrics_sink_record_active_count', 'out'), 0)
  assert.equal(task('sink_task_metrics_sink_record_active_count_max', 'out'), 40)
  assert.equal(task('sink_task_metrics_sink_record_active_count_avg', 'out'), 20)
  assert.equal(task('sink_task_metrics_partition_count', 'out'), 3)
  assert.equal(task('sink_task_metrics_offset_commit_seq_no', 'out'), 2)
  assert.equal(task('sink_task_metrics_sink_record_lag_max', 'out'), 25)
  assert.equal(task('sink_task_metrics_partition_count', 'in'), undefined)
  assert.equal(task('source_task_metrics_source_record_active_count', 'out'), undefined)
  assert.equal(task('task_error_metrics_total_record_failures', 'in'), 3)
  assert.equal(task('task_error_metrics_total_retries', 'in'), 2)
  assert.equal(task('task_error_metrics_total_record_errors', 'in'), 1)
  assert.equal(task('task_error_metrics_last_error_timestamp', 'in'), 100)
  assert.equal(task('task_error_metrics_total_records_skipped', 'in'), 0)
  assert.equal(task('task_error_metrics_deadletterqueue_produce_requests', 'out'), 4)
  assert.equal(task('task_error_metrics_last_error_timestamp', 'out'), 0)
  // After the window the max/avg are gone (NaN), the current values and totals stay.
  now = 2_200
  const later = await scrape(registry)
  const lateTask = (name: string, connector: string) =>
    later.get(`kafka_connect_${name}{connector="${connector}",task="0"}`)
  assert.equal(lateTask('source_task_metrics_source_record_active_count', 'in'), 8)
  assert.ok(Number.isNaN(lateTask('source_task_metrics_source_record_active_count_max', 'in')))
  assert.ok(Number.isNaN(lateTask('sink_task_metrics_sink_record_lag_max', 'out')))
  assert.equal(lateTask('task_error_metrics_total_record_failures', 'in'), 3)
})
