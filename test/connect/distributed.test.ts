// Goal: distributed mode as Kafka Connect's. The worker inside `streamline` (`--connect-group-id`) and
// two `streamline connect --group-id` workers form one Connect group (protocol type `connect`,
// incremental cooperative), every worker sees every config,
// config writes sent to a follower are forwarded to the leader (and `?forward=false` gets Kafka's 409),
// connectors and tasks are spread over the workers, and when one worker is SIGKILLed its work moves to
// the others after scheduled.rebalance.max.delay.ms: every task RUNNING again, no record lost.
// Method: a broker process (its worker in the group) and two real worker processes (one is SIGKILLed);
// curl for every REST call; a
// 4-task datagen source (orders, 400 per task) into a topic and a FileStreamSink writing it to a file.
// Each (task, iteration) record is a distinct JSON line: kcat must read all 1,600 of them from the
// topic (lines seen twice are allowed: at-least-once, as Kafka Connect's delivery after a crash); the
// file ends up with every line of the topic, also when the killed worker ran the sink task.
// Metrics: each worker's connect-worker-rebalance-metrics (the broker's worker on the broker's /metrics,
// the others on their REST /metrics) name the leader and the generation it logged, count rebalances
// (more after the kill), and every task's timings appear on exactly one live worker.
import assert from 'node:assert/strict'
import { type ChildProcess, execFile } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { after, test } from 'node:test'
import {
  type BrokerProcess,
  httpUrlOf,
  makeTempDir,
  removeTempDir,
  startBrokerProcess,
  waitForExit,
} from '../helpers/broker-process.ts'
import { requireClient } from '../helpers/clients.ts'
import { connectUrlOf, curl, scrapeMetrics, waitFor } from '../helpers/connect.ts'
import { startConnectWorker } from '../helpers/connect-worker-process.ts'

interface WorkerProcess {
  /** null: the worker inside the broker process (`--connect-group-id`), never killed here. */
  child: ChildProcess | null
  url: string
  workerId: string
  output: () => string
}

let broker: BrokerProcess | null = null
const workers: WorkerProcess[] = []
let dir = ''
after(async () => {
  for (const worker of workers) {
    if (worker.child !== null && worker.child.exitCode === null && worker.child.signalCode === null) {
      worker.child.kill('SIGKILL')
      await waitForExit(worker.child, 10_000)
    }
  }
  await broker?.stop()
  if (dir !== '') await removeTempDir(dir)
})

/** A `streamline connect` worker process in the group 'connect-cluster' (test/helpers). */
async function startWorker(bootstrap: string): Promise<WorkerProcess> {
  const worker = await startConnectWorker(bootstrap, 'connect-cluster')
  workers.push(worker)
  return worker
}

interface Status {
  connector: { state: string; worker_id: string }
  tasks: Array<{ id: number; state: string; worker_id: string }>
}

async function status(base: string, name: string): Promise<Status> {
  const answer = await curl('GET', `${base}/connectors/${name}/status`)
  assert.equal(answer.status, 200, answer.text)
  return answer.body as Status
}

/** Waits until the connector and `tasks` tasks are RUNNING on workers `allowed` accepts. */
function waitForRunning(base: string, name: string, tasks: number, allowed: (workerId: string) => boolean) {
  return waitFor(
    `${name} RUNNING with ${tasks} tasks`,
    async () => {
      const found = await status(base, name)
      const ok =
        found.connector.state === 'RUNNING' &&
        allowed(found.connector.worker_id) &&
        found.tasks.length === tasks &&
        found.tasks.every((task) => task.state === 'RUNNING' && allowed(task.worker_id))
      return ok ? found : undefined
    },
    90_000,
  )
}

/** Every value in the topic, one per line (kcat reads to the end and exits). */
function readTopic(bootstrap: string, topic: string): Promise<string[]> {
  return new Promise((resolve, reject) => {
    execFile(
      'kcat',
      ['-b', bootstrap, '-C', '-t', topic, '-e', '-q', '-f', '%s\n'],
      { maxBuffer: 64 * 1024 * 1024, timeout: 60_000 },
      (error, stdout) => (error ? reject(error) : resolve(stdout.split('\n'))),
    )
  })
}

const rebalanceMetric = 'kafka_connect_connect_worker_rebalance_metrics_'

function metricsUrlOf(worker: WorkerProcess): string {
  return worker.child === null && broker !== null ? `${httpUrlOf(broker)}/metrics` : `${worker.url}/metrics`
}

/** The generation of the last assignment a worker logged. */
function loggedGeneration(worker: WorkerProcess): number | undefined {
  const last = worker
    .output()
    .split('\n')
    .filter((line) => line.includes('"Connect group assignment"'))
    .at(-1)
  return last === undefined ? undefined : (JSON.parse(last) as { generation: number }).generation
}

/** Waits until a worker's rebalance metrics show a settled assignment led by `leaderUrl`; returns them. */
function settledRebalanceMetrics(worker: WorkerProcess, leaderUrl: string): Promise<Map<string, number>> {
  const group = '{group="connect-cluster"}'
  return waitFor(`settled rebalance metrics on ${worker.url}`, async () => {
    const found = await scrapeMetrics(metricsUrlOf(worker))
    const settled =
      found.get(`${rebalanceMetric}rebalancing${group}`) === 0 &&
      found.get(`${rebalanceMetric}leader_name{group="connect-cluster",leader_name="${leaderUrl}"}`) === 1 &&
      found.get(`${rebalanceMetric}epoch${group}`) === loggedGeneration(worker)
    return settled ? found : undefined
  })
}

function assertRebalanceMetrics(found: Map<string, number>, completedAtLeast: number): number {
  const group = '{group="connect-cluster"}'
  const completed = found.get(`${rebalanceMetric}completed_rebalances_total${group}`) ?? 0
  assert.ok(completed >= completedAtLeast, `completed-rebalances-total ${completed}`)
  assert.equal(
    found.get(`${rebalanceMetric}connect_protocol{group="connect-cluster",protocol="compatible"}`),
    1,
  )
  const average = found.get(`${rebalanceMetric}rebalance_avg_time_ms${group}`) ?? Number.NaN
  const max = found.get(`${rebalanceMetric}rebalance_max_time_ms${group}`) ?? Number.NaN
  assert.ok(average >= 0 && max >= average, `rebalance avg ${average} max ${max}`)
  const since = found.get(`${rebalanceMetric}time_since_last_rebalance_ms${group}`) ?? Number.NaN
  assert.ok(since >= 0 && Number.isFinite(since), `time-since-last-rebalance-ms ${since}`)
  return completed
}

/** The leader's URL, from the last assignment a worker logged. */
function isLeader(worker: WorkerProcess): boolean {
  const lines = worker
    .output()
    .split('\n')
    .filter((line) => line.includes('"Connect group assignment"'))
  const last = lines.at(-1)
  return last !== undefined && (JSON.parse(last) as { leader: boolean }).leader
}

test("three workers share the work, and a SIGKILLed worker's tasks move with nothing lost", {
  timeout: 240_000,
  skip: requireClient('kcat'),
}, async () => {
  try {
    await scenario()
  } catch (error) {
    for (const worker of workers)
      process.stderr.write(`--- worker ${worker.url}\n${worker.output().slice(-6_000)}\n`)
    const text = await readFile(join(dir, 'orders.jsonl'), 'utf8').catch(() => '')
    const alive = workers.find(
      (worker) =>
        worker.child === null || (worker.child.exitCode === null && worker.child.signalCode === null),
    )
    if (alive !== undefined)
      for (const path of ['gen/offsets', 'gen/status', 'sink/status', 'sink/offsets'])
        process.stderr.write(`--- ${path} ${(await curl('GET', `${alive.url}/connectors/${path}`)).text}\n`)
    process.stderr.write(`--- ${text.split('\n').length} lines, ${new Set(text.split('\n')).size} distinct\n`)
    throw error
  }
})

async function scenario(): Promise<void> {
  dir = await makeTempDir('streamline-connect-dist-')
  // The broker's own worker joins the group beside two `streamline connect` workers.
  broker = await startBrokerProcess({
    args: [
      '--connect-group-id',
      'connect-cluster',
      '--connect-session-timeout-ms',
      '6000',
      '--connect-heartbeat-interval-ms',
      '1000',
      '--connect-scheduled-rebalance-max-delay-ms',
      '2000',
    ],
  })
  const bootstrap = broker.bootstrap
  const inBroker = broker
  const brokerUrl = connectUrlOf(inBroker)
  workers.push({
    child: null,
    url: brokerUrl,
    workerId: brokerUrl.slice('http://'.length),
    output: () => inBroker.output(),
  })
  await Promise.all([startWorker(bootstrap), startWorker(bootstrap)])
  // Every worker joined one group and one of them leads.
  await waitFor('one leader among three workers', async () =>
    workers.filter(isLeader).length === 1 &&
    workers.every((worker) => worker.output().includes('"Connect group assignment"'))
      ? true
      : undefined,
  )
  const leader = workers.find(isLeader) as WorkerProcess
  const follower = workers.find((worker) => worker !== leader) as WorkerProcess
  const leaderCompleted = assertRebalanceMetrics(await settledRebalanceMetrics(leader, leader.url), 1)
  for (const worker of workers) assertRebalanceMetrics(await settledRebalanceMetrics(worker, leader.url), 1)
  const output = join(dir, 'orders.jsonl')
  const json = {
    'key.converter': 'org.apache.kafka.connect.storage.StringConverter',
    'value.converter': 'org.apache.kafka.connect.json.JsonConverter',
    'value.converter.schemas.enable': 'false',
  }
  // Kafka: a follower does not write configs; it forwards to the leader (and not with forward=false).
  const refused = await curl('POST', `${follower.url}/connectors?forward=false`, {
    name: 'nowhere',
    config: { 'connector.class': 'FileStreamSink', file: output, topics: 'x' },
  })
  assert.deepEqual(refused.body, {
    error_code: 409,
    message: 'Cannot complete request because of a conflicting operation (e.g. worker rebalance)',
  })
  const created = await curl('POST', `${follower.url}/connectors`, {
    name: 'gen',
    config: {
      'connector.class': 'io.confluent.kafka.connect.datagen.DatagenConnector',
      'kafka.topic': 'orders-dist',
      quickstart: 'orders',
      'records.per.second': '25',
      iterations: '400',
      'tasks.max': '4',
      ...json,
    },
  })
  assert.equal(created.status, 201, created.text)
  assert.equal((created.body as { name: string }).name, 'gen')
  const everyone = () => true
  const spread = await waitForRunning(leader.url, 'gen', 4, everyone)
  // The sink comes once its topic exists (see docs/connect.md: a sink on a missing topic fails).
  await waitFor('gen to write its topic', async () => {
    const topics = await curl('GET', `${leader.url}/connectors/gen/topics`)
    return (topics.body as { gen: { topics: string[] } }).gen.topics.length > 0 ? true : undefined
  })
  const sink = await curl('PUT', `${follower.url}/connectors/sink/config`, {
    'connector.class': 'FileStreamSink',
    file: output,
    topics: 'orders-dist',
    ...json,
  })
  assert.equal(sink.status, 201, sink.text)
  const sinkStatus = await waitForRunning(leader.url, 'sink', 1, everyone)
  // Every worker sees every config (through connect-configs), and the work is spread.
  for (const worker of workers) {
    const names = await curl('GET', `${worker.url}/connectors`)
    assert.deepEqual(names.body, ['gen', 'sink'])
  }
  const owners = new Set([spread.connector.worker_id, ...spread.tasks.map((task) => task.worker_id)])
  assert.ok(owners.size >= 2, `gen runs on ${[...owners].join(', ')}`)
  // Kill a worker process (not the leader, not the broker's) that runs the sink task, else one that
  // runs datagen tasks (its work waits 2 s for it, then moves).
  const killable = workers.filter((worker) => worker !== leader && worker.child !== null)
  const victim =
    killable.find((worker) => sinkStatus.tasks[0]?.worker_id === worker.workerId) ??
    killable.find((worker) => spread.tasks.some((task) => task.worker_id === worker.workerId)) ??
    (killable[0] as WorkerProcess)
  const victimChild = victim.child as ChildProcess
  await new Promise((resolve) => setTimeout(resolve, 3_000))
  victimChild.kill('SIGKILL')
  assert.equal(await waitForExit(victimChild, 10_000), true)
  const alive = (workerId: string) => workerId !== victim.workerId
  const moved = await waitForRunning(leader.url, 'gen', 4, alive)
  await waitForRunning(leader.url, 'sink', 1, alive)
  assert.ok(moved.tasks.every((task) => task.worker_id !== victim.workerId))
  // The leader rebalanced again (the victim left, its work moved), and every task's timings are on the
  // one live worker that runs it.
  const survivors = workers.filter((worker) => worker !== victim)
  assert.ok(
    assertRebalanceMetrics(await settledRebalanceMetrics(leader, leader.url), leaderCompleted + 1) >
      leaderCompleted,
  )
  await waitFor('every task timing on one live worker', async () => {
    const scraped = await Promise.all(survivors.map((worker) => scrapeMetrics(metricsUrlOf(worker))))
    const series = [0, 1, 2, 3]
      .map(
        (task) => `kafka_connect_source_task_metrics_poll_batch_max_time_ms{connector="gen",task="${task}"}`,
      )
      .concat('kafka_connect_sink_task_metrics_put_batch_max_time_ms{connector="sink",task="0"}')
    // (NaN until a moved task's first poll returns records: a finished datagen task may never.)
    return series.every((name) => scraped.filter((samples) => samples.has(name)).length === 1)
      ? true
      : undefined
  })
  // Every record of every task reaches the topic (at least once), read back with kcat.
  const expectedLines = 4 * 400
  const lines = await waitFor(
    'all datagen records in the topic',
    async () => {
      const distinct = new Set((await readTopic(bootstrap, 'orders-dist')).filter((line) => line !== ''))
      return distinct.size >= expectedLines ? distinct : undefined
    },
    120_000,
  )
  assert.equal(lines.size, expectedLines)
  const perOrder = new Map<number, number>()
  for (const line of lines) {
    const order = (JSON.parse(line) as { orderid: number }).orderid
    perOrder.set(order, (perOrder.get(order) ?? 0) + 1)
  }
  assert.deepEqual(
    [...perOrder].sort(([a], [b]) => a - b),
    Array.from({ length: 400 }, (_, order) => [order, 4]),
  )
  // The file sink, moved or not, keeps reading to the end: every line of the topic reaches the file
  // (lines written twice are allowed: at-least-once after a crash), and only lines of the topic.
  const written = await waitFor(
    'every topic line in the sink file',
    async () => {
      const found = (await readFile(output, 'utf8')).split('\n').filter((line) => line !== '')
      return new Set(found).size >= expectedLines ? found : undefined
    },
    60_000,
  )
  for (const line of written) assert.ok(lines.has(line), `unexpected line ${line}`)
  assert.equal(new Set(written).size, expectedLines)
  // The survivors still answer for the whole group; the offsets of every datagen task reach the end
  // (the last commit follows the last record by up to a flush interval: polled, bounded).
  const survivor = workers.find((worker) => worker !== victim)?.url
  const expectedOffsets = [0, 1, 2, 3].map((task) => ({
    partition: { 'task.id': task },
    offset: { 'current.iteration': 399 },
  }))
  type Offsets = { offsets: Array<{ partition: { 'task.id': number }; offset: unknown }> }
  let lastOffsets: unknown
  const reached = await waitFor(
    'every datagen task offset at 399',
    async () => {
      const offsets = await curl('GET', `${survivor}/connectors/gen/offsets`)
      lastOffsets = (offsets.body as Offsets).offsets.sort(
        (a, b) => a.partition['task.id'] - b.partition['task.id'],
      )
      return JSON.stringify(lastOffsets) === JSON.stringify(expectedOffsets) ? true : undefined
    },
    30_000,
  ).catch(() => false)
  assert.deepEqual(reached ? expectedOffsets : lastOffsets, expectedOffsets)
}
