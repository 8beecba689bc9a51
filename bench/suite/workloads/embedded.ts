// Embedded workload: the in-process client against the same workload through the local socket, in
// the same run (issue 22), and the memory of idle embedded instances.
//
// Method: one startStreamline() in this process (in memory). Produce: `records` records of 1 KiB, sent
// 1,000 per call (one batch per call: batchSize 1 MiB; acks=1), by the in-process producer and by
// kafkajs over 127.0.0.1 to another one-partition topic, after an untimed warm-up of each path, in
// alternating slices (see produceBoth); records/s over the timed slices. Consume: each topic read
// from the beginning, by the in-process consumer (no group) and by a kafkajs consumer (a new group per
// pass, eachBatch), in three passes per path alternating between them; records/s from the first record
// to the last of each pass (kafkajs's group join excluded), over the three passes.
// The process's CPU time per produced record (process.cpuUsage over each produce phase) goes into the
// details: on a loaded machine it shows the work each path does when wall-clock rates mostly show
// the scheduler.
// Memory: a child process (load/embedded-instances.ts, --expose-gc) starts one instance, then 5 more,
// and reports the RSS the extra ones add, per instance.
import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { Kafka, logLevel } from 'kafkajs'
import { type Streamline, startStreamline } from '../../../src/embedded/index.ts'
import type { BenchContext, Workload } from '../types.ts'

const instancesScript = fileURLToPath(new URL('../load/embedded-instances.ts', import.meta.url))
const perSend = 1000
const value = Buffer.alloc(1024, 'x')
const extraInstances = 5
/** The timed produce records go in this many alternating slices per path. */
const rounds = 4
/** Each consume path reads all the records this many times, the passes alternating between paths. */
const consumePasses = 3

async function run(context: BenchContext): Promise<void> {
  const records = context.options.quick ? 20_000 : 200_000
  const warmupRecords = context.options.quick ? 5_000 : 20_000
  const streamline = await startStreamline()
  try {
    await streamline.admin().createTopics([
      { name: 'embedded-in-process', partitions: 1 },
      { name: 'embedded-socket', partitions: 1 },
      { name: 'embedded-warmup-in-process', partitions: 1 },
      { name: 'embedded-warmup-socket', partitions: 1 },
    ])
    const kafka = new Kafka({
      brokers: [streamline.bootstrap],
      clientId: 'bench-embedded',
      logLevel: logLevel.NOTHING,
    })
    const { inProcessProduce, socketProduce, inProcessCpuUs, socketCpuUs } = await produceBoth(
      streamline,
      kafka,
      records,
      warmupRecords,
    )
    const cpuPerRecord = (micros: number) => Math.round((micros / records) * 100) / 100

    // Each pass reads all the records of its topic; the passes alternate (in-process, socket, ...).
    let inProcessConsumeMs = 0
    let socketConsumeMs = 0
    for (let pass = 0; pass < consumePasses; pass++) {
      inProcessConsumeMs += await inProcessConsumeMsOf(streamline, records)
      socketConsumeMs += await kafkajsConsumeMs(kafka, records, pass)
    }

    const rate = (ms: number, passes = 1) => Math.round((records * passes) / (ms / 1000))
    const results = {
      'embedded.produce.inProcess.recordsPerSec': rate(inProcessProduce),
      'embedded.produce.socket.recordsPerSec': rate(socketProduce),
      'embedded.consume.inProcess.recordsPerSec': rate(inProcessConsumeMs, consumePasses),
      'embedded.consume.socket.recordsPerSec': rate(socketConsumeMs, consumePasses),
    }
    const cpuDetails: Record<string, Record<string, number>> = {
      'embedded.produce.inProcess.recordsPerSec': { cpuMicrosPerRecord: cpuPerRecord(inProcessCpuUs) },
      'embedded.produce.socket.recordsPerSec': { cpuMicrosPerRecord: cpuPerRecord(socketCpuUs) },
    }
    for (const [id, measured] of Object.entries(results)) {
      context.record({
        id,
        label: id.replace('embedded.', 'embedded ').replaceAll('.', ' '),
        value: measured,
        unit: 'records/s',
        details: { records, recordBytes: 1024, client: 'kafkajs', ...cpuDetails[id] },
      })
    }
    const ratio = (a: number, b: number) => Math.round((a / b) * 100) / 100
    context.target({
      id: 'target.embedded-produce-vs-socket',
      description: 'in-process produce >= 3x the same workload through the local socket (kafkajs)',
      actual: ratio(
        results['embedded.produce.inProcess.recordsPerSec'],
        results['embedded.produce.socket.recordsPerSec'],
      ),
      comparator: '>=',
      bound: 3,
      unit: 'x',
      basis: `in-process ${results['embedded.produce.inProcess.recordsPerSec']} / socket ${results['embedded.produce.socket.recordsPerSec']} records/s (CPU per record ${cpuPerRecord(inProcessCpuUs)} / ${cpuPerRecord(socketCpuUs)} us)`,
    })
    context.target({
      id: 'target.embedded-consume-vs-socket',
      description: 'in-process consume >= 3x the same workload through the local socket (kafkajs)',
      actual: ratio(
        results['embedded.consume.inProcess.recordsPerSec'],
        results['embedded.consume.socket.recordsPerSec'],
      ),
      comparator: '>=',
      bound: 3,
      unit: 'x',
      basis: `in-process ${results['embedded.consume.inProcess.recordsPerSec']} / socket ${results['embedded.consume.socket.recordsPerSec']} records/s`,
    })
  } finally {
    await streamline.close()
  }
  await recordIdleMemory(context)
}

async function recordIdleMemory(context: BenchContext): Promise<void> {
  const memory = await idleInstanceMemory()
  const perInstanceMb = Math.round((memory.extraRssBytes / memory.extra / 2 ** 20) * 10) / 10
  context.record({
    id: 'embedded.idleInstance.rssMB',
    label: 'embedded idle instance beyond the first',
    value: perInstanceMb,
    unit: 'MB',
    details: { firstRssMB: Math.round(memory.firstRssBytes / 2 ** 20), extra: memory.extra },
  })
  context.target({
    id: 'target.embedded-idle-instance-mb',
    description: 'memory per idle embedded instance beyond the first < 10 MB',
    actual: perInstanceMb,
    comparator: '<=',
    bound: 10,
    unit: 'MB',
    basis: `RSS of ${memory.extra} extra instances / ${memory.extra}`,
  })
}

/**
 * The same records through the in-process producer and kafkajs: wall-clock ms and CPU microseconds of
 * each. Both paths first send `warmupRecords` to a topic of their own, untimed, so neither pays the
 * one-time costs (JIT, the broker's lazily loaded modules) that would otherwise land on whichever
 * runs first. The timed records then go in `rounds` alternating slices (in-process, socket, in-process,
 * ...), so a change in the machine's load during the run falls on both sides alike.
 */
async function produceBoth(streamline: Streamline, kafka: Kafka, records: number, warmupRecords: number) {
  const batchOf = (start: number) =>
    Array.from({ length: perSend }, (_, index) => ({ key: `k${start + index}`, value }))
  const producer = streamline.producer({ acks: 1, batchSize: 1 << 20 })
  const network = kafka.producer()
  await network.connect()
  const inProcessSend = (topic: string, start: number) => producer.send(topic, batchOf(start))
  const socketSend = (topic: string, start: number) =>
    network.send({ topic, acks: 1, messages: batchOf(start) })
  for (let sent = 0; sent < warmupRecords; sent += perSend) {
    await inProcessSend('embedded-warmup-in-process', sent)
    await socketSend('embedded-warmup-socket', sent)
  }
  const inProcess = { ms: 0, cpuUs: 0 }
  const socket = { ms: 0, cpuUs: 0 }
  const slice = Math.ceil(records / perSend / rounds) * perSend
  for (let start = 0; start < records; start += slice) {
    const end = Math.min(records, start + slice)
    await timedSlice(inProcess, async () => {
      for (let sent = start; sent < end; sent += perSend) await inProcessSend('embedded-in-process', sent)
    })
    await timedSlice(socket, async () => {
      for (let sent = start; sent < end; sent += perSend) await socketSend('embedded-socket', sent)
    })
  }
  await producer.close()
  await network.disconnect()
  return {
    inProcessProduce: inProcess.ms,
    socketProduce: socket.ms,
    inProcessCpuUs: inProcess.cpuUs,
    socketCpuUs: socket.cpuUs,
  }
}

/** Adds the wall-clock ms and process CPU microseconds of `work` to `total`. */
async function timedSlice(total: { ms: number; cpuUs: number }, work: () => Promise<void>): Promise<void> {
  const cpu = process.cpuUsage()
  total.ms += await timed(work)
  total.cpuUs += cpuMicros(process.cpuUsage(cpu))
}

function cpuMicros(usage: NodeJS.CpuUsage): number {
  return usage.user + usage.system
}

async function timed(work: () => Promise<void>): Promise<number> {
  const started = performance.now()
  await work()
  return performance.now() - started
}

/** Reads the in-process topic from the beginning: ms from the first record to the last. */
async function inProcessConsumeMsOf(streamline: Streamline, records: number): Promise<number> {
  const consumer = streamline.consumer({ fromBeginning: true })
  await consumer.subscribe('embedded-in-process')
  let firstAt = 0
  let read = 0
  for await (const batch of consumer.batches()) {
    if (read === 0) firstAt = performance.now()
    read += batch.records.length
    if (read >= records) break
  }
  const elapsed = performance.now() - firstAt
  await consumer.close()
  return elapsed
}

/** Reads the socket topic from the beginning in a new group: ms from the first record to the last. */
async function kafkajsConsumeMs(kafka: Kafka, records: number, pass: number): Promise<number> {
  const consumer = kafka.consumer({ groupId: `bench-embedded-socket-${pass}`, maxBytes: 16 << 20 })
  await consumer.connect()
  await consumer.subscribe({ topic: 'embedded-socket', fromBeginning: true })
  let firstAt = 0
  let read = 0
  const done = new Promise<number>((resolve) => {
    void consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        if (read === 0) firstAt = performance.now()
        read += batch.messages.length
        if (read >= records) resolve(performance.now() - firstAt)
      },
    })
  })
  const elapsed = await done
  await consumer.disconnect()
  return elapsed
}

function idleInstanceMemory(): Promise<{ firstRssBytes: number; extraRssBytes: number; extra: number }> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', '--expose-gc', instancesScript, String(extraInstances)],
      { timeout: 120_000 },
      (error, stdout) =>
        error ? reject(error) : resolve(JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}')),
    )
  })
}

export const embedded: Workload = { name: 'embedded', order: 68, run }
