// The one continuous-query shape built so far: a tumbling-window materialized view.
//
//   CREATE MATERIALIZED VIEW <name> AS
//   SELECT <expressions and aggregates, each AS alias>
//   FROM streamline_topic('<topic>')
//   [WHERE <condition>]
//   GROUP BY TUMBLE(timestamp, INTERVAL '<n>' <unit>)[, <group expressions>]
//
// Each window is computed by DuckDB from the log (recompute.ts), so any DuckDB aggregate works
// (count, sum, avg, min, max, first, last, count(DISTINCT …), …). The statement is recognised with a
// pattern here (DuckDB's parser knows no materialized views); its SELECT parts are checked by DuckDB
// when the view is created (a first recompute over an empty range).

import { SqlError } from '../errors.ts'

export interface ViewDefinition {
  /** Absent in definitions stored before streams existed. */
  kind?: 'view'
  name: string
  /** The statement as given. */
  sql: string
  topic: string
  selectList: string
  where: string | null
  /** `INTERVAL '10' SECOND`. */
  window: string
  /** Group expressions besides the window, split at top-level commas. */
  groupBy: string[]
  createdMs: number
}

const createPattern =
  /^\s*create\s+materialized\s+view\s+([A-Za-z_][A-Za-z0-9_.-]*)\s+as\s+select\s+([\s\S]+?)\s+from\s+streamline_topic\s*\(\s*'((?:[^']|'')+)'\s*\)\s*(?:where\s+([\s\S]+?)\s+)?group\s+by\s+tumble\s*\(\s*timestamp\s*,\s*(interval\s+[^()]+?)\s*\)\s*(?:,\s*([\s\S]+?))?\s*;?\s*$/i

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

export function parseCreateView(sql: string, nowMs: number): ViewDefinition {
  const match = createPattern.exec(sql)
  if (match === null) {
    throw new SqlError(
      'UNSUPPORTED_STATEMENT',
      "a materialized view is CREATE MATERIALIZED VIEW <name> AS SELECT … FROM streamline_topic('<topic>') [WHERE …] GROUP BY TUMBLE(timestamp, INTERVAL '<n>' <unit>)[, …] (other windows and joins are not supported yet)",
    )
  }
  const [, name, selectList, topic, where, window, groupBy] = match
  return {
    kind: 'view',
    name,
    sql: sql.trim(),
    topic: topic.replaceAll("''", "'"),
    selectList,
    where: where ?? null,
    window,
    groupBy: groupBy === undefined ? [] : splitTopLevel(groupBy),
    createdMs: nowMs,
  }
}

function quoted(text: string): string {
  return `'${text.replaceAll("'", "''")}'`
}

/**
 * The SELECT computing the windows that start in [fromMs, toMs): one row per window and group, with
 * window_start, window_end, the view's columns, and __key (the window and group values as JSON: the
 * output record's key). GROUP BY ALL groups by every non-aggregate column, the window included.
 */
export function recomputeSql(view: ViewDefinition, fromMs: number, toMs: number): string {
  const bucket = `time_bucket(${view.window}, timestamp)`
  const key = `to_json([CAST(window_start AS VARCHAR)${view.groupBy.map((group) => `, CAST((${group}) AS VARCHAR)`).join('')}])::VARCHAR AS __key`
  const where = [
    `timestamp >= epoch_ms(${Math.floor(fromMs)})`,
    `timestamp < epoch_ms(${Math.ceil(toMs)})`,
    ...(view.where === null ? [] : [`(${view.where})`]),
  ].join(' AND ')
  return `SELECT ${bucket} AS window_start, ${bucket} + ${view.window} AS window_end, ${view.selectList}, ${key} FROM streamline_topic(${quoted(view.topic)}) WHERE ${where} GROUP BY ALL`
}

/** The window size in ms, asked of DuckDB by the caller with this SELECT. */
export function windowSizeSql(view: ViewDefinition): string {
  return `SELECT CAST(epoch_ms(TIMESTAMP '2000-01-03 00:00:00' + ${view.window}) - epoch_ms(TIMESTAMP '2000-01-03 00:00:00') AS BIGINT) AS size_ms`
}

/** time_bucket's origin for sub-day widths (2000-01-03, a Monday): windows start at origin + k·size. */
export const bucketOriginMs = Date.UTC(2000, 0, 3)

export function windowStartOf(timestampMs: number, sizeMs: number): number {
  return timestampMs - ((((timestampMs - bucketOriginMs) % sizeMs) + sizeMs) % sizeMs)
}
