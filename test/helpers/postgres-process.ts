// A real PostgreSQL server for tests: Debian's `postgresql` package (initdb + postgres from
// /usr/lib/postgresql/<version>/bin), a fresh cluster in a temporary directory, listening only on
// 127.0.0.1 at a free port with no Unix socket, trust authentication (also for replication
// connections) and `wal_level=logical`. PostgreSQL refuses to run as root, so under root the cluster
// belongs to `nobody` and both programs run with its uid. `postgresProblem()` says why no server can be
// started. No node:test here, so benchmarks can use it too (postgres-server.ts adds the tests' skip).
// Every test that starts one stops it (`stop()` ends the process and removes the directory).
import { type ChildProcess, execFileSync, spawn } from 'node:child_process'
import { existsSync, readdirSync } from 'node:fs'
import { chown, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { freePort } from './free-port.ts'

const postgresRoot = '/usr/lib/postgresql'
const startTimeoutMs = 30_000
const nobodyId = 65534

export interface PostgresServer {
  host: string
  port: number
  user: string
  database: string
  directory: string
  /** A connected client on the `postgres` database (the caller ends it). */
  connect(): Promise<pg.Client>
  /** Runs SQL on a short-lived connection and returns the rows. */
  query<Row extends Record<string, unknown>>(sql: string, values?: unknown[]): Promise<Row[]>
  /** SIGTERM (fast shutdown), wait for the exit, remove the cluster's directory. */
  stop(): Promise<void>
}

/** The newest installed server's bin directory, or null. */
function postgresBin(): string | null {
  if (!existsSync(postgresRoot)) return null
  const versions = readdirSync(postgresRoot)
    .filter((name) => /^\d+$/.test(name) && existsSync(join(postgresRoot, name, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a))
  return versions.length === 0 ? null : join(postgresRoot, versions[0], 'bin')
}

/** Null when a server can be started, else why not. */
export function postgresProblem(): string | null {
  return postgresBin() === null
    ? `no PostgreSQL server under ${postgresRoot} (apt-get install postgresql)`
    : null
}

function runAs(): { uid?: number; gid?: number } {
  return process.getuid?.() === 0 ? { uid: nobodyId, gid: nobodyId } : {}
}

function initCluster(bin: string, directory: string, data: string): void {
  execFileSync(
    join(bin, 'initdb'),
    ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync'],
    {
      ...runAs(),
      cwd: directory,
      stdio: 'pipe',
      env: { ...process.env, LC_ALL: 'C' },
    },
  )
}

export async function startPostgres(): Promise<PostgresServer> {
  const bin = postgresBin()
  if (bin === null) throw new Error(postgresProblem() ?? 'no PostgreSQL')
  const directory = await mkdtemp(join(tmpdir(), 'streamline-postgres-'))
  const data = join(directory, 'data')
  if (process.getuid?.() === 0) await chown(directory, nobodyId, nobodyId)
  initCluster(bin, directory, data)
  const port = await freePort()
  const settings = {
    listen_addresses: '127.0.0.1',
    port: String(port),
    unix_socket_directories: '',
    wal_level: 'logical',
    max_wal_senders: '10',
    max_replication_slots: '10',
    shared_buffers: '16MB',
    fsync: 'off',
    TimeZone: 'UTC',
  }
  const args = ['-D', data, ...Object.entries(settings).flatMap(([key, value]) => ['-c', `${key}=${value}`])]
  const child: ChildProcess = spawn(join(bin, 'postgres'), args, {
    ...runAs(),
    cwd: directory,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  const keep = (chunk: Buffer): void => {
    output = (output + chunk.toString()).slice(-100_000)
  }
  child.stdout?.on('data', keep)
  child.stderr?.on('data', keep)
  const server: PostgresServer = {
    host: '127.0.0.1',
    port,
    user: 'postgres',
    database: 'postgres',
    directory,
    async connect() {
      const client = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', database: 'postgres' })
      await client.connect()
      return client
    },
    async query<Row extends Record<string, unknown>>(sql: string, values: unknown[] = []) {
      const client = await server.connect()
      try {
        return (await client.query<Row>(sql, values)).rows
      } finally {
        await client.end()
      }
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
        child.kill('SIGINT') // fast shutdown
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000)
        await exited
        clearTimeout(timer)
      }
      await rm(directory, { recursive: true, force: true, maxRetries: 3 })
    },
  }
  const deadline = Date.now() + startTimeoutMs
  for (;;) {
    if (child.exitCode !== null) {
      await rm(directory, { recursive: true, force: true })
      throw new Error(`postgres exited with ${child.exitCode}: ${output}`)
    }
    try {
      await server.query('SELECT 1')
      return server
    } catch (error) {
      if (Date.now() > deadline) {
        await server.stop()
        throw new Error(
          `postgres did not accept connections within ${startTimeoutMs} ms: ${String(error)} ${output}`,
        )
      }
      await new Promise((resolve) => setTimeout(resolve, 200))
    }
  }
}
