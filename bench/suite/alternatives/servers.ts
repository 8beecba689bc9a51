// Starts the alternatives the suite compares against, when they are installed: `redis-server` (Redis
// Streams) and `nats-server` (NATS JetStream). Each runs as a child process on 127.0.0.1 only, on a
// free port, with its data in a directory the caller owns, and is stopped (SIGTERM, then SIGKILL after a
// bound) by `stop()` or, should the bench die first, when this process exits. The suite installs
// nothing: a missing binary is reported as the reason the measurement was skipped.
import { type ChildProcess, spawn } from 'node:child_process'
import { accessSync, constants, readFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { delimiter, join } from 'node:path'

const readyTimeoutMs = 20_000
const stopTimeoutMs = 10_000
const outputCharsMax = 50_000
/** Linux clock ticks per second for /proc/<pid>/stat (USER_HZ). */
const clockTicksPerSecond = 100
/** Debian installs nats-server in /usr/sbin, which a non-root PATH may lack. */
const extraSearchDirectories = ['/usr/sbin', '/usr/local/sbin']

export interface AlternativeServer {
  /** `redis-server 7.0.15`, `nats-server 2.9.10`. */
  version: string
  port: number
  pid: number
  /** User + system CPU seconds the server used so far. */
  cpuSeconds(): number
  stop(): Promise<void>
}

/** The absolute path of `name` on PATH (or in the sbin directories), or null. */
export function findExecutable(name: string): string | null {
  const directories = [...(process.env.PATH ?? '').split(delimiter), ...extraSearchDirectories]
  for (const directory of directories) {
    if (directory === '') continue
    const candidate = join(directory, name)
    try {
      accessSync(candidate, constants.X_OK)
      return candidate
    } catch {
      // not here; keep looking
    }
  }
  return null
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      const port = typeof address === 'object' && address !== null ? address.port : 0
      server.close(() => resolve(port))
    })
  })
}

const liveChildren = new Set<ChildProcess>()
process.once('exit', () => {
  for (const child of liveChildren) child.kill('SIGKILL')
})

function cpuSecondsOf(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return (Number(fields[11]) + Number(fields[12])) / clockTicksPerSecond
  } catch {
    return Number.NaN // exited
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

/** Spawns `command` and resolves once its output matches `ready`; rejects on exit or timeout. */
async function startProcess(
  command: string,
  args: string[],
  ready: RegExp,
  version: string,
): Promise<AlternativeServer & { output(): string }> {
  const port = Number(args[args.indexOf('--port') + 1])
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] })
  liveChildren.add(child)
  child.once('exit', () => liveChildren.delete(child))
  let output = ''
  await new Promise<void>((resolve, reject) => {
    let settled = false
    const settle = (error: Error | null): void => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      if (error === null) resolve()
      else reject(error)
    }
    const timer = setTimeout(
      () => settle(new Error(`${command} not ready within ${readyTimeoutMs} ms:\n${output}`)),
      readyTimeoutMs,
    )
    const onData = (chunk: Buffer): void => {
      output = (output + chunk.toString('utf8')).slice(-outputCharsMax)
      if (ready.test(output)) settle(null)
    }
    child.stdout?.on('data', onData)
    child.stderr?.on('data', onData)
    child.once('error', (error) => settle(error))
    child.once('exit', (code, signal) =>
      settle(new Error(`${command} exited (code ${code}, signal ${signal}):\n${output}`)),
    )
  }).catch(async (error: unknown) => {
    child.kill('SIGKILL')
    await waitForExit(child, stopTimeoutMs)
    throw error
  })
  const pid = child.pid ?? -1
  return {
    version,
    port,
    pid,
    cpuSeconds: () => cpuSecondsOf(pid),
    output: () => output,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return
      child.kill('SIGTERM')
      if (!(await waitForExit(child, stopTimeoutMs))) {
        child.kill('SIGKILL')
        await waitForExit(child, stopTimeoutMs)
      }
    },
  }
}

function versionOf(command: string, args: string[], pattern: RegExp): Promise<string> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] })
    let text = ''
    child.stdout?.on('data', (chunk: Buffer) => {
      text += chunk.toString('utf8')
    })
    child.stderr?.on('data', (chunk: Buffer) => {
      text += chunk.toString('utf8')
    })
    child.once('error', () => resolve('unknown'))
    child.once('close', () => resolve(pattern.exec(text)?.[1] ?? 'unknown'))
  })
}

/**
 * Redis with the durability closest to our default (acks=1 answers once the OS has the write): the
 * append-only file on, fsync once a second (`appendfsync everysec`), no RDB snapshots.
 */
export async function startRedis(executable: string, dataDir: string): Promise<AlternativeServer> {
  const version = await versionOf(executable, ['--version'], /v=(\S+)/)
  const port = await freePort()
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--protected-mode', 'yes', '--dir', dataDir]
  args.push(
    '--appendonly',
    'yes',
    '--appendfsync',
    'everysec',
    '--save',
    '',
    '--daemonize',
    'no',
    '--logfile',
    '',
  )
  return startProcess(executable, args, /Ready to accept connections/, `redis-server ${version}`)
}

/**
 * NATS with JetStream on file storage in `dataDir` (JetStream writes to the OS at once and syncs on its
 * own interval, like our acks=1 default).
 */
export async function startNats(executable: string, dataDir: string): Promise<AlternativeServer> {
  const version = await versionOf(executable, ['--version'], /v(\d+\.\d+\.\d+)/)
  const port = await freePort()
  const args = ['--addr', '127.0.0.1', '--port', String(port), '--jetstream', '--store_dir', dataDir]
  return startProcess(executable, args, /Server is ready/, `nats-server ${version}`)
}
