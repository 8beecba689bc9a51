// The ad-hoc query engine (loaded on the first query, index.ts). One query:
//   1. a DuckDB instance from the pool (queued, bounded) and a fresh connection;
//   2. the statement parsed by DuckDB (statement.ts): one SELECT, or INSERT INTO streamline_topic(…);
//   3. its topic references found and authorized (READ; WRITE for the INSERT target);
//   4. in one transaction (so now() is one instant): the pushdown bounds evaluated (pushdown.ts), each
//      topic scanned from the log (topic-scan.ts), streamline_topic registered over the scans, and the
//      query run, streaming up to maxRows + 1 rows (a SELECT's `value->>'<path>'` extractions sharing
//      one JSON parse per row where that changes nothing: shared-json-parse.ts);
//   5. the time limit interrupts the scan or DuckDB (QUERY_TIMEOUT), as does the caller's signal.

import { performance } from 'node:perf_hooks'
import type { DuckDBConnection, DuckDBResult, DuckDBResultReader, Json } from '@duckdb/node-api'
import type { Logger } from '../log.ts'
import type { RegistryRuntime } from '../registry/runtime.ts'
import type { Authorizer } from '../security/acl/authorizer.ts'
import { AclOperation, ResourceType } from '../security/acl/model.ts'
import type { LogManager } from '../storage/types.ts'
import { copyPathOf, copySql } from './copy-to.ts'
import { DuckDbPool, openInstance, type PooledInstance } from './duckdb-pool.ts'
import { SqlError, sqlErrorOfDuckDb } from './errors.ts'
import { expressionEvaluator } from './evaluate.ts'
import { writeRowsToTopic } from './insert-into-topic.ts'
import type { SqlLimits } from './limits.ts'
import { planScans, type ScanSpec } from './pushdown.ts'
import { columnsOf, jsonValueConverter, rowsOf, typeName } from './result-json.ts'
import { planSharedParse, type SharedParsePlan } from './shared-parse-plan.ts'
import { type JsonNode, parseReferences, walk } from './sql-ast.ts'
import { parseStatement } from './statement.ts'
import { decodedColumnNames, decodedColumnsNotPrepared } from './topic-function.ts'
import { type ScanCounters, type ScannedTopic, scanTopic } from './topic-scan.ts'
import type { QueryColumn, QueryRequest, QueryResult, RowSink, ScanStats } from './types.ts'

export interface SqlEngineOptions {
  logs: LogManager
  /** The schema registry's store (in-process), for key_decoded/value_decoded of wire-format records. */
  registry?: RegistryRuntime
  limits: SqlLimits
  authorizer?: Authorizer
  log?: Logger
}

/** Why a query's signal aborted: its time limit, or the caller. */
type StopReason = 'timeout' | 'cancelled'

export class SqlEngine {
  private readonly pool: DuckDbPool

  constructor(private readonly options: SqlEngineOptions) {
    this.pool = new DuckDbPool(options.limits)
  }

  async query(request: QueryRequest): Promise<QueryResult> {
    const { limits } = this.options
    const startedMs = performance.now()
    const maxRows = request.maxRows ?? limits.maxRowsDefault
    const timeoutMs = request.timeoutMs ?? limits.timeoutMsDefault
    if (!Number.isSafeInteger(maxRows) || maxRows < 0 || maxRows > limits.maxRowsMax) {
      throw new SqlError('INVALID_SQL', `maxRows must be an integer from 0 to ${limits.maxRowsMax}`)
    }
    if (!Number.isSafeInteger(timeoutMs) || timeoutMs < 1 || timeoutMs > limits.timeoutMsMax) {
      throw new SqlError('INVALID_SQL', `timeoutMs must be an integer from 1 to ${limits.timeoutMsMax}`)
    }
    const stop = new AbortController()
    let stopReason: StopReason | null = null
    let connection: DuckDBConnection | null = null
    const abort = (reason: StopReason): void => {
      if (stopReason !== null) return
      stopReason = reason
      const message =
        reason === 'timeout'
          ? `the query exceeded its time limit of ${timeoutMs} ms and was cancelled`
          : 'the query was cancelled'
      stop.abort(new SqlError(reason === 'timeout' ? 'QUERY_TIMEOUT' : 'QUERY_CANCELLED', message))
      connection?.interrupt()
    }
    const timer = setTimeout(() => abort('timeout'), timeoutMs)
    const onCallerAbort = (): void => abort('cancelled')
    request.signal?.addEventListener('abort', onCallerAbort, { once: true })
    if (request.signal?.aborted === true) abort('cancelled')
    const pooled = await this.pool.acquire().catch((error: unknown) => {
      clearTimeout(timer)
      throw error
    })
    try {
      connection = await pooled.instance.connect()
      if (stop.signal.aborted) throw stop.signal.reason
      const options = { maxRows, signal: stop.signal, prepareDecoded: false }
      const result = await this.run(connection, pooled, request, options).catch(async (error: unknown) => {
        // `SELECT *` (or a whole-row reference) read the decoded columns without naming them: they
        // are prepared and the query runs again (nothing was written: the init failed first).
        if (stop.signal.aborted || !String((error as Error).message).includes(decodedColumnsNotPrepared))
          throw error
        await connection?.run('ROLLBACK')
        if (connection === null) throw error
        return this.run(connection, pooled, request, { ...options, prepareDecoded: true })
      })
      return { ...result, elapsedMs: Math.round(performance.now() - startedMs) }
    } catch (error) {
      if (stop.signal.aborted) throw stop.signal.reason
      throw sqlErrorOfDuckDb(error)
    } finally {
      clearTimeout(timer)
      request.signal?.removeEventListener('abort', onCallerAbort)
      if (connection !== null) {
        pooled.scans.delete(connection.clientContext.connectionId)
        connection.closeSync()
      }
      this.pool.release(pooled)
    }
  }

  private async run(
    connection: DuckDBConnection,
    pooled: PooledInstance,
    request: QueryRequest,
    options: { maxRows: number; signal: AbortSignal; prepareDecoded: boolean },
  ): Promise<Omit<QueryResult, 'elapsedMs'>> {
    const statement = await parseStatement(connection, request.sql)
    const copyPath =
      statement.copyTo === null
        ? null
        : await copyPathOf(this.options.limits.exportDirectory, statement.copyTo)
    const query = parseReferences(statement.root)
    const topics = [...new Set(query.references.map((reference) => reference.topic))]
    for (const topic of topics) this.authorize(request, AclOperation.READ, topic)
    if (statement.insertInto !== null) this.authorize(request, AclOperation.WRITE, statement.insertInto)
    await connection.run('BEGIN TRANSACTION')
    const specs = await planScans(query, pooled.catalog, expressionEvaluator(connection))
    const counters: ScanCounters = { bytesRead: 0, batchesRead: 0, partitions: [] }
    const budget = { bytesRemaining: this.options.limits.scanBytesMax, signal: options.signal }
    const scanned = new Map<string, ScannedTopic>()
    for (const spec of specs.values())
      scanned.set(spec.topic, await scanTopic(this.options.logs, spec, budget, counters))
    // A GROUP BY's result does not depend on the order rows arrive in: the scan feeds DuckDB's threads,
    // which run the projection (JSON extraction) and the aggregation side by side.
    // (An INSERT's or COPY's grouped rows have no order either: a view step writes one record per key.)
    const parallel = isOrderFreeGroupBy(statement.root)
    for (const topic of scanned.values()) topic.parallel = parallel
    if (options.prepareDecoded || namesDecodedColumns(statement.root)) {
      const { analyzeTopic } = await import('./decode/decoded-columns.ts')
      for (const topic of scanned.values()) topic.decoded = await analyzeTopic(topic, this.options.registry)
    }
    pooled.scans.set(connection.clientContext.connectionId, scanned)
    const stats = statsOf(counters, scanned)
    if (statement.insertInto !== null) {
      const rowsMax = this.options.limits.insertRecordsMax
      const reader = await connection.streamAndReadUntil(statement.select, rowsMax + 1)
      if (reader.currentRowCount > rowsMax) {
        throw new SqlError(
          'QUERY_SCAN_LIMIT',
          `INSERT INTO streamline_topic writes at most ${rowsMax} records per query`,
        )
      }
      const written = await writeRowsToTopic(this.options.logs, statement.insertInto, reader)
      return { columns: [], rows: [], rowCount: 0, truncated: false, stats, written }
    }
    if (statement.copyTo !== null && copyPath !== null) {
      const copied = await connection.runAndReadAll(
        copySql(statement.select, copyPath, statement.copyTo.format),
      )
      const rows = [[statement.copyTo.file, Number(copied.getRows()[0]?.[0] ?? 0)]]
      const columns = [
        { name: 'file', type: 'VARCHAR' },
        { name: 'rows', type: 'BIGINT' },
      ]
      return { columns, rows, rowCount: 1, truncated: false, stats }
    }
    const plan = await planSharedParse(pooled.instance, connection, statement, pooled.catalog.plain)
    try {
      return { ...(await this.select(connection, statement.select, plan, request.sink, options)), stats }
    } finally {
      plan?.prepared.destroySync()
    }
  }

  /**
   * A SELECT's rows: by the rewritten query when there is one (shared-parse-plan.ts), named as the
   * original's. Any error of the rewritten query runs the original after it (in a new transaction:
   * the error aborted the first), whose rows or error are the answer: DuckDB's errors quote the SQL.
   */
  private async select(
    connection: DuckDBConnection,
    sql: string,
    plan: SharedParsePlan | null,
    sink: RowSink | undefined,
    options: { maxRows: number; signal: AbortSignal },
  ): Promise<Omit<QueryResult, 'elapsedMs' | 'stats'>> {
    const progress: StreamProgress = { columnsSent: false, delivered: 0 }
    if (plan !== null) {
      this.options.log?.debug({ sql: plan.sql }, 'sql: JSON extractions share one parse per row')
      try {
        if (sink !== undefined)
          return await streamRows(await plan.prepared.stream(), sink, options.maxRows, plan.names, progress)
        const reader = await plan.prepared.streamAndReadUntil(options.maxRows + 1)
        const columns = columnsOf(reader).map((column, index) => ({ ...column, name: plan.names[index] }))
        return readerResult(reader, columns, options.maxRows)
      } catch (error) {
        const internal = String((error as Error).message).includes(decodedColumnsNotPrepared)
        if (options.signal.aborted || internal || sinkErrors.has(error as object)) throw error
        this.options.log?.debug(
          { err: error },
          'sql: the shared-parse query failed; the original runs for its answer',
        )
        await connection.run('ROLLBACK')
        await connection.run('BEGIN TRANSACTION')
      }
    }
    if (sink !== undefined)
      return streamRows(await connection.stream(sql), sink, options.maxRows, null, progress)
    const reader = await connection.streamAndReadUntil(sql, options.maxRows + 1)
    return readerResult(reader, columnsOf(reader), options.maxRows)
  }

  private authorize(request: QueryRequest, operation: number, topic: string): void {
    const { authorizer } = this.options
    if (authorizer === undefined || request.principal === undefined) return
    if (
      authorizer.authorize(
        request.principal,
        request.host ?? '127.0.0.1',
        operation,
        ResourceType.TOPIC,
        topic,
      )
    ) {
      return
    }
    const verb = operation === AclOperation.WRITE ? 'write to' : 'read'
    throw new SqlError('TOPIC_AUTHORIZATION_FAILED', `${request.principal} may not ${verb} topic ${topic}`)
  }

  /**
   * A locked-down DuckDB instance of its own (as the pool's), for internal state that outlives one
   * query (the continuous views' caches, continuous/view-cache.ts). The caller closes it.
   */
  openPrivateInstance(): Promise<PooledInstance> {
    return openInstance(this.options.limits)
  }

  /**
   * Runs internal SQL (never a user's statement as given) on a private instance, in one committed
   * transaction, with `streamline_topic` over exactly the given scans (no pushdown planning).
   */
  async runOn(
    pooled: PooledInstance,
    sql: string,
    specs: ScanSpec[],
    options: { maxRows: number; timeoutMs: number },
  ): Promise<Omit<QueryResult, 'elapsedMs' | 'stats'>> {
    const connection = await pooled.instance.connect()
    const timer = setTimeout(() => connection.interrupt(), options.timeoutMs)
    try {
      await connection.run('BEGIN TRANSACTION')
      const counters: ScanCounters = { bytesRead: 0, batchesRead: 0, partitions: [] }
      const budget = {
        bytesRemaining: this.options.limits.scanBytesMax,
        signal: new AbortController().signal,
      }
      const scanned = new Map<string, ScannedTopic>()
      for (const spec of specs) {
        const topic = await scanTopic(this.options.logs, spec, budget, counters)
        topic.parallel = true
        scanned.set(spec.topic, topic)
      }
      pooled.scans.set(connection.clientContext.connectionId, scanned)
      const reader = await connection.streamAndReadUntil(sql, options.maxRows + 1)
      const rows = rowsOf(reader, options.maxRows)
      await connection.run('COMMIT')
      const truncated = reader.currentRowCount > options.maxRows
      return { columns: columnsOf(reader), rows, rowCount: rows.length, truncated }
    } catch (error) {
      throw sqlErrorOfDuckDb(error)
    } finally {
      clearTimeout(timer)
      pooled.scans.delete(connection.clientContext.connectionId)
      connection.closeSync()
    }
  }

  close(): void {
    this.pool.close()
  }
}

function readerResult(
  reader: DuckDBResultReader,
  columns: QueryColumn[],
  maxRows: number,
): Omit<QueryResult, 'elapsedMs' | 'stats'> {
  const rows = rowsOf(reader, maxRows)
  return { columns, rows, rowCount: rows.length, truncated: reader.currentRowCount > maxRows }
}

/** Errors of a sink (the client's side), which running the query again cannot change. */
const sinkErrors = new WeakSet<object>()

async function handOver(sink: RowSink, rows: Json[][], always: boolean): Promise<void> {
  if (rows.length === 0 && !always) return
  try {
    await sink.rows(rows)
  } catch (error) {
    if (typeof error === 'object' && error !== null) sinkErrors.add(error)
    throw error
  }
}

/** What a streamed answer has handed to its sink (so a second run of the query does not repeat it). */
interface StreamProgress {
  columnsSent: boolean
  delivered: number
}

/**
 * A SELECT's rows handed to the sink one DuckDB chunk at a time (bounded memory), up to maxRows,
 * named `names` (else as DuckDB names them); the columns and rows `progress` says were handed over
 * already are not handed over again.
 */
async function streamRows(
  result: DuckDBResult,
  sink: RowSink,
  maxRows: number,
  names: readonly string[] | null,
  progress: StreamProgress,
): Promise<Omit<QueryResult, 'elapsedMs' | 'stats'>> {
  const types = result.columnTypes()
  const columns = (names ?? result.columnNames()).map((name, index) => ({
    name,
    type: typeName(types[index]),
  }))
  if (!progress.columnsSent) sink.columns(columns)
  progress.columnsSent = true
  let rowCount = 0
  for (;;) {
    const chunk = await result.fetchChunk()
    if (chunk === null || chunk.rowCount === 0) return { columns, rows: [], rowCount, truncated: false }
    const rows = chunk.convertRows(jsonValueConverter)
    const room = maxRows - rowCount
    const kept = rows.length > room ? rows.slice(0, room) : rows
    const handedOver = Math.max(0, progress.delivered - rowCount)
    await handOver(sink, handedOver === 0 ? kept : kept.slice(handedOver), handedOver === 0)
    rowCount += Math.min(room, rows.length)
    progress.delivered = Math.max(progress.delivered, rowCount)
    if (rows.length > room) return { columns, rows: [], rowCount, truncated: true }
  }
}

/** Aggregates whose result depends on the order of their input rows (without an ORDER BY of their own). */
const orderSensitiveFunctions: ReadonlySet<string> = new Set([
  'first',
  'last',
  'any_value',
  'arbitrary',
  'list',
  'array_agg',
  'string_agg',
  'group_concat',
  'listagg',
  'arg_min',
  'arg_max',
  'argmin',
  'argmax',
  'min_by',
  'max_by',
])

/** A top-level GROUP BY whose aggregates do not depend on row order (the scan may then run on several threads). */
function isOrderFreeGroupBy(root: JsonNode): boolean {
  const grouped =
    root.type === 'SELECT_NODE' &&
    ((Array.isArray(root.group_expressions) && root.group_expressions.length > 0) ||
      root.aggregate_handling === 'FORCE_AGGREGATES')
  if (!grouped) return false
  let orderFree = true
  walk(root, (node) => {
    if (node.class !== 'FUNCTION' && node.class !== 'WINDOW') return
    const name = String(node.function_name).toLowerCase()
    if (node.class === 'WINDOW' || orderSensitiveFunctions.has(name)) orderFree = false
  })
  return orderFree
}

/** Whether the statement names key_decoded or value_decoded (then they are prepared before it runs). */
function namesDecodedColumns(root: unknown): boolean {
  let found = false
  walk(root, (node) => {
    if (node.class !== 'COLUMN_REF' || !Array.isArray(node.column_names)) return
    for (const name of node.column_names)
      if (decodedColumnNames.includes(String(name).toLowerCase())) found = true
  })
  return found
}

function statsOf(counters: ScanCounters, scanned: ReadonlyMap<string, ScannedTopic>): ScanStats {
  let recordsScanned = 0
  for (const topic of scanned.values()) {
    for (const batch of topic.batches) recordsScanned += batch.header.recordCount
  }
  const topics = [...scanned.keys()].map((topic) => ({
    topic,
    partitions: counters.partitions
      .filter((partition) => partition.topic === topic)
      .map(({ partition, fromOffset, toOffset }) => ({ partition, fromOffset, toOffset })),
  }))
  return { bytesRead: counters.bytesRead, batchesRead: counters.batchesRead, recordsScanned, topics }
}
