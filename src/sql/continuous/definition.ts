// The materialized-view shape of continuous queries: windowed aggregates of one topic.
//
//   CREATE MATERIALIZED VIEW <name> AS
//   SELECT <expressions and aggregates, each AS alias>
//   FROM streamline_topic('<topic>')
//   [<alias> JOIN TABLE('<topic>') <alias> ON …                     (stream-join.ts)
//   | <alias> [INNER|LEFT|RIGHT|FULL] JOIN streamline_topic('<topic>') <alias> WITHIN … ON …]
//   [WHERE <condition>]
//   GROUP BY <window>[, <group expressions>]
//   [ALLOWED LATENESS <interval> | GRACE PERIOD <interval>]
//
//   <window> = TUMBLE(<time>, <size>) | HOP(<time>, <advance>, <size>) | SESSION(<time>, <gap>)
//   <time>   = timestamp (the record's) or any expression of the record castable to TIMESTAMP
//
// Each window is computed by DuckDB from the log (recomputeSql here; sessions in session-sql.ts), so
// any DuckDB aggregate works (count, sum, avg, min, max, first, last, count(DISTINCT …), …). The
// statement's outer syntax is read here (DuckDB's parser knows no materialized views); its SQL parts
// are checked by DuckDB when the view is created (a first recompute over an empty range).

import { StatementScanner } from './statement-scanner.ts'
import { parseViewJoin, type StreamStreamJoin, type StreamTableJoin, tableSql } from './stream-join.ts'

export type WindowKind = 'tumble' | 'hop' | 'session'

export interface ViewDefinition {
  /** Absent in definitions stored before streams existed. */
  kind?: 'view'
  name: string
  /** The statement as given. */
  sql: string
  topic: string
  selectList: string
  where: string | null
  /** TUMBLE and HOP: the window size (`INTERVAL '10' SECOND`); SESSION: the inactivity gap. */
  window: string
  /** Absent in definitions stored before HOP and SESSION existed: tumble. */
  windowKind?: WindowKind
  /** HOP: how far each window starts after the previous one. */
  advance?: string
  /** The event time: `timestamp` (absent in older definitions) or an expression of the record. */
  timeExpression?: string
  /** Records whose windows all ended this long before the watermark are dropped (null: never). */
  lateness?: string | null
  /** Group expressions besides the window, split at top-level commas. */
  groupBy: string[]
  createdMs: number
  /** Set by PAUSE, cleared by RESUME. */
  paused?: boolean
  /** A stream–table join: each window's records joined with the table as it is when it is computed. */
  join?: StreamTableJoin
  /** A windowed stream–stream join: the windows aggregate its rows (view-stream-join.ts). */
  streamJoin?: StreamStreamJoin
  /** EMIT FINAL: each window (TUMBLE/HOP) or session written once, when it closes; absent: EMIT CHANGES. */
  emit?: 'final'
}

/** The view's window sizes in ms (asked of DuckDB once: intervalsSql). */
export interface WindowSizes {
  /** TUMBLE/HOP: the size; SESSION: the gap. */
  sizeMs: number
  /** HOP: the advance; TUMBLE: the size; SESSION: unused (the gap). */
  advanceMs: number
  latenessMs: number | null
}

/** Splits at commas outside parentheses, brackets and quotes. */
export function splitTopLevel(text: string): string[] {
  const parts: string[] = []
  let depth = 0
  let quote: string | null = null
  let start = 0
  for (let index = 0; index < text.length; index++) {
    const char = text[index]
    if (quote !== null) {
      if (char === quote) quote = null
      continue
    }
    if (char === "'" || char === '"') quote = char
    else if (char === '(' || char === '[') depth += 1
    else if (char === ')' || char === ']') depth -= 1
    else if (char === ',' && depth === 0) {
      parts.push(text.slice(start, index).trim())
      start = index + 1
    }
  }
  const last = text.slice(start).trim()
  if (last !== '') parts.push(last)
  return parts
}

const windowArity: Record<WindowKind, number> = { tumble: 2, hop: 3, session: 2 }
const windowSyntax: Record<WindowKind, string> = {
  tumble: 'TUMBLE(<time>, <size>)',
  hop: 'HOP(<time>, <advance>, <size>)',
  session: 'SESSION(<time>, <gap>)',
}

/**
 * GROUP BY <window>[, <groups>] [ALLOWED LATENESS | GRACE PERIOD <interval>] at the cursor. Over a
 * stream–stream join only TUMBLE/HOP with EMIT CHANGES: its lateness is the join's GRACE PERIOD.
 */
function parseGroupByWindow(
  scanner: StatementScanner,
  overStreamJoin: boolean,
): {
  windowKind: WindowKind
  args: Array<{ text: string; start: number }>
  groupBy: string[]
  lateness: string | null
  emitFinal: boolean
} {
  scanner.expect(/group\s+by\b/, 'GROUP BY with a window: TUMBLE, HOP or SESSION', 'UNSUPPORTED_STATEMENT')
  scanner.skipSpace()
  const windowAt = scanner.position
  const windowName = scanner.expect(
    /(tumble|hop|session)\b/,
    'a window first in GROUP BY: TUMBLE(<time>, <size>), HOP(<time>, <advance>, <size>) or SESSION(<time>, <gap>)',
    'UNSUPPORTED_STATEMENT',
  )[1]
  const windowKind = windowName.toLowerCase() as WindowKind
  if (overStreamJoin && windowKind === 'session') {
    scanner.fail(
      'TUMBLE(<time>, <size>) or HOP(<time>, <advance>, <size>) (a view over a stream–stream join has no SESSION windows yet)',
      'UNSUPPORTED_STATEMENT',
      windowAt,
    )
  }
  const args = scanner.argumentsList(windowName.toUpperCase())
  if (args.length !== windowArity[windowKind] || args.some((arg) => arg.text === '')) {
    scanner.fail(windowSyntax[windowKind], 'INVALID_SQL', windowAt)
  }
  for (const arg of args.slice(1)) {
    if (!/^interval\b/i.test(arg.text)) scanner.fail("an INTERVAL ('10' SECOND)", 'INVALID_SQL', arg.start)
  }
  let groupBy: string[] = []
  if (scanner.accept(/,/) !== undefined) {
    const groups = scanner.until([/allowed\s+lateness\b/, /grace\s+period\b/, /emit\b/])
    if (groups.text === '') scanner.fail('a group expression after ,', 'INVALID_SQL', groups.start)
    groupBy = splitTopLevel(groups.text)
  }
  let lateness: string | null = null
  scanner.skipSpace()
  const latenessAt = scanner.position
  if (scanner.accept(/allowed\s+lateness\b|grace\s+period\b/) !== undefined) {
    if (overStreamJoin)
      scanner.fail(
        'the end of the statement (a view over a stream–stream join is late as its join is: … WITHIN <interval> GRACE PERIOD <interval> ON …)',
        'UNSUPPORTED_STATEMENT',
        latenessAt,
      )
    const interval = scanner.until([/emit\b/])
    if (!/^interval\b/i.test(interval.text))
      scanner.fail("an INTERVAL ('5' SECOND)", 'INVALID_SQL', interval.start)
    lateness = interval.text
  }
  let emitFinal = false
  scanner.skipSpace()
  const emitAt = scanner.position
  if (scanner.accept(/emit\b/) !== undefined) {
    const mode = scanner.expect(/(changes|final)\b/, 'CHANGES or FINAL after EMIT')[1]
    emitFinal = mode.toLowerCase() === 'final'
    if (emitFinal && overStreamJoin)
      scanner.fail(
        'EMIT CHANGES (a view over a stream–stream join has no EMIT FINAL yet)',
        'UNSUPPORTED_STATEMENT',
        emitAt,
      )
  }
  return { windowKind, args, groupBy, lateness, emitFinal }
}

export function parseCreateView(sql: string, nowMs: number): ViewDefinition {
  const scanner = new StatementScanner(sql)
  scanner.expect(/create\s+materialized\s+view/, 'CREATE MATERIALIZED VIEW', 'UNSUPPORTED_STATEMENT')
  const name = scanner.expect(/[A-Za-z_][A-Za-z0-9_.-]*/, 'the view name')[0]
  scanner.expect(/as\s+select\b/, 'AS SELECT')
  const selectList = scanner.until([/from\s+streamline_topic\s*\(/, /from\b/])
  if (selectList.stop !== 0) {
    if (selectList.stop === 1)
      scanner.fail(
        "FROM streamline_topic('<topic>') (one topic, optionally joined with JOIN TABLE('<topic>') or JOIN streamline_topic('<topic>') … WITHIN <interval>)",
        'UNSUPPORTED_STATEMENT',
      )
    scanner.fail("FROM streamline_topic('<topic>')")
  }
  if (selectList.text === '') scanner.fail('a select list', 'INVALID_SQL', selectList.start)
  if (/\bover\s*\(|\bmoving_avg\s*\(/i.test(selectList.text)) {
    // A view's windows are recomputed a few at a time, so a window function over its rows would
    // depend on which windows a step recomputes together.
    scanner.fail(
      "aggregates of the window (a window function such as moving_avg or OVER runs over a view's topic: SELECT moving_avg(…) FROM streamline_topic('<view>'), or over a stream)",
      'UNSUPPORTED_STATEMENT',
      selectList.start,
    )
  }
  scanner.expect(/from\s+streamline_topic\s*\(/, "streamline_topic('<topic>')")
  const topic = scanner.expect(/'((?:[^']|'')+)'/, "the topic name as a string literal ('orders')")[1]
  scanner.expect(/\)/, ') after the topic name')
  const { join, streamJoin } = parseViewJoin(scanner)
  let where: string | null = null
  if (scanner.accept(/where\b/) !== undefined) {
    const condition = scanner.until([/group\s+by\b/])
    if (condition.text === '') scanner.fail('a condition after WHERE', 'INVALID_SQL', condition.start)
    where = condition.text
  }
  scanner.skipSpace()
  const joinAt = scanner.position
  if (scanner.accept(/join\b|inner\b|left\b|right\b|full\b|cross\b|,/) !== undefined) {
    scanner.fail(
      "GROUP BY (one join, before WHERE: FROM streamline_topic('<topic>') <alias> JOIN TABLE('<topic>') <alias> ON … or JOIN streamline_topic('<topic>') <alias> WITHIN <interval> ON …)",
      'UNSUPPORTED_STATEMENT',
      joinAt,
    )
  }
  const { windowKind, args, groupBy, lateness, emitFinal } = parseGroupByWindow(
    scanner,
    streamJoin !== undefined,
  )
  if (!scanner.atEnd())
    scanner.fail('the end of the statement (or , <group>, ALLOWED LATENESS <interval>, EMIT CHANGES | FINAL)')
  const [time, first, second] = args.map((arg) => arg.text)
  return {
    kind: 'view',
    name,
    sql: sql.trim(),
    topic: topic.replaceAll("''", "'"),
    selectList: selectList.text,
    where,
    window: windowKind === 'hop' ? second : first,
    windowKind,
    ...(windowKind === 'hop' ? { advance: first } : {}),
    timeExpression: time,
    lateness,
    groupBy,
    createdMs: nowMs,
    ...(join === undefined ? {} : { join }),
    ...(streamJoin === undefined ? {} : { streamJoin }),
    ...(emitFinal ? { emit: 'final' as const } : {}),
  }
}

export function quoted(text: string): string {
  return `'${text.replaceAll("'", "''")}'`
}

export function windowKindOf(view: ViewDefinition): WindowKind {
  return view.windowKind ?? 'tumble'
}

/** The event time as a TIMESTAMP expression (the record's own `timestamp` column keeps its pushdown). */
export function eventTimeSql(view: ViewDefinition): string {
  const expression = (view.timeExpression ?? 'timestamp').replace(
    view.join === undefined ? /^$/ : new RegExp(`^${view.join.streamAlias}\\.(?=timestamp$)`, 'i'),
    '',
  )
  return /^timestamp$/i.test(expression) ? 'timestamp' : `CAST((${expression}) AS TIMESTAMP)`
}

/** `(partition = 0 AND "offset" < 10 OR …)`: the source records a step may see (deterministic steps). */
export function offsetBoundSql(endOffsets: Record<number, number>): string {
  const parts = Object.entries(endOffsets).map(
    ([partition, end]) => `(partition = ${Number(partition)} AND "offset" < ${Math.floor(end)})`,
  )
  return parts.length === 0 ? 'false' : `(${parts.join(' OR ')})`
}

/** The record key of a window row: [window_start, group values…] as JSON text. */
export function windowKeySql(startSql: string, groups: string[]): string {
  return `to_json([CAST(${startSql} AS VARCHAR)${groups.map((group) => `, CAST((${group}) AS VARCHAR)`).join('')}])::VARCHAR`
}

/**
 * The SELECT computing the TUMBLE/HOP windows that start in [fromMs, toMs) from the source records
 * before `endOffsets`: one row per window and group, with window_start, window_end, the view's
 * columns, and __key (the output record's key). GROUP BY ALL groups by every non-aggregate column,
 * the window included.
 */
export function recomputeSql(
  view: ViewDefinition,
  sizes: WindowSizes,
  fromMs: number,
  toMs: number,
  endOffsets: Record<number, number> | null,
  /** The records' table: the topic, or a view's cache of its records (view-cache.ts). */
  source = `streamline_topic(${quoted(view.topic)})`,
): string {
  const time = eventTimeSql(view)
  const size = `to_milliseconds(${sizes.sizeMs})`
  const advance = `to_milliseconds(${sizes.advanceMs})`
  // Records of windows starting in [from, to) have event times in [from, to - advance + size).
  const where = [
    `${time} >= epoch_ms(${Math.floor(fromMs)})`,
    `${time} < epoch_ms(${Math.ceil(toMs - sizes.advanceMs + sizes.sizeMs)})`,
    ...(endOffsets === null ? [] : [offsetBoundSql(endOffsets)]),
    ...(view.where === null || view.join !== undefined ? [] : [`(${view.where})`]),
  ].join(' AND ')
  const key = `${windowKeySql('window_start', view.groupBy)} AS __key`
  if (view.join !== undefined)
    return joinedRecomputeSql({ ...view, join: view.join }, sizes, fromMs, toMs, where, key)
  if (windowKindOf(view) === 'tumble') {
    const bucket = `time_bucket(${size}, ${time})`
    return `SELECT ${bucket} AS window_start, ${bucket} + ${size} AS window_end, ${view.selectList}, ${key} FROM ${source} WHERE ${where} GROUP BY ALL`
  }
  // HOP: every record is in the windows starting at the multiples of the advance in (time - size, time].
  const expanded = `SELECT *, unnest(generate_series(time_bucket(${advance}, __time - ${size}) + ${advance}, time_bucket(${advance}, __time), ${advance})) AS window_start FROM (SELECT *, ${time} AS __time FROM ${source} WHERE ${where})`
  return `SELECT window_start, window_start + ${size} AS window_end, ${view.selectList}, ${key} FROM (${expanded}) WHERE window_start >= epoch_ms(${Math.floor(fromMs)}) AND window_start < epoch_ms(${Math.ceil(toMs)}) GROUP BY ALL`
}

/**
 * recomputeSql for a view with a stream–table join: the stream's records of the windows (with their
 * event time __time) joined with the table, the view's WHERE over both, grouped.
 */
function joinedRecomputeSql(
  view: ViewDefinition & { join: StreamTableJoin },
  sizes: WindowSizes,
  fromMs: number,
  toMs: number,
  streamWhere: string,
  key: string,
): string {
  const { join } = view
  const size = `to_milliseconds(${sizes.sizeMs})`
  const advance = `to_milliseconds(${sizes.advanceMs})`
  const stream = `(SELECT *, ${eventTimeSql(view)} AS __time FROM streamline_topic(${quoted(view.topic)}) AS ${join.streamAlias} WHERE ${streamWhere}) AS ${join.streamAlias}`
  const from = `${stream} ${join.type === 'left' ? 'LEFT' : 'INNER'} JOIN ${tableSql(join.table)} AS ${join.tableAlias} ON ${join.on}`
  if (windowKindOf(view) === 'tumble') {
    const bucket = `time_bucket(${size}, __time)`
    return `SELECT ${bucket} AS window_start, ${bucket} + ${size} AS window_end, ${view.selectList}, ${key} FROM ${from} WHERE ${view.where ?? 'true'} GROUP BY ALL`
  }
  const starts = `generate_series(time_bucket(${advance}, __time - ${size}) + ${advance}, time_bucket(${advance}, __time), ${advance})`
  const inRange = `window_start >= epoch_ms(${Math.floor(fromMs)}) AND window_start < epoch_ms(${Math.ceil(toMs)})`
  return `SELECT window_start, window_start + ${size} AS window_end, ${view.selectList}, ${key} FROM ${from}, unnest(${starts}) AS __windows(window_start) WHERE ${inRange} AND (${view.where ?? 'true'}) GROUP BY ALL`
}

/** An INTERVAL expression as a BIGINT of milliseconds (DuckDB evaluates it). */
export function intervalMsSql(interval: string): string {
  return `CAST(epoch_ms(TIMESTAMP '2000-01-03 00:00:00' + ${interval}) - epoch_ms(TIMESTAMP '2000-01-03 00:00:00') AS BIGINT)`
}

/** The window intervals in ms, asked of DuckDB by the caller with this SELECT. */
export function intervalsSql(view: ViewDefinition): string {
  const ms = intervalMsSql
  return `SELECT ${ms(view.window)}, ${ms(view.advance ?? view.window)}, ${view.lateness == null ? 'NULL::BIGINT' : ms(view.lateness)}`
}

/** time_bucket's origin for sub-day widths (2000-01-03, a Monday): windows start at origin + k·size. */
export const bucketOriginMs = Date.UTC(2000, 0, 3)

export function windowStartOf(timestampMs: number, sizeMs: number): number {
  return timestampMs - ((((timestampMs - bucketOriginMs) % sizeMs) + sizeMs) % sizeMs)
}

/** The first window start (TUMBLE/HOP) whose window is still open under `watermarkMs`. */
export function firstOpenWindowStart(sizes: WindowSizes, watermarkMs: number | null): number {
  if (watermarkMs === null || sizes.latenessMs === null) return Number.NEGATIVE_INFINITY
  // Open: start + size + lateness > watermark.
  return windowStartOf(watermarkMs - sizes.sizeMs - sizes.latenessMs, sizes.advanceMs) + sizes.advanceMs
}
