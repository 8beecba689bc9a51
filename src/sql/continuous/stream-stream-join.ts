// Windowed stream–stream joins in CREATE STREAM (ksqlDB's `JOIN … WITHIN`, Kafka Streams'
// KStream–KStream join over JoinWindows):
//
//   CREATE STREAM <name> AS
//   SELECT <value, key, … over both sides>
//   FROM streamline_topic('<left>') [AS] l
//   [INNER | LEFT | RIGHT | FULL] [OUTER] JOIN streamline_topic('<right>') [AS] r
//     WITHIN <interval> [GRACE PERIOD <interval>] ON <condition>
//   [WHERE <condition>]
//
// Two records join when the ON condition holds and their timestamps are at most WITHIN apart. The
// state is the two topics themselves (bounded by their retention), read back through the time index.
//
// One step (deterministic: its end offsets are written as `pending` first, so a restart repeats the
// same step with the same input):
// - pairs: the new left records against every right record before the step's end, then the new
//   right records against the left records before the step's start; so each pair is written once, in
//   the step where its later record arrived;
// - outer rows (LEFT/RIGHT/FULL): the watermark is the largest timestamp seen on both sides; a record
//   whose window has closed (timestamp + WITHIN + GRACE < watermark) and that has no partner among
//   the records before the step's end is written with NULLs for the other side, once: in the step
//   where its window closed (or where it arrived, if it arrived after that). As in Kafka Streams
//   since 3.1, outer rows wait for the window to close instead of being written at once.
// A partner arriving after the grace period still makes its pair (nothing is dropped), so the pairs
// written are exactly those of a batch join of the two topics; the outer row of its partner stays.

import type { LogManager } from '../../storage/types.ts'
import type { QueryRequest, QueryResult } from '../types.ts'
import { offsetBoundSql, quoted } from './definition.ts'
import type { Checkpoint, QueryStore, StoredView } from './query-store.ts'
import type { StreamDefinition } from './stream-definition.ts'
import type { StreamStreamJoin } from './stream-join.ts'
import { timestampRange } from './view-step.ts'

/** Source records one step reads per partition of each side. */
const stepRecordsMax = 50_000
const stepTimeoutMs = 300_000

export interface StreamJoinStepContext {
  logs: LogManager
  run: (request: QueryRequest) => Promise<QueryResult>
  store: QueryStore
}

type Offsets = Record<number, number>

/** `(SELECT * … WHERE partition = p AND "offset" in [start, end) …) UNION ALL …`: one side's new records. */
function newRecordsSql(topic: string, start: Offsets, end: Offsets): string {
  const parts = Object.entries(end)
    .filter(([partition, to]) => to > (start[Number(partition)] ?? 0))
    .map(
      ([partition, to]) =>
        `SELECT * FROM streamline_topic(${quoted(topic)}) WHERE partition = ${Number(partition)} AND "offset" >= ${start[Number(partition)] ?? 0} AND "offset" < ${to}`,
    )
  return parts.length === 0
    ? `SELECT * FROM streamline_topic(${quoted(topic)}) WHERE partition = 0 AND "offset" >= 0 AND "offset" < 0`
    : parts.join(' UNION ALL ')
}

/** One side's records before `end` with timestamps in [fromMs, toMs] (either bound may be open). */
function recordsBeforeSql(topic: string, end: Offsets, fromMs: number, toMs: number): string {
  const where = [offsetBoundSql(end)]
  if (Number.isFinite(fromMs)) where.unshift(`timestamp >= epoch_ms(${Math.floor(fromMs)})`)
  if (Number.isFinite(toMs)) where.unshift(`timestamp <= epoch_ms(${Math.ceil(toMs)})`)
  return `SELECT * FROM streamline_topic(${quoted(topic)}) WHERE ${where.join(' AND ')}`
}

export function withinSql(join: StreamStreamJoin): string {
  const ms = `to_milliseconds(${join.withinMs ?? 0})`
  return `${join.rightAlias}.timestamp BETWEEN ${join.leftAlias}.timestamp - ${ms} AND ${join.leftAlias}.timestamp + ${ms}`
}

/** The SELECT of pairs: left records × right records (each a SELECT), joined. */
export function pairsSql(
  stream: StreamDefinition,
  join: StreamStreamJoin,
  left: string,
  right: string,
): string {
  const carried = stream.hasTimestamp
    ? ''
    : `, greatest(${join.leftAlias}.timestamp, ${join.rightAlias}.timestamp) AS timestamp`
  const filter = stream.where === null ? '' : ` WHERE ${stream.where}`
  return `SELECT ${stream.selectList}${carried} FROM (${left}) AS ${join.leftAlias} INNER JOIN (${right}) AS ${join.rightAlias} ON (${join.on}) AND ${withinSql(join)}${filter}`
}

/** The SELECT of one side's outer rows: its candidates without a partner among `partners`. */
function unmatchedSql(
  stream: StreamDefinition,
  join: StreamStreamJoin,
  side: 'left' | 'right',
  candidates: string,
  partners: string,
): string {
  const [own, other] = side === 'left' ? [join.leftAlias, join.rightAlias] : [join.rightAlias, join.leftAlias]
  const carried = stream.hasTimestamp ? '' : `, ${own}.timestamp AS timestamp`
  const from =
    side === 'left'
      ? `(${candidates}) AS ${join.leftAlias} LEFT JOIN (${partners}) AS ${join.rightAlias}`
      : `(${partners}) AS ${join.leftAlias} RIGHT JOIN (${candidates}) AS ${join.rightAlias}`
  const filter = [`${other}."offset" IS NULL`, ...(stream.where === null ? [] : [`(${stream.where})`])]
  return `SELECT ${stream.selectList}${carried} FROM ${from} ON (${join.on}) AND ${withinSql(join)} WHERE ${filter.join(' AND ')}`
}

export interface Side {
  topic: string
  start: Offsets
  end: Offsets
  /** Smallest and largest timestamps of the step's new records (±Infinity when none). */
  low: number
  high: number
}

/** The step's outer-row queries for one side (records whose window closes in this step). */
function outerQueries(
  stream: StreamDefinition,
  join: StreamStreamJoin,
  side: 'left' | 'right',
  own: Side,
  other: Side,
  watermarkOld: number | null,
  watermarkNew: number,
): string[] {
  const span = (join.withinMs ?? 0) + (join.graceMs ?? 0)
  const closeTo = watermarkNew - span
  // Closed: timestamp + WITHIN + GRACE < watermark. Old records whose window closes now, and new
  // records whose window had closed before they arrived.
  const lowerBound = watermarkOld === null ? Number.NEGATIVE_INFINITY : watermarkOld - span
  const closing = recordsBeforeSql(own.topic, own.end, lowerBound, Number.POSITIVE_INFINITY)
  const candidates = [`SELECT * FROM (${closing}) WHERE timestamp < epoch_ms(${Math.ceil(closeTo)})`]
  if (watermarkOld !== null && Number.isFinite(own.low) && own.low < lowerBound) {
    candidates.push(
      `SELECT * FROM (${newRecordsSql(own.topic, own.start, own.end)}) WHERE timestamp < epoch_ms(${Math.ceil(lowerBound)})`,
    )
  }
  if (!(closeTo > lowerBound) && candidates.length === 1) return []
  const from = Math.min(lowerBound, own.low)
  const within = join.withinMs ?? 0
  const partners = recordsBeforeSql(other.topic, other.end, from - within, closeTo + within)
  return [unmatchedSql(stream, join, side, candidates.join(' UNION ALL '), partners)]
}

/** The INSERTs of one step (pairs, then outer rows), given its offsets and watermarks. */
export function joinStepSql(
  stream: StreamDefinition,
  join: StreamStreamJoin,
  left: Side,
  right: Side,
  watermarkOld: number | null,
  watermarkNew: number | null,
): string[] {
  const within = join.withinMs ?? 0
  const selects: string[] = []
  if (Number.isFinite(left.low)) {
    const partners = recordsBeforeSql(right.topic, right.end, left.low - within, left.high + within)
    selects.push(pairsSql(stream, join, newRecordsSql(left.topic, left.start, left.end), partners))
  }
  if (Number.isFinite(right.low)) {
    const partners = recordsBeforeSql(left.topic, left.start, right.low - within, right.high + within)
    selects.push(pairsSql(stream, join, partners, newRecordsSql(right.topic, right.start, right.end)))
  }
  if (watermarkNew !== null) {
    if (join.type === 'left' || join.type === 'full')
      selects.push(...outerQueries(stream, join, 'left', left, right, watermarkOld, watermarkNew))
    if (join.type === 'right' || join.type === 'full')
      selects.push(...outerQueries(stream, join, 'right', right, left, watermarkOld, watermarkNew))
  }
  return selects.map((select) => `INSERT INTO streamline_topic(${quoted(stream.name)}) ${select}`)
}

/** Next offsets, the end of this step (bounded), for one topic. */
export function boundsOf(
  logs: LogManager,
  topic: string,
  offsets: Offsets,
): { start: Offsets; current: Offsets } {
  const start: Offsets = {}
  const current: Offsets = {}
  const partitions = logs.getTopic(topic)?.partitionCount ?? 0
  for (let partition = 0; partition < partitions; partition++) {
    const log = logs.partition(topic, partition)
    if (log === undefined) continue
    start[partition] = Math.max(offsets[partition] ?? 0, log.logStartOffset)
    current[partition] = Math.min(log.lastStableOffset, start[partition] + stepRecordsMax)
  }
  return { start, current }
}

export async function sideOf(logs: LogManager, topic: string, start: Offsets, end: Offsets): Promise<Side> {
  let low = Number.POSITIVE_INFINITY
  let high = Number.NEGATIVE_INFINITY
  for (const [key, to] of Object.entries(end)) {
    const from = start[Number(key)] ?? 0
    if (from >= to) continue
    const [partLow, partHigh] = await timestampRange(logs, topic, Number(key), from, to)
    low = Math.min(low, partLow)
    high = Math.max(high, partHigh)
  }
  return { topic, start, end, low, high }
}

export const hasNew = (start: Offsets, end: Offsets) =>
  Object.entries(end).some(([partition, offset]) => offset > (start[Number(partition)] ?? 0))

/** Brings a stream–stream join up to both topics' ends (one bounded step; see the header). */
export async function advanceStreamJoin(
  context: StreamJoinStepContext,
  view: StoredView,
  stream: StreamDefinition,
  join: StreamStreamJoin,
): Promise<void> {
  const { logs, store } = context
  if (logs.getTopic(stream.topic) === undefined || logs.getTopic(join.topic) === undefined) return
  const leftBounds = boundsOf(logs, stream.topic, view.offsets)
  const rightBounds = boundsOf(logs, join.topic, view.rightOffsets ?? {})
  let leftEnd = view.pending
  let rightEnd = view.rightPending
  const checkpoint: Checkpoint = {
    offsets: view.offsets,
    rightOffsets: view.rightOffsets ?? {},
    watermarkMs: view.watermarkMs ?? null,
  }
  if (leftEnd === undefined || rightEnd === undefined) {
    if (!hasNew(leftBounds.start, leftBounds.current) && !hasNew(rightBounds.start, rightBounds.current))
      return
    leftEnd = leftBounds.current
    rightEnd = rightBounds.current
    await store.saveCheckpoint(stream.name, { ...checkpoint, pending: leftEnd, rightPending: rightEnd })
  }
  const left = await sideOf(logs, stream.topic, leftBounds.start, leftEnd)
  const right = await sideOf(logs, join.topic, rightBounds.start, rightEnd)
  const watermarkOld = view.watermarkMs ?? null
  const seen = Math.max(left.high, right.high)
  const watermarkNew = Number.isFinite(seen) ? Math.max(watermarkOld ?? seen, seen) : watermarkOld
  for (const sql of joinStepSql(stream, join, left, right, watermarkOld, watermarkNew)) {
    await context.run({ sql, timeoutMs: stepTimeoutMs })
  }
  await store.saveCheckpoint(stream.name, {
    offsets: { ...view.offsets, ...leftEnd },
    rightOffsets: { ...view.rightOffsets, ...rightEnd },
    watermarkMs: watermarkNew,
  })
}
