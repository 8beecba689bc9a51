// A TUMBLE/HOP view's recent source records, kept in a DuckDB table so that a step recomputes its
// windows from memory instead of decoding every record of every touched window from the log again.
//
// Without it a step reads each window it touches from the log, so a window of N records is decoded
// (JS, chunk by chunk) once per step while it fills: at 100k records/s and 1 s windows that is
// ~5 × 100k records a second. With it, each source record is decoded once (appended by an
// `INSERT … SELECT … FROM streamline_topic` over the step's new offsets only) and the windows are
// computed by DuckDB over its own table (native scan, both threads, no JS round trip per chunk).
//
// The cache is only an accelerator; results stay full recounts, so correctness rests on one rule:
// a window is computed from the cache only when all its records can be there. The cache holds every
// record (passing the view's WHERE) of the offsets [origin, through) per partition; the records
// before `origin` have event times <= the view's watermark when the cache started (the watermark is
// the largest event time of the previous steps), so a window starting after that (`floorMs`) has all
// its records in the cache. Eviction drops records of old windows and raises `floorMs` to match.
// Windows below the floor (late records) are computed from the log, as without a cache. The cache
// is in memory: after a restart, a repeated step, an error, or when it grows past `cacheRowsMax`, it
// starts again empty with the floor at the current watermark.
//
// Views that join a table, SESSION views and views reading key_decoded/value_decoded use no cache.

import type { LogManager } from '../../storage/types.ts'
import type { PooledInstance } from '../duckdb-pool.ts'
import type { ScanSpec } from '../pushdown.ts'
import { forEachTopicChunk, topicColumnTypeSql } from '../topic-function.ts'
import { scanTopic } from '../topic-scan.ts'
import type { QueryResult } from '../types.ts'
import {
  eventTimeSql,
  recomputeSql,
  type ViewDefinition,
  type WindowSizes,
  windowKindOf,
  windowStartOf,
} from './definition.ts'

/** What the cache needs of the SQL engine (engine.ts). */
export interface PrivateSqlRunner {
  openPrivateInstance(): Promise<PooledInstance>
  runOn(
    pooled: PooledInstance,
    sql: string,
    specs: ScanSpec[],
    options: { maxRows: number; timeoutMs: number },
  ): Promise<Omit<QueryResult, 'elapsedMs' | 'stats'>>
}

/** Records one view's cache may hold (more: it starts again empty). ~100 B each for small JSON values. */
const cacheRowsMax = 1_000_000
/** Windows of event times this far behind the watermark (beyond size and lateness) stay cached. */
const keepBehindWatermarkMs = 5_000
const stepTimeoutMs = 300_000
/** Bytes of new source records one step may hold while appending them. */
const scanBytesMax = 1024 ** 3

/** The columns of streamline_topic a cache may copy (the decoded ones are never cached). */
const cacheableColumns = [
  'topic',
  'partition',
  'offset',
  'timestamp',
  'timestamp_type',
  'key',
  'value',
  'headers',
  'key_bytes',
  'value_bytes',
  'key_schema_id',
  'value_schema_id',
]

interface CacheState {
  table: string
  /** Next source offset per partition held (records before it, from the cache's start, are in). */
  through: Record<number, number>
  /** Windows starting at or after this event time have all their records in the cache. */
  floorMs: number
  rows: number
  /** Whether the table exists yet (it is created by the first ingest). */
  created: boolean
}

/** Whether a view can use a cache: TUMBLE/HOP without a join, not reading decoded columns. */
export function cacheable(view: ViewDefinition): boolean {
  return (
    windowKindOf(view) !== 'session' &&
    view.join === undefined &&
    view.streamJoin === undefined &&
    !/decoded/i.test(view.sql)
  )
}

/** The record columns the view's SQL can name (a word match: a superset), all with a bare `*`. */
function cachedColumnsOf(view: ViewDefinition): string[] {
  const text = [view.selectList, view.where ?? '', view.timeExpression ?? '', ...view.groupBy].join(' ')
  const star = /\*/.test(text.replace(/count\s*\(\s*\*\s*\)/gi, ''))
  // timestamp always (cheap; the usual event time); partition and offset only when named: the cache's
  // recompute bounds nothing by offset, and each stored column costs DuckDB's append per record.
  return cacheableColumns.filter(
    (column) => star || column === 'timestamp' || new RegExp(`\\b${column}\\b`, 'i').test(text),
  )
}

export class ViewCaches {
  private instance: Promise<PooledInstance> | null = null
  private readonly states = new Map<string, CacheState>()
  private tables = 0

  constructor(
    private readonly logs: LogManager,
    private readonly runner: PrivateSqlRunner,
  ) {}

  /** Opens the cache's DuckDB instance ahead of the first step (a view was created or resumed). */
  warm(): void {
    this.pooled().catch(() => {
      this.instance = null
    })
  }

  private pooled(): Promise<PooledInstance> {
    this.instance ??= this.runner.openPrivateInstance()
    return this.instance
  }

  private async run(sql: string, specs: ScanSpec[] = [], maxRows = 0) {
    return this.runner.runOn(await this.pooled(), sql, specs, { maxRows, timeoutMs: stepTimeoutMs })
  }

  /**
   * Appends the records [start, end) of each partition to the view's cache. False when the cache
   * cannot serve this step (it then starts again empty at the next step's watermark).
   */
  async ingest(
    view: ViewDefinition,
    watermarkMs: number | null,
    start: Record<number, number>,
    end: Record<number, number>,
    /** Filled with the smallest and largest record timestamp of each partition's appended records. */
    timestampRanges: Map<number, [number, number]> = new Map(),
  ): Promise<boolean> {
    let state = this.states.get(view.name)
    const continues =
      state !== undefined &&
      Object.entries(end).every(
        ([partition]) => state?.through[Number(partition)] === start[Number(partition)],
      )
    if (state === undefined || !continues || state.rows > cacheRowsMax) {
      await this.forget(view.name)
      // Without a watermark, only a view at the source's start knows nothing came before.
      if (watermarkMs === null && Object.values(start).some((offset) => offset > 0)) return false
      state = {
        table: `__streamline_view_cache_${++this.tables}`,
        through: { ...start },
        floorMs: watermarkMs === null ? Number.NEGATIVE_INFINITY : watermarkMs + 1,
        rows: 0,
        created: false,
      }
      this.states.set(view.name, state)
    }
    try {
      await this.append(view, state, start, end, timestampRanges)
      return state.created
    } catch (error) {
      await this.forget(view.name)
      throw error
    }
  }

  /**
   * The records [start, end) of each partition decoded into chunks and appended to the table on the
   * JS thread (DuckDB's appender): no round trip to DuckDB's threads per chunk, which under load
   * waits behind everything else the event loop runs.
   */
  private async append(
    view: ViewDefinition,
    state: CacheState,
    start: Record<number, number>,
    end: Record<number, number>,
    timestampRanges: Map<number, [number, number]>,
  ): Promise<void> {
    const names = cachedColumnsOf(view)
    const pooled = await this.pooled()
    const connection = await pooled.instance.connect()
    try {
      if (!state.created) {
        const columns = names.map((name) => `"${name}" ${topicColumnTypeSql(name)}`).join(', ')
        await connection.run(`CREATE TABLE ${state.table} (${columns})`)
        state.created = true
      }
      const appender = await connection.createAppender(state.table)
      try {
        for (const [key, to] of Object.entries(end)) {
          const partition = Number(key)
          const from = start[partition] ?? 0
          if (from >= to) continue
          const spec: ScanSpec = {
            topic: view.topic,
            partitions: [partition],
            offsetFrom: from,
            offsetTo: to - 1,
            timestampFromMs: null,
            timestampToMs: null,
            recordsMax: null,
          }
          const scanned = await scanTopic(
            this.logs,
            spec,
            { bytesRemaining: scanBytesMax, signal: new AbortController().signal },
            { bytesRead: 0, batchesRead: 0, partitions: [] },
          )
          let low = Number.POSITIVE_INFINITY
          let high = Number.NEGATIVE_INFINITY
          state.rows += forEachTopicChunk(
            scanned,
            names,
            (chunk) => appender.appendDataChunk(chunk),
            ({ timestamps }) => {
              for (const timestamp of timestamps) {
                if (timestamp < low) low = timestamp
                if (timestamp > high) high = timestamp
              }
            },
          )
          timestampRanges.set(partition, [low, high])
        }
        appender.flushSync()
      } finally {
        appender.closeSync()
      }
      for (const [partition, to] of Object.entries(end)) state.through[Number(partition)] = to
    } finally {
      connection.closeSync()
    }
  }

  /** The first window start the cache can compute (all windows from it on); +Infinity without a cache. */
  floorWindowStart(view: ViewDefinition, sizes: WindowSizes): number {
    const state = this.states.get(view.name)
    if (state === undefined || !state.created) return Number.POSITIVE_INFINITY
    // Before the first eviction there is no bound below (a cache started at the source's beginning).
    if (!Number.isFinite(state.floorMs)) return Number.NEGATIVE_INFINITY
    const start = windowStartOf(state.floorMs, sizes.advanceMs)
    return start === state.floorMs ? start : start + sizes.advanceMs
  }

  /** The windows starting in [fromMs, toMs) computed over the cache (call after ingest). */
  async recompute(
    view: ViewDefinition,
    sizes: WindowSizes,
    fromMs: number,
    toMs: number,
    rowsMax: number,
  ): Promise<QueryResult> {
    const state = this.states.get(view.name)
    if (state === undefined) throw new Error(`view ${view.name} has no cache`)
    const source = `${state.table} AS streamline_topic`
    const result = await this.run(recomputeSql(view, sizes, fromMs, toMs, null, source), [], rowsMax)
    return {
      ...result,
      elapsedMs: 0,
      stats: { bytesRead: 0, batchesRead: 0, recordsScanned: 0, topics: [] },
    }
  }

  /** Drops the records of windows that ended long before the watermark; raises the floor to match. */
  async evict(view: ViewDefinition, sizes: WindowSizes, watermarkMs: number | null): Promise<void> {
    const state = this.states.get(view.name)
    if (state === undefined || !state.created || watermarkMs === null) return
    const belowMs = windowStartOf(
      watermarkMs - sizes.sizeMs - (sizes.latenessMs ?? 0) - keepBehindWatermarkMs,
      sizes.advanceMs,
    )
    // One DELETE per keepBehindWatermarkMs of event time, not per step.
    if (belowMs < state.floorMs + keepBehindWatermarkMs) return
    // The records of windows starting before belowMs may go: in HOP, a record belongs to windows up to
    // size back, so only records older than belowMs are in no window starting at or after it.
    const time = `epoch_ms(${eventTimeSql(view)})`
    const result = await this.run(
      `DELETE FROM ${state.table} WHERE ${time} < ${belowMs} OR ${time} IS NULL`,
      [],
      1,
    )
    state.rows -= Number(result.rows[0]?.[0] ?? 0)
    state.floorMs = belowMs
  }

  async forget(name: string): Promise<void> {
    const state = this.states.get(name)
    if (state === undefined) return
    this.states.delete(name)
    if (state.created) await this.run(`DROP TABLE IF EXISTS ${state.table}`).catch(() => undefined)
  }

  async retainOnly(names: ReadonlySet<string>): Promise<void> {
    for (const name of [...this.states.keys()]) if (!names.has(name)) await this.forget(name)
  }

  async close(): Promise<void> {
    this.states.clear()
    const instance = this.instance
    this.instance = null
    const pooled = instance === null ? null : await instance.catch(() => null)
    pooled?.instance.closeSync()
  }
}
