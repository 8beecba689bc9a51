// Start-up time: from spawning `streamline` (as `npm start` does: node + the tsx loader) on an empty
// data dir to its "streamline started" line (Kafka listener and HTTP port up, log open), and the
// in-process part of it (the line's `startupMs`: from startBroker() to listening). Median of N runs.
// Usage: node --import tsx bench/startup.ts [runs=10] [--built]  (--built: `npm run build` output, as
// the published `streamline` binary runs, without the tsx loader)

import { spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'

const runs = Number(process.argv.slice(2).find((argument) => /^\d+$/.test(argument)) ?? 10)
const built = process.argv.includes('--built')
const entry = built ? ['dist/src/cli/streamline.js'] : ['--import', 'tsx', 'src/cli/streamline.ts']

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)]
}

async function startOnce(): Promise<{ wallMs: number; inProcessMs: number }> {
  const dataDir = await mkdtemp(join(tmpdir(), 'streamline-startup-'))
  const began = performance.now()
  const child = spawn(
    process.execPath,
    [
      ...entry,
      '--listen-addr',
      '127.0.0.1:0',
      '--http-addr',
      '127.0.0.1:0',
      '--data-dir',
      dataDir,
      '--log-format',
      'json',
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  )
  try {
    return await new Promise((resolve, reject) => {
      let text = ''
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        text += chunk
        const line = text.split('\n').find((candidate) => candidate.includes('"streamline started"'))
        if (line === undefined) return
        const wallMs = performance.now() - began
        resolve({ wallMs, inProcessMs: (JSON.parse(line) as { startupMs: number }).startupMs })
      })
      child.once('exit', (code) => reject(new Error(`exited with ${code}`)))
    })
  } finally {
    child.kill('SIGTERM')
    await new Promise((resolve) => child.once('close', resolve))
    await rm(dataDir, { recursive: true, force: true })
  }
}

const wall: number[] = []
const inProcess: number[] = []
await startOnce() // warm tsx's compile cache, as every later start finds it
for (let run = 0; run < runs; run += 1) {
  const result = await startOnce()
  wall.push(result.wallMs)
  inProcess.push(result.inProcessMs)
}
console.log(
  JSON.stringify({
    runs,
    entry: entry.join(' '),
    processStartToReadyMsMedian: Math.round(median(wall)),
    processStartToReadyMsMax: Math.round(Math.max(...wall)),
    startBrokerToListeningMsMedian: median(inProcess),
  }),
)
