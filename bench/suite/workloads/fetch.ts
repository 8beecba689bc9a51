// Fetch workload: how fast a consumer reads what is already in the log (catch-up), and whether it keeps
// up with a producer writing at half the maximum rate (tailing).
//
// Method: a broker process on a fresh data dir; topic `bench-fetch` with 8 partitions. The log is
// filled first with the lean producer (load/producer.ts: 1 KiB records in 1 MiB batches, acks=1,
// closed loop) with 1 GiB (32 MiB with --quick); that fill is also the maximum produce rate of the
// shape. After `sync` (so writeback does not compete), one Fetch connection (load/fetcher.ts, the way a
// consumer reads from one broker: one Fetch in flight, max_bytes 64 MiB) reads every partition from 0
// to its end offset; only the read is timed. The ratio to the file-to-socket baseline (a sequential
// file read sent over loopback, also from the page cache) is the target.
// The same catch-up read is measured again over a topic of 100 partitions (`bench-fetch-p100`, 64 KiB
// batches, 256 MiB; 16 MiB with --quick) fetched 100 partitions per request with 512 KiB per partition,
// so each response carries every partition (the "also with 100 partitions per fetch").
// Tailing: the producer runs open loop at 50 % of the fill rate for one phase while a fetcher reads
// from the end offsets; the consumed rate, the lag left when the producer stops, and end-to-end latency
// (the first record of each batch carries its scheduled send time, load/stamp.ts) are recorded.
import { mkdtemp, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { launchBroker } from '../broker.ts'
import { endOffsets } from '../load/end-offsets.ts'
import { openFetchers, sumTotals } from '../load/fetcher.ts'
import { LatencyHistogram } from '../load/histogram.ts'
import { runProducer } from '../load/producer.ts'
import { readStamp, toWallClockMs, valuePositions, wallClockMs, writeStamp } from '../load/stamp.ts'
import { createTopics, partitionRange } from '../load/topics.ts'
import { megabytesPerSecond, settleDisk } from '../phase.ts'
import type { BenchContext, Workload } from '../types.ts'

const topic = 'bench-fetch'
const partitions = partitionRange(8)
const mebibyte = 1024 * 1024
const recordBytes = 1024
const batchBytes = mebibyte
const catchUpConnections = 1
const fetchMaxBytes = 64 * mebibyte
const partitionMaxBytes = 16 * mebibyte
const baselineId = 'baseline.file-to-socket.mbPerSec'
const catchUpTarget = 0.6

/** One catch-up read's topic and fetch sizes. */
interface CatchUpShape {
  topic: string
  partitions: number[]
  batchBytes: number
  partitionMaxBytes: number
  /** Measurement and target ids. */
  id: string
  targetId: string
  description: string
}

const eightPartitions: CatchUpShape = {
  topic,
  partitions,
  batchBytes,
  partitionMaxBytes,
  id: 'fetch.catchup.mbPerSec',
  targetId: 'target.fetch-catchup-vs-file-to-socket',
  description: 'Fetch catch-up >= 60% of the file-to-socket baseline',
}

const hundredPartitions: CatchUpShape = {
  topic: 'bench-fetch-p100',
  partitions: partitionRange(100),
  batchBytes: 64 * 1024,
  partitionMaxBytes: 512 * 1024,
  id: 'fetch.catchup.p100.mbPerSec',
  targetId: 'target.fetch-catchup-p100-vs-file-to-socket',
  description: 'Fetch catch-up with 100 partitions per fetch >= 60% of the file-to-socket baseline',
}

interface Broker {
  host: string
  port: number
}

/** Fills the log closed loop; returns the produce rate of the fill (the shape's maximum). */
async function fill(
  broker: Broker,
  bytes: number,
  shape: CatchUpShape = eightPartitions,
): Promise<{ mbPerSec: number; requestsPerSec: number }> {
  const result = await runProducer({
    host: broker.host,
    port: broker.port,
    topic: shape.topic,
    partitions: shape.partitions,
    recordBytes,
    batchBytes: shape.batchBytes,
    acks: 1,
    connections: 2,
    inFlight: 4,
    durationMs: 600_000, // bounded by bytesMax long before
    warmupMs: 0,
    bytesMax: bytes,
  })
  if (Object.keys(result.errors).length > 0)
    throw new Error(`fill: produce errors ${JSON.stringify(result.errors)}`)
  return { mbPerSec: result.mbPerSec, requestsPerSec: result.requests / (result.elapsedMs / 1000) }
}

async function catchUp(
  context: BenchContext,
  broker: Broker,
  bytesFilled: number,
  shape: CatchUpShape,
): Promise<void> {
  const ends = await endOffsets(broker.host, broker.port, shape.topic, shape.partitions)
  const fetchers = await openFetchers(
    {
      host: broker.host,
      port: broker.port,
      topic: shape.topic,
      partitions: shape.partitions,
      maxBytes: fetchMaxBytes,
      partitionMaxBytes: shape.partitionMaxBytes,
    },
    catchUpConnections,
  )
  const boundMs = context.options.quick ? 30_000 : 300_000
  const started = performance.now()
  try {
    await Promise.all(
      fetchers.map((fetcher) => fetcher.run({ deadlineMs: started + boundMs, endOffsets: ends })),
    )
  } finally {
    for (const fetcher of fetchers) fetcher.close()
  }
  const elapsedMs = performance.now() - started
  const totals = sumTotals(fetchers)
  if (totals.bytes < bytesFilled)
    throw new Error(`catch-up read ${totals.bytes} of ${bytesFilled} bytes within ${boundMs} ms`)
  const mbPerSec = megabytesPerSecond(totals.bytes, elapsedMs)
  context.record({
    id: shape.id,
    label: `fetch catch-up read of ${Math.round(totals.bytes / mebibyte)} MiB (1 KiB records, ${shape.batchBytes / 1024} KiB batches, ${shape.partitions.length} partitions, ${shape.partitionMaxBytes / 1024} KiB per partition, ${catchUpConnections} connection)`,
    value: mbPerSec,
    unit: 'MB/s',
    details: {
      bytes: totals.bytes,
      records: totals.records,
      requests: totals.requests,
      elapsedMs: Math.round(elapsedMs),
    },
  })
  const baseline = context.measured(baselineId)
  context.target({
    id: shape.targetId,
    description: shape.description,
    actual: baseline === undefined ? Number.NaN : mbPerSec / baseline.value,
    comparator: '>=',
    bound: catchUpTarget,
    unit: 'ratio',
    basis:
      baseline === undefined
        ? `broker ${mbPerSec.toFixed(0)} MB/s; baseline ${baselineId} not measured in this run`
        : `broker ${mbPerSec.toFixed(0)} MB/s / baseline ${baseline.value.toFixed(0)} MB/s`,
    ...(baseline === undefined ? { met: null } : {}),
  })
}

/** Open-loop produce at `requestsPerSec` while a fetcher tails the partitions. */
async function tail(context: BenchContext, broker: Broker, requestsPerSec: number): Promise<void> {
  const durationMs = context.options.quick ? 1_000 : context.options.phaseSeconds * 1000
  const startOffsets = await endOffsets(broker.host, broker.port, topic, partitions)
  const endToEnd = new LatencyHistogram()
  const [fetcher] = await openFetchers(
    {
      host: broker.host,
      port: broker.port,
      topic,
      partitions,
      startOffsets,
      maxBytes: fetchMaxBytes,
      partitionMaxBytes,
      maxWaitMs: 100,
      onBatch: (records, position) => {
        const stampMs = readStamp(records, position)
        if (!Number.isNaN(stampMs)) endToEnd.recordMs(wallClockMs() - stampMs)
      },
    },
    1,
  )
  let producing = true
  try {
    const consuming = fetcher.run({
      deadlineMs: performance.now() + durationMs + 60_000,
      stop: () => !producing,
    })
    const produced = await runProducer({
      host: broker.host,
      port: broker.port,
      topic,
      partitions,
      recordBytes,
      batchBytes,
      acks: 1,
      connections: 1,
      inFlight: 16,
      durationMs,
      warmupMs: 0,
      requestsPerSecond: requestsPerSec,
      stampBatch: (batch, scheduledMs) =>
        writeStamp(batch, 0, valuePositions(batch, 0, 'first'), toWallClockMs(scheduledMs)),
    })
    const consumedBytesAtStop = fetcher.totals.bytes
    producing = false
    await consuming
    const ends = await endOffsets(broker.host, broker.port, topic, partitions)
    await fetcher.run({ deadlineMs: performance.now() + 30_000, endOffsets: ends })
    recordTail(context, produced.mbPerSec, consumedBytesAtStop, fetcher.totals.bytes, durationMs, endToEnd)
  } finally {
    fetcher.close()
  }
}

function recordTail(
  context: BenchContext,
  producedMbPerSec: number,
  consumedAtStop: number,
  consumedTotal: number,
  durationMs: number,
  endToEnd: LatencyHistogram,
): void {
  const latency = endToEnd.summary()
  context.record({
    id: 'fetch.tail.mbPerSec',
    label: 'fetch tailing a producer at 50% of max (consumed while producing)',
    value: megabytesPerSecond(consumedAtStop, durationMs),
    unit: 'MB/s',
    details: {
      producedMbPerSec,
      lagAtStopBytes: consumedTotal - consumedAtStop,
      endToEndP50Ms: latency.p50Ms,
      endToEndP99Ms: latency.p99Ms,
      endToEndMaxMs: latency.maxMs,
      batches: latency.count,
    },
  })
  context.record({
    id: 'fetch.tail.e2e.p99',
    label: 'fetch tailing at 50% of max: end-to-end latency of 1 MiB batches, p99',
    value: latency.p99Ms,
    unit: 'ms',
    details: { p50Ms: latency.p50Ms, maxMs: latency.maxMs, batches: latency.count },
  })
}

/** The catch-up read again over 100 partitions, every partition in every Fetch. */
async function catchUpHundredPartitions(context: BenchContext, broker: Broker): Promise<void> {
  const fillBytes = context.options.quick ? 16 * mebibyte : 256 * mebibyte
  const shape = hundredPartitions
  await createTopics(broker.host, broker.port, [{ name: shape.topic, partitions: shape.partitions.length }])
  context.log(`fetch: filling ${fillBytes / mebibyte} MiB over ${shape.partitions.length} partitions`)
  await fill(broker, fillBytes, shape)
  await settleDisk()
  context.log('fetch: catch-up read, 100 partitions per fetch')
  await catchUp(context, broker, fillBytes, shape)
}

async function run(context: BenchContext): Promise<void> {
  const fillBytes = context.options.quick ? 32 * mebibyte : 1024 * mebibyte
  const dataDir = await mkdtemp(join(context.options.scratchDir, 'fetch-'))
  const broker = await launchBroker({ dataDir })
  try {
    await createTopics(broker.host, broker.port, [{ name: topic, partitions: partitions.length }])
    context.log(`fetch: filling ${fillBytes / mebibyte} MiB`)
    const filled = await fill(broker, fillBytes)
    context.record({
      id: 'fetch.fill.mbPerSec',
      label: 'produce rate of the fill (1 KiB records, 1 MiB batches, acks=1, 2 connections x 4 in flight)',
      value: filled.mbPerSec,
      unit: 'MB/s',
    })
    await settleDisk()
    context.log('fetch: catch-up read')
    await catchUp(context, broker, fillBytes, eightPartitions)
    await catchUpHundredPartitions(context, broker)
    context.log(`fetch: tailing at 50% of ${filled.mbPerSec.toFixed(0)} MB/s`)
    await tail(context, broker, filled.requestsPerSec / 2)
  } finally {
    await broker.stop()
    await rm(dataDir, { recursive: true, force: true })
  }
}

export const fetchWorkload: Workload = { name: 'fetch', order: 40, run }
