// Alternatives workload: Streamline against Redis Streams and NATS JetStream in the same run, same
// record sizes (100 B, and 1 KiB without --quick), comparable durability, each with its own client
// pipelining or keeping many requests in flight.
//
// - Streamline: the lean producer (load/producer.ts), one connection, acks=1, batches of 16 KiB (Kafka's
//   default batch.size), 16 requests in flight, one partition; read back from offset 0 with one Fetch
//   connection (load/fetcher.ts). Default durability: acks=1 answers once the OS has the write.
// - Redis (alternatives/redis-streams.ts): XADD to one stream key with ioredis, pipelines of 1,000
//   commands, 4 pipelines in flight; XRANGE pages of 1,000 to read back. appendonly yes, appendfsync
//   everysec.
// - NATS (alternatives/nats-jetstream.ts): JetStream file-storage stream, async publish with 1,000
//   publishes awaiting their acks; a pull consumer reads back.
// - Server CPU per record (alternatives/cpu-per-record.ts): the broker's CPU seconds for 2M 100-byte
//   records produced by kcat (acks=1) beside redis-server's for 2M pipelined XADDs (200k each with
//   --quick, scaled to 2M; both after an uncounted 200k warm-up); target: the broker's CPU per
//   record at most a third of Redis's.
// Each produce phase runs phaseSeconds (0.5 s with --quick) or until a byte budget; each server gets a
// fresh data dir and is stopped after its phases. A server that is not installed is recorded as
// skipped, with the reason, and its targets are reported with met = null.
import { mkdtemp, rm } from 'node:fs/promises'
import { join } from 'node:path'
import type { NatsConnection } from '@nats-io/transport-node'
import {
  brokerCpuForKcat,
  type CpuPerRecord,
  cpuPerRecordScale,
  redisCpuForXadd,
} from '../alternatives/cpu-per-record.ts'
import { connectNats, natsConsume, natsPublish } from '../alternatives/nats-jetstream.ts'
import { natsPublishLean } from '../alternatives/nats-lean.ts'
import { redisXaddLean } from '../alternatives/redis-lean.ts'
import { type AlternativeRun, redisXadd, redisXrange } from '../alternatives/redis-streams.ts'
import { type AlternativeServer, findExecutable, startNats, startRedis } from '../alternatives/servers.ts'
import { launchBroker } from '../broker.ts'
import { endOffsets } from '../load/end-offsets.ts'
import { Fetcher } from '../load/fetcher.ts'
import { runProducer } from '../load/producer.ts'
import { createTopics } from '../load/topics.ts'
import type { BenchContext, Workload } from '../types.ts'

const mebibyte = 1024 * 1024
const batchBytes = 16 * 1024
const installHint = 'apt-get install redis-server nats-server'

type System = 'streamline' | 'redis' | 'nats'

interface Runs {
  /** Through the official client (ioredis, nats.js); our own lean producer for Streamline. */
  produce: AlternativeRun
  /** Pre-encoded commands on a raw socket (the server's limit); null for Streamline (already lean). */
  produceLean: AlternativeRun | null
  read: AlternativeRun
  serverCpuSeconds: number
}

const labels: Record<System, { produce: string; produceLean: string; read: string }> = {
  streamline: {
    produce: 'Streamline produce (lean generator), acks=1, 16 KiB batches, 16 in flight',
    produceLean: '',
    read: 'Streamline Fetch from offset 0',
  },
  redis: {
    produce: 'Redis Streams XADD with ioredis, pipelines of 1,000, 4 in flight (AOF everysec)',
    produceLean: 'Redis Streams XADD, pre-encoded RESP pipelines of 1,000, 4 in flight (AOF everysec)',
    read: 'Redis Streams XRANGE with ioredis, pages of 1,000',
  },
  nats: {
    produce: 'NATS JetStream async publish with nats.js, 1,000 awaiting acks (file storage)',
    produceLean: 'NATS JetStream publish, pre-encoded PUBs, 1,000 awaiting acks (file storage)',
    read: 'NATS JetStream pull consumer with nats.js',
  },
}

function sizeName(recordBytes: number): string {
  return recordBytes >= 1024 ? `${recordBytes / 1024}k` : `${recordBytes}b`
}

function recordRuns(context: BenchContext, system: System, recordBytes: number, runs: Runs): void {
  for (const kind of ['produce', 'produceLean', 'read'] as const) {
    const run = runs[kind]
    if (run === null) continue
    context.record({
      id: `alternatives.${system}.${kind}.${sizeName(recordBytes)}.recordsPerSec`,
      label: `${labels[system][kind]}, ${recordBytes} B records`,
      value: run.records / run.seconds,
      unit: 'records/s',
      details: {
        records: run.records,
        mbPerSec: run.bytes / mebibyte / run.seconds,
        seconds: Number(run.seconds.toFixed(3)),
        clientCpuSeconds: Number(run.clientCpuSeconds.toFixed(2)),
        serverCpuSecondsAllPhases: Number(runs.serverCpuSeconds.toFixed(2)),
      },
    })
  }
}

function recordSkipped(context: BenchContext, system: System, recordBytes: number, reason: string): void {
  context.record({
    id: `alternatives.${system}.produce.${sizeName(recordBytes)}.recordsPerSec`,
    label: `${labels[system].produce}, ${recordBytes} B records (skipped)`,
    value: Number.NaN,
    unit: 'records/s',
    details: { skipped: reason },
  })
}

interface Budget {
  durationMs: number
  bytesMax: number
}

async function runStreamline(dataDir: string, recordBytes: number, budget: Budget): Promise<Runs> {
  const broker = await launchBroker({ dataDir })
  const topic = `bench-alternatives-${sizeName(recordBytes)}`
  try {
    await createTopics(broker.host, broker.port, [{ name: topic, partitions: 1 }])
    const cpuBefore = broker.cpuSeconds()
    const clientBefore = process.cpuUsage()
    const produced = await runProducer({
      ...{ host: broker.host, port: broker.port, topic, partitions: [0], recordBytes, batchBytes },
      ...{ acks: 1, connections: 1, inFlight: 16, durationMs: budget.durationMs, bytesMax: budget.bytesMax },
    })
    const clientCpu = process.cpuUsage(clientBefore)
    const produce: AlternativeRun = {
      records: produced.records,
      bytes: produced.records * recordBytes,
      seconds: produced.elapsedMs / 1000,
      clientCpuSeconds: (clientCpu.user + clientCpu.system) / 1e6,
    }
    const read = await readStreamline(broker, topic, budget.durationMs * 4)
    return { produce, produceLean: null, read, serverCpuSeconds: broker.cpuSeconds() - cpuBefore }
  } finally {
    await broker.stop()
  }
}

async function readStreamline(
  broker: { host: string; port: number },
  topic: string,
  boundMs: number,
): Promise<AlternativeRun> {
  const ends = await endOffsets(broker.host, broker.port, topic, [0])
  const fetcher = await Fetcher.open({ host: broker.host, port: broker.port, topic, partitions: [0] })
  const clientBefore = process.cpuUsage()
  const started = performance.now()
  try {
    const totals = await fetcher.run({ deadlineMs: started + boundMs, endOffsets: ends })
    const clientCpu = process.cpuUsage(clientBefore)
    return {
      records: totals.records,
      bytes: totals.bytes,
      seconds: (performance.now() - started) / 1000,
      clientCpuSeconds: (clientCpu.user + clientCpu.system) / 1e6,
    }
  } finally {
    fetcher.close()
  }
}

async function runRedis(
  executable: string,
  dataDir: string,
  recordBytes: number,
  budget: Budget,
): Promise<Runs> {
  const server: AlternativeServer = await startRedis(executable, dataDir)
  try {
    const key = `bench-${sizeName(recordBytes)}`
    const recordsMax = Math.floor(budget.bytesMax / recordBytes)
    const shape = { recordBytes, durationMs: budget.durationMs, recordsMax }
    const produceLean = await redisXaddLean(server.port, key, shape)
    const produce = await redisXadd(server.port, key, shape)
    const records = produceLean.records + produce.records
    const read = await redisXrange(server.port, key, { records, durationMs: budget.durationMs * 4 })
    return { produce, produceLean, read, serverCpuSeconds: server.cpuSeconds() }
  } finally {
    await server.stop()
  }
}

async function runNats(
  executable: string,
  dataDir: string,
  recordBytes: number,
  budget: Budget,
): Promise<Runs> {
  const server = await startNats(executable, dataDir)
  const stream = `BENCH_${sizeName(recordBytes).toUpperCase()}`
  let connection: NatsConnection | undefined
  try {
    connection = await connectNats(server.port, stream)
    const recordsMax = Math.floor(budget.bytesMax / recordBytes)
    const shape = { recordBytes, durationMs: budget.durationMs, recordsMax }
    const produceLean = await natsPublishLean(server.port, `${stream}.records`, shape)
    const produce = await natsPublish(connection, stream, shape)
    const records = produceLean.records + produce.records
    const read = await natsConsume(connection, stream, { records, durationMs: budget.durationMs * 4 })
    return { produce, produceLean, read, serverCpuSeconds: server.cpuSeconds() }
  } finally {
    await connection?.close()
    await server.stop()
  }
}

/** The alternative's best produce rate: the official client's or the raw pipeline's, whichever is higher. */
function bestProduce(context: BenchContext, system: 'redis' | 'nats'): { value: number; via: string } {
  const client = context.measured(`alternatives.${system}.produce.100b.recordsPerSec`)?.value ?? Number.NaN
  const lean = context.measured(`alternatives.${system}.produceLean.100b.recordsPerSec`)?.value ?? Number.NaN
  if (!(lean > client)) return { value: client, via: system === 'redis' ? 'ioredis' : 'nats.js' }
  return { value: lean, via: 'pre-encoded raw pipeline' }
}

function addTarget(
  context: BenchContext,
  system: 'redis' | 'nats',
  bound: number,
  ours: number,
  reason: string | null,
): void {
  const theirs = bestProduce(context, system)
  const what = system === 'redis' ? 'Redis Streams XADD pipelined' : 'NATS JetStream async publish'
  context.target({
    id: `target.produce-100b-vs-${system === 'redis' ? 'redis-xadd' : 'nats-jetstream'}`,
    description: `Produce 100-byte records, acks=1: at least ${bound}x the records/s of ${what}`,
    actual: ours / theirs.value,
    comparator: '>=',
    bound,
    unit: 'ratio',
    basis:
      reason === null
        ? `Streamline ${Math.round(ours)} records/s / ${system} ${Math.round(theirs.value)} records/s (best of client and raw pipeline: ${theirs.via})`
        : `${system} skipped: ${reason}`,
    ...(reason === null && Number.isFinite(theirs.value) ? {} : { met: null }),
  })
}

async function run(context: BenchContext): Promise<void> {
  const { quick, phaseSeconds, scratchDir } = context.options
  const budget = { durationMs: quick ? 500 : phaseSeconds * 1000, bytesMax: (quick ? 32 : 256) * mebibyte }
  const executables = { redis: findExecutable('redis-server'), nats: findExecutable('nats-server') }
  const reasons = {
    redis: executables.redis === null ? `redis-server not on PATH (${installHint})` : null,
    nats: executables.nats === null ? `nats-server not on PATH (${installHint})` : null,
  }
  for (const recordBytes of quick ? [100] : [100, 1024]) {
    const fresh = (name: string) => mkdtemp(join(scratchDir, `alternatives-${name}-`))
    const each = async (system: System, work: (dataDir: string) => Promise<Runs>): Promise<void> => {
      context.log(`alternatives: ${system}, ${recordBytes} B records`)
      const dataDir = await fresh(system)
      try {
        recordRuns(context, system, recordBytes, await work(dataDir))
      } finally {
        await rm(dataDir, { recursive: true, force: true })
      }
    }
    await each('streamline', (dataDir) => runStreamline(dataDir, recordBytes, budget))
    if (executables.redis === null) recordSkipped(context, 'redis', recordBytes, reasons.redis ?? '')
    else await each('redis', (dataDir) => runRedis(executables.redis ?? '', dataDir, recordBytes, budget))
    if (executables.nats === null) recordSkipped(context, 'nats', recordBytes, reasons.nats ?? '')
    else await each('nats', (dataDir) => runNats(executables.nats ?? '', dataDir, recordBytes, budget))
  }
  const ours = context.measured('alternatives.streamline.produce.100b.recordsPerSec')?.value ?? Number.NaN
  addTarget(context, 'redis', 3, ours, reasons.redis)
  addTarget(context, 'nats', 2, ours, reasons.nats)
  await cpuPerRecord(context, executables.redis, quick ? 200_000 : cpuPerRecordScale)
}

function recordCpu(context: BenchContext, id: string, label: string, cpu: CpuPerRecord): void {
  context.record({
    id,
    label,
    value: cpu.perScale,
    unit: 'CPU s per 2M records',
    details: {
      records: cpu.records,
      cpuSeconds: Number(cpu.cpuSeconds.toFixed(3)),
      wallSeconds: Number(cpu.wallSeconds.toFixed(3)),
      recordsPerSec: Math.round(cpu.records / cpu.wallSeconds),
    },
  })
}

/** The broker's CPU per record produced by kcat against redis-server's per pipelined XADD. */
async function cpuPerRecord(context: BenchContext, redis: string | null, records: number): Promise<void> {
  const kcat = findExecutable('kcat')
  const { scratchDir } = context.options
  context.log(`alternatives: server CPU per record, ${records} records of 100 B`)
  const ours = kcat === null ? null : await brokerCpuForKcat(kcat, scratchDir, records, 100)
  const theirs = redis === null ? null : await redisCpuForXadd(redis, scratchDir, records, 100)
  if (ours !== null)
    recordCpu(
      context,
      'alternatives.streamline.kcat.100b.cpuSecondsPer2M',
      'Broker CPU, kcat -P acks=1, 100 B records',
      ours,
    )
  if (theirs !== null)
    recordCpu(
      context,
      'alternatives.redis.produceLean.100b.cpuSecondsPer2M',
      'redis-server CPU, pre-encoded XADD pipelines of 1,000 (AOF everysec), 100 B records',
      theirs,
    )
  const missing = [kcat === null ? 'kcat' : null, redis === null ? 'redis-server' : null].filter(
    (name) => name !== null,
  )
  context.target({
    id: 'target.cpu-per-record-vs-redis',
    description:
      "Server CPU per 100-byte record produced: broker (kcat, acks=1) at most 1/3 of redis-server's (pipelined XADD)",
    actual: ours === null || theirs === null ? 0 : theirs.perScale / ours.perScale,
    comparator: '>=',
    bound: 3,
    unit: 'ratio',
    basis:
      ours === null || theirs === null
        ? `skipped: ${missing.join(' and ')} not on PATH (apt-get install kcat redis-server)`
        : `redis-server ${theirs.perScale.toFixed(2)} CPU s / broker ${ours.perScale.toFixed(2)} CPU s per 2M records (${records} measured each)`,
    ...(ours === null || theirs === null ? { met: null } : {}),
  })
}

export const alternatives: Workload = { name: 'alternatives', order: 70, run }
