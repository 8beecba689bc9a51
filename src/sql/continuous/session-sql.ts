// SESSION windows as SQL (Kafka Streams' / ksqlDB's semantics): per group, records whose event times
// are at most the gap apart form one session; window_start is its first event time and window_end its
// last. The output key is [window_start, group values…], so a session that grows at its start (an
// earlier record) or merges with another gets a new key, and the old key is deleted (a tombstone),
// as Kafka Streams does.
//
// One step computes the sessions twice over the same records, in one query: over the records before
// the step's end offsets (the new sessions) and over those before its start offsets (the sessions
// already in the view). Sessions that contain a new record are written; an old session whose records
// now start a different session is deleted. Both come from the log, so a repeated step (after a
// crash) writes the same rows and tombstones. Sessions can chain back without bound, so each step
// reads the whole source up to its end offsets (the cost docs/sql.md states). A view joining a table
// (JOIN TABLE('<topic>')) forms its sessions from the joined rows, the table as it is at each step.

import {
  eventTimeSql,
  offsetBoundSql,
  quoted,
  splitTopLevel,
  type ViewDefinition,
  windowKeySql,
} from './definition.ts'
import { tableSql } from './stream-join.ts'

/** `alias` → its expression in the select list (group expressions may name a column alias). */
function aliasesOf(selectList: string): Map<string, string> {
  const aliases = new Map<string, string>()
  for (const item of splitTopLevel(selectList)) {
    const match = /^([\s\S]+?)\s+as\s+("?)([A-Za-z_][A-Za-z0-9_]*)\2$/i.exec(item)
    if (match !== null) aliases.set(match[3].toLowerCase(), match[1])
  }
  return aliases
}

/** The group expressions over the source's columns (aliases replaced by what they name). */
export function resolvedGroups(view: ViewDefinition): string[] {
  const aliases = aliasesOf(view.selectList)
  return view.groupBy.map((group) => aliases.get(group.replaceAll('"', '').toLowerCase()) ?? group)
}

/**
 * The source records before the end offsets with their event time (__time), whether they were in the
 * view before the step (__old) and, with ALLOWED LATENESS, whether they are late (__late): more than
 * the lateness behind the largest event time before them in their partition (Kafka Streams' stream
 * time, which is per partition). That depends only on the log, so every step (and a repeated one)
 * drops the same records.
 */
function timedCte(
  view: ViewDefinition,
  latenessMs: number | null,
  startOffsets: Record<number, number>,
  endOffsets: Record<number, number>,
): string {
  const time = eventTimeSql(view)
  const late =
    latenessMs === null
      ? 'false'
      : `coalesce(${time} < max(${time}) OVER (PARTITION BY partition ORDER BY "offset" ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) - to_milliseconds(${latenessMs}), false)`
  const join = view.join
  const alias = join === undefined ? '' : ` AS ${join.streamAlias}`
  const records = `SELECT *, ${time} AS __time, ${offsetBoundSql(startOffsets)} AS __old, ${late} AS __late FROM streamline_topic(${quoted(view.topic)})${alias} WHERE ${offsetBoundSql(endOffsets)} AND ${time} IS NOT NULL`
  if (join === undefined) return `__timed AS (${records})`
  // With a table join each record is joined with the table as it is now (processing time, as for
  // TUMBLE/HOP views). Both sides stay columns named by their aliases (DuckDB gives a table alias as
  // a STRUCT of its row), so the view's `o.value`, `u.value->>'$.x'` read the same in every CTE below.
  const { streamAlias: s, tableAlias: t } = join
  return `__timed AS (SELECT ${s} AS ${s}, ${t} AS ${t}, ${s}.partition AS partition, ${s}."offset" AS "offset", ${s}.__time AS __time, ${s}.__old AS __old, ${s}.__late AS __late FROM (${records}) AS ${s} ${join.type === 'left' ? 'LEFT' : 'INNER'} JOIN ${tableSql(join.table)} AS ${t} ON ${join.on})`
}

/** The records of a step with the new and old session numbering (a CTE body list). */
function sessionsCte(
  view: ViewDefinition,
  gapMs: number,
  latenessMs: number | null,
  startOffsets: Record<number, number>,
  endOffsets: Record<number, number>,
): string {
  const groups = resolvedGroups(view)
  const by = (...extra: string[]) => {
    const parts = [...groups.map((group) => `(${group})`), ...extra]
    return parts.length === 0 ? '' : `PARTITION BY ${parts.join(', ')}`
  }
  const order = 'ORDER BY __time, partition, "offset"'
  const gap = `to_milliseconds(${gapMs})`
  const where = ['NOT __late', ...(view.where === null ? [] : [`(${view.where})`])].join(' AND ')
  return [
    timedCte(view, latenessMs, startOffsets, endOffsets),
    `__source AS (SELECT * FROM __timed WHERE ${where})`,
    `__marked AS (SELECT *, CASE WHEN __time - lag(__time) OVER (${by()} ${order}) <= ${gap} THEN 0 ELSE 1 END AS __opens, CASE WHEN __old THEN CASE WHEN __time - lag(__time) OVER (${by('__old')} ${order}) <= ${gap} THEN 0 ELSE 1 END END AS __opens_old FROM __source)`,
    `__numbered AS (SELECT *, sum(__opens) OVER (${by()} ${order} ROWS UNBOUNDED PRECEDING) AS __session, sum(__opens_old) OVER (${by('__old')} ${order} ROWS UNBOUNDED PRECEDING) AS __session_old FROM __marked)`,
    `__sessions AS (SELECT *, min(__time) OVER (${by('__session')}) AS __start, min(__time) OVER (${by('__old', '__session_old')}) AS __start_old, bool_or(NOT __old) OVER (${by('__session')}) AS __touched FROM __numbered)`,
  ].join(', ')
}

/** The sessions that contain a record of the step: rows like recomputeSql's (with __key). */
export function sessionRowsSql(
  view: ViewDefinition,
  gapMs: number,
  latenessMs: number | null,
  startOffsets: Record<number, number>,
  endOffsets: Record<number, number>,
): string {
  const groupBy = ['__session', ...view.groupBy].join(', ')
  return `WITH ${sessionsCte(view, gapMs, latenessMs, startOffsets, endOffsets)} SELECT min(__time) AS window_start, max(__time) AS window_end, ${view.selectList}, ${windowKeySql('min(__time)', view.groupBy)} AS __key FROM __sessions WHERE __touched GROUP BY ${groupBy}`
}

/** The keys of sessions in the view that the step's records moved to another start (to delete). */
export function sessionTombstonesSql(
  view: ViewDefinition,
  gapMs: number,
  latenessMs: number | null,
  startOffsets: Record<number, number>,
  endOffsets: Record<number, number>,
): string {
  return `WITH ${sessionsCte(view, gapMs, latenessMs, startOffsets, endOffsets)} SELECT DISTINCT ${windowKeySql('__start_old', resolvedGroups(view))} AS __key FROM __sessions WHERE __old AND __touched AND __start_old <> __start`
}

/**
 * EMIT FINAL: the sessions that closed in this step, each written once. A session is closed when
 * its end + gap + lateness is before every partition's stream time (the largest event time read in
 * it): a record that could still join it would be more than the lateness behind its partition's stream
 * time, so dropped. `closedBefore`/`closedAfter` are the smallest partition stream times (epoch ms) at
 * the step's start and end (null: a partition had none).
 */
export function sessionFinalRowsSql(
  view: ViewDefinition,
  gapMs: number,
  latenessMs: number,
  closedBefore: number | null,
  closedAfter: number,
  startOffsets: Record<number, number>,
  endOffsets: Record<number, number>,
): string {
  const groupBy = ['__session', ...view.groupBy].join(', ')
  const closes = `epoch_ms(max(__time)) + ${gapMs + latenessMs}`
  const having = [
    `${closes} < ${closedAfter}`,
    ...(closedBefore === null ? [] : [`${closes} >= ${closedBefore}`]),
  ]
  return `WITH ${sessionsCte(view, gapMs, latenessMs, startOffsets, endOffsets)} SELECT min(__time) AS window_start, max(__time) AS window_end, ${view.selectList}, ${windowKeySql('min(__time)', view.groupBy)} AS __key FROM __sessions GROUP BY ${groupBy} HAVING ${having.join(' AND ')}`
}

/** Each partition's stream time (largest event time, epoch ms) before the start and the end offsets. */
export function sessionStreamTimesSql(
  view: ViewDefinition,
  startOffsets: Record<number, number>,
  endOffsets: Record<number, number>,
): string {
  const alias = view.join === undefined ? '' : ` AS ${view.join.streamAlias}`
  const time = eventTimeSql(view)
  return `SELECT partition, epoch_ms(max(${time}) FILTER (WHERE ${offsetBoundSql(startOffsets)})), epoch_ms(max(${time})) FROM streamline_topic(${quoted(view.topic)})${alias} WHERE ${offsetBoundSql(endOffsets)} GROUP BY partition`
}

/** The step's late records (dropped) and the largest event time up to its end: [dropped, max ms]. */
export function sessionLateSql(
  view: ViewDefinition,
  latenessMs: number,
  startOffsets: Record<number, number>,
  endOffsets: Record<number, number>,
): string {
  const kept = view.where === null ? 'true' : `coalesce((${view.where}), false)`
  return `WITH ${timedCte(view, latenessMs, startOffsets, endOffsets)} SELECT count(*) FILTER (WHERE __late AND NOT __old AND ${kept}), epoch_ms(max(__time)) FROM __timed`
}
