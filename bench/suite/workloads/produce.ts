// Produce throughput (issue #9): the case matrix of produce-matrix.ts driven by the lean load generator
// (load/producer.ts), each case against a fresh broker process with a fresh data dir and the default
// flush policy (acks=1 answers once the write reached the OS; acks=all after fdatasync, shared by the
// requests waiting on it). Per case: MB/s and records/s acknowledged, p50/p99 request latency, the
// broker's peak RSS and its CPU seconds per GiB ingested. Then a real client's view (librdkafka via
// confluent_kafka) when installed, and the three produce targets, as ratios within this run.
//
// --quick runs only the target cases, all on one broker (starting a broker per case would take most of
// the CI minute).
import { mkdtemp, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { type LaunchedBroker, launchBroker } from '../broker.ts'
import { runProducer } from '../load/producer.ts'
import { createTopics, partitionRange } from '../load/topics.ts'
import { phaseBytesMax, settleDisk } from '../phase.ts'
import type { BenchContext, Workload } from '../types.ts'
import { confluentKafkaProblem, runConfluentKafkaProducer } from './produce-client.ts'
import {
  caseId,
  caseLabel,
  inFlightPerConnection,
  type ProduceCase,
  produceCases,
  targetCases,
} from './produce-matrix.ts'

const gibibyte = 1024 ** 3
const megabyte = 1024 * 1024

/** One broker per case (clean RSS and CPU figures), or one for the whole workload with --quick. */
class Brokers {
  #shared: LaunchedBroker | null = null
  #topics = 0
  constructor(private readonly context: BenchContext) {}

  async acquire(): Promise<{ broker: LaunchedBroker; topic: string }> {
    const topic = `bench-produce-${this.#topics++}`
    if (this.#shared !== null) return { broker: this.#shared, topic }
    const dataDir = await mkdtemp(join(this.context.options.scratchDir, 'produce-'))
    const broker = await launchBroker({ dataDir })
    // The data is thrown away: kill rather than stop (a graceful stop flushes each of 1,000 partitions).
    const kill = broker.kill
    broker.stop = async () => {
      await kill()
      await rm(dataDir, { recursive: true, force: true, maxRetries: 3 })
    }
    if (this.context.options.quick) this.#shared = broker
    return { broker, topic }
  }

  async release(broker: LaunchedBroker): Promise<void> {
    if (broker !== this.#shared) await broker.stop()
  }

  async close(): Promise<void> {
    await this.#shared?.stop()
    this.#shared = null
  }
}

async function runCase(context: BenchContext, brokers: Brokers, produceCase: ProduceCase): Promise<void> {
  const id = caseId(produceCase)
  const label = caseLabel(produceCase)
  await settleDisk()
  const { broker, topic } = await brokers.acquire()
  try {
    await createTopics(broker.host, broker.port, [{ name: topic, partitions: produceCase.partitions }])
    const cpuBefore = broker.cpuSeconds()
    const result = await runProducer({
      host: broker.host,
      port: broker.port,
      topic,
      partitions: partitionRange(produceCase.partitions),
      recordBytes: produceCase.recordBytes,
      batchBytes: produceCase.batchBytes,
      acks: produceCase.acks,
      connections: produceCase.connections,
      inFlight: inFlightPerConnection,
      durationMs: context.options.phaseSeconds * 1000,
      bytesMax: phaseBytesMax(context.options),
    })
    const cpuSeconds = broker.cpuSeconds() - cpuBefore
    if (result.bytes === 0)
      throw new Error(`${id}: nothing acknowledged (errors: ${JSON.stringify(result.errors)})`)
    const details = {
      recordsPerBatch: result.recordsPerBatch,
      batchBytes: result.batchBytes,
      requests: result.requests,
      elapsedMs: Math.round(result.elapsedMs),
      inFlightPerConnection,
      clientCpuShare: Number(result.clientCpuShare.toFixed(2)),
      errors: JSON.stringify(result.errors),
    }
    context.record({ id: `${id}.mbPerSec`, label, value: result.mbPerSec, unit: 'MB/s', details })
    context.record({ id: `${id}.recordsPerSec`, label, value: result.recordsPerSec, unit: 'records/s' })
    const { latency } = result
    const latencyDetails = {
      count: latency.count,
      meanMs: latency.meanMs,
      p999Ms: latency.p999Ms,
      maxMs: latency.maxMs,
    }
    context.record({ id: `${id}.p50Ms`, label, value: latency.p50Ms, unit: 'ms', details: latencyDetails })
    context.record({ id: `${id}.p99Ms`, label, value: latency.p99Ms, unit: 'ms', details: latencyDetails })
    const rssDetails = { rssAfterMB: broker.rssBytes() / megabyte, startMs: Math.round(broker.startMs) }
    context.record({
      id: `${id}.peakRssMB`,
      label,
      value: broker.peakRssBytes() / megabyte,
      unit: 'MB',
      details: rssDetails,
    })
    const cpuDetails = { cpuSeconds, bytesAll: result.bytesAll }
    const cpuPerGiB = cpuSeconds / (result.bytesAll / gibibyte)
    context.record({
      id: `${id}.cpuSecondsPerGiB`,
      label,
      value: cpuPerGiB,
      unit: 's/GiB',
      details: cpuDetails,
    })
    context.log(
      `${id}: ${result.mbPerSec.toFixed(1)} MB/s, p99 ${latency.p99Ms.toFixed(2)} ms, ${cpuPerGiB.toFixed(1)} broker CPU s/GiB, generator ${(result.clientCpuShare * 100).toFixed(0)} % CPU`,
    )
  } finally {
    await brokers.release(broker)
  }
}

async function runRealClient(context: BenchContext, brokers: Brokers): Promise<void> {
  const problem = confluentKafkaProblem()
  if (problem !== null) return context.log(`real client skipped: ${problem}`)
  for (const recordBytes of context.options.quick ? [1024] : [100, 1024]) {
    const { broker, topic } = await brokers.acquire()
    try {
      await createTopics(broker.host, broker.port, [{ name: topic, partitions: 1 }])
      const seconds = Math.max(1, context.options.phaseSeconds)
      const result = await runConfluentKafkaProducer({
        bootstrap: broker.bootstrap,
        topic,
        recordBytes,
        seconds,
        acks: '1',
      })
      const id = `produce.client.confluent-kafka.${recordBytes === 1024 ? '1k' : `${recordBytes}b`}.acks1.p1`
      const label = `librdkafka (confluent_kafka) produce, ${recordBytes} B records, acks=1, 1 partition (MB/s of values)`
      const details = {
        records: result.records,
        seconds: result.seconds,
        unflushed: result.unflushed,
        errors: JSON.stringify(result.errors),
      }
      context.record({
        id: `${id}.recordsPerSec`,
        label,
        value: result.records / result.seconds,
        unit: 'records/s',
        details,
      })
      context.record({
        id: `${id}.mbPerSec`,
        label,
        value: result.bytes / megabyte / result.seconds,
        unit: 'MB/s',
      })
    } finally {
      await brokers.release(broker)
    }
  }
}

function ratioTarget(
  context: BenchContext,
  target: { id: string; description: string; bound: number; numerator: string; denominator: string },
): void {
  const numerator = context.measured(target.numerator)
  const denominator = context.measured(target.denominator)
  const missing = numerator === undefined || denominator === undefined
  const actual = missing ? Number.NaN : (numerator.value / denominator.value) * 100
  context.target({
    id: target.id,
    description: target.description,
    actual,
    comparator: '>=',
    bound: target.bound,
    unit: '%',
    basis: missing
      ? `missing ${numerator === undefined ? target.numerator : target.denominator}`
      : `${numerator.value.toFixed(1)} ${numerator.unit} (${target.numerator}) / ${denominator.value.toFixed(1)} ${denominator.unit} (${target.denominator})`,
    ...(missing ? { met: null } : {}),
  })
}

function emitTargets(context: BenchContext): void {
  ratioTarget(context, {
    id: 'target.produce-vs-socket-to-file',
    description: 'Produce 1 KiB records in 1 MiB batches, acks=1: ≥ 60 % of the socket-to-file baseline',
    bound: 60,
    numerator: `${caseId(targetCases.ingest)}.mbPerSec`,
    denominator: 'baseline.socket-to-file.mbPerSec',
  })
  ratioTarget(context, {
    id: 'target.produce-acks-all-vs-acks-1',
    description: 'acks=all with 16 concurrent producers: ≥ 50 % of acks=1 throughput (group commit)',
    bound: 50,
    numerator: `${caseId(targetCases.groupCommitAll)}.mbPerSec`,
    denominator: `${caseId(targetCases.groupCommitOne)}.mbPerSec`,
  })
  ratioTarget(context, {
    id: 'target.produce-1000-partitions',
    description: 'No degradation cliff: 1,000 partitions ≥ 70 % of single-partition throughput',
    bound: 70,
    numerator: `${caseId(targetCases.partitionsMany)}.mbPerSec`,
    denominator: `${caseId(targetCases.partitionsOne)}.mbPerSec`,
  })
}

export const produce: Workload = {
  name: 'produce',
  order: 20,
  async run(context) {
    const brokers = new Brokers(context)
    try {
      const cases = produceCases(context.options.quick)
      context.log(`${cases.length} cases, ${context.options.phaseSeconds} s each`)
      for (const produceCase of cases) await runCase(context, brokers, produceCase)
      await runRealClient(context, brokers)
    } finally {
      await brokers.close()
    }
    emitTargets(context)
  },
}
