// Goal: `streamline connect --bootstrap …` runs a Connect worker alone against another Kafka cluster
// (here a separate Streamline process with its own Connect turned off) and moves data end to end.
// Method: two real processes; curl creates a FileStreamSource and a FileStreamSink on the worker; the
// output file must equal the input; GET /metrics on the worker's REST listener gives its Connect metrics
// (task counters and timings; no rebalance metrics, as Kafka's standalone worker); the worker stops
// cleanly on SIGTERM.
import assert from 'node:assert/strict'
import { type ChildProcess, spawn } from 'node:child_process'
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { after, test } from 'node:test'
import {
  type BrokerProcess,
  makeTempDir,
  removeTempDir,
  repositoryRoot,
  startBrokerProcess,
  waitForExit,
} from '../helpers/broker-process.ts'
import { curl, scrapeMetrics, waitFor, waitForState } from '../helpers/connect.ts'

let broker: BrokerProcess | null = null
let worker: ChildProcess | null = null
let dir = ''
after(async () => {
  if (worker !== null && worker.exitCode === null) {
    worker.kill('SIGKILL')
    await waitForExit(worker, 10_000)
  }
  await broker?.stop()
  if (dir !== '') await removeTempDir(dir)
})

test('a Connect worker alone moves a file through another cluster', { timeout: 180_000 }, async () => {
  dir = await makeTempDir('streamline-connect-alone-')
  broker = await startBrokerProcess({ args: ['--no-connect'] })
  assert.doesNotMatch(broker.output(), /connect listening/)
  const env = { ...process.env }
  delete env.NODE_TEST_CONTEXT
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      'src/cli/streamline.ts',
      'connect',
      '--bootstrap',
      broker.bootstrap,
      '--connect-addr',
      '127.0.0.1:0',
    ],
    { cwd: repositoryRoot, stdio: ['ignore', 'pipe', 'pipe'], env },
  )
  worker = child
  let output = ''
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString()
  })
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString()
  })
  const base = await waitFor('connect listening', async () => {
    const line = output.split('\n').find((candidate) => candidate.includes('"connect listening"'))
    if (line === undefined) return undefined
    const { host, port } = JSON.parse(line) as { host: string; port: number }
    return `http://${host}:${port}`
  })
  const input = join(dir, 'in.txt')
  const result = join(dir, 'out.txt')
  const expected = Array.from({ length: 50 }, (_, index) => `row ${index}`)
  await writeFile(input, `${expected.join('\n')}\n`)
  const converter = { 'value.converter': 'org.apache.kafka.connect.storage.StringConverter' }
  await curl('POST', `${base}/connectors`, {
    name: 'in',
    config: { 'connector.class': 'FileStreamSource', file: input, topic: 'alone', ...converter },
  })
  await curl('POST', `${base}/connectors`, {
    name: 'out',
    config: { 'connector.class': 'FileStreamSink', file: result, topics: 'alone', ...converter },
  })
  await waitForState(base, 'out', 'RUNNING')
  const text = await waitFor('the output file', async () => {
    const found = await readFile(result, 'utf8').catch(() => '')
    return found.split('\n').length > expected.length ? found : undefined
  })
  assert.equal(text, `${expected.join('\n')}\n`)
  // The worker's own /metrics (Prometheus text): counters exact once the sink committed every record.
  const metrics = await waitFor('the sink offsets committed', async () => {
    const found = await scrapeMetrics(`${base}/metrics`)
    return (found.get(
      'kafka_connect_connector_task_metrics_offset_commit_completion_total{connector="out",task="0"}',
    ) ?? 0) > 0 &&
      found.get('kafka_connect_sink_task_metrics_sink_record_send_total{connector="out",task="0"}') === 50
      ? found
      : undefined
  })
  const task = (name: string, connector: string) =>
    metrics.get(`kafka_connect_${name}{connector="${connector}",task="0"}`)
  assert.equal(task('source_task_metrics_source_record_write_total', 'in'), 50)
  assert.equal(task('sink_task_metrics_sink_record_read_total', 'out'), 50)
  assert.equal(metrics.get('kafka_connect_connect_worker_metrics_connector_count'), 2)
  assert.equal(metrics.get('kafka_connect_connect_worker_metrics_task_count'), 2)
  for (const [name, connector] of [
    ['source_task_metrics_poll_batch', 'in'],
    ['sink_task_metrics_put_batch', 'out'],
    ['connector_task_metrics_offset_commit', 'in'],
    ['connector_task_metrics_offset_commit', 'out'],
  ] as const) {
    const average = task(`${name}_avg_time_ms`, connector) ?? Number.NaN
    const max = task(`${name}_max_time_ms`, connector) ?? Number.NaN
    assert.ok(average >= 0 && max >= average, `${name} ${connector}: avg ${average}, max ${max}`)
  }
  // Batch sizes: the sink read its 50 records in batches of at most 50, at least one record each.
  const batchMax = task('connector_task_metrics_batch_size_max', 'out') ?? Number.NaN
  assert.ok(batchMax >= 1 && batchMax <= 50, `batch-size-max ${batchMax}`)
  assert.equal([...metrics.keys()].filter((key) => key.includes('rebalance_metrics')).length, 0)
  child.kill('SIGTERM')
  assert.equal(await waitForExit(child, 20_000), true)
  assert.equal(child.exitCode, 0, output)
})
