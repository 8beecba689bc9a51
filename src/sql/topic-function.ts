// The DuckDB table function `streamline_topic('<topic>')`, registered on each query's connection
// over the batches that query's scan read (topic-scan.ts). DuckDB calls its callbacks on the JS
// thread; each call of the main function decodes records and fills one chunk (≤ 2048 rows) of the
// columns the query uses (projection pushdown: a `count(*)` decodes no keys, values or headers).
//
// Columns: topic, partition, offset, timestamp (UTC), timestamp_type, key and value (UTF-8 text, NULL
// when the bytes are not valid UTF-8), headers (list of {key, value}), key_bytes and value_bytes.

import {
  BIGINT,
  BLOB,
  blobValue,
  type DuckDBConnection,
  type DuckDBDataChunk,
  DuckDBTableFunction,
  type DuckDBType,
  type DuckDBValue,
  INTEGER,
  LIST,
  listValue,
  STRUCT,
  structValue,
  TIMESTAMP,
  timestampValue,
  VARCHAR,
} from '@duckdb/node-api'
import { TimestampType } from '../protocol/records/batch-header.ts'
import { type BatchRows, decodeBatchRows, headersOf, textOf } from './record-columns.ts'
import { topicFunctionName } from './sql-ast.ts'
import type { ScannedBatch, ScannedTopic } from './topic-scan.ts'

/** A scanned batch with its in-range records decoded (record-columns.ts). */
interface DecodedBatch {
  batch: ScannedBatch
  rows: BatchRows
}

type Cell = (decoded: DecodedBatch, row: number, topic: string) => DuckDBValue

function blob(data: Buffer, start: number, end: number): DuckDBValue {
  return start < 0 ? null : blobValue(new Uint8Array(data.buffer, data.byteOffset + start, end - start))
}

/** The columns, in order: name, DuckDB type, and the value of one record. */
const columns: ReadonlyArray<{ name: string; type: DuckDBType; cellOf: Cell }> = [
  { name: 'topic', type: VARCHAR, cellOf: (_decoded, _row, topic) => topic },
  { name: 'partition', type: INTEGER, cellOf: ({ batch }) => batch.partition },
  { name: 'offset', type: BIGINT, cellOf: ({ rows }, row) => BigInt(rows.offsets[row]) },
  {
    name: 'timestamp',
    type: TIMESTAMP,
    cellOf: ({ rows }, row) => timestampValue(BigInt(rows.timestamps[row]) * 1000n),
  },
  {
    name: 'timestamp_type',
    type: VARCHAR,
    cellOf: ({ batch }) =>
      batch.header.timestampType === TimestampType.logAppendTime ? 'LogAppendTime' : 'CreateTime',
  },
  {
    name: 'key',
    type: VARCHAR,
    cellOf: ({ batch, rows }, row) => textOf(batch.records, rows.keyStart[row], rows.keyEnd[row]),
  },
  {
    name: 'value',
    type: VARCHAR,
    cellOf: ({ batch, rows }, row) => textOf(batch.records, rows.valueStart[row], rows.valueEnd[row]),
  },
  {
    name: 'headers',
    type: LIST(STRUCT({ key: VARCHAR, value: VARCHAR })),
    cellOf: ({ batch, rows }, row) =>
      listValue(
        headersOf(batch.records, rows.headersStart[row], rows.headersEnd[row]).map((header) =>
          structValue({
            key: header.key,
            value: header.value === null ? null : textOf(header.value, 0, header.value.length),
          }),
        ),
      ),
  },
  {
    name: 'key_bytes',
    type: BLOB,
    cellOf: ({ batch, rows }, row) => blob(batch.records, rows.keyStart[row], rows.keyEnd[row]),
  },
  {
    name: 'value_bytes',
    type: BLOB,
    cellOf: ({ batch, rows }, row) => blob(batch.records, rows.valueStart[row], rows.valueEnd[row]),
  },
]

export const topicColumnNames = columns.map((column) => column.name)

/** Rows per chunk DuckDB asks for (its standard vector size). */
const chunkRowsMax = 2048

/** Where a scan is: the batch being emitted and its decoded records. */
interface Cursor {
  topic: ScannedTopic
  columnIndexes: number[]
  batchIndex: number
  decoded: DecodedBatch | null
  row: number
}

function fillChunk(cursor: Cursor, output: DuckDBDataChunk): void {
  const chunkBatches: DecodedBatch[] = []
  const chunkRows: number[] = []
  const { topic } = cursor
  while (chunkRows.length < chunkRowsMax) {
    const decoded = cursor.decoded
    if (decoded !== null && cursor.row < decoded.rows.count) {
      chunkBatches.push(decoded)
      chunkRows.push(cursor.row)
      cursor.row += 1
      continue
    }
    if (cursor.batchIndex + 1 >= topic.batches.length) break
    cursor.batchIndex += 1
    const batch = topic.batches[cursor.batchIndex]
    cursor.decoded = { batch, rows: decodeBatchRows(batch, topic.spec) }
    cursor.row = 0
  }
  output.rowCount = chunkRows.length
  const name = topic.spec.topic
  cursor.columnIndexes.forEach((columnIndex, outputIndex) => {
    const vector = output.getColumnVector(outputIndex)
    const column = columns[columnIndex]
    for (let row = 0; row < chunkRows.length; row++) {
      vector.setItem(
        row,
        column === undefined ? null : column.cellOf(chunkBatches[row], chunkRows[row], name),
      )
    }
    vector.flush()
  })
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
      for (const column of columns) info.addResultColumn(column.name, column.type)
      info.setBindData({ topic })
    },
    initFunction(info) {
      const { topic } = info.bindData as { topic: ScannedTopic }
      const cursor: Cursor = {
        topic,
        columnIndexes: info.getColumnIndexes(),
        batchIndex: -1,
        decoded: null,
        row: 0,
      }
      info.setInitData(cursor)
      info.setMaxThreads(1)
    },
    mainFunction(info, output) {
      try {
        fillChunk(info.initData as Cursor, output)
      } catch (error) {
        info.setError(error instanceof Error ? error.message : String(error))
      }
    },
  })
  connection.registerTableFunction(tableFunction)
}
