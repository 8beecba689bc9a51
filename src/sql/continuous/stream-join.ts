// Stream–table joins in CREATE STREAM (Kafka Streams' KStream–KTable join):
//
//   CREATE STREAM <name> AS
//   SELECT <value, key, … over both sides>
//   FROM streamline_topic('<stream topic>') [AS] <s>
//   [INNER | LEFT] JOIN TABLE('<table topic>') [AS] <t> ON <condition>
//   [WHERE <condition>]
//
// TABLE('<topic>') is the topic read as a table: its latest record per key (by offset; a record
// with a null value, a tombstone, deletes the key), as a compacted topic holds it. Each step joins the
// stream records that arrived since the checkpoint with the table as it is when the step runs (a
// lookup at processing time, as Kafka Streams does): INNER drops stream records without a match,
// LEFT keeps them with NULL table columns. The stream side is read through the offset pushdown (a
// subquery over one partition's new records); the table is read whole on every step.

import { StatementScanner } from './statement-scanner.ts'

export interface StreamTableJoin {
  type: 'inner' | 'left'
  table: string
  streamAlias: string
  tableAlias: string
  on: string
}

/** A windowed stream–stream join (stream-stream-join.ts runs it). */
export interface StreamStreamJoin {
  type: 'inner' | 'left' | 'right' | 'full'
  /** The right stream's topic (the left is the statement's FROM topic). */
  topic: string
  leftAlias: string
  rightAlias: string
  on: string
  /** WITHIN: records join when their timestamps are at most this far apart (an INTERVAL). */
  within: string
  /** GRACE PERIOD: how long after its window an outer record waits for a partner (an INTERVAL). */
  grace: string | null
  /** The two intervals in ms, evaluated by DuckDB at CREATE. */
  withinMs?: number
  graceMs?: number
}

export interface ParsedStreamJoin {
  name: string
  topic: string
  selectList: string
  where: string | null
  join?: StreamTableJoin
  streamJoin?: StreamStreamJoin
}

const identifier = /[A-Za-z_][A-Za-z0-9_]*/
const reservedAfterSource = /^(inner|left|right|full|cross|join|where|on|within)$/i

function aliasAt(scanner: StatementScanner, what: string): string {
  scanner.accept(/as\b/)
  scanner.skipSpace()
  const at = scanner.position
  const alias = scanner.expect(identifier, `an alias for ${what}`)[0]
  if (reservedAfterSource.test(alias)) scanner.fail(`an alias for ${what}`, 'INVALID_SQL', at)
  return alias
}

/** `10 SECONDS` (ksqlDB) or `INTERVAL '10' SECOND` (SQL) as an INTERVAL expression. */
function intervalText(scanner: StatementScanner, what: string): string {
  scanner.skipSpace()
  const at = scanner.position
  const sql = scanner.accept(/interval\s+('[^']*'|\d+)(\s+(millisecond|second|minute|hour|day)s?)?/)
  if (sql !== undefined) return sql[0]
  const ksql = scanner.accept(/(\d+)\s+(millisecond|second|minute|hour|day)s?\b/)
  if (ksql !== undefined) return `INTERVAL '${ksql[1]}' ${ksql[2].toUpperCase()}`
  return scanner.fail(`${what}: an interval (INTERVAL '10' SECOND or 10 SECONDS)`, 'INVALID_SQL', at)
}

/** The rest of `JOIN streamline_topic('<topic>') <alias> WITHIN … [GRACE PERIOD …]` after `(`. */
function parseStreamSide(
  scanner: StatementScanner,
  type: StreamStreamJoin['type'],
  leftAlias: string,
): Omit<StreamStreamJoin, 'on'> {
  const topic = scanner.expect(/'((?:[^']|'')+)'/, "the joined topic as a string literal ('shipments')")[1]
  scanner.expect(/\)/, ') after the joined topic')
  const rightAlias = aliasAt(scanner, 'the joined stream')
  scanner.expect(
    /within\b/,
    'WITHIN <interval> (a stream–stream join is windowed: how far apart the records may be)',
  )
  const within = intervalText(scanner, 'WITHIN')
  const grace =
    scanner.accept(/grace\s+period\b/) === undefined ? null : intervalText(scanner, 'GRACE PERIOD')
  return { type, topic: topic.replaceAll("''", "'"), leftAlias, rightAlias, within, grace }
}

export function parseStreamJoin(sql: string): ParsedStreamJoin {
  const scanner = new StatementScanner(sql)
  scanner.expect(/create\s+stream\b/, 'CREATE STREAM', 'UNSUPPORTED_STATEMENT')
  const name = scanner.expect(/[A-Za-z_][A-Za-z0-9_.-]*/, 'the stream name')[0]
  scanner.expect(/as\s+select\b/, 'AS SELECT')
  const selectList = scanner.until([/from\b/])
  if (selectList.text === '') scanner.fail('a select list', 'INVALID_SQL', selectList.start)
  scanner.expect(/from\s+streamline_topic\s*\(/, "FROM streamline_topic('<topic>')")
  const topic = scanner.expect(/'((?:[^']|'')+)'/, "the topic name as a string literal ('orders')")[1]
  scanner.expect(/\)/, ') after the topic name')
  const { join, streamJoin } = parseJoinClause(scanner, true)
  let where: string | null = null
  if (scanner.accept(/where\b/) !== undefined) {
    const condition = scanner.until([])
    if (condition.text === '') scanner.fail('a condition after WHERE', 'INVALID_SQL', condition.start)
    where = condition.text
  }
  if (!scanner.atEnd()) scanner.fail('the end of the statement')
  return {
    name,
    topic: topic.replaceAll("''", "'"),
    selectList: selectList.text,
    where,
    ...(join === undefined ? {} : { join }),
    ...(streamJoin === undefined ? {} : { streamJoin }),
  }
}

function quoted(text: string): string {
  return `'${text.replaceAll("'", "''")}'`
}

/** The join of a materialized view: with a table, or a windowed stream–stream join (view-stream-join.ts). */
export interface ViewJoin {
  join?: StreamTableJoin
  streamJoin?: StreamStreamJoin
}

/**
 * After a view's FROM streamline_topic('<topic>'), up to GROUP BY or WHERE (nothing when no alias
 * follows): `[AS] <alias> [INNER | LEFT] JOIN TABLE('<topic>') [AS] <alias> ON <condition>`, or
 * `[AS] <alias> [INNER | LEFT | RIGHT | FULL] [OUTER] JOIN streamline_topic('<topic>') [AS] <alias>
 * WITHIN <interval> [GRACE PERIOD <interval>] ON <condition>`.
 */
export function parseViewJoin(scanner: StatementScanner): ViewJoin {
  return parseJoinClause(scanner, false)
}

/** The join clause of a stream (required) or a view (optional: nothing when WHERE, GROUP BY or the end follows). */
function parseJoinClause(scanner: StatementScanner, required: boolean): ViewJoin {
  scanner.skipSpace()
  if (!required && (/^(where|group)\b/i.test(scanner.text.slice(scanner.position)) || scanner.atEnd()))
    return {}
  const streamAlias = aliasAt(scanner, 'the stream')
  scanner.skipSpace()
  const joinAt = scanner.position
  const joinType = scanner.expect(
    /(inner\s+|(left|right|full)\s+(?:outer\s+)?)?join\b/,
    "[INNER | LEFT] JOIN TABLE('<topic>') or [INNER | LEFT | RIGHT | FULL] JOIN streamline_topic('<topic>') … WITHIN <interval>",
    'UNSUPPORTED_STATEMENT',
  )
  const type = (joinType[2]?.toLowerCase() ?? 'inner') as StreamStreamJoin['type']
  let streamJoin: Omit<StreamStreamJoin, 'on'> | undefined
  let table: { table: string; tableAlias: string } | undefined
  if (scanner.accept(/streamline_topic\s*\(/) !== undefined) {
    streamJoin = parseStreamSide(scanner, type, streamAlias)
  } else {
    if (type === 'right' || type === 'full') {
      scanner.fail(
        "[INNER | LEFT] JOIN TABLE('<topic>') (RIGHT and FULL joins are stream–stream joins: JOIN streamline_topic('<topic>') … WITHIN <interval>)",
        'UNSUPPORTED_STATEMENT',
        joinAt,
      )
    }
    scanner.expect(/table\s*\(/, "TABLE('<topic>') or streamline_topic('<topic>') … WITHIN <interval>")
    const tableTopic = scanner.expect(
      /'((?:[^']|'')+)'/,
      "the table's topic as a string literal ('users')",
    )[1]
    scanner.expect(/\)/, ') after the table topic')
    table = { table: tableTopic.replaceAll("''", "'"), tableAlias: aliasAt(scanner, 'the table') }
  }
  scanner.expect(/on\b/, 'ON <join condition>')
  const on = scanner.until([
    /where\b/,
    /group\s+by\b/,
    /((inner|left|right|full|cross)\s+(outer\s+)?)?join\b/,
  ])
  if (on.text === '') scanner.fail('a join condition after ON', 'INVALID_SQL', on.start)
  if (on.stop === 2) scanner.fail('WHERE or GROUP BY (one join per query)', 'UNSUPPORTED_STATEMENT')
  if (streamJoin !== undefined) return { streamJoin: { ...streamJoin, on: on.text } }
  if (table === undefined) throw new Error('unreachable: a join is with a table or a stream')
  return { join: { type: type === 'left' ? 'left' : 'inner', ...table, streamAlias, on: on.text } }
}

/** TABLE('<topic>') as SQL: the latest record per key, tombstoned keys left out. */
export function tableSql(topic: string): string {
  return `(SELECT * FROM (SELECT * FROM streamline_topic(${quoted(topic)}) WHERE key_bytes IS NOT NULL QUALIFY row_number() OVER (PARTITION BY key_bytes ORDER BY "offset" DESC, partition DESC) = 1) WHERE value_bytes IS NOT NULL)`
}

/** The FROM … JOIN of one step: the stream's records [from, to) of one partition, joined. */
export function joinedFromSql(
  topic: string,
  join: StreamTableJoin,
  partition: number,
  fromOffset: number,
  toOffset: number,
): string {
  const stream = `(SELECT * FROM streamline_topic(${quoted(topic)}) WHERE partition = ${partition} AND "offset" >= ${fromOffset} AND "offset" < ${toOffset})`
  return `${stream} AS ${join.streamAlias} ${join.type === 'left' ? 'LEFT' : 'INNER'} JOIN ${tableSql(join.table)} AS ${join.tableAlias} ON ${join.on}`
}
