// The footprint workload's broker process: the bundled CLI (dist/bundle/streamline.js) spawned with
// free ports, timed from spawn to its `streamline started` line (ready: Kafka listener accepting, log
// open) and to its `http ready` line (the HTTP app built). bench/suite/broker.ts starts brokers for
// throughput; this one only needs the start-up lines, RSS and a clean stop.
import { type ChildProcess, spawn } from 'node:child_process'
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { bundleDir } from '../../../scripts/bundle.ts'
import { freePortListenerArgs } from '../../../test/helpers/broker-process.ts'
import { repositoryRoot } from '../broker.ts'

const startTimeoutMs = 60_000
const stopTimeoutMs = 15_000
const entry = join(bundleDir, 'streamline.js')

export interface StartedBroker {
  host: string
  port: number
  /** Spawn to `streamline started`. */
  readyMs: number
  /** Spawn to `http ready`, once `httpReady` resolved (NaN before). */
  httpReadyAtMs: number
  httpReady: Promise<void>
  rssBytes(): number
  stop(): Promise<void>
}

function newestMtimeMs(directory: string): number {
  let newest = 0
  for (const file of readdirSync(directory, { recursive: true, withFileTypes: true })) {
    if (file.isFile()) newest = Math.max(newest, statSync(join(file.parentPath, file.name)).mtimeMs)
  }
  return newest
}

/** True when dist/bundle/ is at least as new as every file under src/. */
export function bundleIsFresh(): boolean {
  try {
    return statSync(entry).mtimeMs >= newestMtimeMs(join(repositoryRoot, 'src'))
  } catch {
    return false
  }
}

function waitForExit(child: ChildProcess, timeoutMs: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true)
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs)
    child.once('exit', () => {
      clearTimeout(timer)
      resolve(true)
    })
  })
}

interface LogLine {
  msg?: unknown
  host?: unknown
  port?: unknown
}

export async function startBundledBroker(dataDir: string): Promise<StartedBroker> {
  const began = performance.now()
  const args = [...freePortListenerArgs, '--log-format', 'json']
  const env = { ...process.env }
  delete env.NODE_TEST_CONTEXT
  const child = spawn(process.execPath, [entry, ...args, '--data-dir', dataDir], {
    cwd: repositoryRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
    env,
  })
  let output = ''
  let httpReadyAtMs = Number.NaN
  let onHttpReady: () => void = () => {}
  const httpReady = new Promise<void>((resolve) => {
    onHttpReady = resolve
  })
  const stop = async (): Promise<void> => {
    child.kill('SIGTERM')
    if (!(await waitForExit(child, stopTimeoutMs))) {
      child.kill('SIGKILL')
      await waitForExit(child, stopTimeoutMs)
    }
  }
  try {
    const ready = await new Promise<{ host: string; port: number; readyMs: number }>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no "streamline started" in ${startTimeoutMs} ms`)),
        startTimeoutMs,
      )
      let listening: { host: string; port: number } | null = null
      let pending = ''
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
        output = (output + chunk).slice(-20_000)
      })
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        const atMs = performance.now() - began
        pending += chunk
        for (let newline = pending.indexOf('\n'); newline !== -1; newline = pending.indexOf('\n')) {
          const text = pending.slice(0, newline)
          pending = pending.slice(newline + 1)
          output = (output + text).slice(-20_000)
          if (!text.startsWith('{')) continue
          const line = JSON.parse(text) as LogLine
          if (
            line.msg === 'broker listening' &&
            typeof line.host === 'string' &&
            typeof line.port === 'number'
          )
            listening = { host: line.host, port: line.port }
          if (line.msg === 'streamline started' && listening !== null) {
            clearTimeout(timer)
            resolve({ ...listening, readyMs: atMs })
          }
          if (line.msg === 'http ready') {
            httpReadyAtMs = atMs
            onHttpReady()
          }
        }
      })
      child.once('close', (code) => {
        clearTimeout(timer)
        reject(new Error(`broker exited (code ${code}) before ready:\n${output}`))
      })
    })
    const pid = child.pid ?? -1
    return {
      ...ready,
      get httpReadyAtMs() {
        return httpReadyAtMs
      },
      httpReady,
      rssBytes() {
        const match = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
        return match === null ? Number.NaN : Number(match[1]) * 1024
      },
      stop,
    }
  } catch (error) {
    await stop()
    throw error
  }
}
