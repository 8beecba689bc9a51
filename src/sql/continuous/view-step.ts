// One step of a materialized view: the source records that arrived since its checkpoint decide which
// windows to compute again from the log (TUMBLE/HOP: the windows their event times fall in; SESSION:
// the sessions they join), those windows' rows are written to the view's topic, then the checkpoint.
//
// Deterministic steps: before a step starts, its end offsets are written to the checkpoint as
// `pending`; every query of the step reads only the records before them, and a restart repeats
// exactly the pending step. So a crash can only make a step run twice with the same input and output
// (the rows are full recounts: writing them again changes no final value).
//
// Watermark and lateness (TUMBLE/HOP with ALLOWED LATENESS): the watermark is the largest event time
// among the records of the previous steps (it advances once per step, like Flink's periodic
// watermarks). A window is closed when window_end + lateness <= watermark; a closed window is never
// computed again, and a record whose windows are all closed is dropped and counted. A window that is
// still open has never lost a record (windows close in order), so recomputing it from the log is exact.

import { appendRecords } from '../../http/messages.ts'
import type { Logger } from '../../log.ts'
import type { LogManager } from '../../storage/types.ts'
import { decodeBatchRows } from '../record-columns.ts'
import { scanTopic } from '../topic-scan.ts'
import type { QueryRequest, QueryResult } from '../types.ts'
import {
  bucketOriginMs,
  eventTimeSql,
  firstOpenWindowStart,
  quoted,
  recomputeSql,
  type ViewDefinition,
  type WindowSizes,
  windowKindOf,
  windowStartOf,
} from './definition.ts'
import type { Checkpoint, QueryStore, StoredView } from './query-store.ts'
import {
  sessionFinalRowsSql,
  sessionLateSql,
  sessionRowsSql,
  sessionStreamTimesSql,
  sessionTombstonesSql,
} from './session-sql.ts'
import { cacheable, type ViewCaches } from './view-cache.ts'

/** Rows one window recompute may produce (windows × groups touched by one step's records). */
const recomputeRowsMax = 100_000
const recordsPerBatch = 500
/** Bytes of new source records one view step may hold while it reads their timestamps. */
const timestampScanBytesMax = 1024 ** 3
const stepTimeoutMs = 300_000
/** An open window (not ended by the watermark or the clock) is written at most this often. */
const openWindowRefreshMs = 1000

export interface ViewStepContext {
  logs: LogManager
  run: (request: QueryRequest) => Promise<QueryResult>
  store: QueryStore
  /** Recent source records of TUMBLE/HOP views in DuckDB tables (view-cache.ts); none: from the log. */
  caches?: ViewCaches
  /** When each view last wrote its open windows (openWindowRefreshMs). */
  refreshedAtMs?: Map<string, number>
  log?: Logger
}

/** What the new records of a step say: accepted event-time range, late records, the largest time. */
interface StepTimes {
  acceptedMinMs: number
  acceptedMaxMs: number
  dropped: number
  maxMs: number
}

function checkpointOf(view: StoredView): Checkpoint {
  return {
    offsets: view.offsets,
    ...(view.watermarkMs === undefined ? {} : { watermarkMs: view.watermarkMs }),
    ...(view.dropped === undefined ? {} : { dropped: view.dropped }),
    ...(view.deferred === undefined ? {} : { deferred: view.deferred }),
  }
}

/** Whether a view without new records has deferred windows to write now (closed, or refresh due). */
export function deferredDue(context: ViewStepContext, view: StoredView, sizes: WindowSizes): boolean {
  const deferred = view.deferred
  if (deferred === undefined || deferred === null) return false
  if (view.definition.kind !== 'stream' && view.definition.emit === 'final')
    return (
      deferred[0] + sizes.sizeMs + (sizes.latenessMs ?? 0) <= (view.watermarkMs ?? Number.NEGATIVE_INFINITY)
    )
  const now = Date.now()
  const refreshedMs = context.refreshedAtMs?.get(view.definition.name) ?? 0
  return (
    now - refreshedMs >= openWindowRefreshMs ||
    deferred[0] + sizes.sizeMs <= Math.max(view.watermarkMs ?? Number.NEGATIVE_INFINITY, now)
  )
}

/** Brings one view up to the source's end (see the header). */
export async function advanceView(
  context: ViewStepContext,
  view: StoredView,
  definition: ViewDefinition,
  sizes: WindowSizes,
): Promise<void> {
  const { logs, store } = context
  const source = logs.getTopic(definition.topic)
  if (source === undefined) return
  const start: Record<number, number> = {}
  const current: Record<number, number> = {}
  for (let partition = 0; partition < source.partitionCount; partition++) {
    const log = logs.partition(definition.topic, partition)
    if (log === undefined) continue
    start[partition] = Math.max(view.offsets[partition] ?? 0, log.logStartOffset)
    current[partition] = log.lastStableOffset
  }
  let end = view.pending
  if (end === undefined) {
    if (!Object.entries(current).some(([partition, offset]) => offset > start[Number(partition)])) {
      // Nothing new: only deferred windows that are now due (their end passed, by the clock too).
      if (windowKindOf(definition) === 'session' || !deferredDue(context, view, sizes)) return
      end = { ...start }
    } else {
      end = current
      await store.saveCheckpoint(definition.name, { ...checkpointOf(view), pending: end })
    }
  }
  let deferred = view.deferred ?? null
  let watermarkMs = view.watermarkMs ?? null
  let dropped = view.dropped ?? 0
  if (windowKindOf(definition) === 'session' && definition.emit === 'final') {
    await writeClosedSessions(context, definition, sizes, source.partitionCount, start, end)
  } else if (windowKindOf(definition) === 'session') {
    const rows = await context.run({
      sql: sessionRowsSql(definition, sizes.sizeMs, sizes.latenessMs, start, end),
      maxRows: recomputeRowsMax,
      timeoutMs: stepTimeoutMs,
    })
    const tombstones = await context.run({
      sql: sessionTombstonesSql(definition, sizes.sizeMs, sizes.latenessMs, start, end),
      maxRows: recomputeRowsMax,
      timeoutMs: stepTimeoutMs,
    })
    await writeRows(
      logs,
      definition.name,
      rows,
      tombstones.rows.map((row) => String(row[0])),
    )
  }
  if (windowKindOf(definition) === 'session') {
    if (sizes.latenessMs !== null) {
      const [late, max] = (
        await context.run({
          sql: sessionLateSql(definition, sizes.latenessMs, start, end),
          timeoutMs: stepTimeoutMs,
        })
      ).rows[0] ?? [0, null]
      dropped += Number(late ?? 0)
      if (max !== null && max !== undefined) watermarkMs = Number(max)
    }
  } else {
    const cache = context.caches !== undefined && cacheable(definition) ? context.caches : undefined
    const timestampRanges = new Map<number, [number, number]>()
    const cached =
      cache !== undefined &&
      (await cache.ingest(definition, watermarkMs, start, end, timestampRanges).catch((error: unknown) => {
        context.log?.warn({ err: error, view: definition.name }, 'view cache off for this step')
        return false
      }))
    const times = await stepTimes(
      context,
      definition,
      sizes,
      watermarkMs,
      start,
      end,
      cached ? timestampRanges : undefined,
    )
    dropped += times.dropped
    const stepWatermarkMs = Number.isFinite(times.maxMs)
      ? Math.max(watermarkMs ?? times.maxMs, times.maxMs)
      : watermarkMs
    // The windows this step's records touched, with those earlier steps left open (deferred).
    let fromMs = Number.POSITIVE_INFINITY
    let toMs = Number.NEGATIVE_INFINITY
    if (Number.isFinite(times.acceptedMinMs)) {
      fromMs = windowStartOf(times.acceptedMinMs - sizes.sizeMs, sizes.advanceMs) + sizes.advanceMs
      toMs = windowStartOf(times.acceptedMaxMs, sizes.advanceMs) + sizes.advanceMs
    }
    const plan = planWindows(
      context,
      definition,
      sizes,
      [fromMs, toMs],
      deferred,
      watermarkMs,
      stepWatermarkMs,
    )
    fromMs = plan.fromMs
    const dueToMs = plan.dueToMs
    deferred = plan.deferred
    if (fromMs < dueToMs) {
      // Windows from the cache's floor on are computed over the cache; older ones from the log.
      const cacheFromMs =
        cached && cache !== undefined ? Math.max(fromMs, cache.floorWindowStart(definition, sizes)) : dueToMs
      if (fromMs < Math.min(cacheFromMs, dueToMs)) {
        const rows = await context.run({
          sql: recomputeSql(definition, sizes, fromMs, Math.min(cacheFromMs, dueToMs), end),
          maxRows: recomputeRowsMax,
          timeoutMs: stepTimeoutMs,
        })
        await writeRows(logs, definition.name, rows, [])
      }
      if (cache !== undefined && cacheFromMs < dueToMs) {
        const rows = await cache.recompute(definition, sizes, cacheFromMs, dueToMs, recomputeRowsMax)
        await writeRows(logs, definition.name, rows, [])
      }
    }
    if (Number.isFinite(times.maxMs)) watermarkMs = Math.max(watermarkMs ?? times.maxMs, times.maxMs)
  }
  await store.saveCheckpoint(definition.name, {
    offsets: { ...view.offsets, ...end },
    watermarkMs,
    dropped,
    deferred,
  })
  if (context.caches !== undefined && cacheable(definition))
    await context.caches.evict(definition, sizes, watermarkMs)
}

/**
 * SESSION with EMIT FINAL: writes the sessions this step closed (sessionFinalRowsSql), once each; no
 * tombstones, as a closed session can no longer grow or merge. Partition stream times come from the
 * log (before the step's start and end offsets), so a repeated step writes the same sessions.
 */
async function writeClosedSessions(
  context: ViewStepContext,
  definition: ViewDefinition,
  sizes: WindowSizes,
  partitionCount: number,
  start: Record<number, number>,
  end: Record<number, number>,
): Promise<void> {
  const streamTimes = await context.run({
    sql: sessionStreamTimesSql(definition, start, end),
    timeoutMs: stepTimeoutMs,
  })
  // The smallest partition stream time; null while a partition has none (nothing is closed then).
  const smallest = (column: number): number | null => {
    const values = streamTimes.rows.map((row) => row[column])
    if (values.length < partitionCount || values.some((value) => value === null || value === undefined))
      return null
    return Math.min(...values.map(Number))
  }
  const before = smallest(1)
  const after = smallest(2)
  if (after === null || (before !== null && after <= before)) return
  const rows = await context.run({
    sql: sessionFinalRowsSql(definition, sizes.sizeMs, sizes.latenessMs ?? 0, before, after, start, end),
    maxRows: recomputeRowsMax,
    timeoutMs: stepTimeoutMs,
  })
  await writeRows(context.logs, definition.name, rows, [])
}

/** Which windows a step writes: [fromMs, dueToMs) now, the rest of the touched ones deferred. */
export interface WindowPlan {
  fromMs: number
  dueToMs: number
  deferred: [number, number] | null
}

/**
 * The window starts [from, to) a step touched (±Infinity: none), with those earlier steps deferred:
 * windows that ended (by the watermark, or by the clock: a processing-time close, so a window is
 * written when it ends even if no later record comes) are written now; open ones at most once per
 * openWindowRefreshMs, and deferred to a later step (kept in the checkpoint) otherwise. EMIT FINAL:
 * only windows the watermark closed (end + lateness), never by the clock nor while open.
 */
export function planWindows(
  context: ViewStepContext,
  definition: ViewDefinition,
  sizes: WindowSizes,
  touched: [number, number],
  deferred: [number, number] | null,
  watermarkMs: number | null,
  stepWatermarkMs: number | null,
): WindowPlan {
  let [fromMs, toMs] = touched
  if (deferred !== null) {
    fromMs = Math.min(fromMs, deferred[0])
    toMs = Math.max(toMs, deferred[1])
  }
  fromMs = Math.max(fromMs, firstOpenWindowStart(sizes, watermarkMs))
  const final = definition.emit === 'final'
  const nowMs = Date.now()
  const refresh = !final && nowMs - (context.refreshedAtMs?.get(definition.name) ?? 0) >= openWindowRefreshMs
  const closingMs = final
    ? (stepWatermarkMs ?? Number.NEGATIVE_INFINITY) - (sizes.latenessMs ?? 0)
    : Math.max(stepWatermarkMs ?? Number.NEGATIVE_INFINITY, nowMs)
  const closedBeforeMs = Number.isFinite(closingMs)
    ? windowStartOf(closingMs - sizes.sizeMs, sizes.advanceMs) + sizes.advanceMs
    : Number.NEGATIVE_INFINITY
  const dueToMs = refresh ? toMs : Math.min(toMs, closedBeforeMs)
  if (refresh && fromMs < toMs) context.refreshedAtMs?.set(definition.name, nowMs)
  return {
    fromMs,
    dueToMs,
    deferred: fromMs < toMs && dueToMs < toMs ? [Math.max(fromMs, dueToMs), toMs] : null,
  }
}

async function stepTimes(
  context: ViewStepContext,
  definition: ViewDefinition,
  sizes: WindowSizes,
  watermarkMs: number | null,
  start: Record<number, number>,
  end: Record<number, number>,
  /** The records' timestamp ranges per partition when the cache read them already. */
  known?: ReadonlyMap<number, [number, number]>,
): Promise<StepTimes> {
  const times: StepTimes = {
    acceptedMinMs: Number.POSITIVE_INFINITY,
    acceptedMaxMs: Number.NEGATIVE_INFINITY,
    dropped: 0,
    maxMs: Number.NEGATIVE_INFINITY,
  }
  const fast = eventTimeSql(definition) === 'timestamp' && sizes.latenessMs === null
  for (const [key, to] of Object.entries(end)) {
    const partition = Number(key)
    const from = start[partition] ?? 0
    if (from >= to) continue
    const [low, high, late, max] = fast
      ? [
          ...(known?.get(partition) ??
            (await timestampRange(context.logs, definition.topic, partition, from, to))),
          0,
          0,
        ]
      : await eventTimesOf(context, definition, sizes, watermarkMs, partition, from, to)
    times.acceptedMinMs = Math.min(times.acceptedMinMs, low)
    times.acceptedMaxMs = Math.max(times.acceptedMaxMs, high)
    times.dropped += late
    times.maxMs = Math.max(times.maxMs, fast ? high : max)
  }
  return times
}

/** DuckDB computes the event times of one partition's new records: [accepted min, max, late, max]. */
async function eventTimesOf(
  context: ViewStepContext,
  definition: ViewDefinition,
  sizes: WindowSizes,
  watermarkMs: number | null,
  partition: number,
  from: number,
  to: number,
): Promise<[number, number, number, number]> {
  const { sizeMs, advanceMs, latenessMs } = sizes
  // Late: the last window holding t (start = t floored to the advance) ended lateness before the watermark.
  const late =
    watermarkMs === null || latenessMs === null
      ? 'false'
      : `t - (((t - ${bucketOriginMs}) % ${advanceMs}) + ${advanceMs}) % ${advanceMs} + ${sizeMs + latenessMs} <= ${watermarkMs}`
  const where = [
    `partition = ${partition}`,
    `"offset" >= ${from}`,
    `"offset" < ${to}`,
    // With a join the WHERE may name the table: it is left out (a superset of windows is recomputed).
    ...(definition.where === null || definition.join !== undefined ? [] : [`(${definition.where})`]),
  ].join(' AND ')
  const alias = definition.join === undefined ? '' : ` AS ${definition.join.streamAlias}`
  const result = await context.run({
    sql: `SELECT min(t) FILTER (WHERE NOT (${late})), max(t) FILTER (WHERE NOT (${late})), count(*) FILTER (WHERE ${late}), max(t) FROM (SELECT epoch_ms(${eventTimeSql(definition)}) AS t FROM streamline_topic(${quoted(definition.topic)})${alias} WHERE ${where}) WHERE t IS NOT NULL`,
    timeoutMs: stepTimeoutMs,
  })
  const [low, high, lateCount, max] = result.rows[0] ?? []
  const number = (value: unknown, none: number) =>
    value === null || value === undefined ? none : Number(value)
  return [
    number(low, Number.POSITIVE_INFINITY),
    number(high, Number.NEGATIVE_INFINITY),
    number(lateCount, 0),
    number(max, Number.NEGATIVE_INFINITY),
  ]
}

/**
 * The smallest and largest timestamps of the records [from, end) of one partition (read_committed),
 * read in JS from the batches (no DuckDB query, no JS value per record): ±Infinity when none.
 */
export async function timestampRange(
  logs: LogManager,
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
    logs,
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

/** The rows of a recompute (with __key) as the view's records, then a tombstone per deleted key. */
export async function writeRows(
  logs: LogManager,
  name: string,
  result: QueryResult,
  deletedKeys: string[],
): Promise<void> {
  if (result.truncated)
    throw new Error(`view ${name}: more than ${recomputeRowsMax} windows and groups in one step`)
  const keyIndex = result.columns.findIndex((column) => column.name === '__key')
  const now = Date.now()
  const records = result.rows.map((row) => {
    const value: Record<string, unknown> = {}
    result.columns.forEach((column, index) => {
      if (index !== keyIndex) value[column.name] = row[index]
    })
    return {
      timestamp: now,
      key: Buffer.from(String(row[keyIndex]), 'utf8'),
      value: Buffer.from(JSON.stringify(value), 'utf8') as Buffer | null,
    }
  })
  for (const key of deletedKeys) records.push({ timestamp: now, key: Buffer.from(key, 'utf8'), value: null })
  const topic = logs.getTopic(name)
  const log = logs.partition(name, 0)
  if (topic === undefined || log === undefined) throw new Error(`the output topic ${name} is gone`)
  for (let index = 0; index < records.length; index += recordsPerBatch) {
    await appendRecords(log, topic, records.slice(index, index + recordsPerBatch))
  }
}
