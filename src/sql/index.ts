// The SQL service as the rest of Streamline sees it. Creating it costs nothing: the engine (DuckDB,
// ~70 MB of native code, ~0.5 s to load) is imported on the first query, so start-up time and the
// idle broker's memory do not change. The HTTP port (POST /api/v1/query) and the embedded API call it.

import type { Logger } from '../log.ts'
import type { RegistryRuntime } from '../registry/runtime.ts'
import type { Authorizer } from '../security/acl/authorizer.ts'
import type { LogManager } from '../storage/types.ts'
import type { ContinuousQueries } from './continuous/continuous-queries.ts'
import { isContinuousStatement, queriesTopicName } from './continuous/statements.ts'
import type { SqlEngine } from './engine.ts'
import { SqlError } from './errors.ts'
import { defaultSqlLimits, type SqlLimits } from './limits.ts'
import type { QueryRequest, QueryResult } from './types.ts'

export type { QueryColumn, QueryRequest, QueryResult, ScanStats } from './types.ts'
export { SqlError }

export interface SqlService {
  query(request: QueryRequest): Promise<QueryResult>
  /** Whether DuckDB has been loaded (a query ran). */
  readonly loaded: boolean
  /** Resumes the continuous queries of a previous run (reads __streamline_queries if it exists). */
  resume(): Promise<void>
  close(): Promise<void>
}

export interface SqlServiceOptions {
  logs: LogManager
  /** The schema registry's store (loaded only when a query decodes wire-format records). */
  registry?: RegistryRuntime
  authorizer?: Authorizer
  limits?: Partial<SqlLimits>
  log?: Logger
}

export function createSqlService(options: SqlServiceOptions): SqlService {
  const limits = { ...defaultSqlLimits, ...options.limits }
  let engine: Promise<SqlEngine> | null = null
  let closed = false
  const load = (): Promise<SqlEngine> => {
    engine ??= import('./engine.ts').then(
      ({ SqlEngine }) =>
        new SqlEngine({
          logs: options.logs,
          registry: options.registry,
          limits,
          authorizer: options.authorizer,
          log: options.log,
        }),
    )
    return engine
  }
  const runAdHoc = async (request: QueryRequest): Promise<QueryResult> => {
    if (closed) throw new SqlError('QUERY_CANCELLED', 'the SQL service is stopped')
    return (await load()).query(request)
  }
  // The continuous-query runtime loads with the first such statement, or at start when a previous
  // run created views (their topic exists): a broker without views never loads it.
  let continuous: Promise<ContinuousQueries> | null = null
  const loadContinuous = (): Promise<ContinuousQueries> => {
    continuous ??= import('./continuous/continuous-queries.ts').then(
      ({ ContinuousQueries }) =>
        new ContinuousQueries({
          logs: options.logs,
          run: runAdHoc,
          intervalMs: limits.continuousIntervalMs,
          log: options.log,
          privateRunner: {
            openPrivateInstance: async () => (await load()).openPrivateInstance(),
            runOn: async (pooled, sql, specs, runOptions) =>
              (await load()).runOn(pooled, sql, specs, runOptions),
          },
        }),
    )
    return continuous
  }
  return {
    async query(request) {
      if (!isContinuousStatement(request.sql)) return runAdHoc(request)
      return (await loadContinuous()).handle(request)
    },
    get loaded() {
      return engine !== null
    },
    async resume() {
      if (options.logs.getTopic(queriesTopicName) === undefined) return
      await (await loadContinuous()).resume()
    },
    async close() {
      const views = continuous === null ? null : await continuous.catch(() => null)
      await views?.close()
      closed = true
      const running = engine === null ? null : await engine.catch(() => null)
      running?.close()
    },
  }
}
