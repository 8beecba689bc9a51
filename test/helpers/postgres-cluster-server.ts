// A real PostgreSQL server process for cluster-mode tests: Debian's PostgreSQL 15
// (/usr/lib/postgresql/15/bin, package `postgresql`), a fresh cluster made by initdb in a temporary
// directory, the `postgres` server run as a child process on 127.0.0.1 and a free port (no Unix
// socket outside its own directory). PostgreSQL refuses to run as root: when the tests run as root
// (CI containers), initdb and the server run as `nobody` through setpriv, and the directory is given
// to that user.
//
// `stop()` is a fast shutdown (SIGINT: open transactions roll back, committed ones are kept), `start()`
// brings the same data back on the same port (the "PostgreSQL restarted under load" case);
// `dispose()` stops it and removes the directory. fsync is off: the tests restart the server cleanly,
// they never pull its power, and fsync on this shared machine only makes them slow.
//
// `postgresProblem()` says why PostgreSQL cannot run here (null when it can), for node:test's skip
// option; with CI=true a missing server fails instead (see requirePostgres).

import { type ChildProcess, spawn, spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { chown } from 'node:fs/promises'
import { join } from 'node:path'
import { test } from 'node:test'
import { makeTempDir, removeTempDir } from './broker-process.ts'
import { freePort } from './free-port.ts'

export const postgresBinDir = '/usr/lib/postgresql/15/bin'
const nobodyId = 65534
const startTimeoutMs = 30_000
const stopTimeoutMs = 15_000

export interface PostgresServer {
  /** postgres://postgres@127.0.0.1:<port>/postgres */
  url: string
  port: number
  directory: string
  /** SIGINT (fast shutdown) and wait for the exit; the data stays. */
  stop(): Promise<void>
  /** Starts the server again on the same port with the same data (after stop()). */
  start(): Promise<void>
  /** stop() and remove the directory. */
  dispose(): Promise<void>
}

/** Why a PostgreSQL server cannot be started here, or null. */
export function postgresProblem(): string | null {
  if (!existsSync(join(postgresBinDir, 'initdb')) || !existsSync(join(postgresBinDir, 'postgres')))
    return `PostgreSQL 15 is not installed (${postgresBinDir}): apt-get install postgresql`
  return null
}

/** For node:test's `skip`: false when PostgreSQL is there; with CI=true a missing one fails. */
export function requirePostgres(): string | false {
  const problem = postgresProblem()
  if (problem === null) return false
  if (process.env.CI === 'true') {
    test('PostgreSQL is installed', () => {
      throw new Error(problem)
    })
  }
  return problem
}

const runningAsRoot = process.getuid?.() === 0

/** The command and arguments, wrapped in setpriv when running as root. */
function asServerUser(command: string, args: string[]): { command: string; args: string[] } {
  if (!runningAsRoot) return { command, args }
  return {
    command: 'setpriv',
    args: [`--reuid=${nobodyId}`, `--regid=${nobodyId}`, '--clear-groups', command, ...args],
  }
}

async function initCluster(directory: string): Promise<string> {
  const dataDir = join(directory, 'data')
  if (runningAsRoot) await chown(directory, nobodyId, nobodyId)
  const init = asServerUser(join(postgresBinDir, 'initdb'), [
    '-D',
    dataDir,
    '-U',
    'postgres',
    '--auth=trust',
    '-E',
    'UTF8',
    '--no-sync',
  ])
  const result = spawnSync(init.command, init.args, { encoding: 'utf8', timeout: 60_000 })
  if (result.status !== 0)
    throw new Error(`initdb failed (${result.status}): ${result.stderr || result.stdout || result.error}`)
  return dataDir
}

function launch(directory: string, dataDir: string, port: number): Promise<ChildProcess> {
  const server = asServerUser(join(postgresBinDir, 'postgres'), [
    '-D',
    dataDir,
    '-p',
    String(port),
    '-c',
    'listen_addresses=127.0.0.1',
    '-c',
    `unix_socket_directories=${directory}`,
    '-c',
    'fsync=off',
    '-c',
    'max_connections=200',
  ])
  const child = spawn(server.command, server.args, { stdio: ['ignore', 'pipe', 'pipe'] })
  return new Promise((resolve, reject) => {
    let output = ''
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`postgres did not start within ${startTimeoutMs} ms: ${output}`))
    }, startTimeoutMs)
    const onData = (chunk: Buffer): void => {
      output += chunk.toString()
      if (output.includes('database system is ready to accept connections')) {
        clearTimeout(timer)
        child.stderr?.off('data', onData)
        child.stdout?.resume()
        child.stderr?.resume()
        child.off('exit', onExit)
        resolve(child)
      }
    }
    const onExit = (code: number | null): void => {
      clearTimeout(timer)
      reject(new Error(`postgres exited with ${code}: ${output}`))
    }
    child.stdout?.on('data', onData)
    child.stderr?.on('data', onData)
    child.once('exit', onExit)
  })
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

const liveServers = new Set<ChildProcess>()
process.once('exit', () => {
  for (const child of liveServers) child.kill('SIGKILL')
})

export async function startPostgresServer(): Promise<PostgresServer> {
  const directory = await makeTempDir('streamline-postgres-')
  const dataDir = await initCluster(directory)
  const port = await freePort()
  let running: ChildProcess | null = await launch(directory, dataDir, port)
  liveServers.add(running)
  const stop = async (): Promise<void> => {
    const current = running
    running = null
    if (current === null) return
    current.kill('SIGINT')
    if (!(await waitForExit(current, stopTimeoutMs))) {
      current.kill('SIGKILL')
      await waitForExit(current, stopTimeoutMs)
    }
    liveServers.delete(current)
  }
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    directory,
    stop,
    async start() {
      if (running !== null) return
      running = await launch(directory, dataDir, port)
      liveServers.add(running)
    },
    async dispose() {
      await stop()
      await removeTempDir(directory)
    },
  }
}
