// Latency workload: produce latency (acks=1) and end-to-end latency (produce → consume) as p50, p99
// and p99.9 at 10 %, 50 % and 90 % of the maximum throughput, the acks=all produce latency, and the
// fdatasync cost of a 1 MiB write on the data dir's filesystem that the acks=all figures rest on.
//
// Method: a broker process on a fresh data dir; topic `bench-latency` with 4 partitions; batches of
// 16 records of 1 KiB (16 KiB, uncompressed), one per Produce request, round-robin over the
// partitions, on one connection. The maximum is measured first with the same request shape, closed
// loop with 16 requests in flight. Each load level then runs open loop (load/paced-producer.ts): sends
// leave on a fixed schedule and every latency is measured from the scheduled send time, so a stall
// counts against every send it delays. The first record of each batch carries the scheduled time
// (load/stamp.ts); a Fetch consumer on its own connection (load/fetcher.ts, long-poll, min_bytes 1)
// reads it back, and end-to-end latency is the time the batch arrived minus that stamp.
import { mkdtemp, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { launchBroker } from '../broker.ts'
import { endOffsets } from '../load/end-offsets.ts'
import { Fetcher } from '../load/fetcher.ts'
import { probeFsync } from '../load/fsync-probe.ts'
import { LatencyHistogram } from '../load/histogram.ts'
import { KafkaConnection } from '../load/kafka-connection.ts'
import {
  buildProduceFrames,
  type ProduceFrames,
  produceClosedLoop,
  produceOpenLoop,
} from '../load/paced-producer.ts'
import { readStamp, wallClockMs } from '../load/stamp.ts'
import { createTopics, partitionRange } from '../load/topics.ts'
import type { BenchContext, Workload } from '../types.ts'

const topic = 'bench-latency'
const partitions = partitionRange(4)
const shape = { recordBytes: 1024, recordsPerBatch: 16 }
const loadPercents = [10, 50, 90] as const
const maxInflight = 16
const openLoopInflightMax = 1000
/** Open-loop results with more sends lost than this share say nothing reliable about p99. */
const lostShareMax = 0.01

interface Phase {
  host: string
  port: number
  connection: KafkaConnection
  frames: ProduceFrames
  acks: -1 | 1
  batchesPerSecond: number
  durationMs: number
}

interface PhaseResult {
  produce: LatencyHistogram
  endToEnd: LatencyHistogram
  scheduled: number
  lost: number
  errors: number
  sendLagP99Ms: number
  ackedPerSecond: number
}

/** One open-loop phase with a tailing consumer measuring end-to-end latency. */
async function runPhase(phase: Phase): Promise<PhaseResult> {
  const startOffsets = await endOffsets(phase.host, phase.port, topic, partitions)
  const endToEnd = new LatencyHistogram()
  const fetcher = await Fetcher.open({
    host: phase.host,
    port: phase.port,
    topic,
    partitions,
    startOffsets,
    maxWaitMs: 100,
    onBatch: (records, position) => {
      const stampMs = readStamp(records, position)
      if (!Number.isNaN(stampMs)) endToEnd.recordMs(wallClockMs() - stampMs)
    },
  })
  const drainMs = Math.max(1000, phase.durationMs / 2)
  let produced = -1
  try {
    const consuming = fetcher.run({
      deadlineMs: performance.now() + phase.durationMs + 2 * drainMs,
      stop: () => produced >= 0 && fetcher.totals.batches >= produced,
    })
    const result = await produceOpenLoop({
      connection: phase.connection,
      frames: phase.frames,
      acks: phase.acks,
      batchesPerSecond: phase.batchesPerSecond,
      durationMs: phase.durationMs,
      inflightMax: openLoopInflightMax,
      drainMs,
    })
    produced = result.acked
    await consuming
    let errors = 0
    for (const count of result.errors.values()) errors += count
    return {
      produce: result.ackLatency,
      endToEnd,
      scheduled: result.scheduled,
      lost: result.lost,
      errors,
      sendLagP99Ms: result.sendLag.percentileMs(99),
      ackedPerSecond: result.ackedPerSecond,
    }
  } finally {
    fetcher.close()
  }
}

function recordPercentiles(
  context: BenchContext,
  idPrefix: string,
  labelPrefix: string,
  histogram: LatencyHistogram,
  details: Record<string, number | string | boolean>,
): void {
  const summary = histogram.summary()
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

function phaseDetails(result: PhaseResult, batchesPerSecond: number): Record<string, number | string> {
  return {
    recordsPerSec: Math.round(batchesPerSecond * shape.recordsPerBatch),
    ackedRecordsPerSec: Math.round(result.ackedPerSecond * shape.recordsPerBatch),
    scheduledBatches: result.scheduled,
    lostBatches: result.lost,
    errorBatches: result.errors,
    sendLagP99Ms: result.sendLagP99Ms,
    shape: '16 x 1 KiB records per batch, 4 partitions, 1 connection',
  }
}

function addTargets(context: BenchContext, atHalf: PhaseResult, halfRate: number, maxRate: number): void {
  const reliable = atHalf.lost + atHalf.errors <= atHalf.scheduled * lostShareMax
  const basis = (what: string, value: number) =>
    `${what} p99 ${value.toFixed(2)} ms over ${atHalf.produce.count} batches at ` +
    `${Math.round(halfRate * shape.recordsPerBatch)} records/s (50% of max ` +
    `${Math.round(maxRate * shape.recordsPerBatch)} records/s), open loop` +
    (reliable ? '' : `; ${atHalf.lost} of ${atHalf.scheduled} sends lost: not reliable`)
  const produceP99 = atHalf.produce.percentileMs(99)
  const endToEndP99 = atHalf.endToEnd.percentileMs(99)
  context.target({
    id: 'target.latency-produce-p99',
    description: 'p99 produce latency (acks=1) under 2 ms at 50% of max throughput',
    actual: produceP99,
    comparator: '<=',
    bound: 2,
    unit: 'ms',
    basis: basis('produce', produceP99),
    ...(reliable ? {} : { met: false }),
  })
  context.target({
    id: 'target.latency-e2e-p99',
    description: 'p99 end-to-end latency (produce to consume) under 5 ms at 50% of max throughput',
    actual: endToEndP99,
    comparator: '<=',
    bound: 5,
    unit: 'ms',
    basis: basis('end-to-end', endToEndP99),
    ...(reliable ? {} : { met: false }),
  })
}

async function run(context: BenchContext): Promise<void> {
  const { quick, phaseSeconds, scratchDir } = context.options
  const durationMs = quick ? 800 : phaseSeconds * 1000
  const dataDir = await mkdtemp(join(scratchDir, 'latency-'))
  await measureFsync(context, dataDir)
  const broker = await launchBroker({ dataDir })
  let connection: KafkaConnection | undefined
  try {
    await createTopics(broker.host, broker.port, [{ name: topic, partitions: partitions.length }])
    connection = await KafkaConnection.open(broker.host, broker.port)
    const acks1 = await buildProduceFrames(topic, partitions, shape, 1)
    const acksAll = await buildProduceFrames(topic, partitions, shape, -1)
    const closedLoop = { connections: [connection], acks: 1 as const, inflightPerConnection: maxInflight }
    await produceClosedLoop({ ...closedLoop, frames: acks1, durationMs: durationMs / 4, stamped: true }) // warm-up
    const max = await produceClosedLoop({ ...closedLoop, frames: acks1, durationMs, stamped: true })
    const maxRate = max.batches / max.seconds
    context.record({
      id: 'latency.max.acks1.recordsPerSec',
      label: 'max produce rate of the latency shape (16 x 1 KiB batches, acks=1, 16 in flight)',
      value: Math.round(maxRate * shape.recordsPerBatch),
      unit: 'records/s',
      details: { mbPerSec: (maxRate * acks1.batchBytes) / 1e6, seconds: max.seconds },
    })
    const phase = { host: broker.host, port: broker.port, connection, durationMs }
    for (const percent of loadPercents) {
      const rate = (maxRate * percent) / 100
      context.log(
        `latency: acks=1 at ${percent}% of max (${Math.round(rate * shape.recordsPerBatch)} records/s)`,
      )
      const result = await runPhase({ ...phase, frames: acks1, acks: 1, batchesPerSecond: rate })
      const details = phaseDetails(result, rate)
      recordPercentiles(
        context,
        `latency.produce.acks1.load${percent}`,
        `produce latency acks=1 at ${percent}% of max`,
        result.produce,
        details,
      )
      recordPercentiles(
        context,
        `latency.e2e.acks1.load${percent}`,
        `end-to-end latency at ${percent}% of max`,
        result.endToEnd,
        details,
      )
      if (percent === 50) addTargets(context, result, rate, maxRate)
    }
    // acks=all at the 10% rate: each answer waits for a shared fdatasync (group commit).
    const allRate = maxRate / 10
    const durable = await runPhase({ ...phase, frames: acksAll, acks: -1, batchesPerSecond: allRate })
    recordPercentiles(
      context,
      'latency.produce.acksAll.load10',
      'produce latency acks=all at the 10% rate',
      durable.produce,
      phaseDetails(durable, allRate),
    )
  } finally {
    connection?.close()
    await broker.stop()
    await rm(dataDir, { recursive: true, force: true })
  }
}

export const latency: Workload = { name: 'latency', order: 50, run }
