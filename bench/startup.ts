// Start-up time: from spawning `streamline` on an empty data dir to its "streamline started" line
// (ready: Kafka listener accepting, log open), to its "http ready" line (the HTTP app built right after),
// and the in-process part (the line's `startupMs`: from startBroker() to listening). Median of N runs
// after one warm-up run.
// Usage: node --import tsx bench/startup.ts [runs=10] [--built | --tsc]
//   --built: the bundle (dist/bundle/streamline.js: the published `streamline` binary and `npm start`;
//            build it with `npm run build` or `node --import tsx scripts/bundle.ts`)
//   --tsc:   tsc's output (dist/src/cli/streamline.js), unbundled
//   neither: the sources through the tsx loader (how the tests start it)
// bench/suite/workloads/footprint.ts measures the same in the benchmark suite, with RSS.

import { spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { freePortListenerArgs } from '../test/helpers/broker-process.ts'

const runs = Number(process.argv.slice(2).find((argument) => /^\d+$/.test(argument)) ?? 10)
const entry = process.argv.includes('--built')
  ? ['dist/bundle/streamline.js']
  : process.argv.includes('--tsc')
    ? ['dist/src/cli/streamline.js']
    : ['--import', 'tsx', 'src/cli/streamline.ts']

/** How long to wait for "http ready" after "streamline started". */
const httpReadyWaitMs = 10_000

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)]
}

async function startOnce(): Promise<{ wallMs: number; httpReadyMs: number; inProcessMs: number }> {
  const dataDir = await mkdtemp(join(tmpdir(), 'streamline-startup-'))
  const began = performance.now()
  const child = spawn(
    process.execPath,
    [...entry, ...freePortListenerArgs, '--data-dir', dataDir, '--log-format', 'json'],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  )
  try {
    return await new Promise((resolve, reject) => {
      let text = ''
      let ready: { wallMs: number; inProcessMs: number } | null = null
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        text += chunk
        const nowMs = performance.now() - began
        const line = text.split('\n').find((candidate) => candidate.includes('"streamline started"'))
        if (ready === null && line !== undefined) {
          ready = { wallMs: nowMs, inProcessMs: (JSON.parse(line) as { startupMs: number }).startupMs }
          const found = ready
          // A build without the HTTP app's "http ready" line: report ready alone, after a bound.
          setTimeout(() => resolve({ ...found, httpReadyMs: Number.NaN }), httpReadyWaitMs).unref()
        }
        if (ready !== null && text.includes('"http ready"')) resolve({ ...ready, httpReadyMs: nowMs })
      })
      child.once('exit', (code) => reject(new Error(`exited with ${code}`)))
    })
  } finally {
    child.kill('SIGTERM')
    await new Promise((resolve) => child.once('close', resolve))
    await rm(dataDir, { recursive: true, force: true })
  }
}

const loadAverageBefore = loadavg()[0]
const wall: number[] = []
const httpReady: number[] = []
const inProcess: number[] = []
await startOnce() // warm the OS file cache (and tsx's compile cache), as every later start finds them
for (let run = 0; run < runs; run += 1) {
  const result = await startOnce()
  wall.push(result.wallMs)
  httpReady.push(result.httpReadyMs)
  inProcess.push(result.inProcessMs)
}
console.log(
  JSON.stringify({
    runs,
    entry: entry.join(' '),
    processStartToReadyMsMedian: Math.round(median(wall)),
    processStartToReadyMsMax: Math.round(Math.max(...wall)),
    processStartToHttpReadyMsMedian: Math.round(median(httpReady)),
    startBrokerToListeningMsMedian: median(inProcess),
    loadAverage1m: { before: loadAverageBefore, after: loadavg()[0] },
  }),
)
