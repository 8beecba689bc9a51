// Materialized views over a windowed stream–stream join:
//
//   CREATE MATERIALIZED VIEW <name> AS
//   SELECT <groups and aggregates over both sides>
//   FROM streamline_topic('<left>') l
//   [INNER | LEFT | RIGHT | FULL] [OUTER] JOIN streamline_topic('<right>') r
//     WITHIN <interval> [GRACE PERIOD <interval>] ON <condition>
//   [WHERE <condition>]
//   GROUP BY TUMBLE(<time>, <size>) | HOP(<time>, <advance>, <size>)[, <groups>]
//
// The windows aggregate the join's rows over a *state*: the records of both topics before given
// offsets, and the watermark, the largest record timestamp among them (as for CREATE STREAM's joins):
// - a pair: a left and a right record for which ON holds, their timestamps at most WITHIN apart;
// - LEFT/RIGHT/FULL: an outer row (NULLs for the other side) for each record of an outer side that
//   has no partner, once its window has closed (timestamp + WITHIN + GRACE < watermark).
// The rows depend only on the state, not on how the input was cut into steps: a repeated step (after
// a crash) and every later one compute the same rows, and the final view is the aggregate of the join
// of everything read. A stream has written an outer row for good; in a view a partner arriving after
// the window closed replaces the outer row (the window is counted again over the join).
//
// One step: its end offsets on both topics are written as `pending` first; the join rows that differ
// between the state at its start and at its end (new pairs, outer rows of windows closed by the
// watermark, outer rows a new partner replaced) give the event times whose windows are computed again
// (now, or deferred as for other views: planWindows); then the checkpoint. A recompute writes each
// window's rows, and a tombstone for each key an outer row of a matched record would have that the
// window does not have now (an outer row replaced by its pair can leave its group empty).
// Only records whose timestamps can matter are read (bands of record timestamps): the records of one
// join row are at most WITHIN apart. With an event time that is not a record timestamp, a window's
// recompute reads both topics up to the step's end.

import type { QueryResult } from '../types.ts'
import {
  offsetBoundSql,
  quoted,
  type ViewDefinition,
  type WindowSizes,
  windowKeySql,
  windowKindOf,
  windowStartOf,
} from './definition.ts'
import type { Checkpoint, StoredView } from './query-store.ts'
import { resolvedGroups } from './session-sql.ts'
import type { StreamStreamJoin } from './stream-join.ts'
import { boundsOf, hasNew, type Side, sideOf, withinSql } from './stream-stream-join.ts'
import { deferredDue, planWindows, type ViewStepContext, writeRows } from './view-step.ts'

/** Rows (windows × groups) one recompute may produce. */
const recomputeRowsMax = 100_000
const stepTimeoutMs = 300_000

type Offsets = Record<number, number>
/** Record timestamps [from, to] in ms, both included (±Infinity: open). */
type Band = [number, number]

/** The records of both topics a query sees, and the watermark that closes outer rows' windows. */
export interface JoinState {
  leftEnd: Offsets
  rightEnd: Offsets
  watermarkMs: number | null
}

type JoinView = ViewDefinition & { streamJoin: StreamStreamJoin }

/** The event time: a bare `timestamp` is the joined row's (the later of a pair's, an outer row's own). */
export function joinTimeSql(view: JoinView): string {
  const { leftAlias, rightAlias } = view.streamJoin
  const expression = (view.timeExpression ?? 'timestamp').trim()
  if (/^timestamp$/i.test(expression)) return `greatest(${leftAlias}.timestamp, ${rightAlias}.timestamp)`
  return `CAST((${expression}) AS TIMESTAMP)`
}

/** Whether the event time is a record timestamp (so a window's records are found by timestamp). */
function timeIsRecordTime(view: JoinView): boolean {
  const { leftAlias, rightAlias } = view.streamJoin
  return new RegExp(`^((${leftAlias}|${rightAlias})\\.)?timestamp$`, 'i').test(
    (view.timeExpression ?? 'timestamp').trim(),
  )
}

function mergeBands(bands: Band[]): Band[] {
  const merged: Band[] = []
  for (const [from, to] of [...bands].sort((a, b) => a[0] - b[0])) {
    const last = merged.at(-1)
    if (last !== undefined && from <= last[1] + 1) last[1] = Math.max(last[1], to)
    else merged.push([from, to])
  }
  return merged
}

/** One side's records before `end`, with timestamps in the bands (null: all of them). */
function sideSql(topic: string, end: Offsets, bands: Band[] | null): string {
  const records = `SELECT * FROM streamline_topic(${quoted(topic)}) WHERE`
  if (bands === null) return `${records} ${offsetBoundSql(end)}`
  const merged = mergeBands(bands)
  if (merged.length === 0) return `${records} partition = 0 AND "offset" >= 0 AND "offset" < 0`
  return merged
    .map(([from, to]) => {
      const where = [offsetBoundSql(end)]
      if (Number.isFinite(to)) where.unshift(`timestamp <= epoch_ms(${Math.ceil(to)})`)
      if (Number.isFinite(from)) where.unshift(`timestamp >= epoch_ms(${Math.floor(from)})`)
      return `${records} ${where.join(' AND ')}`
    })
    .join(' UNION ALL ')
}

const joinKeyword = { inner: 'INNER', left: 'LEFT', right: 'RIGHT', full: 'FULL' } as const

/** The join's FROM over a state, and which of its rows are rows of the join (pairs, closed outer rows). */
function joinedSql(view: JoinView, state: JoinState, bands: Band[] | null): { from: string; rows: string } {
  const join = view.streamJoin
  const { leftAlias: l, rightAlias: r } = join
  const from = `(${sideSql(view.topic, state.leftEnd, bands)}) AS ${l} ${joinKeyword[join.type]} JOIN (${sideSql(join.topic, state.rightEnd, bands)}) AS ${r} ON (${join.on}) AND ${withinSql(join)}`
  if (join.type === 'inner') return { from, rows: 'true' }
  const rows = [`(${l}."offset" IS NOT NULL AND ${r}."offset" IS NOT NULL)`]
  if (state.watermarkMs !== null) {
    // Closed: timestamp + WITHIN + GRACE < watermark.
    const closeBefore = `epoch_ms(${Math.ceil(state.watermarkMs - spanMs(join))})`
    if (join.type !== 'right') rows.push(`(${r}."offset" IS NULL AND ${l}.timestamp < ${closeBefore})`)
    if (join.type !== 'left') rows.push(`(${l}."offset" IS NULL AND ${r}.timestamp < ${closeBefore})`)
  }
  return { from, rows: `(${rows.join(' OR ')})` }
}

function spanMs(join: StreamStreamJoin): number {
  return (join.withinMs ?? 0) + (join.graceMs ?? 0)
}

/**
 * The smallest and largest event times (epoch ms) of the join rows that differ between two states,
 * over the records of `bands` (the caller's bands hold every record whose rows can differ, and their
 * partners: the rows of other records are the same in both states and cancel out).
 */
export function changedTimesSql(view: JoinView, before: JoinState, after: JoinState, bands: Band[]): string {
  const { leftAlias: l, rightAlias: r } = view.streamJoin
  const rowsOf = (state: JoinState) => {
    const { from, rows } = joinedSql(view, state, bands)
    return `SELECT ${l}.partition AS __lp, ${l}."offset" AS __lo, ${r}.partition AS __rp, ${r}."offset" AS __ro, epoch_ms(${joinTimeSql(view)}) AS __t FROM ${from} WHERE ${rows}`
  }
  return `WITH __after AS (${rowsOf(after)}), __before AS (${rowsOf(before)}), __changed AS (SELECT * FROM (SELECT * FROM __after EXCEPT SELECT * FROM __before) UNION ALL SELECT * FROM (SELECT * FROM __before EXCEPT SELECT * FROM __after)) SELECT min(__t), max(__t) FROM __changed`
}

/**
 * The record timestamps whose join rows can change in a step: the new records' partners and their
 * partners (a partner's outer row may be replaced; whether it has another partner decides), and, for
 * outer joins, the records whose window the watermark closed in the step, with their partners.
 */
export function changeBands(
  join: StreamStreamJoin,
  sides: Array<Pick<Side, 'low' | 'high'>>,
  watermarkOld: number | null,
  watermarkNew: number | null,
): Band[] {
  const within = join.withinMs ?? 0
  const bands: Band[] = []
  for (const side of sides) {
    if (Number.isFinite(side.low)) bands.push([side.low - 2 * within, side.high + 2 * within])
  }
  if (
    join.type !== 'inner' &&
    watermarkNew !== null &&
    (watermarkOld === null || watermarkNew > watermarkOld)
  ) {
    const span = spanMs(join)
    const from = watermarkOld === null ? Number.NEGATIVE_INFINITY : watermarkOld - span - within
    bands.push([from, watermarkNew - span + within])
  }
  return bands
}

/** Rows of windows starting in [fromMs, toMs) have event times in [low, high): the band of records. */
function windowTimes(sizes: WindowSizes, fromMs: number, toMs: number): [number, number] {
  return [Math.floor(fromMs), Math.ceil(toMs - sizes.advanceMs + sizes.sizeMs)]
}

/** `FROM …[, unnest(window starts)]` and the window_start expression of a TUMBLE/HOP recompute. */
function windowed(
  view: JoinView,
  sizes: WindowSizes,
  from: string,
): { from: string; start: string; startFilter: (fromMs: number, toMs: number) => string } {
  const time = joinTimeSql(view)
  const size = `to_milliseconds(${sizes.sizeMs})`
  const advance = `to_milliseconds(${sizes.advanceMs})`
  if (windowKindOf(view) === 'tumble')
    return { from, start: `time_bucket(${size}, ${time})`, startFilter: () => 'true' }
  // HOP: a row is in every window starting at the multiples of the advance in (time - size, time].
  return {
    from: `${from}, unnest(generate_series(time_bucket(${advance}, ${time} - ${size}) + ${advance}, time_bucket(${advance}, ${time}), ${advance})) AS __windows(window_start)`,
    start: 'window_start',
    startFilter: (fromMs, toMs) =>
      `window_start >= epoch_ms(${Math.floor(fromMs)}) AND window_start < epoch_ms(${Math.ceil(toMs)})`,
  }
}

/**
 * The SELECT computing the windows starting in [fromMs, toMs) over a state: one row per window and
 * group, with window_start, window_end, the view's columns and __key, as recomputeSql's.
 * `bands` [] reads nothing (the check at CREATE).
 */
export function joinRecomputeSql(
  view: JoinView,
  sizes: WindowSizes,
  fromMs: number,
  toMs: number,
  state: JoinState,
  bands?: Band[],
): string {
  const [low, high] = windowTimes(sizes, fromMs, toMs)
  const within = view.streamJoin.withinMs ?? 0
  const read = bands ?? (timeIsRecordTime(view) ? [[low - within, high + within] as Band] : null)
  const joined = joinedSql(view, state, read)
  const time = joinTimeSql(view)
  const { from, start, startFilter } = windowed(view, sizes, joined.from)
  const where = [
    joined.rows,
    `${time} >= epoch_ms(${low})`,
    `${time} < epoch_ms(${high})`,
    startFilter(fromMs, toMs),
    ...(view.where === null ? [] : [`(${view.where})`]),
  ].join(' AND ')
  const size = `to_milliseconds(${sizes.sizeMs})`
  return `SELECT ${start} AS window_start, ${start} + ${size} AS window_end, ${view.selectList}, ${windowKeySql('window_start', view.groupBy)} AS __key FROM ${from} WHERE ${where} GROUP BY ALL`
}

/**
 * The keys (window and group) the outer rows of the closed, matched records of the windows starting
 * in [fromMs, toMs) would have: each may have held an outer row that a later partner replaced. Null
 * for INNER joins (no outer rows) and before any watermark.
 */
export function outerKeysSql(
  view: JoinView,
  sizes: WindowSizes,
  fromMs: number,
  toMs: number,
  state: JoinState,
  bands?: Band[],
): string | null {
  const join = view.streamJoin
  if (join.type === 'inner' || state.watermarkMs === null) return null
  const { leftAlias: l, rightAlias: r } = join
  const [low, high] = windowTimes(sizes, fromMs, toMs)
  const within = join.withinMs ?? 0
  const read = bands ?? (timeIsRecordTime(view) ? [[low - within, high + within] as Band] : null)
  const closeBefore = `epoch_ms(${Math.ceil(state.watermarkMs - spanMs(join))})`
  const selects: string[] = []
  for (const side of ['left', 'right'] as const) {
    if (join.type === (side === 'left' ? 'right' : 'left')) continue
    const [own, other] = side === 'left' ? [l, r] : [r, l]
    const [ownTopic, otherTopic] = side === 'left' ? [view.topic, join.topic] : [join.topic, view.topic]
    const [ownEnd, otherEnd] =
      side === 'left' ? [state.leftEnd, state.rightEnd] : [state.rightEnd, state.leftEnd]
    const matched = `SELECT * FROM (${sideSql(ownTopic, ownEnd, read)}) AS ${own} WHERE ${own}.timestamp < ${closeBefore} AND EXISTS (SELECT 1 FROM (${sideSql(otherTopic, otherEnd, read)}) AS ${other} WHERE (${join.on}) AND ${withinSql(join)})`
    // The other side as an empty relation of its columns: the view's expressions see NULLs there.
    const none = sideSql(otherTopic, {}, [])
    const from =
      side === 'left'
        ? `(${matched}) AS ${l} LEFT JOIN (${none}) AS ${r} ON false`
        : `(${none}) AS ${l} RIGHT JOIN (${matched}) AS ${r} ON false`
    const time = joinTimeSql(view)
    const windows = windowed(view, sizes, from)
    const where = [
      `${time} >= epoch_ms(${low})`,
      `${time} < epoch_ms(${high})`,
      windows.startFilter(fromMs, toMs),
      ...(view.where === null ? [] : [`(${view.where})`]),
    ].join(' AND ')
    selects.push(
      `SELECT DISTINCT ${windowKeySql(windows.start, resolvedGroups(view))} AS __key FROM ${windows.from} WHERE ${where}`,
    )
  }
  return selects.join(' UNION ')
}

/** The SQL a CREATE runs over no records, so DuckDB checks every part of the view's SQL. */
export function joinViewChecks(view: JoinView, sizes: WindowSizes): string[] {
  const state: JoinState = { leftEnd: {}, rightEnd: {}, watermarkMs: 0 }
  const start = Date.UTC(2000, 0, 3)
  const outer = outerKeysSql(view, sizes, start, start, state, [])
  return [
    joinRecomputeSql(view, sizes, start, start, state, []),
    changedTimesSql(view, state, state, []),
    ...(outer === null ? [] : [outer]),
  ]
}

function firstRow(result: QueryResult): unknown[] {
  return result.rows[0] ?? []
}

/** Brings a view over a stream–stream join one bounded step forward (see the header). */
export async function advanceJoinView(
  context: ViewStepContext,
  view: StoredView,
  definition: ViewDefinition,
  join: StreamStreamJoin,
  sizes: WindowSizes,
): Promise<void> {
  const { logs, store } = context
  const joinView: JoinView = { ...definition, streamJoin: join }
  if (logs.getTopic(definition.topic) === undefined || logs.getTopic(join.topic) === undefined) return
  const leftBounds = boundsOf(logs, definition.topic, view.offsets)
  const rightBounds = boundsOf(logs, join.topic, view.rightOffsets ?? {})
  let leftEnd = view.pending
  let rightEnd = view.rightPending
  if (leftEnd === undefined || rightEnd === undefined) {
    if (!hasNew(leftBounds.start, leftBounds.current) && !hasNew(rightBounds.start, rightBounds.current)) {
      // Nothing new: only deferred windows that are now due.
      if (!deferredDue(context, view, sizes)) return
      leftEnd = leftBounds.start
      rightEnd = rightBounds.start
    } else {
      leftEnd = leftBounds.current
      rightEnd = rightBounds.current
      const checkpoint: Checkpoint = {
        offsets: view.offsets,
        rightOffsets: view.rightOffsets ?? {},
        watermarkMs: view.watermarkMs ?? null,
        deferred: view.deferred ?? null,
      }
      await store.saveCheckpoint(definition.name, { ...checkpoint, pending: leftEnd, rightPending: rightEnd })
    }
  }
  const left = await sideOf(logs, definition.topic, leftBounds.start, leftEnd)
  const right = await sideOf(logs, join.topic, rightBounds.start, rightEnd)
  const watermarkOld = view.watermarkMs ?? null
  const seen = Math.max(left.high, right.high)
  const watermarkNew = Number.isFinite(seen) ? Math.max(watermarkOld ?? seen, seen) : watermarkOld
  const after: JoinState = { leftEnd, rightEnd, watermarkMs: watermarkNew }
  let touched: [number, number] = [Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]
  const bands = changeBands(join, [left, right], watermarkOld, watermarkNew)
  if (bands.length > 0) {
    const before: JoinState = {
      leftEnd: leftBounds.start,
      rightEnd: rightBounds.start,
      watermarkMs: watermarkOld,
    }
    const [low, high] = firstRow(
      await context.run({ sql: changedTimesSql(joinView, before, after, bands), timeoutMs: stepTimeoutMs }),
    )
    if (low !== null && low !== undefined && high !== null && high !== undefined) {
      touched = [
        windowStartOf(Number(low) - sizes.sizeMs, sizes.advanceMs) + sizes.advanceMs,
        windowStartOf(Number(high), sizes.advanceMs) + sizes.advanceMs,
      ]
    }
  }
  const plan = planWindows(
    context,
    definition,
    sizes,
    touched,
    view.deferred ?? null,
    watermarkOld,
    watermarkNew,
  )
  if (plan.fromMs < plan.dueToMs) {
    const rows = await context.run({
      sql: joinRecomputeSql(joinView, sizes, plan.fromMs, plan.dueToMs, after),
      maxRows: recomputeRowsMax,
      timeoutMs: stepTimeoutMs,
    })
    const outerKeys = outerKeysSql(joinView, sizes, plan.fromMs, plan.dueToMs, after)
    let deleted: string[] = []
    if (outerKeys !== null) {
      const keyIndex = rows.columns.findIndex((column) => column.name === '__key')
      const written = new Set(rows.rows.map((row) => String(row[keyIndex])))
      const possible = await context.run({
        sql: outerKeys,
        maxRows: recomputeRowsMax,
        timeoutMs: stepTimeoutMs,
      })
      if (possible.truncated)
        throw new Error(`view ${definition.name}: more than ${recomputeRowsMax} outer-row keys in one step`)
      deleted = possible.rows.map((row) => String(row[0])).filter((key) => !written.has(key))
    }
    await writeRows(logs, definition.name, rows, deleted)
  }
  await store.saveCheckpoint(definition.name, {
    offsets: { ...view.offsets, ...leftEnd },
    rightOffsets: { ...view.rightOffsets, ...rightEnd },
    watermarkMs: watermarkNew,
    deferred: plan.deferred,
  })
}
