// Latency workload: produce latency (acks=1) and end-to-end latency (produce → consume) as p50, p99
// and p99.9 at 10 %, 50 % and 90 % of the maximum throughput, the acks=all produce latency at the 10 %
// rate, and the fdatasync cost of a 1 MiB write on the data dir's filesystem that the acks=all figures
// rest on. Beside each phase's latencies it records what the broker and the generator went through
// (the `latencyRuntime` rows): the broker's event-loop delay p99/max, GC pauses and CPU seconds (from
// its /metrics, load/broker-runtime.ts), and the generator's send lag, event-loop delay and CPU, so a
// reader can tell the broker's share of a p99 from the machine's.
//
// Method: a broker process on a fresh data dir; topics `bench-latency` (acks=1 phases) and
// `bench-latency-durable` (acks=all), 4 partitions each; batches of 16 records of 1 KiB (16 KiB,
// uncompressed), one per Produce request, round-robin over the partitions, on one connection. The
// generator and its consumer run in a child process of their own (load/latency-generator.ts), not in
// the bench runner, so three event loops take part: runner (idle during a phase), generator, broker.
// The maximum is measured first with the same request shape, closed loop with 16 requests in flight.
// Each load level then runs open loop (load/paced-producer.ts): sends leave on a wall-clock schedule
// and every latency is measured from the scheduled send time, so a stall counts against every send it
// delays (coordinated omission corrected). The first record of each batch carries the scheduled time
// (load/stamp.ts); a Fetch consumer on its own connection (load/fetcher.ts, long-poll, min_bytes 1)
// reads it back, and end-to-end latency is the time the batch arrived minus that stamp.
//
// acks=all isolation: the acks=1 phases leave up to GiBs of dirty pages behind (the broker never
// fsyncs acks=1 data), and an fdatasync on a file with a GiB of dirty pages, or an ext4 journal commit
// behind them, takes seconds. acks=all therefore runs twice: first on the acks=1 topic right after the
// acks=1 phases (`acksAllAfterAcks1`: what a mixed workload sees), then, after a `sync` (its time is
// recorded), on a topic of its own (`acksAll`, the target): the group commit itself, not the previous
// phases' writeback. A 16 KiB write + fdatasync probe on the same filesystem runs every 20 ms during
// the second, so the broker's durable-append time can be read against what the disk gives meanwhile.
import { execFile } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { launchBroker } from '../broker.ts'
import {
  httpUrlOfBroker,
  type RuntimeDuringPhase,
  runtimeDuring,
  snapshotRuntime,
} from '../load/broker-runtime.ts'
import { probeFsync, probeFsyncDuring } from '../load/fsync-probe.ts'
import type { LatencySummary } from '../load/histogram.ts'
import type { GeneratorSelf, PhaseJobResult } from '../load/latency-generator.ts'
import { LatencyGenerator } from '../load/latency-generator-client.ts'
import { createTopics, partitionRange } from '../load/topics.ts'
import type { BenchContext, Workload } from '../types.ts'

const topic = 'bench-latency'
const durableTopic = 'bench-latency-durable'
const partitions = partitionRange(4)
const shape = { recordBytes: 1024, recordsPerBatch: 16 }
const loadPercents = [10, 50, 90] as const
const maxInflight = 16
/** Open-loop results with more sends lost than this share say nothing reliable about p99. */
const lostShareMax = 0.01

interface PhaseOutcome {
  result: PhaseJobResult
  runtime: RuntimeDuringPhase
}

function recordPercentiles(
  context: BenchContext,
  idPrefix: string,
  labelPrefix: string,
  summary: LatencySummary,
  details: Record<string, number | string | boolean>,
): void {
  const points = [
    ['p50', 'p50', summary.p50Ms],
    ['p99', 'p99', summary.p99Ms],
    ['p999', 'p99.9', summary.p999Ms],
  ] as const
  for (const [idPart, labelPart, value] of points) {
    context.record({
      id: `${idPrefix}.${idPart}`,
      label: `${labelPrefix}, ${labelPart}`,
      value,
      unit: 'ms',
      details: { ...details, samples: summary.count, maxMs: summary.maxMs, meanMs: summary.meanMs },
    })
  }
}

async function measureFsync(context: BenchContext, directory: string): Promise<void> {
  const samples = context.options.quick ? 8 : 64
  const fsync = await probeFsync(directory, samples)
  const summary = fsync.fdatasync.summary()
  const details = { samples, writeAndSyncP50Ms: fsync.writeAndSync.percentileMs(50) }
  context.record({
    id: 'latency.fsync.1mib.p50',
    label: 'fdatasync after a 1 MiB write (data dir filesystem), p50',
    value: summary.p50Ms,
    unit: 'ms',
    details,
  })
  context.record({
    id: 'latency.fsync.1mib.p99',
    label: 'fdatasync after a 1 MiB write (data dir filesystem), p99',
    value: summary.p99Ms,
    unit: 'ms',
    details,
  })
}

function phaseDetails(outcome: PhaseOutcome, batchesPerSecond: number): Record<string, number | string> {
  const { result, runtime } = outcome
  return {
    recordsPerSec: Math.round(batchesPerSecond * shape.recordsPerBatch),
    ackedRecordsPerSec: Math.round(result.ackedPerSecond * shape.recordsPerBatch),
    scheduledBatches: result.scheduled,
    lostBatches: result.lost,
    errorBatches: result.errors,
    sendLagP99Ms: result.generator.sendLag.p99Ms,
    brokerEventLoopDelayP99Ms: runtime.eventLoopDelayP99Ms,
    generatorEventLoopDelayP99Ms: result.generator.eventLoopDelayP99Ms,
    shape: '16 x 1 KiB records per batch, 4 partitions, 1 connection',
  }
}

/** The `latencyRuntime.<phase>` row: what the broker and the generator went through in the phase. */
function recordRuntime(context: BenchContext, phase: string, label: string, outcome: PhaseOutcome): void {
  const { runtime } = outcome
  const generator: GeneratorSelf = outcome.result.generator
  const values: Array<[string, string, number, string]> = [
    ['brokerLoopP99', 'broker event-loop delay p99', runtime.eventLoopDelayP99Ms, 'ms'],
    ['brokerLoopMax', 'broker event-loop delay max', runtime.eventLoopDelayMaxMs, 'ms'],
    ['brokerGcMs', 'broker GC pause total', runtime.gcPauseTotalMs, 'ms'],
    ['brokerGcCount', 'broker GC pauses', runtime.gcPauses, 'pauses'],
    ['brokerCpuS', 'broker CPU', runtime.brokerCpuSeconds, 's'],
    ['genLagP99', 'generator send lag p99', generator.sendLag.p99Ms, 'ms'],
    ['genLoopP99', 'generator event-loop delay p99', generator.eventLoopDelayP99Ms, 'ms'],
    ['genCpuS', 'generator CPU', generator.cpuSeconds, 's'],
  ]
  for (const [key, what, value, unit] of values) {
    context.record({
      id: `latencyRuntime.${phase}.${key}`,
      label: `${label}: ${what}`,
      value,
      unit,
      details: {
        gcPauseMaxBoundMs: runtime.gcPauseMaxBoundMs,
        generatorLoopMaxMs: generator.eventLoopDelayMaxMs,
      },
    })
  }
}

function isReliable(result: PhaseJobResult): boolean {
  return result.lost + result.errors <= result.scheduled * lostShareMax
}

function basisOf(outcome: PhaseOutcome, what: string, value: number, rateText: string): string {
  const { result, runtime } = outcome
  return (
    `${what} p99 ${value.toFixed(2)} ms over ${result.produce.count} batches at ${rateText}, open loop, ` +
    `generator in its own process; broker event-loop delay p99 ${runtime.eventLoopDelayP99Ms.toFixed(1)} ms ` +
    `(max ${runtime.eventLoopDelayMaxMs.toFixed(1)}), GC ${runtime.gcPauseTotalMs.toFixed(0)} ms in ` +
    `${runtime.gcPauses} pauses; generator send lag p99 ${result.generator.sendLag.p99Ms.toFixed(1)} ms` +
    (isReliable(result) ? '' : `; ${result.lost} of ${result.scheduled} sends lost: not reliable`)
  )
}

function addTargets(context: BenchContext, atHalf: PhaseOutcome, halfRate: number, maxRate: number): void {
  const reliable = isReliable(atHalf.result)
  const rateText =
    `${Math.round(halfRate * shape.recordsPerBatch)} records/s (50% of max ` +
    `${Math.round(maxRate * shape.recordsPerBatch)} records/s)`
  const produceP99 = atHalf.result.produce.p99Ms
  const endToEndP99 = atHalf.result.endToEnd.p99Ms
  context.target({
    id: 'target.latency-produce-p99',
    description: 'p99 produce latency (acks=1) under 5 ms at 50% of max throughput',
    actual: produceP99,
    comparator: '<=',
    bound: 5,
    unit: 'ms',
    basis: basisOf(atHalf, 'produce', produceP99, rateText),
    ...(reliable ? {} : { met: false }),
  })
  context.target({
    id: 'target.latency-e2e-p99',
    description: 'p99 end-to-end latency (produce to consume) under 10 ms at 50% of max throughput',
    actual: endToEndP99,
    comparator: '<=',
    bound: 10,
    unit: 'ms',
    basis: basisOf(atHalf, 'end-to-end', endToEndP99, rateText),
    ...(reliable ? {} : { met: false }),
  })
}

function addDurableTarget(
  context: BenchContext,
  durable: PhaseOutcome,
  rate: number,
  syncMs: number,
  probeP99Ms: number,
): void {
  const p99 = durable.result.produce.p99Ms
  const { runtime } = durable
  context.target({
    id: 'target.latency-acks-all-p99',
    description: 'p99 produce latency (acks=all) under 10 ms at 10% of max throughput',
    actual: p99,
    comparator: '<=',
    bound: 10,
    unit: 'ms',
    basis:
      basisOf(durable, 'acks=all produce', p99, `${Math.round(rate * shape.recordsPerBatch)} records/s`) +
      `; durable appends (append to fdatasync) mean ${runtime.durableAppendMeanMs.toFixed(2)} ms, ` +
      `p99 <= ${runtime.durableAppendP99BoundMs} ms; a 16 KiB fdatasync probe meanwhile p99 ` +
      `${probeP99Ms.toFixed(1)} ms; own topic, after a sync of ${syncMs.toFixed(0)} ms`,
    ...(isReliable(durable.result) ? {} : { met: false }),
  })
}

const execFileAsync = promisify(execFile)

/** `sync`: writes back every dirty page, so the next phase does not pay for the previous ones. */
async function syncDisks(): Promise<number> {
  const started = performance.now()
  await execFileAsync('sync')
  return performance.now() - started
}

interface Harness {
  generator: LatencyGenerator
  httpUrl: string
  broker: Awaited<ReturnType<typeof launchBroker>>
}

async function measuredPhase(
  harness: Harness,
  job: Parameters<LatencyGenerator['phase']>[0],
): Promise<PhaseOutcome> {
  const before = await snapshotRuntime(harness.httpUrl, harness.broker)
  const result = await harness.generator.phase(job)
  const after = await snapshotRuntime(harness.httpUrl, harness.broker)
  return { result, runtime: runtimeDuring(before, after) }
}

/**
 * acks=all at the 10% rate, where each answer waits for a shared fdatasync (group commit): first on
 * the acks=1 topic right after the acks=1 phases (what a mixed workload sees: the first syncs write
 * back the acks=1 data; not with --quick), then, after a `sync`, on a topic of its own (the target). A probe appends
 * 16 KiB + fdatasync every 20 ms on the same filesystem during the second phase.
 */
async function measureAcksAll(
  context: BenchContext,
  harness: Harness,
  dataDir: string,
  rate: number,
): Promise<void> {
  const durationMs = context.options.quick ? 800 : context.options.phaseSeconds * 1000
  const job = { acks: -1 as const, batchesPerSecond: rate, durationMs }
  // Not in --quick (CI time): its quick acks=1 phases leave too little dirty data to show anything.
  if (!context.options.quick) {
    const mixed = await measuredPhase(harness, { ...job, topic })
    recordPercentiles(
      context,
      'latency.produce.acksAllAfterAcks1.load10',
      'produce latency acks=all at the 10% rate, on the acks=1 topic right after the acks=1 phases (no sync)',
      mixed.result.produce,
      { ...phaseDetails(mixed, rate), durableAppendMeanMs: mixed.runtime.durableAppendMeanMs },
    )
  }
  const syncMs = await syncDisks()
  context.record({
    id: 'latency.syncBeforeAcksAll.ms',
    label: "sync of the earlier phases' dirty pages before the isolated acks=all phase",
    value: syncMs,
    unit: 'ms',
  })
  const phase = measuredPhase(harness, { ...job, topic: durableTopic })
  const probe = probeFsyncDuring(dataDir, { writeBytes: 16 * 1024, intervalMs: 20 }, phase)
  const durable = await phase
  const fsyncDuring = (await probe).summary()
  recordPercentiles(
    context,
    'latency.produce.acksAll.load10',
    'produce latency acks=all at the 10% rate',
    durable.result.produce,
    { ...phaseDetails(durable, rate), durableAppendMeanMs: durable.runtime.durableAppendMeanMs },
  )
  recordPercentiles(
    context,
    'latency.fsyncDuringAcksAll.16kib',
    'fdatasync after a 16 KiB write, every 20 ms during the acks=all phase',
    fsyncDuring,
    {},
  )
  recordRuntime(context, 'acksAll.load10', 'acks=all at the 10% rate', durable)
  addDurableTarget(context, durable, rate, syncMs, fsyncDuring.p99Ms)
}

async function run(context: BenchContext): Promise<void> {
  const { quick, phaseSeconds, scratchDir } = context.options
  const durationMs = quick ? 800 : phaseSeconds * 1000
  const dataDir = await mkdtemp(join(scratchDir, 'latency-'))
  await measureFsync(context, dataDir)
  const broker = await launchBroker({ dataDir })
  let generator: LatencyGenerator | undefined
  try {
    await createTopics(broker.host, broker.port, [
      { name: topic, partitions: partitions.length },
      { name: durableTopic, partitions: partitions.length },
    ])
    generator = await LatencyGenerator.start({ host: broker.host, port: broker.port, partitions, shape })
    const harness: Harness = { generator, httpUrl: httpUrlOfBroker(broker), broker }
    const closed = { topic, acks: 1 as const, inflight: maxInflight }
    await generator.closed({ ...closed, durationMs: durationMs / 4 }) // warm-up
    const max = await generator.closed({ ...closed, durationMs })
    const maxRate = max.batches / max.seconds
    context.record({
      id: 'latency.max.acks1.recordsPerSec',
      label: 'max produce rate of the latency shape (16 x 1 KiB batches, acks=1, 16 in flight)',
      value: Math.round(maxRate * shape.recordsPerBatch),
      unit: 'records/s',
      details: {
        mbPerSec: (maxRate * shape.recordsPerBatch * shape.recordBytes) / 1e6,
        seconds: max.seconds,
      },
    })
    for (const percent of loadPercents) {
      const rate = (maxRate * percent) / 100
      context.log(
        `latency: acks=1 at ${percent}% of max (${Math.round(rate * shape.recordsPerBatch)} records/s)`,
      )
      const outcome = await measuredPhase(harness, { topic, acks: 1, batchesPerSecond: rate, durationMs })
      const details = phaseDetails(outcome, rate)
      recordPercentiles(
        context,
        `latency.produce.acks1.load${percent}`,
        `produce latency acks=1 at ${percent}% of max`,
        outcome.result.produce,
        details,
      )
      recordPercentiles(
        context,
        `latency.e2e.acks1.load${percent}`,
        `end-to-end latency at ${percent}% of max`,
        outcome.result.endToEnd,
        details,
      )
      recordRuntime(context, `acks1.load${percent}`, `acks=1 at ${percent}% of max`, outcome)
      if (percent === 50) addTargets(context, outcome, rate, maxRate)
    }
    await measureAcksAll(context, harness, dataDir, maxRate / 10)
  } finally {
    generator?.stop()
    await broker.stop()
    await rm(dataDir, { recursive: true, force: true })
  }
}

export const latency: Workload = { name: 'latency', order: 50, run }
