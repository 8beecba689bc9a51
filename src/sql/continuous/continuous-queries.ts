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

import { appendRecords } from '../../http/messages.ts'
import type { Logger } from '../../log.ts'
import type { LogManager } from '../../storage/types.ts'
import { SqlError } from '../errors.ts'
import { insertColumns } from '../insert-into-topic.ts'
import { decodeBatchRows } from '../record-columns.ts'
import { scanTopic } from '../topic-scan.ts'
import type { QueryRequest, QueryResult } from '../types.ts'
import {
  parseCreateView,
  recomputeSql,
  type ViewDefinition,
  windowSizeSql,
  windowStartOf,
} from './definition.ts'
import { QueryStore, type StoredView } from './query-store.ts'
import {
  createStreamPrefix,
  dropPattern,
  showQueriesPattern,
  unsupportedStreamingPrefix,
} from './statements.ts'
import {
  parseCreateStream,
  type StreamDefinition,
  streamSelectSql,
  streamStepSql,
} from './stream-definition.ts'

/** Rows one window recompute may produce (windows × groups touched by one interval's records). */
const recomputeRowsMax = 100_000
const recordsPerBatch = 500
/** Bytes of new source records one view step may hold while it reads their timestamps. */
const timestampScanBytesMax = 1024 ** 3
/** Source records one stream step reads per partition (an INSERT writes at most 100,000). */
const streamStepRecordsMax = 50_000

export interface ContinuousQueriesOptions {
  logs: LogManager
  /** Runs one ad-hoc query (the SQL engine; internal queries carry no principal). */
  run: (request: QueryRequest) => Promise<QueryResult>
  intervalMs: number
  log?: Logger
}

function single(result: QueryResult): unknown[] {
  return result.rows[0] ?? []
}

export class ContinuousQueries {
  private readonly store: QueryStore
  private readonly windowSizes = new Map<string, number>()
  private timer: NodeJS.Timeout | null = null
  private ticking: Promise<void> | null = null
  private closed = false

  constructor(private readonly options: ContinuousQueriesOptions) {
    this.store = new QueryStore(options.logs)
  }

  /** Loads the views of a previous run (if any was ever created) and resumes them. */
  async resume(): Promise<void> {
    if (!this.store.exists()) return
    await this.store.load()
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
        'RUNNING',
        JSON.stringify(view.offsets),
        view.definition.sql,
      ])
      return done(['name', 'kind', 'source', 'output_topic', 'status', 'offsets', 'sql'], rows)
    }
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
        'only CREATE MATERIALIZED VIEW with a TUMBLE window and CREATE STREAM are supported so far (no tables, pause/resume)',
      )
    }
    if (createStreamPrefix.test(sql)) return this.createStream(request, done)
    return this.create(request, done)
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
    if (logs.getTopic(definition.name) !== undefined) {
      throw new SqlError(
        'INVALID_SQL',
        `topic ${definition.name} exists; a view writes to a new topic of its name`,
      )
    }
    // DuckDB checks the view's SQL (and the principal's READ on the source) over an empty range.
    await this.options.run({
      sql: recomputeSql(definition, 0, 0),
      principal: request.principal,
      host: request.host,
    })
    await this.windowSizeOf(definition)
    await logs.createTopic(definition.name, {
      partitionCount: 1,
      configOverrides: { 'cleanup.policy': 'compact' },
    })
    await this.store.saveView(definition)
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

  private async windowSizeOf(definition: ViewDefinition): Promise<number> {
    const known = this.windowSizes.get(definition.name)
    if (known !== undefined) return known
    const sizeMs = Number(single(await this.options.run({ sql: windowSizeSql(definition) }))[0])
    if (!Number.isSafeInteger(sizeMs) || sizeMs <= 0 || 86_400_000 % sizeMs !== 0) {
      throw new SqlError(
        'INVALID_SQL',
        'a TUMBLE window must be a positive interval that divides a day (e.g. 10 SECOND, 5 MINUTE, 1 HOUR)',
      )
    }
    this.windowSizes.set(definition.name, sizeMs)
    return sizeMs
  }

  private schedule(): void {
    if (this.closed || this.timer !== null) return
    this.timer = setTimeout(() => {
      this.timer = null
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
      await this.advance(view)
    }
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
    if (changed) await this.store.saveCheckpoint(definition.name, offsets)
  }

  /** Brings one view up to the source's current end (see the header). */
  private async advance(view: StoredView): Promise<void> {
    const { logs } = this.options
    const { definition } = view
    if (definition.kind === 'stream') return this.advanceStream(definition, view)
    const source = logs.getTopic(definition.topic)
    if (source === undefined) return
    const offsets = { ...view.offsets }
    let changed = false
    let minMs = Number.POSITIVE_INFINITY
    let maxMs = Number.NEGATIVE_INFINITY
    for (let partition = 0; partition < source.partitionCount; partition++) {
      const log = logs.partition(definition.topic, partition)
      if (log === undefined) continue
      const from = Math.max(offsets[partition] ?? 0, log.logStartOffset)
      const end = log.lastStableOffset
      if (from >= end) continue
      const [low, high] = await this.timestampRange(definition.topic, partition, from, end)
      minMs = Math.min(minMs, low)
      maxMs = Math.max(maxMs, high)
      offsets[partition] = end
      changed = true
    }
    if (!changed) return
    if (Number.isFinite(minMs)) await this.recompute(definition, minMs, maxMs)
    await this.store.saveCheckpoint(definition.name, offsets)
  }

  /**
   * The smallest and largest timestamps of the records [from, end) of one partition (read_committed),
   * read in JS from the batches (no DuckDB query, no JS value per record): ±Infinity when none.
   */
  private async timestampRange(
    topic: string,
    partition: number,
    from: number,
    end: number,
  ): Promise<[number, number]> {
    const spec = {
      topic,
      partitions: [partition],
      offsetFrom: from,
      offsetTo: end - 1,
      timestampFromMs: null,
      timestampToMs: null,
      recordsMax: null,
    }
    const scanned = await scanTopic(
      this.options.logs,
      spec,
      { bytesRemaining: timestampScanBytesMax, signal: new AbortController().signal },
      { bytesRead: 0, batchesRead: 0, partitions: [] },
    )
    let low = Number.POSITIVE_INFINITY
    let high = Number.NEGATIVE_INFINITY
    for (const batch of scanned.batches) {
      for (const timestamp of decodeBatchRows(batch, spec).timestamps) {
        if (timestamp < low) low = timestamp
        if (timestamp > high) high = timestamp
      }
    }
    return [low, high]
  }

  private async recompute(definition: ViewDefinition, minMs: number, maxMs: number): Promise<void> {
    const { logs } = this.options
    const sizeMs = await this.windowSizeOf(definition)
    const fromMs = windowStartOf(minMs, sizeMs)
    const toMs = windowStartOf(maxMs, sizeMs) + sizeMs
    const result = await this.options.run({
      sql: recomputeSql(definition, fromMs, toMs),
      maxRows: recomputeRowsMax,
      timeoutMs: 300_000,
    })
    if (result.truncated)
      throw new Error(`view ${definition.name}: more than ${recomputeRowsMax} windows and groups in one step`)
    const keyIndex = result.columns.findIndex((column) => column.name === '__key')
    const records = result.rows.map((row) => {
      const value: Record<string, unknown> = {}
      result.columns.forEach((column, index) => {
        if (index !== keyIndex) value[column.name] = row[index]
      })
      return {
        timestamp: Date.now(),
        key: Buffer.from(String(row[keyIndex]), 'utf8'),
        value: Buffer.from(JSON.stringify(value), 'utf8'),
      }
    })
    const topic = logs.getTopic(definition.name)
    const log = logs.partition(definition.name, 0)
    if (topic === undefined || log === undefined)
      throw new Error(`the output topic ${definition.name} is gone`)
    for (let start = 0; start < records.length; start += recordsPerBatch) {
      await appendRecords(log, topic, records.slice(start, start + recordsPerBatch))
    }
  }

  async close(): Promise<void> {
    this.closed = true
    if (this.timer !== null) clearTimeout(this.timer)
    this.timer = null
    await this.idle()
  }
}
