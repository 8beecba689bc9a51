// The DuckDB table function `streamline_topic('<topic>')`, registered on each query's connection
// over the batches that query's scan read (topic-scan.ts). DuckDB calls its callbacks on the JS
// thread; each call of the main function decodes records and fills one chunk (≤ 2048 rows) of the
// columns the query uses (projection pushdown: a `count(*)` decodes no keys, values or headers).
//
// Columns: topic, partition, offset, timestamp (UTC), timestamp_type, key and value (UTF-8 text, NULL
// when the bytes are not valid UTF-8), headers (list of {key, value}), key_bytes and value_bytes.

import { isUtf8 } from 'node:buffer'
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
import type { KafkaRecord } from '../protocol/records/record.ts'
import { topicFunctionName } from './sql-ast.ts'
import { recordsInRange, type ScannedBatch, type ScannedTopic } from './topic-scan.ts'

interface RecordAt {
  topic: string
  batch: ScannedBatch
  record: KafkaRecord
}

function text(bytes: Buffer | null): string | null {
  return bytes !== null && isUtf8(bytes) ? bytes.toString('utf8') : null
}

function blob(bytes: Buffer | null): DuckDBValue {
  return bytes === null ? null : blobValue(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length))
}

/** The columns, in order: name, DuckDB type, and the value of one record. */
const columns: ReadonlyArray<{ name: string; type: DuckDBType; cellOf: (row: RecordAt) => DuckDBValue }> = [
  { name: 'topic', type: VARCHAR, cellOf: (row) => row.topic },
  { name: 'partition', type: INTEGER, cellOf: (row) => row.batch.partition },
  { name: 'offset', type: BIGINT, cellOf: (row) => BigInt(row.record.offset) },
  {
    name: 'timestamp',
    type: TIMESTAMP,
    cellOf: (row) => timestampValue(BigInt(row.record.timestamp) * 1000n),
  },
  {
    name: 'timestamp_type',
    type: VARCHAR,
    cellOf: (row) =>
      row.batch.header.timestampType === TimestampType.logAppendTime ? 'LogAppendTime' : 'CreateTime',
  },
  { name: 'key', type: VARCHAR, cellOf: (row) => text(row.record.key) },
  { name: 'value', type: VARCHAR, cellOf: (row) => text(row.record.value) },
  {
    name: 'headers',
    type: LIST(STRUCT({ key: VARCHAR, value: VARCHAR })),
    cellOf: (row) =>
      listValue(
        row.record.headers.map((header) => structValue({ key: header.key, value: text(header.value) })),
      ),
  },
  { name: 'key_bytes', type: BLOB, cellOf: (row) => blob(row.record.key) },
  { name: 'value_bytes', type: BLOB, cellOf: (row) => blob(row.record.value) },
]

export const topicColumnNames = columns.map((column) => column.name)

/** Rows per chunk DuckDB asks for (its standard vector size). */
const chunkRowsMax = 2048

/** Where a scan is: the batch being emitted and its decoded records. */
interface Cursor {
  topic: ScannedTopic
  columnIndexes: number[]
  batchIndex: number
  records: KafkaRecord[]
  recordIndex: number
}

function fillChunk(cursor: Cursor, output: DuckDBDataChunk): void {
  const rows: RecordAt[] = []
  const { topic } = cursor
  while (rows.length < chunkRowsMax) {
    if (cursor.recordIndex < cursor.records.length) {
      const batch = topic.batches[cursor.batchIndex]
      rows.push({ topic: topic.spec.topic, batch, record: cursor.records[cursor.recordIndex] })
      cursor.recordIndex += 1
      continue
    }
    if (cursor.batchIndex + 1 >= topic.batches.length) break
    cursor.batchIndex += 1
    cursor.records = recordsInRange(topic.batches[cursor.batchIndex], topic.spec)
    cursor.recordIndex = 0
  }
  output.rowCount = rows.length
  cursor.columnIndexes.forEach((columnIndex, outputIndex) => {
    const vector = output.getColumnVector(outputIndex)
    const { cellOf } = columns[columnIndex]
    for (let row = 0; row < rows.length; row++) vector.setItem(row, cellOf(rows[row]))
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
        records: [],
        recordIndex: 0,
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
