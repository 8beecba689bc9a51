// Continuous queries: tumbling-window materialized views kept in topics (definition.ts has the
// syntax). Each view has an output topic of its name (compacted, one partition) holding one record
// per window and group: key = [window_start, group values…] as JSON, value = the row as JSON.
//
// How a view stays right, and why a crash cannot double-count: every interval, the records that
// arrived in the source since the view's checkpoint are looked at only for their timestamps; each
// window they fall in is then computed again *from the log* by DuckDB and written as the latest value
// of its key; then the checkpoint (next source offset per partition) is written to
// __streamline_queries. Writing a window is idempotent (a full recount replaces the previous value),
// so a crash between the two writes only repeats work after the restart: the final view equals a
// brute-force recount of the source (at-least-once writes, exactly-once results). Late records
// recompute their (old) window the same way, as long as retention keeps its records.

import type { Logger } from '../../log.ts'
import type { LogManager } from '../../storage/types.ts'
import { SqlError } from '../errors.ts'
import { insertColumns } from '../insert-into-topic.ts'
import type { QueryRequest, QueryResult } from '../types.ts'
import {
  intervalMsSql,
  intervalsSql,
  parseCreateView,
  recomputeSql,
  type ViewDefinition,
  type WindowSizes,
  windowKindOf,
} from './definition.ts'
import { QueryStore, type StoredView } from './query-store.ts'
import { sessionRowsSql } from './session-sql.ts'
import {
  createStreamPrefix,
  dropPattern,
  pauseResumePattern,
  pauseResumePrefix,
  showQueriesPattern,
  unsupportedStreamingPrefix,
} from './statements.ts'
import {
  parseCreateStream,
  type StreamDefinition,
  streamSelectSql,
  streamStepSql,
} from './stream-definition.ts'
import type { StreamStreamJoin } from './stream-join.ts'
import { advanceStreamJoin } from './stream-stream-join.ts'
import { cacheable, type PrivateSqlRunner, ViewCaches } from './view-cache.ts'
import { advanceView } from './view-step.ts'
import { advanceJoinView, joinViewChecks } from './view-stream-join.ts'

/** Source records one stream step reads per partition (an INSERT writes at most 100,000). */
const streamStepRecordsMax = 50_000

export interface ContinuousQueriesOptions {
  logs: LogManager
  /** Runs one ad-hoc query (the SQL engine; internal queries carry no principal). */
  run: (request: QueryRequest) => Promise<QueryResult>
  intervalMs: number
  log?: Logger
  /** Private DuckDB instances for the views' caches (view-cache.ts); none: views read the log only. */
  privateRunner?: PrivateSqlRunner
}

function single(result: QueryResult): unknown[] {
  return result.rows[0] ?? []
}

export class ContinuousQueries {
  private readonly store: QueryStore
  private readonly windowSizes = new Map<string, WindowSizes>()
  private timer: NodeJS.Timeout | null = null
  private ticking: Promise<void> | null = null
  private closed = false
  private readonly caches: ViewCaches | undefined
  private readonly refreshedAtMs = new Map<string, number>()

  constructor(private readonly options: ContinuousQueriesOptions) {
    this.store = new QueryStore(options.logs)
    this.caches =
      options.privateRunner === undefined ? undefined : new ViewCaches(options.logs, options.privateRunner)
  }

  /** Loads the views of a previous run (if any was ever created) and resumes them. */
  async resume(): Promise<void> {
    if (!this.store.exists()) return
    await this.store.load()
    if (
      [...this.store.views.values()].some(
        ({ definition }) => definition.kind !== 'stream' && cacheable(definition),
      )
    )
      this.caches?.warm()
    if (this.store.views.size > 0) this.schedule()
  }

  async handle(request: QueryRequest): Promise<QueryResult> {
    const { sql } = request
    const startedMs = Date.now()
    const done = (columns: string[], rows: unknown[][]): QueryResult => ({
      columns: columns.map((name) => ({ name, type: 'VARCHAR' })),
      rows,
      rowCount: rows.length,
      truncated: false,
      elapsedMs: Date.now() - startedMs,
      stats: { bytesRead: 0, batchesRead: 0, recordsScanned: 0, topics: [] },
    })
    if (showQueriesPattern.test(sql)) {
      const rows = [...this.store.views.values()].map((view) => [
        view.definition.name,
        view.definition.kind === 'stream' ? 'STREAM' : 'MATERIALIZED VIEW',
        view.definition.topic,
        view.definition.name,
        view.definition.paused === true ? 'PAUSED' : 'RUNNING',
        JSON.stringify(view.offsets),
        view.definition.sql,
        typeof view.watermarkMs === 'number' ? new Date(view.watermarkMs).toISOString() : null,
        view.definition.kind === 'stream' ? null : (view.dropped ?? 0),
        view.definition.streamJoin === undefined ? null : JSON.stringify(view.rightOffsets ?? {}),
      ])
      return done(
        [
          'name',
          'kind',
          'source',
          'output_topic',
          'status',
          'offsets',
          'sql',
          'watermark',
          'dropped_records',
          'right_offsets',
        ],
        rows,
      )
    }
    if (pauseResumePrefix.test(sql)) return this.pauseOrResume(sql, done)
    const drop = dropPattern.exec(sql)
    if (drop !== null) {
      const kind = /^stream$/i.test(drop[1]) ? 'stream' : 'view'
      const what = kind === 'stream' ? 'stream' : 'materialized view'
      const name = drop[3]
      const stored = this.store.views.get(name)
      if (stored === undefined || (stored.definition.kind ?? 'view') !== kind) {
        if (drop[2] !== undefined) return done(['dropped'], [])
        throw new SqlError('UNKNOWN_TOPIC_OR_PARTITION', `${what} ${name} does not exist`)
      }
      await this.idle()
      await this.store.dropView(name)
      return done(['dropped'], [[name]])
    }
    if (unsupportedStreamingPrefix.test(sql)) {
      throw new SqlError(
        'UNSUPPORTED_STATEMENT',
        'CREATE TABLE is not supported: a table is read with a join (not built yet); continuous queries are CREATE MATERIALIZED VIEW and CREATE STREAM',
      )
    }
    if (createStreamPrefix.test(sql)) return this.createStream(request, done)
    return this.create(request, done)
  }

  /** PAUSE / RESUME <name>: the flag is part of the stored definition, so it survives a restart. */
  async pauseOrResume(
    sql: string,
    done: (columns: string[], rows: unknown[][]) => QueryResult,
  ): Promise<QueryResult> {
    const match = pauseResumePattern.exec(sql)
    if (match === null) {
      const at = /^\s*(pause|resume)\s*/i.exec(sql)?.[0].length ?? 0
      throw new SqlError('INVALID_SQL', `at position ${at}: expected PAUSE | RESUME <query name>`)
    }
    const pause = /^pause$/i.test(match[1])
    const stored = this.store.views.get(match[2])
    if (stored === undefined)
      throw new SqlError('UNKNOWN_TOPIC_OR_PARTITION', `query ${match[2]} does not exist`)
    if ((stored.definition.paused === true) !== pause) {
      await this.idle()
      await this.store.saveView({ ...stored.definition, paused: pause })
      if (!pause) this.schedule()
    }
    return done(['name', 'status'], [[match[2], pause ? 'PAUSED' : 'RUNNING']])
  }

  private async create(
    request: QueryRequest,
    done: (columns: string[], rows: unknown[][]) => QueryResult,
  ): Promise<QueryResult> {
    const definition = parseCreateView(request.sql, Date.now())
    const { logs } = this.options
    if (this.store.views.has(definition.name)) {
      throw new SqlError('INVALID_SQL', `materialized view ${definition.name} already exists`)
    }
    if (logs.getTopic(definition.topic) === undefined) {
      throw new SqlError('UNKNOWN_TOPIC_OR_PARTITION', `topic ${definition.topic} does not exist`)
    }
    if (definition.join !== undefined && logs.getTopic(definition.join.table) === undefined) {
      throw new SqlError('UNKNOWN_TOPIC_OR_PARTITION', `topic ${definition.join.table} does not exist`)
    }
    if (definition.streamJoin !== undefined)
      definition.streamJoin = await this.joinIntervals(definition.streamJoin)
    if (logs.getTopic(definition.name) !== undefined) {
      throw new SqlError(
        'INVALID_SQL',
        `topic ${definition.name} exists; a view writes to a new topic of its name`,
      )
    }
    // DuckDB checks the window intervals, then the view's SQL (and the principal's READ on the
    // source) over an empty range.
    this.windowSizes.delete(definition.name)
    const sizes = await this.sizesOf(definition)
    const { streamJoin } = definition
    const checks =
      streamJoin !== undefined
        ? joinViewChecks({ ...definition, streamJoin }, sizes)
        : [
            windowKindOf(definition) === 'session'
              ? sessionRowsSql(definition, sizes.sizeMs, sizes.latenessMs, {}, {})
              : recomputeSql(definition, sizes, 0, 0, {}),
          ]
    for (const sql of checks)
      await this.options.run({ sql, principal: request.principal, host: request.host })
    await logs.createTopic(definition.name, {
      partitionCount: 1,
      configOverrides: { 'cleanup.policy': 'compact' },
    })
    await this.store.saveView(definition)
    if (cacheable(definition)) this.caches?.warm()
    this.schedule()
    return done(['created', 'output_topic'], [[definition.name, definition.name]])
  }

  private async createStream(
    request: QueryRequest,
    done: (columns: string[], rows: unknown[][]) => QueryResult,
  ): Promise<QueryResult> {
    const parsed = parseCreateStream(request.sql, Date.now())
    const { logs } = this.options
    if (this.store.views.has(parsed.name)) {
      throw new SqlError('INVALID_SQL', `a continuous query named ${parsed.name} already exists`)
    }
    const source = logs.getTopic(parsed.topic)
    if (source === undefined) {
      throw new SqlError('UNKNOWN_TOPIC_OR_PARTITION', `topic ${parsed.topic} does not exist`)
    }
    if (parsed.join !== undefined && logs.getTopic(parsed.join.table) === undefined) {
      throw new SqlError('UNKNOWN_TOPIC_OR_PARTITION', `topic ${parsed.join.table} does not exist`)
    }
    if (parsed.streamJoin !== undefined) parsed.streamJoin = await this.joinIntervals(parsed.streamJoin)
    if (logs.getTopic(parsed.name) !== undefined) {
      throw new SqlError(
        'INVALID_SQL',
        `topic ${parsed.name} exists; a stream writes to a new topic of its name`,
      )
    }
    // DuckDB checks the SELECT (and the principal's READ on the source) over an empty range; its
    // columns must be those an INSERT INTO streamline_topic takes.
    const probe = await this.options.run({
      sql: streamSelectSql({ ...parsed, hasTimestamp: true }, 0, 0, 0),
      principal: request.principal,
      host: request.host,
    })
    const names = probe.columns.map((column) => column.name)
    if (!names.includes('value') || names.some((name) => !insertColumns.has(name))) {
      throw new SqlError(
        'INVALID_SQL',
        `a stream's SELECT gives the output records' columns: value (required), key, partition, timestamp, headers; got ${names.join(', ')}`,
      )
    }
    const definition: StreamDefinition = { ...parsed, hasTimestamp: names.includes('timestamp') }
    await logs.createTopic(definition.name, { partitionCount: source.partitionCount })
    await this.store.saveView(definition)
    this.schedule()
    return done(['created', 'output_topic'], [[definition.name, definition.name]])
  }

  /** A stream–stream join with its WITHIN and GRACE PERIOD in ms (asked of DuckDB), its topic checked. */
  private async joinIntervals(join: StreamStreamJoin): Promise<StreamStreamJoin> {
    if (this.options.logs.getTopic(join.topic) === undefined) {
      throw new SqlError('UNKNOWN_TOPIC_OR_PARTITION', `topic ${join.topic} does not exist`)
    }
    const [withinMs, graceMs] = single(
      await this.options.run({
        sql: `SELECT ${intervalMsSql(join.within)}, ${join.grace === null ? '0::BIGINT' : intervalMsSql(join.grace)}`,
      }),
    ).map(Number)
    if (!(Number.isSafeInteger(withinMs) && withinMs >= 0 && Number.isSafeInteger(graceMs) && graceMs >= 0)) {
      throw new SqlError('INVALID_SQL', 'WITHIN and GRACE PERIOD must be intervals of zero or more')
    }
    return { ...join, withinMs, graceMs }
  }

  /** The view's window intervals in ms (asked of DuckDB once per view and run), validated. */
  private async sizesOf(definition: ViewDefinition): Promise<WindowSizes> {
    const known = this.windowSizes.get(definition.name)
    if (known !== undefined) return known
    const [size, advance, lateness] = single(await this.options.run({ sql: intervalsSql(definition) }))
    const sizes: WindowSizes = {
      sizeMs: Number(size),
      advanceMs: Number(advance),
      // EMIT FINAL closes windows at their end (+ lateness) and drops what comes after: lateness 0 by default.
      latenessMs: lateness === null ? (definition.emit === 'final' ? 0 : null) : Number(lateness),
    }
    const kind = windowKindOf(definition)
    const positive = (ms: number) => Number.isSafeInteger(ms) && ms > 0
    if (kind === 'session' && !positive(sizes.sizeMs)) {
      throw new SqlError('INVALID_SQL', 'a SESSION gap must be a positive interval (e.g. 30 SECOND)')
    }
    if (kind !== 'session' && (!positive(sizes.advanceMs) || 86_400_000 % sizes.advanceMs !== 0)) {
      throw new SqlError(
        'INVALID_SQL',
        `a ${kind === 'hop' ? 'HOP advance' : 'TUMBLE window'} must be a positive interval that divides a day (e.g. 10 SECOND, 5 MINUTE, 1 HOUR)`,
      )
    }
    if (kind === 'hop' && (!positive(sizes.sizeMs) || sizes.sizeMs < sizes.advanceMs)) {
      throw new SqlError(
        'INVALID_SQL',
        'a HOP size must be a positive interval at least as long as its advance',
      )
    }
    if (sizes.latenessMs !== null && !(Number.isSafeInteger(sizes.latenessMs) && sizes.latenessMs >= 0)) {
      throw new SqlError('INVALID_SQL', 'ALLOWED LATENESS must be an interval of zero or more')
    }
    this.windowSizes.set(definition.name, sizes)
    return sizes
  }

  private schedule(): void {
    if (this.closed || this.timer !== null) return
    this.timer = setTimeout(() => {
      this.timer = null
      // One tick at a time: a CREATE/RESUME may schedule while a (slow, loaded) tick still runs, and two
      // ticks would run the same step twice (duplicate stream records). The running one reschedules.
      if (this.ticking !== null) return
      this.ticking = this.tick()
        .catch((error: unknown) => this.options.log?.error({ err: error }, 'continuous query step failed'))
        .finally(() => {
          this.ticking = null
          if (this.store.views.size > 0) this.schedule()
        })
    }, this.options.intervalMs)
    this.timer.unref()
  }

  private async idle(): Promise<void> {
    await this.ticking
  }

  private async tick(): Promise<void> {
    for (const view of [...this.store.views.values()]) {
      if (this.closed) return
      if (view.definition.paused === true) continue
      const { definition } = view
      if (definition.kind === 'stream' && definition.streamJoin !== undefined) {
        const context = { logs: this.options.logs, run: this.options.run, store: this.store }
        await advanceStreamJoin(context, view, definition, definition.streamJoin)
      } else if (definition.kind === 'stream') await this.advanceStream(definition, view)
      else if (definition.streamJoin !== undefined) {
        const context = {
          logs: this.options.logs,
          run: this.options.run,
          store: this.store,
          refreshedAtMs: this.refreshedAtMs,
          log: this.options.log,
        }
        const sizes = await this.sizesOf(definition)
        await advanceJoinView(context, view, definition, definition.streamJoin, sizes)
      } else {
        const context = {
          logs: this.options.logs,
          run: this.options.run,
          store: this.store,
          caches: this.caches,
          refreshedAtMs: this.refreshedAtMs,
          log: this.options.log,
        }
        await advanceView(context, view, definition, await this.sizesOf(definition))
      }
    }
    // Dropped views' caches go (a DROP may come while a step runs).
    await this.caches?.retainOnly(new Set(this.store.views.keys()))
  }

  /** Writes a stream's new source records (up to a bound per partition), then its checkpoint. */
  private async advanceStream(definition: StreamDefinition, view: StoredView): Promise<void> {
    const { logs } = this.options
    const source = logs.getTopic(definition.topic)
    if (source === undefined) return
    const offsets = { ...view.offsets }
    let changed = false
    for (let partition = 0; partition < source.partitionCount; partition++) {
      const log = logs.partition(definition.topic, partition)
      if (log === undefined) continue
      const from = Math.max(offsets[partition] ?? 0, log.logStartOffset)
      const end = Math.min(log.lastStableOffset, from + streamStepRecordsMax)
      if (from >= end) continue
      await this.options.run({ sql: streamStepSql(definition, partition, from, end), timeoutMs: 300_000 })
      offsets[partition] = end
      changed = true
    }
    if (changed) await this.store.saveCheckpoint(definition.name, { offsets })
  }

  async close(): Promise<void> {
    this.closed = true
    if (this.timer !== null) clearTimeout(this.timer)
    this.timer = null
    await this.idle()
    await this.caches?.close()
  }
}
