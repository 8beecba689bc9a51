// The second continuous-query shape: a stream, a filter/projection of one topic into another.
//
//   CREATE STREAM <name> AS
//   SELECT <columns of an INSERT INTO streamline_topic: value (required), key, partition, timestamp, headers>
//   FROM streamline_topic('<topic>')
//   [WHERE <condition>]
//
// Each step runs, per source partition, `INSERT INTO streamline_topic('<name>') SELECT … WHERE
// partition = p AND "offset" in [checkpoint, end) AND (<condition>)`: the records that arrived since
// the checkpoint, read through the offset pushdown, written as INSERT INTO writes them. Without a
// timestamp column, an output record keeps its source record's timestamp.

import { SqlError } from '../errors.ts'
import { joinedFromSql, parseStreamJoin, type StreamStreamJoin, type StreamTableJoin } from './stream-join.ts'
import { pairsSql } from './stream-stream-join.ts'

export interface StreamDefinition {
  kind: 'stream'
  name: string
  /** The statement as given. */
  sql: string
  topic: string
  selectList: string
  where: string | null
  /** Whether the select list names a timestamp column (else the source's is carried). */
  hasTimestamp: boolean
  createdMs: number
  /** Set by PAUSE, cleared by RESUME. */
  paused?: boolean
  /** A stream–table join (stream-join.ts). */
  join?: StreamTableJoin
  /** A windowed stream–stream join (stream-stream-join.ts). */
  streamJoin?: StreamStreamJoin
}

const createPattern =
  /^\s*create\s+stream\s+([A-Za-z_][A-Za-z0-9_.-]*)\s+as\s+select\s+([\s\S]+?)\s+from\s+streamline_topic\s*\(\s*'((?:[^']|'')+)'\s*\)\s*(?:where\s+([\s\S]+?))?\s*;?\s*$/i

export function parseCreateStream(sql: string, nowMs: number): Omit<StreamDefinition, 'hasTimestamp'> {
  const match = createPattern.exec(sql)
  if (match === null && /\bjoin\b/i.test(sql)) {
    const joined = parseStreamJoin(sql)
    if (usesWindowFunction(joined.selectList)) {
      // A joined step sees only its new records; reading the partition again is done for plain streams.
      throw new SqlError(
        'UNSUPPORTED_STATEMENT',
        'a stream with a join takes no window function (moving_avg, … OVER): only a stream over one topic does',
      )
    }
    return { kind: 'stream', sql: sql.trim(), createdMs: nowMs, ...joined }
  }
  if (match === null) {
    throw new SqlError(
      'UNSUPPORTED_STATEMENT',
      "a stream is CREATE STREAM <name> AS SELECT <value, key, …> FROM streamline_topic('<topic>') [[LEFT] JOIN TABLE('<topic>') <alias> ON … | [INNER|LEFT|RIGHT|FULL] JOIN streamline_topic('<topic>') <alias> WITHIN <interval> ON …] [WHERE …] (GROUP BY and other sources are not supported)",
    )
  }
  const [, name, selectList, topic, where] = match
  return {
    kind: 'stream',
    name,
    sql: sql.trim(),
    topic: topic.replaceAll("''", "'"),
    selectList,
    where: where ?? null,
    createdMs: nowMs,
  }
}

function quoted(text: string): string {
  return `'${text.replaceAll("'", "''")}'`
}

const stepOffsetColumn = '__streamline_step_offset'

/** Whether a select list holds a window function (an OVER clause, or moving_avg, whose macro has one). */
export function usesWindowFunction(selectList: string): boolean {
  return /\bover\s*\(|\bmoving_avg\s*\(/i.test(selectList)
}

/** The stream's SELECT over records [fromOffset, toOffset) of one source partition. */
export function streamSelectSql(
  stream: Omit<StreamDefinition, 'hasTimestamp'> & { hasTimestamp?: boolean },
  partition: number,
  fromOffset: number,
  toOffset: number,
): string {
  if (stream.streamJoin !== undefined) {
    // The pairs of an empty range (CREATE checks the SELECT with it; steps use stream-stream-join.ts).
    const none = (topic: string) =>
      `SELECT * FROM streamline_topic(${quoted(topic)}) WHERE partition = ${partition} AND "offset" >= ${fromOffset} AND "offset" < ${toOffset}`
    return pairsSql(
      { ...stream, hasTimestamp: stream.hasTimestamp ?? true },
      stream.streamJoin,
      none(stream.topic),
      none(stream.streamJoin.topic),
    )
  }
  if (stream.join !== undefined) {
    const carriedTimestamp = stream.hasTimestamp === false ? `, ${stream.join.streamAlias}.timestamp` : ''
    const filter = stream.where === null ? '' : ` WHERE ${stream.where}`
    return `SELECT ${stream.selectList}${carriedTimestamp} FROM ${joinedFromSql(stream.topic, stream.join, partition, fromOffset, toOffset)}${filter}`
  }
  if (usesWindowFunction(stream.selectList)) {
    // A window function (moving_avg, … OVER) sees the partition's earlier records too, as an ad-hoc
    // query over the topic would: the step reads the partition from its oldest retained record and
    // writes only the rows of its own range.
    const inner = [
      `partition = ${partition}`,
      `"offset" < ${toOffset}`,
      ...(stream.where === null ? [] : [`(${stream.where})`]),
    ].join(' AND ')
    const carriedColumn = stream.hasTimestamp === false ? ', timestamp' : ''
    return `SELECT * EXCLUDE (${stepOffsetColumn}) FROM (SELECT ${stream.selectList}${carriedColumn}, "offset" AS ${stepOffsetColumn} FROM streamline_topic(${quoted(stream.topic)}) WHERE ${inner}) WHERE ${stepOffsetColumn} >= ${fromOffset}`
  }
  const where = [
    `partition = ${partition}`,
    `"offset" >= ${fromOffset}`,
    `"offset" < ${toOffset}`,
    ...(stream.where === null ? [] : [`(${stream.where})`]),
  ].join(' AND ')
  const carried = stream.hasTimestamp === false ? ', timestamp' : ''
  return `SELECT ${stream.selectList}${carried} FROM streamline_topic(${quoted(stream.topic)}) WHERE ${where}`
}

/** One step of the stream: the INSERT writing one partition's new records to the stream's topic. */
export function streamStepSql(
  stream: StreamDefinition,
  partition: number,
  fromOffset: number,
  toOffset: number,
): string {
  return `INSERT INTO streamline_topic(${quoted(stream.name)}) ${streamSelectSql(stream, partition, fromOffset, toOffset)}`
}
