// The DuckDB table function `streamline_topic('<topic>')`, registered on each query's connection
// over the batches that query's scan read (topic-scan.ts). DuckDB calls its callbacks on the JS
// thread; each call of the main function decodes records and fills one chunk (≤ 2048 rows) of the
// columns the query uses (projection pushdown: a `count(*)` decodes no keys, values or headers).
//
// Columns: topic, partition, offset, timestamp (UTC), timestamp_type, key and value (UTF-8 text, NULL
// when the bytes are not valid UTF-8), headers (list of {key, value}), key_bytes and value_bytes,
// key_schema_id and value_schema_id (Confluent's wire format), key_decoded and value_decoded (typed
// through the schema registry or by JSON inference; decode/).

import {
  BIGINT,
  BLOB,
  type DuckDBConnection,
  DuckDBDataChunk,
  DuckDBTableFunction,
  type DuckDBType,
  INTEGER,
  LIST,
  STRUCT,
  TIMESTAMP,
  VARCHAR,
} from '@duckdb/node-api'
import { type ChunkSegment, ColumnIndex, type DecodedBatch, writeChunk } from './chunk-writer.ts'
import { jsonType } from './decode/shape.ts'
import { decodeBatchRows } from './record-columns.ts'
import { topicFunctionName } from './sql-ast.ts'
import type { ScannedTopic } from './topic-scan.ts'

/** The columns, in order (chunk-writer.ts's ColumnIndex follows this order). */
const columns: ReadonlyArray<{ name: string; type: DuckDBType }> = [
  { name: 'topic', type: VARCHAR },
  { name: 'partition', type: INTEGER },
  { name: 'offset', type: BIGINT },
  { name: 'timestamp', type: TIMESTAMP },
  { name: 'timestamp_type', type: VARCHAR },
  { name: 'key', type: VARCHAR },
  { name: 'value', type: VARCHAR },
  { name: 'headers', type: LIST(STRUCT({ key: VARCHAR, value: VARCHAR })) },
  { name: 'key_bytes', type: BLOB },
  { name: 'value_bytes', type: BLOB },
  { name: 'key_schema_id', type: INTEGER },
  { name: 'value_schema_id', type: INTEGER },
  // Typed per query at bind (decode/decoded-columns.ts); JSON until the engine prepared them.
  { name: 'key_decoded', type: jsonType },
  { name: 'value_decoded', type: jsonType },
]

/** Names of the columns whose type depends on the records (the engine prepares them before the query). */
export const decodedColumnNames: readonly string[] = ['key_decoded', 'value_decoded']

/** The error an init fails with when a decoded column is read but was not prepared (the engine then
 * prepares it and runs the query again). */
export const decodedColumnsNotPrepared = 'streamline_topic: decoded columns not prepared'

export const topicColumnNames = columns.map((column) => column.name)

/** Rows per chunk DuckDB asks for (its standard vector size). */
const chunkRowsMax = 2048

/** Where a scan is: the batch being emitted and its decoded records. */
interface Cursor {
  topic: ScannedTopic
  topicBytes: Uint8Array
  columnIndexes: number[]
  batchIndex: number
  decoded: DecodedBatch | null
  row: number
  /** The batches after `decoded`, in order, decoded ahead while DuckDB worked on chunks. */
  ahead: DecodedBatch[]
  /** A decodeAhead call is scheduled. */
  aheadScheduled: boolean
  /** Called with each batch's decoded records (the views' caches read their timestamps). */
  onBatch?: (rows: DecodedBatch['rows']) => void
}

function fillChunk(cursor: Cursor, output: DuckDBDataChunk): void {
  const segments: ChunkSegment[] = []
  const { topic } = cursor
  let rows = 0
  while (rows < chunkRowsMax) {
    const decoded = cursor.decoded
    if (decoded !== null && cursor.row < decoded.rows.count) {
      const count = Math.min(decoded.rows.count - cursor.row, chunkRowsMax - rows)
      segments.push({ decoded, fromRow: cursor.row, count, chunkRow: rows })
      cursor.row += count
      rows += count
      continue
    }
    if (cursor.batchIndex + 1 >= topic.batches.length) break
    cursor.batchIndex += 1
    const batch = topic.batches[cursor.batchIndex]
    cursor.decoded = cursor.ahead.shift() ?? { batch, rows: decodeBatchRows(batch, topic.spec) }
    cursor.onBatch?.(cursor.decoded.rows)
    cursor.row = 0
  }
  writeChunk(output, cursor.columnIndexes, segments, rows, cursor.topicBytes, topic.decoded)
}

/** Batches decoded ahead at most (each holds only its records' offsets, timestamps and ranges). */
const aheadBatchesMax = 3

/**
 * Decodes the next batch the scan will read (it reads every batch it holds, in order) and schedules
 * itself again until aheadBatchesMax are ready. Scheduled (setImmediate) after each chunk is handed to
 * DuckDB, it runs after the chunk requests already waiting, in the JS thread's idle time while
 * DuckDB's threads work on their chunks: a DuckDB thread asking for a chunk then waits only for the
 * column writes. One batch per call, so a request never waits behind more than one batch's decoding.
 * A failure is left for fillChunk, which decodes the batch again and fails the query with it.
 */
function decodeAhead(cursor: Cursor): void {
  cursor.aheadScheduled = false
  const { topic, ahead } = cursor
  const index = cursor.batchIndex + 1 + ahead.length
  if (ahead.length >= aheadBatchesMax || index >= topic.batches.length) return
  const batch = topic.batches[index]
  try {
    ahead.push({ batch, rows: decodeBatchRows(batch, topic.spec) })
  } catch {
    return
  }
  scheduleDecodeAhead(cursor)
}

function scheduleDecodeAhead(cursor: Cursor): void {
  if (cursor.aheadScheduled || cursor.ahead.length >= aheadBatchesMax) return
  if (cursor.batchIndex + 1 + cursor.ahead.length >= cursor.topic.batches.length) return
  cursor.aheadScheduled = true
  setImmediate(decodeAhead, cursor)
}

/**
 * The records of a scan as chunks of the given columns (not the decoded ones), each handed to
 * `onChunk` before the next is filled in the same chunk: the continuous views' caches append them
 * to a table on the JS thread (continuous/view-cache.ts). Returns the row count.
 */
export function forEachTopicChunk(
  topic: ScannedTopic,
  columnNames: readonly string[],
  onChunk: (chunk: DuckDBDataChunk) => void,
  onBatch?: (rows: DecodedBatch['rows']) => void,
): number {
  const columnIndexes = columnNames.map((name) => topicColumnNames.indexOf(name))
  if (columnIndexes.some((index) => index < 0 || decodedColumnNames.includes(topicColumnNames[index])))
    throw new Error(`streamline_topic: no plain columns ${columnNames.join(', ')}`)
  const chunk = DuckDBDataChunk.create(columnIndexes.map((index) => columns[index].type))
  const cursor: Cursor = {
    topic,
    topicBytes: Buffer.from(topic.spec.topic),
    columnIndexes,
    batchIndex: -1,
    decoded: null,
    row: 0,
    ahead: [],
    aheadScheduled: false,
    ...(onBatch === undefined ? {} : { onBatch }),
  }
  let rows = 0
  for (;;) {
    chunk.reset()
    fillChunk(cursor, chunk)
    if (chunk.rowCount === 0) return rows
    rows += chunk.rowCount
    onChunk(chunk)
  }
}

/** The SQL type of a plain column (its name in topicColumnNames). */
export function topicColumnTypeSql(name: string): string {
  const column = columns.find((candidate) => candidate.name === name)
  if (column === undefined) throw new Error(`streamline_topic has no column ${name}`)
  return column.type.toString()
}

/** The scans of the queries running on one DuckDB instance, by connection id. */
export type ScansByConnection = Map<number, ReadonlyMap<string, ScannedTopic>>

/**
 * Registers streamline_topic once on an instance (registration is instance-wide): each bind finds the
 * scans of its own query by the connection it runs on. A topic the query names that was not scanned
 * (its name was not a string literal) fails the bind with a clear message.
 */
export function registerTopicFunction(connection: DuckDBConnection, scans: ScansByConnection): void {
  const tableFunction = DuckDBTableFunction.create({
    name: topicFunctionName,
    parameterTypes: [VARCHAR],
    supportsProjectionPushdown: true,
    bindFunction(info) {
      const name = info.getParameter(0)
      const topics = scans.get(info.clientContext.connectionId)
      const topic = typeof name === 'string' ? topics?.get(name) : undefined
      if (topic === undefined) {
        info.setError(
          `${topicFunctionName}() takes the topic name as a string literal, e.g. ${topicFunctionName}('orders')`,
        )
        return
      }
      for (const column of columns) {
        const decoded =
          column.name === 'key_decoded'
            ? topic.decoded?.key
            : column.name === 'value_decoded'
              ? topic.decoded?.value
              : undefined
        info.addResultColumn(column.name, decoded?.type ?? column.type)
      }
      info.setBindData({ topic })
    },
    initFunction(info) {
      const { topic } = info.bindData as { topic: ScannedTopic }
      const columnIndexes = info.getColumnIndexes()
      const readsDecoded = columnIndexes.some(
        (index) => index === ColumnIndex.keyDecoded || index === ColumnIndex.valueDecoded,
      )
      if (readsDecoded && topic.decoded === undefined) {
        info.setError(decodedColumnsNotPrepared)
        return
      }
      const cursor: Cursor = {
        topic,
        topicBytes: Buffer.from(topic.spec.topic),
        columnIndexes,
        batchIndex: -1,
        decoded: null,
        row: 0,
        ahead: [],
        aheadScheduled: false,
      }
      info.setInitData(cursor)
      // Every call of the main function runs on the JS thread, one at a time, so chunks keep offset
      // order; with more threads, DuckDB runs what follows the scan (JSON extraction, aggregation) on
      // each, which a GROUP BY's result does not depend on (engine.ts decides).
      info.setMaxThreads(topic.parallel === true ? 2 : 1)
    },
    mainFunction(info, output) {
      try {
        const cursor = info.initData as Cursor
        fillChunk(cursor, output)
        if (output.rowCount > 0) scheduleDecodeAhead(cursor)
      } catch (error) {
        info.setError(error instanceof Error ? error.message : String(error))
      }
    },
  })
  connection.registerTableFunction(tableFunction)
}
