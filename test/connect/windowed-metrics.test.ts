// Goal: a running connector's tasks show Kafka Connect's windowed metrics on /metrics with sane
// values: per-second rates near the datagen's rate, offset-commit-success-percentage 1, running-ratio 1;
// once the source is paused its pause-ratio grows, and after the sample window (2 × 1 s here) its
// poll/write rates fall to 0 and its poll-batch time to NaN while its totals stay, and the sink (still
// running, committing nothing new) keeps a success percentage of 1 and a commit-completion rate above 0;
// after resume the rates come back.
// The sink's first burst (the backlog from its group forming) is left out of the window first.
// Method: the real CLI with --connect-metrics-sample-window-ms 1000 --connect-metrics-num-samples 2; a
// datagen source (50 records/s) and a FileStreamSink created and paused/resumed with curl; the
// broker's /metrics scraped with curl.
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import {
  type BrokerProcess,
  httpUrlOf,
  makeTempDir,
  removeTempDir,
  startBrokerProcess,
} from '../helpers/broker-process.ts'
import { connectUrlOf, curl, scrapeMetrics, waitFor, waitForState } from '../helpers/connect.ts'

let broker: BrokerProcess
let dir = ''
before(async () => {
  dir = await makeTempDir('streamline-connect-windowed-')
  broker = await startBrokerProcess({
    args: ['--connect-metrics-sample-window-ms', '1000', '--connect-metrics-num-samples', '2'],
  })
})
after(async () => {
  await broker?.stop()
  if (dir !== '') await removeTempDir(dir)
})

type Metrics = Map<string, number>

const taskMetric = (metrics: Metrics, name: string, connector: string): number =>
  metrics.get(`kafka_connect_${name}{connector="${connector}",task="0"}`) ?? Number.NaN

function assertBetween(value: number, low: number, high: number, what: string): void {
  assert.ok(value >= low && value <= high, `${what}: ${value} not in [${low}, ${high}]`)
}

/** Both tasks moving data: rates near 50/s, every commit a success, running the whole time. */
function assertRunning(metrics: Metrics): void {
  for (const name of ['source_record_poll_rate', 'source_record_write_rate'])
    assertBetween(taskMetric(metrics, `source_task_metrics_${name}`, 'gen'), 20, 150, name)
  for (const name of ['sink_record_read_rate', 'sink_record_send_rate'])
    assertBetween(taskMetric(metrics, `sink_task_metrics_${name}`, 'out'), 20, 150, name)
  for (const connector of ['gen', 'out']) {
    assert.equal(taskMetric(metrics, 'connector_task_metrics_running_ratio', connector), 1)
    assert.equal(taskMetric(metrics, 'connector_task_metrics_pause_ratio', connector), 0)
    assert.equal(taskMetric(metrics, 'connector_task_metrics_offset_commit_success_percentage', connector), 1)
    assert.equal(taskMetric(metrics, 'connector_task_metrics_offset_commit_failure_percentage', connector), 0)
    const average = taskMetric(metrics, 'connector_task_metrics_batch_size_avg', connector)
    const max = taskMetric(metrics, 'connector_task_metrics_batch_size_max', connector)
    assert.ok(average >= 1 && max >= average, `${connector} batch size avg ${average} max ${max}`)
  }
  assertBetween(
    taskMetric(metrics, 'sink_task_metrics_offset_commit_completion_rate', 'out'),
    0.1,
    20,
    'commits/s',
  )
  assert.equal(taskMetric(metrics, 'sink_task_metrics_offset_commit_skip_rate', 'out'), 0)
  assert.ok(taskMetric(metrics, 'source_task_metrics_poll_batch_avg_time_ms', 'gen') >= 0)
}

test('windowed Connect metrics: rates, commit percentages, running and pause ratios', {
  timeout: 180_000,
}, async () => {
  const base = connectUrlOf(broker)
  const metricsUrl = `${httpUrlOf(broker)}/metrics`
  const converters = {
    'key.converter': 'org.apache.kafka.connect.storage.StringConverter',
    'value.converter': 'org.apache.kafka.connect.storage.StringConverter',
  }
  const source = await curl('POST', `${base}/connectors`, {
    name: 'gen',
    config: {
      'connector.class': 'io.confluent.kafka.connect.datagen.DatagenConnector',
      'kafka.topic': 'windowed',
      quickstart: 'users',
      'records.per.second': '50',
      ...converters,
    },
  })
  assert.equal(source.status, 201, source.text)
  const sink = await curl('POST', `${base}/connectors`, {
    name: 'out',
    config: {
      'connector.class': 'FileStreamSink',
      file: `${dir}/out.txt`,
      topics: 'windowed',
      ...converters,
    },
  })
  assert.equal(sink.status, 201, sink.text)
  await waitForState(base, 'gen', 'RUNNING')
  await waitForState(base, 'out', 'RUNNING')
  // The sink's first fetch takes the backlog the source wrote while the sink's group was forming
  // (group.initial.rebalance.delay.ms is 3 s), a burst well above 50/s. Wait for that first read,
  // then for the burst's samples to leave the window (2 × 1 s), so the window holds only steady flow.
  await waitFor('the sink reading', async () => {
    const metrics = await scrapeMetrics(metricsUrl)
    return taskMetric(metrics, 'sink_task_metrics_sink_record_read_total', 'out') > 0 ? true : undefined
  })
  await new Promise((resolve) => setTimeout(resolve, 3_000))
  assertRunning(await scrapeMetrics(metricsUrl))

  assert.equal((await curl('PUT', `${base}/connectors/gen/pause`)).status, 202)
  await waitForState(base, 'gen', 'PAUSED')
  // 2 s (samples × window) after its last poll nothing of the source is left in the window.
  const paused = await waitFor(
    'the paused source out of the window',
    async () => {
      const metrics = await scrapeMetrics(metricsUrl)
      return taskMetric(metrics, 'source_task_metrics_source_record_poll_rate', 'gen') === 0 &&
        taskMetric(metrics, 'sink_task_metrics_sink_record_read_rate', 'out') === 0
        ? metrics
        : undefined
    },
    30_000,
  )
  assert.equal(taskMetric(paused, 'source_task_metrics_source_record_write_rate', 'gen'), 0)
  assert.ok(Number.isNaN(taskMetric(paused, 'source_task_metrics_poll_batch_avg_time_ms', 'gen')))
  assert.ok(Number.isNaN(taskMetric(paused, 'source_task_metrics_poll_batch_max_time_ms', 'gen')))
  const polled = taskMetric(paused, 'source_task_metrics_source_record_poll_total', 'gen')
  assert.ok(polled >= 100, `source-record-poll-total ${polled}`)
  const pauseRatio = taskMetric(paused, 'connector_task_metrics_pause_ratio', 'gen')
  const runningRatio = taskMetric(paused, 'connector_task_metrics_running_ratio', 'gen')
  assertBetween(pauseRatio, 0.05, 0.95, 'pause-ratio')
  assert.ok(Math.abs(pauseRatio + runningRatio - 1) < 1e-9, `ratios ${runningRatio} + ${pauseRatio}`)
  // The sink still commits every interval, nothing new: Kafka counts those as successful commits.
  assert.equal(taskMetric(paused, 'connector_task_metrics_offset_commit_success_percentage', 'out'), 1)
  assert.ok(taskMetric(paused, 'sink_task_metrics_offset_commit_completion_rate', 'out') > 0)
  assert.equal(taskMetric(paused, 'connector_task_metrics_running_ratio', 'out'), 1)
  assert.equal(
    taskMetric(await scrapeMetrics(metricsUrl), 'source_task_metrics_source_record_poll_total', 'gen'),
    polled,
  )

  assert.equal((await curl('PUT', `${base}/connectors/gen/resume`)).status, 202)
  await waitForState(base, 'gen', 'RUNNING')
  const resumed = await waitFor('the source polling again', async () => {
    const metrics = await scrapeMetrics(metricsUrl)
    return taskMetric(metrics, 'source_task_metrics_source_record_poll_rate', 'gen') > 0 &&
      taskMetric(metrics, 'sink_task_metrics_sink_record_read_rate', 'out') > 0
      ? metrics
      : undefined
  })
  // The pause stays in the task's life: both ratios between 0 and 1.
  assertBetween(taskMetric(resumed, 'connector_task_metrics_pause_ratio', 'gen'), 0.01, 0.99, 'pause-ratio')
  assert.ok(taskMetric(resumed, 'source_task_metrics_source_record_poll_total', 'gen') > polled)
})
