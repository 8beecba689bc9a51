// DuckDB instances for ad-hoc queries: one per running query, so DuckDB's memory_limit is the
// query's own limit, and at most `concurrentQueriesMax` of them (created on first use, then reused).
// Each instance is locked down before any user SQL reaches it: no file, network or extension access
// (enable_external_access=false, no autoload/autoinstall, no spilling to a temp directory),
// TimeZone UTC (record timestamps are UTC), and the configuration locked so SQL cannot undo it.
// A query gets a fresh connection; user SQL is limited to SELECT (engine.ts), so nothing a query
// does outlives it in the instance.

import { resolve, sep } from 'node:path'
import { DuckDBInstance } from '@duckdb/node-api'
import { SqlError } from './errors.ts'
import { streamlineMacros } from './functions.ts'
import type { SqlLimits } from './limits.ts'
import type { FunctionCatalog } from './pushdown.ts'
import { registerTopicFunction, type ScansByConnection } from './topic-function.ts'

export interface PooledInstance {
  instance: DuckDBInstance
  catalog: FunctionCatalog
  /** What streamline_topic reads, per connection (set by the query running on it). */
  scans: ScansByConnection
}

export async function openInstance(limits: SqlLimits): Promise<PooledInstance> {
  const exportDirectory = limits.exportDirectory
  const instance = await DuckDBInstance.create(':memory:', {
    // With an export directory, external access is disabled below, once that directory is allowed
    // (DuckDB refuses allowed_directories after it); before any user SQL either way.
    ...(exportDirectory === undefined ? { enable_external_access: 'false' } : {}),
    autoinstall_known_extensions: 'false',
    autoload_known_extensions: 'false',
    allow_community_extensions: 'false',
    memory_limit: `${Math.floor(limits.queryMemoryBytes / 1024)}KiB`,
    threads: String(limits.threadsPerQuery),
    // No spilling to disk: a query that needs more than its memory fails (QUERY_MEMORY_LIMIT).
    max_temp_directory_size: '0B',
  })
  const connection = await instance.connect()
  try {
    if (exportDirectory !== undefined) {
      const allowed = `${resolve(exportDirectory)}${sep}`.replaceAll("'", "''")
      await connection.run(`SET allowed_directories = ['${allowed}']`)
      await connection.run('SET enable_external_access = false')
    }
    await connection.run(`SET GLOBAL TimeZone = 'UTC'`)
    for (const macro of streamlineMacros) await connection.run(macro)
    const functions = await connection.runAndReadAll(
      `SELECT DISTINCT lower(function_name), function_type, stability FROM duckdb_functions()`,
    )
    const volatile = new Set<string>()
    const scalar = new Set<string>()
    const typesOf = new Map<string, Set<string>>()
    for (const [name, type, stability] of functions.getRows()) {
      if (stability === 'VOLATILE') volatile.add(String(name))
      if (type === 'scalar') scalar.add(String(name))
      const types = typesOf.get(String(name)) ?? new Set<string>()
      typesOf.set(String(name), types.add(String(type)))
    }
    const plain = new Set<string>()
    for (const [name, types] of typesOf)
      if ([...types].every((type) => type === 'scalar' || type === 'aggregate')) plain.add(name)
    const scans: ScansByConnection = new Map()
    registerTopicFunction(connection, scans)
    await connection.run('SET lock_configuration = true')
    return { instance, catalog: { volatile, scalar, plain }, scans }
  } finally {
    connection.closeSync()
  }
}

/** Hands out instances to queries; waiting queries are bounded (TOO_MANY_QUERIES beyond). */
export class DuckDbPool {
  private readonly idle: PooledInstance[] = []
  private created = 0
  private readonly waiters: Array<(instance: PooledInstance | null) => void> = []
  private closed = false

  constructor(private readonly limits: SqlLimits) {}

  async acquire(): Promise<PooledInstance> {
    if (this.closed) throw new SqlError('QUERY_CANCELLED', 'the SQL service is stopping')
    const idle = this.idle.pop()
    if (idle !== undefined) return idle
    if (this.created < this.limits.concurrentQueriesMax) {
      this.created += 1
      try {
        return await openInstance(this.limits)
      } catch (error) {
        this.created -= 1
        throw error
      }
    }
    if (this.waiters.length >= this.limits.queuedQueriesMax) {
      throw new SqlError(
        'TOO_MANY_QUERIES',
        `${this.limits.concurrentQueriesMax} queries are running and ${this.waiters.length} waiting; try again later`,
      )
    }
    const instance = await new Promise<PooledInstance | null>((resolve) => this.waiters.push(resolve))
    if (instance === null) throw new SqlError('QUERY_CANCELLED', 'the SQL service is stopping')
    return instance
  }

  release(pooled: PooledInstance): void {
    const waiter = this.waiters.shift()
    if (waiter !== undefined) waiter(pooled)
    else if (this.closed) pooled.instance.closeSync()
    else this.idle.push(pooled)
  }

  /** Closes idle instances; running ones close when released. Waiting queries are refused. */
  close(): void {
    this.closed = true
    for (const waiter of this.waiters.splice(0)) waiter(null)
    for (const pooled of this.idle.splice(0)) pooled.instance.closeSync()
  }
}
