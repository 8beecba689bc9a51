// Group workload: a consumer group of 8 members tailing 64 partitions while a producer writes.
//
// Method: a broker process on a fresh data dir; topic `bench-group` with 64 partitions. The members are
// real clients, @platformatic/kafka consumers (classic group protocol, range assignor, autocommit), all
// in one child process (load/group-members.ts) so they never share an event loop with the producer.
// Rebalance time: from just before the 8 members are created until all 8 hold assignments of one
// generation that together cover the 64 partitions; it includes the broker's
// group.initial.rebalance.delay.ms (3 s, Kafka's default; 0 with --quick), which holds a new group's
// first rebalance open for more members. Then the lean producer (load/paced-producer.ts, one connection) sends batches
// of 16 records of 1 KiB round-robin over the partitions, open loop at a fixed rate; every record's
// value starts with its scheduled send time, and the members measure end-to-end latency per record.
// The consumed rate counts records from the first to the last arrival of the window. Without --quick a
// second phase sends as fast as the broker acknowledges (closed loop) to find what the group consumes at
// most.
import { type ChildProcess, fork } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { launchBroker } from '../broker.ts'
import type { GroupCommand, GroupReply } from '../load/group-members.ts'
import { KafkaConnection } from '../load/kafka-connection.ts'
import {
  buildProduceFrames,
  type ProduceFrames,
  produceClosedLoop,
  produceOpenLoop,
} from '../load/paced-producer.ts'
import { createTopics, partitionRange } from '../load/topics.ts'
import type { BenchContext, Workload } from '../types.ts'

const membersScript = fileURLToPath(new URL('../load/group-members.ts', import.meta.url))
const topic = 'bench-group'
const members = 8
const partitions = partitionRange(64)
const shape = { recordBytes: 1024, recordsPerBatch: 16 }
const assignTimeoutMs = 60_000
const replyTimeoutMs = 30_000
/** How long after the producer stops the members may take to consume what is left. */
const drainTimeoutMs = 20_000

type Reply<K extends GroupReply['kind']> = Extract<GroupReply, { kind: K }>

/** The child process holding the members, spoken to over IPC. */
class Members {
  readonly #child: ChildProcess
  readonly #replies: GroupReply[] = []
  #notify: (() => void) | null = null

  constructor() {
    this.#child = fork(membersScript, [], {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    })
    this.#child.on('message', (message: GroupReply) => {
      this.#replies.push(message)
      this.#notify?.()
    })
    this.#child.on('exit', () => this.#notify?.())
  }

  send(command: GroupCommand): void {
    this.#child.send(command)
  }

  async next<K extends GroupReply['kind']>(kind: K, timeoutMs: number): Promise<Reply<K>> {
    const deadline = performance.now() + timeoutMs
    while (this.#replies.length === 0) {
      if (this.#child.exitCode !== null || this.#child.signalCode !== null)
        throw new Error('group members exited')
      const left = deadline - performance.now()
      if (left <= 0) throw new Error(`group members: no '${kind}' within ${timeoutMs} ms`)
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left)
        this.#notify = () => {
          clearTimeout(timer)
          resolve()
        }
      })
      this.#notify = null
    }
    const reply = this.#replies.shift() as GroupReply
    if (reply.kind === 'failed') throw new Error(`group members: ${reply.message}`)
    if (reply.kind !== kind) throw new Error(`group members: expected '${kind}', got '${reply.kind}'`)
    return reply as Reply<K>
  }

  async stop(): Promise<void> {
    if (this.#child.connected) {
      this.send({ kind: 'stop' })
      await this.next('stopped', replyTimeoutMs).catch(() => undefined)
    }
    this.#child.kill('SIGKILL')
  }
}

/** Polls the members until they consumed `records` since the last reset, or the drain bound. */
async function awaitConsumed(group: Members, records: number): Promise<Reply<'report'>> {
  const deadline = performance.now() + drainTimeoutMs
  for (;;) {
    group.send({ kind: 'report' })
    const report = await group.next('report', replyTimeoutMs)
    if (report.records >= records || performance.now() > deadline) return report
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
}

function recordPhase(
  context: BenchContext,
  id: string,
  label: string,
  report: Reply<'report'>,
  producedRecords: number,
): void {
  const seconds = (report.lastMs - report.firstMs) / 1000
  const perSecond = seconds > 0 ? report.records / seconds : Number.NaN
  const details = {
    members,
    partitions: partitions.length,
    client: '@platformatic/kafka (classic protocol)',
    producedRecords,
    consumedRecords: report.records,
    unstamped: report.unstamped,
    e2eP999Ms: report.latency.p999Ms,
    e2eMaxMs: report.latency.maxMs,
  }
  context.record({
    id: `${id}.recordsPerSec`,
    label: `${label}: records/s consumed`,
    value: perSecond,
    unit: 'records/s',
    details,
  })
  context.record({
    id: `${id}.e2e.p50`,
    label: `${label}: end-to-end latency per record, p50`,
    value: report.latency.p50Ms,
    unit: 'ms',
    details,
  })
  context.record({
    id: `${id}.e2e.p99`,
    label: `${label}: end-to-end latency per record, p99`,
    value: report.latency.p99Ms,
    unit: 'ms',
    details,
  })
}

interface Phase {
  context: BenchContext
  group: Members
  connection: KafkaConnection
  frames: ProduceFrames
  durationMs: number
}

async function pacedPhase(phase: Phase, recordsPerSec: number): Promise<void> {
  phase.group.send({ kind: 'reset' })
  const produced = await produceOpenLoop({
    connection: phase.connection,
    frames: phase.frames,
    acks: 1,
    batchesPerSecond: recordsPerSec / shape.recordsPerBatch,
    durationMs: phase.durationMs,
    inflightMax: 1000,
    drainMs: 5_000,
  })
  const producedRecords = produced.acked * shape.recordsPerBatch
  const report = await awaitConsumed(phase.group, producedRecords)
  recordPhase(
    phase.context,
    'group.tail',
    `8 members tailing 64 partitions, producer at ${recordsPerSec} records/s`,
    report,
    producedRecords,
  )
}

async function maxPhase(phase: Phase): Promise<void> {
  phase.group.send({ kind: 'reset' })
  const produced = await produceClosedLoop({
    connections: [phase.connection],
    frames: phase.frames,
    acks: 1,
    inflightPerConnection: 8,
    durationMs: phase.durationMs,
    stamped: true,
  })
  const report = await awaitConsumed(phase.group, produced.records)
  recordPhase(phase.context, 'group.max', '8 members, producer as fast as acked', report, produced.records)
}

async function runGroup(
  context: BenchContext,
  broker: { host: string; port: number; bootstrap: string },
  group: Members,
): Promise<void> {
  await createTopics(broker.host, broker.port, [{ name: topic, partitions: partitions.length }])
  group.send({
    kind: 'start',
    bootstrap: broker.bootstrap,
    topic,
    groupId: 'bench-group',
    members,
    partitions: partitions.length,
    protocol: 'classic',
  })
  const assigned = await group.next('assigned', assignTimeoutMs)
  context.record({
    id: 'group.rebalance.ms',
    label:
      '8 members join a new group and all hold assignments (classic protocol, incl. the initial rebalance delay: 3 s, 0 with --quick)',
    value: assigned.rebalanceMs,
    unit: 'ms',
    details: { generationId: assigned.generationId, client: '@platformatic/kafka' },
  })
  const connection = await KafkaConnection.open(broker.host, broker.port)
  try {
    const frames = await buildProduceFrames(topic, partitions, shape, 1, 'all')
    const durationMs = context.options.quick ? 1_000 : context.options.phaseSeconds * 1000
    const phase = { context, group, connection, frames, durationMs }
    await pacedPhase(phase, context.options.quick ? 10_000 : 20_000)
    if (!context.options.quick) await maxPhase(phase)
  } finally {
    connection.close()
  }
}

async function run(context: BenchContext): Promise<void> {
  const dataDir = await mkdtemp(join(context.options.scratchDir, 'group-'))
  const group = new Members() // loads its client while the broker starts
  // --quick skips the initial rebalance delay (as Kafka's own test configs do) to stay short.
  const args = context.options.quick ? ['--groups-initial-rebalance-delay-ms', '0'] : []
  const broker = await launchBroker({ dataDir, args }).catch(async (error: unknown) => {
    await group.stop()
    throw error
  })
  try {
    await runGroup(context, broker, group)
  } finally {
    await group.stop()
    await broker.stop()
    await rm(dataDir, { recursive: true, force: true })
  }
}

export const group: Workload = { name: 'group', order: 60, run }
