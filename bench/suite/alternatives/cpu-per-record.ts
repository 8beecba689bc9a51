// Server CPU per record (issue 21): the broker's CPU seconds for 100-byte records produced by kcat
// (acks=1, librdkafka's default batching), beside redis-server's CPU seconds for the same number of
// XADDs sent in pre-encoded pipelines of 1,000 (redis-lean.ts, the server's best case). Each server
// is a fresh process on a fresh data dir; CPU is user + system time from /proc/<pid>/stat, read just
// before the first record and just after the last acknowledgement, so a busy shared machine slows the
// phases without changing the CPU they cost. Both are given per 2M records, after a warm-up of 200k
// records that is not counted.
import { spawn } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { launchBroker } from '../broker.ts'
import { createTopics } from '../load/topics.ts'
import { redisXaddLean } from './redis-lean.ts'
import { startRedis } from './servers.ts'

export const cpuPerRecordScale = 2_000_000
const processTimeoutMs = 600_000

export interface CpuPerRecord {
  records: number
  cpuSeconds: number
  wallSeconds: number
  /** CPU seconds per cpuPerRecordScale records. */
  perScale: number
}

/** 200k records first, not counted: the broker's JIT warm-up is a fixed cost that would otherwise
 * weigh on a short (--quick) run (a tenth of 200k was not enough: 4.5 s per 2M against ~1 s measured
 * over 2M); Redis gets the same, for the same stream length. */
const warmUpRecords = 200_000

function perScale(records: number, cpuSeconds: number, wallSeconds: number): CpuPerRecord {
  return { records, cpuSeconds, wallSeconds, perScale: (cpuSeconds / records) * cpuPerRecordScale }
}

function runKcat(kcat: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(kcat, args, { stdio: ['ignore', 'ignore', 'pipe'] })
    let stderr = ''
    child.stderr.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString('utf8')).slice(-4000)
    })
    const timer = setTimeout(() => child.kill('SIGKILL'), processTimeoutMs)
    child.once('error', (error) => {
      clearTimeout(timer)
      reject(error)
    })
    child.once('close', (code) => {
      clearTimeout(timer)
      if (code === 0) resolve()
      else reject(new Error(`kcat exited with ${code}: ${stderr}`))
    })
  })
}

/** The broker's CPU for `records` 100-byte lines produced by `kcat -P -l` with acks=1 into one partition. */
export async function brokerCpuForKcat(
  kcat: string,
  scratchDir: string,
  records: number,
  recordBytes: number,
): Promise<CpuPerRecord> {
  const dir = await mkdtemp(join(scratchDir, 'cpu-per-record-'))
  try {
    const line = `${'x'.repeat(recordBytes - 1)}\n`
    const file = join(dir, 'lines.txt')
    const warmUpFile = join(dir, 'warm-up.txt')
    await writeFile(file, line.repeat(records))
    await writeFile(warmUpFile, line.repeat(warmUpRecords))
    const broker = await launchBroker({ dataDir: join(dir, 'data') })
    try {
      const topic = 'bench-cpu-per-record'
      await createTopics(broker.host, broker.port, [{ name: topic, partitions: 1 }])
      const args = ['-P', '-b', broker.bootstrap, '-t', topic, '-p', '0', '-X', 'acks=1', '-l']
      await runKcat(kcat, [...args, warmUpFile])
      const before = broker.cpuSeconds()
      const started = performance.now()
      await runKcat(kcat, [...args, file])
      const wallSeconds = (performance.now() - started) / 1000
      return perScale(records, broker.cpuSeconds() - before, wallSeconds)
    } finally {
      await broker.kill()
    }
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

/** redis-server's CPU for `records` pipelined XADDs of `recordBytes` (AOF everysec, as the workload). */
export async function redisCpuForXadd(
  executable: string,
  scratchDir: string,
  records: number,
  recordBytes: number,
): Promise<CpuPerRecord> {
  const dir = await mkdtemp(join(scratchDir, 'cpu-per-record-redis-'))
  const server = await startRedis(executable, dir)
  try {
    const shape = { recordBytes, durationMs: processTimeoutMs }
    await redisXaddLean(server.port, 'bench-cpu-per-record', { ...shape, recordsMax: warmUpRecords })
    const before = server.cpuSeconds()
    const run = await redisXaddLean(server.port, 'bench-cpu-per-record', { ...shape, recordsMax: records })
    return perScale(run.records, server.cpuSeconds() - before, run.seconds)
  } finally {
    await server.stop()
    await rm(dir, { recursive: true, force: true })
  }
}
