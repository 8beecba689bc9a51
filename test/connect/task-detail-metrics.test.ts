// Goal: the rest of Kafka Connect's per-task metrics on /metrics, with exact values where the flow
// makes them exact:
// - task-error-metrics: a sink with errors.tolerance=all, errors.log.enable and a dead-letter queue
//   reading 5 unreadable and 3 good records counts 5 failures, 5 errors, 5 skipped, 0 retries, 5 logged,
//   5 DLQ requests and 0 DLQ failures, and a last-error-timestamp of this run; with errors.tolerance=none
//   the FAILED task counts 1 failure, 1 error, nothing skipped, and its partition-count falls to 0;
// - partition-count 3 for a task assigned a 3-partition topic; offset-commit-seq-no growing with
//   the commits; sink-record-active-count 0 once everything read is committed;
// - sink-record-lag-max: 1,200 records waiting and 500 taken by the first poll leave it at 700; once
//   caught up and the window passed, 0; 800 records produced while the task is paused and 500 taken by
//   the first poll after resume: 300;
// - source-record-active-count: a file of 300 lines polled at once peaks at 300 and returns to 0 once
//   written; records a transform drops also stop being active.
// Method: the real CLI with a 3 s × 2 metrics window; kafkajs creates and fills the topics; curl
// creates, pauses and resumes FileStreamSink/FileStreamSource connectors and scrapes /metrics.
import assert from 'node:assert/strict'
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { Kafka, logLevel } from 'kafkajs'
import {
  type BrokerProcess,
  httpUrlOf,
  makeTempDir,
  removeTempDir,
  startBrokerProcess,
} from '../helpers/broker-process.ts'
import { connectUrlOf, curl, scrapeMetrics, waitFor, waitForState } from '../helpers/connect.ts'

type Metrics = Map<string, number>

const taskMetric = (metrics: Metrics, name: string, connector: string): number =>
  metrics.get(`kafka_connect_${name}{connector="${connector}",task="0"}`) ?? Number.NaN

const errorMetric = (metrics: Metrics, name: string, connector: string): number =>
  taskMetric(metrics, `task_error_metrics_${name}`, connector)

const converters = {
  'key.converter': 'org.apache.kafka.connect.storage.StringConverter',
  'value.converter': 'org.apache.kafka.connect.storage.StringConverter',
}

describe('Connect task metrics: errors, active records, partitions, commits, lag', {
  timeout: 240_000,
}, () => {
  let broker: BrokerProcess
  let base = ''
  let metricsUrl = ''
  let dir = ''
  let kafka: Kafka

  before(async () => {
    dir = await makeTempDir('streamline-connect-task-metrics-')
    broker = await startBrokerProcess({
      args: ['--connect-metrics-sample-window-ms', '3000', '--connect-metrics-num-samples', '2'],
    })
    base = connectUrlOf(broker)
    metricsUrl = `${httpUrlOf(broker)}/metrics`
    kafka = new Kafka({
      clientId: 'task-metrics-test',
      brokers: [broker.bootstrap],
      logLevel: logLevel.NOTHING,
    })
  })
  after(async () => {
    await broker?.stop()
    if (dir !== '') await removeTempDir(dir)
  })

  async function produce(topic: string, values: string[], partitions = 1): Promise<void> {
    const admin = kafka.admin()
    await admin.connect()
    await admin.createTopics({ topics: [{ topic, numPartitions: partitions }] })
    await admin.disconnect()
    const producer = kafka.producer()
    await producer.connect()
    await producer.send({ topic, messages: values.map((value) => ({ value })) })
    await producer.disconnect()
  }

  async function create(name: string, config: Record<string, string>): Promise<void> {
    const answer = await curl('POST', `${base}/connectors`, { name, config })
    assert.equal(answer.status, 201, answer.text)
  }

  test('task-error-metrics with a DLQ; partition-count, offset-commit-seq-no, sink-record-active-count', async () => {
    const values = ['{"id":1}', 'bad 1', 'bad 2', '{"id":2}', 'bad 3', 'bad 4', '{"id":3}', 'bad 5']
    await produce('err-in', values, 3)
    const startedMs = Date.now()
    const output = join(dir, 'tolerant.txt')
    const json = {
      'value.converter': 'org.apache.kafka.connect.json.JsonConverter',
      'value.converter.schemas.enable': 'false',
    }
    await create('tolerant', {
      'connector.class': 'FileStreamSink',
      topics: 'err-in',
      file: output,
      ...json,
      'errors.tolerance': 'all',
      'errors.log.enable': 'true',
      'errors.deadletterqueue.topic.name': 'err-dlq',
    })
    // Everything read and committed: nothing active any more.
    const done = await waitFor('the tolerant sink done and committed', async () => {
      const metrics = await scrapeMetrics(metricsUrl)
      return taskMetric(metrics, 'sink_task_metrics_sink_record_read_total', 'tolerant') === 8 &&
        taskMetric(metrics, 'sink_task_metrics_sink_record_active_count', 'tolerant') === 0
        ? metrics
        : undefined
    })
    const tolerant = (name: string) => errorMetric(done, name, 'tolerant')
    assert.deepEqual(
      [
        tolerant('total_record_failures'),
        tolerant('total_record_errors'),
        tolerant('total_records_skipped'),
        tolerant('total_retries'),
        tolerant('total_errors_logged'),
        tolerant('deadletterqueue_produce_requests'),
        tolerant('deadletterqueue_produce_failures'),
      ],
      [5, 5, 5, 0, 5, 5, 0],
    )
    const lastError = tolerant('last_error_timestamp')
    assert.ok(lastError >= startedMs && lastError <= Date.now(), `last-error-timestamp ${lastError}`)
    assert.equal(taskMetric(done, 'sink_task_metrics_sink_record_send_total', 'tolerant'), 3)
    assert.equal(taskMetric(done, 'sink_task_metrics_partition_count', 'tolerant'), 3)
    const lines = (await readFile(output, 'utf8')).split('\n').filter((line) => line !== '')
    assert.equal(lines.length, 3)

    // The commit sequence number goes on with every commit (1 s apart here), nothing new or not.
    const firstSeqNo = taskMetric(done, 'sink_task_metrics_offset_commit_seq_no', 'tolerant')
    assert.ok(firstSeqNo >= 1, `offset-commit-seq-no ${firstSeqNo}`)
    await waitFor('more commits numbered', async () => {
      const metrics = await scrapeMetrics(metricsUrl)
      return taskMetric(metrics, 'sink_task_metrics_offset_commit_seq_no', 'tolerant') >= firstSeqNo + 2
        ? true
        : undefined
    })
  })

  test('errors.tolerance=none: the FAILED task counts one error and leaves its partitions', async () => {
    const startedMs = Date.now()
    await create('strict', {
      'connector.class': 'FileStreamSink',
      topics: 'err-in',
      file: join(dir, 'strict.txt'),
      'value.converter': 'org.apache.kafka.connect.json.JsonConverter',
      'value.converter.schemas.enable': 'false',
    })
    // The first unreadable record fails the task, counted once; nothing skipped.
    await waitFor('the strict task FAILED', async () => {
      const status = (await curl('GET', `${base}/connectors/strict/status`)).body as {
        tasks?: Array<{ state: string }>
      }
      return status.tasks?.[0]?.state === 'FAILED' ? true : undefined
    })
    const failed = await waitFor('the failed task closed', async () => {
      const metrics = await scrapeMetrics(metricsUrl)
      return taskMetric(metrics, 'sink_task_metrics_partition_count', 'strict') === 0 ? metrics : undefined
    })
    const strict = (name: string) => errorMetric(failed, name, 'strict')
    assert.deepEqual(
      [
        strict('total_record_failures'),
        strict('total_record_errors'),
        strict('total_records_skipped'),
        strict('total_errors_logged'),
        strict('deadletterqueue_produce_requests'),
      ],
      [1, 1, 0, 0, 0],
    )
    assert.ok(strict('last_error_timestamp') >= startedMs)
  })

  test('sink-record-lag-max: records behind the log end at a poll, 0 once caught up, again after a pause', async () => {
    await produce(
      'lagging',
      Array.from({ length: 1_200 }, (_, index) => `line ${index}`),
    )
    await create('lagger', {
      'connector.class': 'FileStreamSink',
      topics: 'lagging',
      file: join(dir, 'lagging.txt'),
      ...converters,
    })
    // The first poll takes 500 of the 1,200 (max.poll.records): 700 behind.
    const behind = await waitFor('the lagging sink read everything', async () => {
      const metrics = await scrapeMetrics(metricsUrl)
      return taskMetric(metrics, 'sink_task_metrics_sink_record_read_total', 'lagger') === 1_200
        ? metrics
        : undefined
    })
    assert.equal(taskMetric(behind, 'sink_task_metrics_sink_record_lag_max', 'lagger'), 700)
    assert.equal(taskMetric(behind, 'sink_task_metrics_partition_count', 'lagger'), 1)
    const activeMax = taskMetric(behind, 'sink_task_metrics_sink_record_active_count_max', 'lagger')
    assert.ok(activeMax >= 500 && activeMax <= 1_200, `sink-record-active-count-max ${activeMax}`)
    // Caught up: every poll since measures 0, and the 700 leaves the window (2 × 3 s).
    await waitFor(
      'the lag back to 0',
      async () => {
        const metrics = await scrapeMetrics(metricsUrl)
        return taskMetric(metrics, 'sink_task_metrics_sink_record_lag_max', 'lagger') === 0 &&
          taskMetric(metrics, 'sink_task_metrics_sink_record_active_count', 'lagger') === 0
          ? true
          : undefined
      },
      30_000,
    )

    assert.equal((await curl('PUT', `${base}/connectors/lagger/pause`)).status, 202)
    await waitForState(base, 'lagger', 'PAUSED')
    // A poll already waiting for records ends within its 500 ms long-poll; then nothing is read.
    await new Promise((resolve) => setTimeout(resolve, 1_500))
    const producer = kafka.producer()
    await producer.connect()
    await producer.send({
      topic: 'lagging',
      messages: Array.from({ length: 800 }, (_, index) => ({ value: `more ${index}` })),
    })
    await producer.disconnect()
    await new Promise((resolve) => setTimeout(resolve, 1_000))
    const paused = await scrapeMetrics(metricsUrl)
    assert.equal(taskMetric(paused, 'sink_task_metrics_sink_record_read_total', 'lagger'), 1_200)
    assert.equal((await curl('PUT', `${base}/connectors/lagger/resume`)).status, 202)
    // 2,000 at the log end, 1,700 after the first poll since the resume.
    const resumed = await waitFor('the resumed sink read the rest', async () => {
      const metrics = await scrapeMetrics(metricsUrl)
      return taskMetric(metrics, 'sink_task_metrics_sink_record_read_total', 'lagger') === 2_000
        ? metrics
        : undefined
    })
    assert.equal(taskMetric(resumed, 'sink_task_metrics_sink_record_lag_max', 'lagger'), 300)
  })

  test('source-record-active-count: polled and not yet written, 0 once written or dropped', async () => {
    const input = join(dir, 'lines.txt')
    await writeFile(input, Array.from({ length: 300 }, (_, index) => `line ${index}\n`).join(''))
    await create('lines', {
      'connector.class': 'FileStreamSource',
      file: input,
      topic: 'lines',
      ...converters,
    })
    await create('dropper', {
      'connector.class': 'FileStreamSource',
      file: input,
      topic: 'dropped',
      ...converters,
      transforms: 'drop',
      'transforms.drop.type': 'org.apache.kafka.connect.transforms.Filter',
      'transforms.drop.predicate': 'all',
      predicates: 'all',
      'predicates.all.type': 'org.apache.kafka.connect.transforms.predicates.TopicNameMatches',
      'predicates.all.pattern': '.*',
    })
    const written = await waitFor('both sources done', async () => {
      const metrics = await scrapeMetrics(metricsUrl)
      return taskMetric(metrics, 'source_task_metrics_source_record_write_total', 'lines') === 300 &&
        taskMetric(metrics, 'source_task_metrics_source_record_poll_total', 'dropper') === 300 &&
        taskMetric(metrics, 'source_task_metrics_source_record_active_count', 'dropper') === 0
        ? metrics
        : undefined
    })
    // One poll of all 300 lines (batch.size 2000), then one acknowledged write.
    assert.equal(taskMetric(written, 'source_task_metrics_source_record_active_count', 'lines'), 0)
    assert.equal(taskMetric(written, 'source_task_metrics_source_record_active_count_max', 'lines'), 300)
    const average = taskMetric(written, 'source_task_metrics_source_record_active_count_avg', 'lines')
    assert.ok(average > 0 && average < 300, `source-record-active-count-avg ${average}`)
    assert.equal(taskMetric(written, 'source_task_metrics_source_record_write_total', 'dropper'), 0)
    assert.equal(taskMetric(written, 'source_task_metrics_source_record_active_count_max', 'dropper'), 300)
    assert.equal(errorMetric(written, 'total_record_errors', 'lines'), 0)
    assert.equal(errorMetric(written, 'last_error_timestamp', 'lines'), 0)
  })
})
