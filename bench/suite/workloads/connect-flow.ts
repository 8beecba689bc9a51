// Kafka Connect (issue 16), the two flows the issue sets targets for, each on a broker process of its
// own (the load generator here never shares the broker's event loop):
// - file → topic → file: FileStreamSource tails a file into a topic and FileStreamSink writes the topic
//   to another file (StringConverter both ways, one partition, lines of 100 bytes), against kcat piping
//   the same file through another topic of the same broker in the same run (`kcat -C -c N` started
//   first, then `kcat -P -l`; wall time until the consumer has written every line; then `sync`, so kcat's
//   dirty pages are not written out on the connectors' clock). The connectors are
//   warmed with one line first (the sink group's first rebalance waits 3 s, as Kafka's), then the lines
//   are appended and the clock runs until the sink's file holds them all. Target >= 50 % of kcat.
// - PostgreSQL CDC end-to-end lag: a real PostgreSQL (Debian's package, as the tests start it) and the
//   Debezium-compatible source; rows are inserted at 1,000 row changes/s (10 rows per transaction every
//   10 ms, each row carrying the client's clock at its INSERT); a kafkajs consumer reads the change
//   events and the lag is its clock at receipt minus the row's. Target p99 < 1 s. Without PostgreSQL
//   (or kcat) the measurement is skipped and its target reported with met = null.
import { spawn, spawnSync } from 'node:child_process'
import { appendFile, mkdtemp, open, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { Kafka, logLevel } from 'kafkajs'
import type pg from 'pg'
import {
  type PostgresServer,
  postgresProblem,
  startPostgres,
} from '../../../test/helpers/postgres-process.ts'
import { findExecutable } from '../alternatives/servers.ts'
import { type LaunchedBroker, launchBroker } from '../broker.ts'
import type { BenchContext, Workload } from '../types.ts'

const lineBytes = 100
const pollMs = 20

function connectUrl(broker: LaunchedBroker): string {
  for (const line of broker.output().split('\n')) {
    if (!line.includes('"connect listening"')) continue
    const { host, port } = JSON.parse(line) as { host: string; port: number }
    return `http://${host}:${port}`
  }
  throw new Error('the broker logged no "connect listening" line')
}

async function createConnector(base: string, name: string, config: Record<string, string>): Promise<void> {
  const answer = await fetch(`${base}/connectors`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ name, config }),
  })
  if (answer.status !== 201) throw new Error(`creating ${name}: ${answer.status} ${await answer.text()}`)
}

async function createTopics(bootstrap: string, topics: string[]): Promise<void> {
  const kafka = new Kafka({
    clientId: 'bench-connect-flow',
    brokers: [bootstrap],
    logLevel: logLevel.NOTHING,
  })
  const admin = kafka.admin()
  await admin.connect()
  try {
    await admin.createTopics({ topics: topics.map((topic) => ({ topic, numPartitions: 1 })) })
  } finally {
    await admin.disconnect()
  }
}

async function waitUntil(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, pollMs))
  }
}

async function sizeOf(path: string): Promise<number> {
  try {
    return (await stat(path)).size
  } catch {
    return 0
  }
}

/** kcat -C (started first) and kcat -P of the same file through one topic: seconds until every line is out. */
async function kcatPipe(
  kcat: string,
  bootstrap: string,
  file: string,
  out: string,
  lines: number,
): Promise<number> {
  const output = await open(out, 'w')
  const run = (args: string[], stdout: 'ignore' | number): Promise<void> =>
    new Promise((resolve, reject) => {
      const child = spawn(kcat, args, { stdio: ['ignore', stdout, 'pipe'] })
      let stderr = ''
      child.stderr?.on('data', (chunk: Buffer) => {
        stderr = (stderr + chunk.toString('utf8')).slice(-2000)
      })
      const timer = setTimeout(() => child.kill('SIGKILL'), 600_000)
      child.once('error', reject)
      child.once('close', (code) => {
        clearTimeout(timer)
        if (code === 0) resolve()
        else reject(new Error(`kcat ${args.join(' ')} exited ${code}: ${stderr}`))
      })
    })
  try {
    const topic = 'bench-kcat-pipe'
    const started = performance.now()
    const consumer = run(
      ['-C', '-b', bootstrap, '-t', topic, '-o', 'beginning', '-c', String(lines), '-q'],
      output.fd,
    )
    await run(['-P', '-b', bootstrap, '-t', topic, '-l', file], 'ignore')
    await consumer
    return (performance.now() - started) / 1000
  } finally {
    await output.close()
  }
}

async function fileFlow(context: BenchContext): Promise<void> {
  const kcat = findExecutable('kcat')
  const lines = context.options.quick ? 20_000 : 500_000
  const scratch = await mkdtemp(join(context.options.scratchDir, 'connect-flow-'))
  const broker = await launchBroker({ dataDir: join(scratch, 'data') })
  try {
    const base = connectUrl(broker)
    await createTopics(broker.bootstrap, ['bench-kcat-pipe', 'bench-connect-file'])
    const body = `${'x'.repeat(lineBytes - 1)}\n`.repeat(lines)
    const payload = join(scratch, 'lines.txt')
    await writeFile(payload, body)
    const kcatSeconds =
      kcat === null ? null : await kcatPipe(kcat, broker.bootstrap, payload, join(scratch, 'kcat.out'), lines)
    // kcat's run leaves ~100 MB of dirty pages (its topic, its output); the connectors' first fsyncs
    // would otherwise write them out. Each contender starts with nothing of the other's unwritten.
    spawnSync('sync')

    const source = join(scratch, 'source.txt')
    const sink = join(scratch, 'sink.txt')
    await writeFile(source, 'warm-up\n')
    const converters = {
      'key.converter': 'org.apache.kafka.connect.storage.StringConverter',
      'value.converter': 'org.apache.kafka.connect.storage.StringConverter',
    }
    await createConnector(base, 'bench-file-sink', {
      'connector.class': 'FileStreamSink',
      topics: 'bench-connect-file',
      file: sink,
      ...converters,
    })
    await createConnector(base, 'bench-file-source', {
      'connector.class': 'FileStreamSource',
      topic: 'bench-connect-file',
      file: source,
      ...converters,
    })
    await waitUntil('the warm-up line in the sink file', async () => (await sizeOf(sink)) >= 8, 120_000)
    const started = performance.now()
    const cpuBefore = broker.cpuSeconds()
    await appendFile(source, body)
    const expected = 8 + lines * lineBytes
    await waitUntil('every line in the sink file', async () => (await sizeOf(sink)) >= expected, 600_000)
    const connectSeconds = (performance.now() - started) / 1000
    const connectRate = lines / connectSeconds
    context.record({
      id: 'connect.fileFlow.recordsPerSec',
      label: `connect: file → FileStreamSource → topic → FileStreamSink → file, ${lines} lines of ${lineBytes} B`,
      value: connectRate,
      unit: 'records/s',
      details: { lines, seconds: Number(connectSeconds.toFixed(3)) },
    })
    // The broker process's CPU time per record during the flow (Connect and the broker's Produce and
    // Fetch handling: one process): unlike the rate, it hardly moves with the machine's load.
    context.record({
      id: 'connect.fileFlow.brokerCpuUsPerRecord',
      label: 'connect: broker process CPU time (user + system) per record of the file flow',
      value: ((broker.cpuSeconds() - cpuBefore) * 1e6) / lines,
      unit: 'µs',
    })
    const kcatRate = kcatSeconds === null ? null : lines / kcatSeconds
    if (kcatRate !== null)
      context.record({
        id: 'connect.fileFlow.kcat.recordsPerSec',
        label: `connect: kcat -P -l | kcat -C of the same file (same broker, same run)`,
        value: kcatRate,
        unit: 'records/s',
      })
    context.target({
      id: 'target.connect-file-flow-vs-kcat',
      description: 'Connect file → topic → file >= 50 % of kcat piping the same file',
      actual: kcatRate === null ? 0 : connectRate / kcatRate,
      comparator: '>=',
      bound: 0.5,
      unit: 'ratio',
      basis:
        kcatRate === null
          ? `connect ${Math.round(connectRate)} records/s; kcat not installed (apt-get install kcat)`
          : `connect ${Math.round(connectRate)} records/s / kcat ${Math.round(kcatRate)} records/s`,
      met: kcatRate === null ? null : connectRate / kcatRate >= 0.5,
    })
  } finally {
    await broker.kill()
  }
}

function lagTarget(context: BenchContext, actual: number, basis: string, met?: null): void {
  context.target({
    id: 'target.connect-cdc-lag-p99',
    description: 'PostgreSQL CDC end-to-end lag p99 at 1,000 row changes/s < 1 s',
    actual,
    comparator: '<=',
    bound: 1000,
    unit: 'ms',
    basis,
    ...(met === null ? { met } : {}),
  })
}

function percentile(sorted: number[], share: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * share))]
}

/** The writer: 10 rows per transaction every 10 ms (1,000 rows/s), catching up if a tick ran late. */
async function writeRows(writer: pg.Client, total: number): Promise<void> {
  const rowsPerSecond = 1_000
  const rowsPerTick = 10
  const started = Date.now()
  let written = 0
  while (written < total) {
    const due = Math.min(total, Math.floor(((Date.now() - started) * rowsPerSecond) / 1000))
    if (due - written >= rowsPerTick || due === total) {
      const count = Math.min(due - written, rowsPerTick * 10)
      await writer.query(
        'INSERT INTO bench_lag SELECT g, $2 FROM generate_series($1::int, $1::int + $3::int - 1) g',
        [written + 1, Date.now(), count],
      )
      written += count
    } else await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

function cdcConfig(postgres: PostgresServer): Record<string, string> {
  return {
    'connector.class': 'io.debezium.connector.postgresql.PostgresConnector',
    'database.hostname': postgres.host,
    'database.port': String(postgres.port),
    'database.user': postgres.user,
    'database.dbname': postgres.database,
    'topic.prefix': 'bench',
    'table.include.list': 'public.bench_lag',
    'key.converter': 'org.apache.kafka.connect.json.JsonConverter',
    'key.converter.schemas.enable': 'false',
    'value.converter': 'org.apache.kafka.connect.json.JsonConverter',
    'value.converter.schemas.enable': 'false',
  }
}

async function cdcLag(context: BenchContext): Promise<void> {
  const problem = postgresProblem()
  if (problem !== null) {
    lagTarget(context, 0, problem, null)
    return
  }
  const seconds = context.options.quick ? 3 : 30
  const rowsPerSecond = 1_000
  const postgres = await startPostgres()
  const scratch = await mkdtemp(join(context.options.scratchDir, 'connect-cdc-'))
  const broker = await launchBroker({ dataDir: join(scratch, 'data') })
  const kafka = new Kafka({ clientId: 'bench-cdc', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING })
  const consumer = kafka.consumer({ groupId: 'bench-cdc', maxWaitTimeInMs: 100 })
  const writer = await postgres.connect()
  try {
    await writer.query('CREATE TABLE bench_lag (id int PRIMARY KEY, at bigint NOT NULL)')
    await writer.query('INSERT INTO bench_lag VALUES (0, 0)') // the snapshot row: the consumer is ready
    const topic = 'bench.public.bench_lag'
    await createTopics(broker.bootstrap, [topic])
    await createConnector(connectUrl(broker), 'bench-cdc', cdcConfig(postgres))
    const total = seconds * rowsPerSecond
    const lags: number[] = []
    let snapshotSeen = false
    await consumer.connect()
    await consumer.subscribe({ topic, fromBeginning: true })
    await consumer.run({
      eachBatch: async ({ batch }) => {
        const now = Date.now()
        for (const message of batch.messages) {
          if (message.value === null) continue
          const event = JSON.parse(message.value.toString('utf8')) as {
            after: { id: number; at: number } | null
          }
          if (event.after === null) continue
          if (event.after.id === 0) snapshotSeen = true
          else lags.push(now - event.after.at)
        }
      },
    })
    await waitUntil('the snapshot row at the consumer', async () => snapshotSeen, 120_000)
    const started = Date.now()
    await writeRows(writer, total)
    const writeSeconds = (Date.now() - started) / 1000
    await waitUntil('every change event at the consumer', async () => lags.length >= total, 120_000)
    const sorted = [...lags].sort((a, b) => a - b)
    const p50 = percentile(sorted, 0.5)
    const p99 = percentile(sorted, 0.99)
    const details = {
      rows: total,
      offeredRowsPerSec: Number((total / writeSeconds).toFixed(0)),
      p50Ms: p50,
      maxMs: sorted[sorted.length - 1],
    }
    context.record({
      id: 'connect.cdcLag.p99Ms',
      label: 'connect: PostgreSQL CDC INSERT → consumer, p99 at 1,000 rows/s',
      value: Math.max(p99, 1),
      unit: 'ms',
      details,
    })
    context.record({
      id: 'connect.cdcLag.p50Ms',
      label: 'connect: PostgreSQL CDC INSERT → consumer, p50 at 1,000 rows/s',
      value: Math.max(p50, 1),
      unit: 'ms',
    })
    lagTarget(
      context,
      Math.max(p99, 1),
      `p99 ${p99} ms, p50 ${p50} ms over ${total} rows at ${details.offeredRowsPerSec} rows/s`,
    )
  } finally {
    await consumer.disconnect()
    await writer.end()
    await broker.kill()
    await postgres.stop()
  }
}

async function run(context: BenchContext): Promise<void> {
  context.log('connect-flow: file → topic → file against kcat')
  await fileFlow(context)
  context.log('connect-flow: PostgreSQL CDC lag')
  await cdcLag(context)
}

export const connectFlow: Workload = { name: 'connect-flow', order: 69, run }
