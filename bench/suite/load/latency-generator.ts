// The latency workload's load generator, run as a child process of the bench runner (forked by
// latency-generator-client.ts), so the paced producer and the tailing consumer have an event loop of
// their own: neither the runner's bookkeeping nor the broker shares it. It keeps one Produce
// connection for the whole workload (as the broker sees one long-lived producer) and answers jobs
// sent over the IPC channel:
// - `closed`: produce as fast as acks come back (the maximum rate), closed loop;
// - `phase`: open-loop produce on a wall-clock schedule with a tailing Fetch consumer on a second
//   connection; every latency is measured from the scheduled send time (coordinated omission
//   corrected, paced-producer.ts), end-to-end from the stamp in the first record (stamp.ts).
// Beside the latencies it reports its own share of the delay: how late sends left (send lag), its
// event-loop delay (perf_hooks.monitorEventLoopDelay) and its CPU time, so a reader can tell the
// generator's lateness from the broker's.
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { endOffsets } from './end-offsets.ts'
import { Fetcher } from './fetcher.ts'
import { LatencyHistogram, type LatencySummary } from './histogram.ts'
import { KafkaConnection } from './kafka-connection.ts'
import {
  buildProduceFrames,
  type ProduceFrames,
  produceClosedLoop,
  produceOpenLoop,
} from './paced-producer.ts'
import { readStamp, type StampedBatchShape, wallClockMs } from './stamp.ts'

/** The generator's event-loop delay sampling interval: fine enough for a 1 ms schedule. */
const eventLoopResolutionMs = 2
/** Requests unanswered before the open loop's sends wait (a producer's buffer is bounded too). */
const openLoopInflightMax = 1000

export interface GeneratorSetup {
  host: string
  port: number
  partitions: number[]
  shape: StampedBatchShape
}

export type GeneratorJob =
  | { kind: 'closed'; topic: string; acks: -1 | 1; durationMs: number; inflight: number }
  | { kind: 'phase'; topic: string; acks: -1 | 1; batchesPerSecond: number; durationMs: number }

export interface ClosedJobResult {
  batches: number
  seconds: number
  errors: number
}

export interface GeneratorSelf {
  /** How late sends left their schedule (the generator's own share of every latency). */
  sendLag: LatencySummary
  /** The generator's event-loop delay during the phase. */
  eventLoopDelayP99Ms: number
  eventLoopDelayMaxMs: number
  /** The generator's user + system CPU seconds during the phase. */
  cpuSeconds: number
}

export interface PhaseJobResult {
  produce: LatencySummary
  endToEnd: LatencySummary
  scheduled: number
  acked: number
  lost: number
  errors: number
  ackedPerSecond: number
  generator: GeneratorSelf
}

export type GeneratorRequest = { id: number; setup: GeneratorSetup } | { id: number; job: GeneratorJob }
export type GeneratorReply =
  | { id: number; ok: true; result: ClosedJobResult | PhaseJobResult | null }
  | { id: number; ok: false; error: string }

let setup: GeneratorSetup | null = null
let connection: KafkaConnection | null = null
const framesByKey = new Map<string, ProduceFrames>()

async function framesFor(topic: string, acks: -1 | 1): Promise<ProduceFrames> {
  const key = `${topic}/${acks}`
  let frames = framesByKey.get(key)
  if (frames === undefined) {
    if (setup === null) throw new Error('generator: job before setup')
    frames = await buildProduceFrames(topic, setup.partitions, setup.shape, acks)
    framesByKey.set(key, frames)
  }
  return frames
}

function requireConnection(): KafkaConnection {
  if (connection === null) throw new Error('generator: job before setup')
  return connection
}

async function runClosed(job: Extract<GeneratorJob, { kind: 'closed' }>): Promise<ClosedJobResult> {
  const result = await produceClosedLoop({
    connections: [requireConnection()],
    frames: await framesFor(job.topic, job.acks),
    acks: job.acks,
    inflightPerConnection: job.inflight,
    durationMs: job.durationMs,
    stamped: true, // the per-send copy and stamp of the open loop, for a like-for-like maximum
  })
  let errors = 0
  for (const count of result.errors.values()) errors += count
  return { batches: result.batches, seconds: result.seconds, errors }
}

async function runPhase(job: Extract<GeneratorJob, { kind: 'phase' }>): Promise<PhaseJobResult> {
  if (setup === null) throw new Error('generator: job before setup')
  const frames = await framesFor(job.topic, job.acks)
  const startOffsets = await endOffsets(setup.host, setup.port, job.topic, setup.partitions)
  const endToEnd = new LatencyHistogram()
  const fetcher = await Fetcher.open({
    host: setup.host,
    port: setup.port,
    topic: job.topic,
    partitions: setup.partitions,
    startOffsets,
    maxWaitMs: 100,
    onBatch: (records, position) => {
      const stampMs = readStamp(records, position)
      if (!Number.isNaN(stampMs)) endToEnd.recordMs(wallClockMs() - stampMs)
    },
  })
  const drainMs = Math.max(1000, job.durationMs / 2)
  const eventLoop = monitorEventLoopDelay({ resolution: eventLoopResolutionMs })
  const cpuBefore = process.cpuUsage()
  let produced = -1
  try {
    eventLoop.enable()
    const consuming = fetcher.run({
      deadlineMs: performance.now() + job.durationMs + 2 * drainMs,
      stop: () => produced >= 0 && fetcher.totals.batches >= produced,
    })
    const result = await produceOpenLoop({
      connection: requireConnection(),
      frames,
      acks: job.acks,
      batchesPerSecond: job.batchesPerSecond,
      durationMs: job.durationMs,
      inflightMax: openLoopInflightMax,
      drainMs,
    })
    produced = result.acked
    await consuming
    eventLoop.disable()
    const cpu = process.cpuUsage(cpuBefore)
    let errors = 0
    for (const count of result.errors.values()) errors += count
    return {
      produce: result.ackLatency.summary(),
      endToEnd: endToEnd.summary(),
      scheduled: result.scheduled,
      acked: result.acked,
      lost: result.lost,
      errors,
      ackedPerSecond: result.ackedPerSecond,
      generator: {
        sendLag: result.sendLag.summary(),
        eventLoopDelayP99Ms: eventLoop.percentile(99) / 1e6,
        eventLoopDelayMaxMs: eventLoop.max / 1e6,
        cpuSeconds: (cpu.user + cpu.system) / 1e6,
      },
    }
  } finally {
    eventLoop.disable()
    fetcher.close()
  }
}

async function handle(request: GeneratorRequest): Promise<ClosedJobResult | PhaseJobResult | null> {
  if ('setup' in request) {
    setup = request.setup
    connection = await KafkaConnection.open(setup.host, setup.port)
    return null
  }
  return request.job.kind === 'closed' ? runClosed(request.job) : runPhase(request.job)
}

function reply(message: GeneratorReply): void {
  process.send?.(message)
}

if (process.send === undefined) {
  process.stderr.write(
    'latency-generator.ts runs as a forked child of the bench (latency-generator-client.ts)\n',
  )
  process.exit(2)
}
// One job at a time: the client awaits each reply before sending the next request.
process.on('message', (message: GeneratorRequest) => {
  handle(message).then(
    (result) => reply({ id: message.id, ok: true, result }),
    (error: unknown) =>
      reply({
        id: message.id,
        ok: false,
        error: error instanceof Error ? (error.stack ?? error.message) : String(error),
      }),
  )
})
// The runner went away (finished or died): close and exit.
process.on('disconnect', () => {
  connection?.close()
  process.exit(0)
})
