// Footprint workload: how fast Streamline starts and how much memory it holds (issue #9, Footprint).
//
// Method: the bundled CLI (dist/bundle/streamline.js, the published `streamline` binary; bundled first
// when src/ is newer) is spawned with free ports and a data dir; "ready" is its `streamline started`
// line (the Kafka listener accepts and the log is open); the HTTP app is ready at its `http ready` line,
// measured too. Median of `runs` starts (after one warm-up start that fills the OS file cache):
// - on an empty data dir;
// - on a data dir holding 1,000 partitions (100 with --quick), created through CreateTopics on a broker
//   that was then stopped cleanly (SIGTERM), so each start is a clean restart without recovery.
// RSS is VmRSS from /proc, read `idleSettleMs` after `http ready` (prom-client, fastify and the codecs'
// warm-up loaded: the idle steady state), on the empty dir and on the 1,000-partition dir.
// The in-process start is `startStreamline()` of the embedded API (bundled, dist/bundle/embedded.js) in
// a fresh Node process, in memory with free ports: the first start in the process (what a test suite
// pays once) and the median of the next ones; module import time is reported apart.
import { spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { bundleCli, bundleDir } from '../../../scripts/bundle.ts'
import { repositoryRoot } from '../broker.ts'
import { createTopics } from '../load/topics.ts'
import type { BenchContext, Workload } from '../types.ts'
import { bundleIsFresh, type StartedBroker, startBundledBroker } from './footprint-process.ts'

/** Time after `http ready` before RSS is read: lets the warm-up after start finish. */
const idleSettleMs = 1000

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)]
}

const mb = (bytes: number): number => Math.round((bytes / 2 ** 20) * 10) / 10
const round = (ms: number): number => Math.round(ms * 10) / 10

async function startSeries(
  context: BenchContext,
  dataDirOf: () => Promise<{ dir: string; fresh: boolean }>,
  runs: number,
): Promise<{ readyMs: number[]; httpReadyMs: number[]; rssBytes: number }> {
  const readyMs: number[] = []
  const httpReadyMs: number[] = []
  let rssBytes = Number.NaN
  for (let run = -1; run < runs; run += 1) {
    const { dir, fresh } = await dataDirOf()
    let broker: StartedBroker | null = null
    try {
      broker = await startBundledBroker(dir)
      await broker.httpReady
      if (run === runs - 1) {
        await new Promise((resolve) => setTimeout(resolve, idleSettleMs))
        rssBytes = broker.rssBytes()
      }
      if (run >= 0) {
        readyMs.push(broker.readyMs)
        httpReadyMs.push(broker.httpReadyAtMs)
      }
    } finally {
      await broker?.stop()
      if (fresh) await rm(dir, { recursive: true, force: true, maxRetries: 3 })
    }
  }
  context.log(`  starts: ${readyMs.map(Math.round).join(', ')} ms`)
  return { readyMs, httpReadyMs, rssBytes }
}

async function inProcessStart(
  starts: number,
): Promise<{ importMs: number; firstMs: number; nextMs: number }> {
  const entry = pathToFileURL(join(bundleDir, 'embedded.js')).href
  const script = `
    const began = performance.now()
    const { startStreamline } = await import(${JSON.stringify(entry)})
    const importMs = performance.now() - began
    const times = []
    for (let run = 0; run < ${starts}; run += 1) {
      const started = performance.now()
      const streamline = await startStreamline({ httpEnabled: true })
      times.push(performance.now() - started)
      await streamline.close()
    }
    process.stdout.write(JSON.stringify({ importMs, times }))
  `
  const output = await new Promise<string>((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
      cwd: repositoryRoot,
      stdio: ['ignore', 'pipe', 'inherit'],
    })
    let text = ''
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      text += chunk
    })
    child.once('error', reject)
    child.once('close', (code) => (code === 0 ? resolve(text) : reject(new Error(`exited with ${code}`))))
  })
  const { importMs, times } = JSON.parse(output) as { importMs: number; times: number[] }
  return { importMs, firstMs: times[0], nextMs: median(times.slice(1)) }
}

async function run(context: BenchContext): Promise<void> {
  const { quick } = context.options
  const runs = quick ? 3 : 10
  const partitionCount = quick ? 100 : 1000
  if (!bundleIsFresh()) {
    context.log('dist/bundle/ is older than src/: bundling (scripts/bundle.ts)')
    await bundleCli()
  }
  const scratch = await mkdtemp(join(context.options.scratchDir, 'footprint-'))
  try {
    context.log(`start to ready, empty data dir (median of ${runs})`)
    const empty = await startSeries(
      context,
      async () => ({ dir: await mkdtemp(join(scratch, 'empty-')), fresh: true }),
      runs,
    )
    const loadedDir = await mkdtemp(join(scratch, 'partitions-'))
    const creator = await startBundledBroker(loadedDir)
    let createdRss = Number.NaN
    try {
      const topics = Array.from({ length: partitionCount / 10 }, (_, index) => ({
        name: `footprint-${index}`,
        partitions: 10,
      }))
      await createTopics(creator.host, creator.port, topics)
      await creator.httpReady
      await new Promise((resolve) => setTimeout(resolve, idleSettleMs))
      createdRss = creator.rssBytes()
    } finally {
      await creator.stop()
    }
    context.log(`start to ready, ${partitionCount} partitions (median of ${runs})`)
    const loaded = await startSeries(context, async () => ({ dir: loadedDir, fresh: false }), runs)
    const inProcess = await inProcessStart(quick ? 3 : 10)
    record(context, { runs, partitionCount, empty, loaded, createdRss, inProcess })
  } finally {
    await rm(scratch, { recursive: true, force: true, maxRetries: 3 })
  }
}

function record(
  context: BenchContext,
  measured: {
    runs: number
    partitionCount: number
    empty: { readyMs: number[]; httpReadyMs: number[]; rssBytes: number }
    loaded: { readyMs: number[]; httpReadyMs: number[]; rssBytes: number }
    createdRss: number
    inProcess: { importMs: number; firstMs: number; nextMs: number }
  },
): void {
  const { runs, partitionCount, empty, loaded, inProcess } = measured
  const details = { runs, entry: 'dist/bundle/streamline.js' }
  const startEmpty = round(median(empty.readyMs))
  const startLoaded = round(median(loaded.readyMs))
  const idleMb = mb(empty.rssBytes)
  const loadedMb = mb(loaded.rssBytes)
  context.record({
    id: 'footprint.start.empty.ms',
    label: 'process start → ready (Kafka listener, log open), empty data dir, median',
    value: startEmpty,
    unit: 'ms',
    details: { ...details, maxMs: round(Math.max(...empty.readyMs)) },
  })
  context.record({
    id: 'footprint.start.empty.httpReady.ms',
    label: 'process start → HTTP app ready, empty data dir, median',
    value: round(median(empty.httpReadyMs)),
    unit: 'ms',
    details,
  })
  context.record({
    id: `footprint.start.p${partitionCount}.ms`,
    label: `process start → ready, ${partitionCount} partitions after a clean stop, median`,
    value: startLoaded,
    unit: 'ms',
    details: { ...details, maxMs: round(Math.max(...loaded.readyMs)) },
  })
  context.record({
    id: 'footprint.inProcess.first.ms',
    label: 'startStreamline() in memory, first in a fresh process',
    value: round(inProcess.firstMs),
    unit: 'ms',
    details: { importMs: round(inProcess.importMs), nextMedianMs: round(inProcess.nextMs) },
  })
  context.record({
    id: 'footprint.rss.idle.mb',
    label: 'RSS at idle, empty data dir',
    value: idleMb,
    unit: 'MB',
  })
  context.record({
    id: `footprint.rss.p${partitionCount}.mb`,
    label: `RSS at idle, ${partitionCount} partitions (restarted on them)`,
    value: loadedMb,
    unit: 'MB',
    details: { afterCreatingMb: mb(measured.createdRss) },
  })
  recordTargets(context, { runs, partitionCount, startEmpty, idleMb, loadedMb, inProcess })
}

function recordTargets(
  context: BenchContext,
  values: {
    runs: number
    partitionCount: number
    startEmpty: number
    idleMb: number
    loadedMb: number
    inProcess: { firstMs: number; nextMs: number }
  },
): void {
  const { runs, partitionCount, startEmpty, idleMb, loadedMb, inProcess } = values
  context.target({
    id: 'target.start-empty',
    description: 'Process start to ready under 150 ms on an empty data dir',
    actual: startEmpty,
    comparator: '<=',
    bound: 150,
    unit: 'ms',
    basis: `median of ${runs} starts of dist/bundle/streamline.js`,
  })
  context.target({
    id: 'target.start-in-process',
    description: 'In-process start (startStreamline) under 20 ms',
    actual: round(inProcess.firstMs),
    comparator: '<=',
    bound: 20,
    unit: 'ms',
    basis: `first start in a fresh process (next ones: median ${round(inProcess.nextMs)} ms)`,
  })
  context.target({
    id: 'target.rss-idle',
    description: 'Idle RSS under 80 MB',
    actual: idleMb,
    comparator: '<=',
    bound: 80,
    unit: 'MB',
    basis: `VmRSS ${idleSettleMs} ms after http ready, empty data dir`,
  })
  // Scaled to 1,000 partitions when --quick creates fewer.
  const addedMb = Math.round(((loadedMb - idleMb) * 1000) / partitionCount)
  context.target({
    id: 'target.rss-1000-partitions',
    description: '1,000 partitions add under 100 MB of RSS',
    actual: addedMb,
    comparator: '<=',
    bound: 100,
    unit: 'MB',
    basis: `${loadedMb} MB with ${partitionCount} partitions - ${idleMb} MB empty${partitionCount === 1000 ? '' : `, × ${1000 / partitionCount}`}`,
  })
}

export const footprint: Workload = { name: 'footprint', order: 90, run }
