// Starts the broker as a child process, exactly as `npm start` does
// (`node --import tsx src/cli/streamline.ts`), on a free port and a temporary data directory.
//
// Readiness is the broker's own pino line on stdout: one JSON object whose `msg` is
// "broker listening" and which carries `host` and `port`. Every wait is bounded; the process
// output is kept (up to a limit) so a failing test can show it.
import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

export const repositoryRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..')

/** A start takes well under a second on a quiet machine; under the load of a parallel suite on two
 * cores it was seen to take over 20 s (the old bound), so the bound is generous: it only catches a hang. */
const listeningTimeoutMs = 60_000
const stopTimeoutMs = 10_000
const outputCharsMax = 1_000_000

export interface BrokerProcess {
  host: string
  port: number
  /** `host:port`, for clients' bootstrap setting. */
  bootstrap: string
  /** `http://host:port` of the schema registry (bound on a free port), or null when disabled. */
  registryUrl: string | null
  dataDir: string
  pid: number
  /** True until the process has exited. */
  isAlive(): boolean
  /** SIGTERM, then wait for the exit (SIGKILL after a bound); removes a data dir the helper made. */
  stop(): Promise<void>
  /** SIGKILL and wait for the exit; removes a data dir the helper made. */
  kill(): Promise<void>
  /** Everything the process wrote to stdout and stderr so far (the last 1 MB at most). */
  output(): string
}

export interface BrokerProcessOptions {
  /** Kept after stop() when given; a fresh temporary directory (removed on stop) otherwise. */
  dataDir?: string
  /** Extra command-line arguments, after --listen-addr, --http-addr and --data-dir (so they win). */
  args?: string[]
  /** How long to wait for "broker listening" (default 20 s; cluster brokers load more at start). */
  listeningTimeoutMs?: number
}

/** A temporary directory under os.tmpdir(); remove it with removeTempDir. */
export function makeTempDir(prefix = 'streamline-test-'): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix))
}

export function removeTempDir(dir: string): Promise<void> {
  return rm(dir, { recursive: true, force: true, maxRetries: 3 })
}

interface ListeningLine {
  host: string
  port: number
  /** The registry's `http://…` or `https://…` URL, when the line gives it. */
  url?: string
}

/** The registry's "registry listening" line (logged before "broker listening"), or null. */
export function parseRegistryLine(line: string): ListeningLine | null {
  if (!line.startsWith('{') || !line.includes('"registry listening"')) return null
  try {
    const { host, port, url } = JSON.parse(line) as Record<string, unknown>
    if (typeof host !== 'string' || typeof port !== 'number') return null
    return typeof url === 'string' ? { host, port, url } : { host, port }
  } catch {
    return null
  }
}

/** The broker's readiness line, or null for any other line. */
export function parseListeningLine(line: string): ListeningLine | null {
  if (!line.startsWith('{')) return null
  let parsed: unknown
  try {
    parsed = JSON.parse(line)
  } catch {
    return null // not a log line (e.g. a stray print); readiness is only the JSON line
  }
  if (typeof parsed !== 'object' || parsed === null) return null
  const { msg, host, port } = parsed as Record<string, unknown>
  if (msg !== 'broker listening' || typeof host !== 'string' || typeof port !== 'number') return null
  return { host, port }
}

/** Resolves true once the child has exited, false if it has not within `timeoutMs`. */
export function waitForExit(child: ChildProcess, timeoutMs: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true)
  return new Promise((resolvePromise) => {
    const timer = setTimeout(() => {
      child.off('exit', onExit)
      resolvePromise(false)
    }, timeoutMs)
    const onExit = (): void => {
      clearTimeout(timer)
      resolvePromise(true)
    }
    child.once('exit', onExit)
  })
}

// Safety net: a test file that dies without calling stop() must not leave brokers running.
const liveChildren = new Set<ChildProcess>()
process.once('exit', () => {
  for (const child of liveChildren) child.kill('SIGKILL')
})

/** Keeps the child's output (bounded) and resolves on its readiness line; rejects if it exits first. */
function watchUntilListening(
  child: ChildProcess,
  output: { text: string; registry?: ListeningLine },
  timeoutMs = listeningTimeoutMs,
): Promise<ListeningLine> {
  const append = (chunk: string): void => {
    output.text += chunk
    if (output.text.length > outputCharsMax)
      output.text = output.text.slice(output.text.length - outputCharsMax)
  }
  return new Promise<ListeningLine>((resolvePromise, reject) => {
    let ready = false
    let pending = ''
    const fail = (reason: string): void => {
      clearTimeout(timer)
      if (!ready) reject(new Error(`broker process ${reason}\n--- broker output ---\n${output.text}`))
      ready = true
    }
    const timer = setTimeout(() => fail(`did not log "broker listening" within ${timeoutMs} ms`), timeoutMs)
    child.stdout?.setEncoding('utf8')
    child.stderr?.setEncoding('utf8')
    child.stderr?.on('data', append)
    child.stdout?.on('data', (chunk: string) => {
      append(chunk) // keep reading stdout even when ready, or a full pipe would block the broker
      if (ready) return
      pending += chunk
      for (let newline = pending.indexOf('\n'); newline !== -1; newline = pending.indexOf('\n')) {
        const line = pending.slice(0, newline).trim()
        const found = parseListeningLine(line)
        output.registry ??= parseRegistryLine(line) ?? undefined
        pending = pending.slice(newline + 1)
        if (found) {
          ready = true
          pending = ''
          clearTimeout(timer)
          resolvePromise(found)
          return
        }
      }
    })
    child.once('error', (error) => fail(`could not start: ${error.message}`))
    // 'close' rather than 'exit': by then stdout and stderr are drained, so the output is complete.
    child.once('close', (code, signal) => fail(`exited before listening (code ${code}, signal ${signal})`))
  })
}

/** Every listener of `streamline` on a free port: tests and benchmarks run brokers in parallel, and the
 * defaults (Kafka 9092, HTTP 9094, schema registry 8081, Connect 8083) would clash. */
export const freePortListenerArgs: readonly string[] = [
  '--listen-addr',
  '127.0.0.1:0',
  '--http-addr',
  '127.0.0.1:0',
  '--registry-addr',
  '127.0.0.1:0',
  '--connect-addr',
  '127.0.0.1:0',
]

export async function startBrokerProcess(options: BrokerProcessOptions = {}): Promise<BrokerProcess> {
  const ownsDataDir = options.dataDir === undefined
  const dataDir = options.dataDir ?? (await makeTempDir())
  const args = ['--import', 'tsx', 'src/cli/streamline.ts', ...freePortListenerArgs]
  args.push('--data-dir', dataDir, ...(options.args ?? []))
  const env = { ...process.env }
  delete env.NODE_TEST_CONTEXT // set by node:test for its own children; the broker is not one
  const child = spawn(process.execPath, args, { cwd: repositoryRoot, stdio: ['ignore', 'pipe', 'pipe'], env })
  let exited = false
  liveChildren.add(child)
  child.once('exit', () => {
    exited = true
    liveChildren.delete(child)
  })

  let removed = false
  const terminate = async (signal: NodeJS.Signals): Promise<void> => {
    if (!exited) {
      child.kill(signal)
      if (!(await waitForExit(child, stopTimeoutMs))) {
        child.kill('SIGKILL')
        await waitForExit(child, stopTimeoutMs)
      }
    }
    if (ownsDataDir && !removed) {
      removed = true
      await removeTempDir(dataDir)
    }
  }

  const output: { text: string; registry?: ListeningLine } = { text: '' }
  let listening: ListeningLine
  try {
    listening = await watchUntilListening(child, output, options.listeningTimeoutMs)
  } catch (error) {
    await terminate('SIGKILL')
    throw error
  }
  return {
    host: listening.host,
    port: listening.port,
    bootstrap: `${listening.host}:${listening.port}`,
    registryUrl:
      output.registry === undefined
        ? null
        : (output.registry.url ?? `http://${output.registry.host}:${output.registry.port}`),
    dataDir,
    pid: child.pid ?? -1,
    isAlive: () => !exited,
    stop: () => terminate('SIGTERM'),
    kill: () => terminate('SIGKILL'),
    output: () => output.text,
  }
}

/** `http://host:port` of a broker process's admin HTTP port, from its "http listening" line. */
export function httpUrlOf(broker: BrokerProcess): string {
  for (const line of broker.output().split('\n')) {
    if (!line.includes('"http listening"')) continue
    const { host, port } = JSON.parse(line) as { host: string; port: number }
    return `http://${host}:${port}`
  }
  throw new Error(`no "http listening" line in the broker output:\n${broker.output()}`)
}
