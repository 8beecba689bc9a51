// Launches the broker for a workload as a separate process, so the load generator (in the bench
// process) and the broker never share an event loop or a core's worth of JIT and GC.
//
// The broker runs from the built output (`dist/src/cli/streamline.js`, as the published binary) when
// it is at least as new as every file under `src/`; otherwise with tsx from the sources (slower to start,
// same steady-state speed). `prepareBrokerEntry({ build: true })` rebuilds a stale `dist/` first; the
// choice is made once per run and reported in the results.
//
// Readiness is the broker's pino JSON line `broker listening` (as in test/helpers/broker-process.ts,
// which bench code must not import: it pulls in node:test). CPU time and RSS come from /proc.
import { type ChildProcess, execFile, spawn } from 'node:child_process'
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
// Readiness and exit as the test helper sees them (that module has no node:test side effects).
import { freePortListenerArgs, parseListeningLine, waitForExit } from '../../test/helpers/broker-process.ts'

export const repositoryRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..')

const builtCli = join(repositoryRoot, 'dist/src/cli/streamline.js')
const sourceCli = join(repositoryRoot, 'src/cli/streamline.ts')
const listeningTimeoutMs = 60_000
const stopTimeoutMs = 15_000
const buildTimeoutMs = 300_000
const outputCharsMax = 200_000
/** Linux clock ticks per second for /proc/<pid>/stat (USER_HZ: 100 on every mainstream kernel). */
const clockTicksPerSecond = 100

export type BrokerEntry = 'dist' | 'tsx'

export interface BrokerEntryChoice {
  entry: BrokerEntry
  /** Why this entry: `dist is up to date`, `built dist (12.3 s)`, `build failed: ...`. */
  reason: string
}

/** The newest modification time (ms) of the non-test .ts files under `directory`. */
function newestSourceMtimeMs(directory: string): number {
  let newest = 0
  for (const entry of readdirSync(directory, { withFileTypes: true })) {
    const path = join(directory, entry.name)
    if (entry.isDirectory()) newest = Math.max(newest, newestSourceMtimeMs(path))
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts'))
      newest = Math.max(newest, statSync(path).mtimeMs)
  }
  return newest
}

/** True when dist/ holds a build at least as new as every source file. */
export function isDistFresh(): boolean {
  let builtMtimeMs: number
  try {
    builtMtimeMs = statSync(builtCli).mtimeMs
  } catch {
    return false // never built
  }
  return builtMtimeMs >= newestSourceMtimeMs(join(repositoryRoot, 'src'))
}

function runBuild(): Promise<{ ok: boolean; output: string }> {
  const tsc = join(repositoryRoot, 'node_modules/typescript/bin/tsc')
  return new Promise((resolvePromise) => {
    execFile(
      process.execPath,
      [tsc, '-p', 'tsconfig.build.json'],
      { cwd: repositoryRoot, timeout: buildTimeoutMs, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => resolvePromise({ ok: error === null, output: `${stdout}${stderr}`.trim() }),
    )
  })
}

let chosen: BrokerEntryChoice | null = null

/**
 * Decides, once per run, how brokers are started. With `build`, a stale dist/ is rebuilt first
 * (`npm run build`); a failed build (someone's work in progress) falls back to tsx and says so.
 */
export async function prepareBrokerEntry(options: {
  build: boolean
  log: (message: string) => void
}): Promise<BrokerEntryChoice> {
  if (isDistFresh()) chosen = { entry: 'dist', reason: 'dist/ is up to date with src/' }
  else if (!options.build) chosen = { entry: 'tsx', reason: 'dist/ is older than src/ (not rebuilt)' }
  else {
    options.log('dist/ is older than src/: building (tsc -p tsconfig.build.json)')
    const started = performance.now()
    const build = await runBuild()
    const seconds = ((performance.now() - started) / 1000).toFixed(1)
    chosen = build.ok
      ? { entry: 'dist', reason: `built dist/ (${seconds} s)` }
      : { entry: 'tsx', reason: `build failed, using tsx: ${build.output.split('\n')[0] ?? ''}` }
  }
  return chosen
}

/** Overrides the choice (`--broker-entry dist|tsx`): e.g. keep a known-good dist/ while src/ is mid-edit. */
export function forceBrokerEntry(entry: BrokerEntry): BrokerEntryChoice {
  chosen = {
    entry,
    reason: `--broker-entry ${entry}${entry === 'dist' && !isDistFresh() ? ' (dist/ is older than src/)' : ''}`,
  }
  return chosen
}

let brokerNodeArgs: string[] = []

/** Node options for every broker of the run (`--cpu-prof <dir>` on the runner: profile each broker). */
export function setBrokerNodeArgs(args: readonly string[]): void {
  brokerNodeArgs = [...args]
}

export function brokerEntryChoice(): BrokerEntryChoice {
  chosen ??= isDistFresh()
    ? { entry: 'dist', reason: 'dist/ is up to date with src/' }
    : { entry: 'tsx', reason: 'dist/ is older than src/ (not rebuilt)' }
  return chosen
}

export interface BrokerLaunchOptions {
  /** Where the broker stores topics; the caller owns (and removes) it. Required unless inMemory. */
  dataDir?: string
  /** `--in-memory`: nothing written to disk. */
  inMemory?: boolean
  /** Extra command-line arguments, after the defaults (so they win). */
  args?: string[]
}

export interface LaunchedBroker {
  host: string
  port: number
  /** `host:port` for clients' bootstrap setting. */
  bootstrap: string
  pid: number
  entry: BrokerEntry
  /** Spawn to the `broker listening` line, in ms. */
  startMs: number
  /** Resident set size now (VmRSS). */
  rssBytes(): number
  /** Peak resident set size since start (VmHWM). */
  peakRssBytes(): number
  /** User + system CPU time used by the broker process so far. */
  cpuSeconds(): number
  /** The last of what the broker wrote to stdout and stderr. */
  output(): string
  /** SIGTERM and wait for the exit (SIGKILL after a bound). */
  stop(): Promise<void>
  /**
   * SIGKILL and wait for the exit: for a broker whose data is thrown away (a graceful stop flushes every
   * partition, ~13 ms each: seconds with 1,000 partitions). Stops gracefully instead while profiling,
   * since V8 writes the profile only on a normal exit.
   */
  kill(): Promise<void>
}

function statusField(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)
  return match === null ? Number.NaN : Number(match[1]) * 1024
}

function cpuSecondsOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  // Fields after the command name (which may contain spaces), counted from field 3 (state).
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  const userTicks = Number(fields[11]) // field 14, utime
  const systemTicks = Number(fields[12]) // field 15, stime
  return (userTicks + systemTicks) / clockTicksPerSecond
}

// A bench run that dies without stopping its brokers must not leave them running.
const liveChildren = new Set<ChildProcess>()
process.once('exit', () => {
  for (const child of liveChildren) child.kill('SIGKILL')
})

function awaitListening(
  child: ChildProcess,
  output: { text: string },
): Promise<{ host: string; port: number }> {
  return new Promise((resolvePromise, reject) => {
    let pending = ''
    let settled = false
    const settle = (error: Error | null, found?: { host: string; port: number }): void => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      if (error) reject(error)
      else if (found) resolvePromise(found)
    }
    const timer = setTimeout(
      () => settle(new Error(`broker did not log "broker listening" within ${listeningTimeoutMs} ms`)),
      listeningTimeoutMs,
    )
    const keep = (chunk: string): void => {
      output.text = (output.text + chunk).slice(-outputCharsMax)
    }
    child.stdout?.setEncoding('utf8')
    child.stderr?.setEncoding('utf8')
    child.stderr?.on('data', keep)
    child.stdout?.on('data', (chunk: string) => {
      keep(chunk) // always drain stdout: a full pipe would block the broker
      if (settled) return
      pending += chunk
      for (let newline = pending.indexOf('\n'); newline !== -1; newline = pending.indexOf('\n')) {
        const found = parseListeningLine(pending.slice(0, newline).trim())
        pending = pending.slice(newline + 1)
        if (found) return settle(null, found)
      }
    })
    child.once('error', (error) => settle(new Error(`broker could not start: ${error.message}`)))
    child.once('close', (code, signal) =>
      settle(new Error(`broker exited before listening (code ${code}, signal ${signal})\n${output.text}`)),
    )
  })
}

/** Starts a broker process on free ports and waits until it listens. */
export async function launchBroker(options: BrokerLaunchOptions): Promise<LaunchedBroker> {
  const { entry } = brokerEntryChoice()
  const storage = options.inMemory === true ? ['--in-memory'] : ['--data-dir', requireDataDir(options)]
  const brokerArgs = [...freePortListenerArgs, '--log-format', 'json']
  brokerArgs.push('--log-level', 'info', ...storage, ...(options.args ?? []))
  const nodeArgs = [...brokerNodeArgs, ...(entry === 'dist' ? [builtCli] : ['--import', 'tsx', sourceCli])]
  const env = { ...process.env }
  delete env.NODE_TEST_CONTEXT // set by node:test for its children; the broker is not a test
  const started = performance.now()
  const child = spawn(process.execPath, [...nodeArgs, ...brokerArgs], {
    cwd: repositoryRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
    env,
  })
  liveChildren.add(child)
  child.once('exit', () => liveChildren.delete(child))
  const output = { text: '' }
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return
    child.kill('SIGTERM')
    if (!(await waitForExit(child, stopTimeoutMs))) {
      child.kill('SIGKILL')
      await waitForExit(child, stopTimeoutMs)
    }
  }
  const kill = async (): Promise<void> => {
    if (brokerNodeArgs.includes('--cpu-prof')) return stop()
    if (child.exitCode !== null || child.signalCode !== null) return
    child.kill('SIGKILL')
    await waitForExit(child, stopTimeoutMs)
  }
  let listening: { host: string; port: number }
  try {
    listening = await awaitListening(child, output)
  } catch (error) {
    child.kill('SIGKILL')
    await waitForExit(child, stopTimeoutMs)
    throw error
  }
  const pid = child.pid ?? -1
  return {
    ...listening,
    bootstrap: `${listening.host}:${listening.port}`,
    pid,
    entry,
    startMs: performance.now() - started,
    rssBytes: () => statusField(pid, 'VmRSS'),
    peakRssBytes: () => statusField(pid, 'VmHWM'),
    cpuSeconds: () => cpuSecondsOf(pid),
    output: () => output.text,
    stop,
    kill,
  }
}

function requireDataDir(options: BrokerLaunchOptions): string {
  if (options.dataDir === undefined) throw new TypeError('launchBroker: dataDir is required unless inMemory')
  return options.dataDir
}
