// Writes the rows of one output chunk of streamline_topic straight into DuckDB's vectors through the
// C API bindings (@duckdb/node-bindings, which @duckdb/node-api wraps), without a JS value per cell:
//   - key, value, key_bytes, value_bytes: the bytes as they lie in the batch (no JS string is made),
//     a whole chunk's in one native call (string-vector.ts); a chunk with a value that is not valid
//     UTF-8 goes per row through duckdb_vector_assign_string_element_len, where DuckDB stores NULL for
//     invalid bytes, which is this table's rule for key and value (tested);
//   - partition, offset, timestamp: little-endian integers filled in a scratch buffer, copied once;
//   - topic and timestamp_type: the same few bytes per row;
//   - headers (a LIST of STRUCTs) go through node-api's vector wrapper, per value (rarely queried).
// This took a GROUP BY over 1M JSON values from ~3.4 s to see bench/RESULTS.md ("SQL over topics").

import { type DuckDBDataChunk, type DuckDBValue, listValue, structValue } from '@duckdb/node-api'
import duckdb from '@duckdb/node-bindings'
import { TimestampType } from '../protocol/records/batch-header.ts'
import { type DecodedColumn, type DecodedColumns, schemaIdOf } from './decode/decoded-columns.ts'
import { type BatchRows, headersOf, textOf } from './record-columns.ts'
import { type RangeSource, writeRangesBulk } from './string-vector.ts'
import type { ScannedBatch } from './topic-scan.ts'

/** A scanned batch with its in-range records decoded (record-columns.ts). */
export interface DecodedBatch {
  batch: ScannedBatch
  rows: BatchRows
}

/** Consecutive rows of one batch placed at `chunkRow` onwards in the output chunk. */
export interface ChunkSegment {
  decoded: DecodedBatch
  fromRow: number
  count: number
  chunkRow: number
}

/** The table's columns, by index (topic-function.ts declares their names and types in this order). */
export const ColumnIndex = {
  topic: 0,
  partition: 1,
  offset: 2,
  timestamp: 3,
  timestampType: 4,
  key: 5,
  value: 6,
  headers: 7,
  keyBytes: 8,
  valueBytes: 9,
  keySchemaId: 10,
  valueSchemaId: 11,
  keyDecoded: 12,
  valueDecoded: 13,
} as const

const chunkRowsMax = 2048
const twoPow32 = 2 ** 32
const logAppendTimeBytes = Buffer.from('LogAppendTime')
const createTimeBytes = Buffer.from('CreateTime')

/** Scratch memory reused by every chunk (the JS thread runs one table function call at a time). */
const scratch = {
  int64: new Uint32Array(new ArrayBuffer(chunkRowsMax * 8)),
  int32: new Int32Array(new ArrayBuffer(chunkRowsMax * 4)),
  validityBuffer: new ArrayBuffer(chunkRowsMax / 8),
}
const validity = new Uint8Array(scratch.validityBuffer)

function copyToVector(
  vector: duckdb.Vector,
  array: Uint32Array<ArrayBuffer> | Int32Array<ArrayBuffer>,
  byteCount: number,
): void {
  duckdb.copy_data_to_vector(vector, 0, array.buffer, array.byteOffset, byteCount)
}

/** Fills a 64-bit integer column from a number per row (exact: |value| < 2^53). */
function writeInt64(
  vector: duckdb.Vector,
  segments: readonly ChunkSegment[],
  rows: number,
  numberOf: (decoded: DecodedBatch, row: number) => number,
): void {
  const words = scratch.int64
  for (const { decoded, fromRow, count, chunkRow } of segments) {
    for (let index = 0; index < count; index++) {
      const value = numberOf(decoded, fromRow + index)
      const high = Math.floor(value / twoPow32)
      words[(chunkRow + index) * 2] = value - high * twoPow32
      words[(chunkRow + index) * 2 + 1] = high // two's complement through the Uint32Array
    }
  }
  copyToVector(vector, words, rows * 8)
}

/** Fills a string/blob column from byte ranges of the batch; a negative start is NULL. */
function writeRanges(
  vector: duckdb.Vector,
  segments: readonly ChunkSegment[],
  rows: number,
  isKey: boolean,
  utf8: boolean,
): void {
  validity.fill(0xff)
  const sources: RangeSource[] = []
  for (const { decoded, fromRow, count, chunkRow } of segments) {
    const batchRows = decoded.rows
    const starts = isKey ? batchRows.keyStart : batchRows.valueStart
    const ends = isKey ? batchRows.keyEnd : batchRows.valueEnd
    sources.push({ data: decoded.batch.records, starts, ends, fromRow, count, chunkRow })
    for (let index = 0; index < count; index++) {
      if (starts[fromRow + index] < 0) {
        const bit = chunkRow + index
        validity[bit >> 3] &= ~(1 << (bit & 7))
      }
    }
  }
  const bulk = writeRangesBulk(vector, sources, rows, utf8)
  duckdb.vector_ensure_validity_writable(vector)
  // The per-row way needs the mask first: DuckDB clears the bit itself when it refuses invalid UTF-8.
  duckdb.copy_data_to_vector_validity(vector, 0, scratch.validityBuffer, 0, Math.ceil(rows / 64) * 8)
  if (bulk) return
  for (const { data, starts, ends, fromRow, count, chunkRow } of sources) {
    for (let index = 0; index < count; index++) {
      const start = starts[fromRow + index]
      if (start < 0) continue
      const bytes = new Uint8Array(data.buffer, data.byteOffset + start, ends[fromRow + index] - start)
      duckdb.vector_assign_string_element_len(vector, chunkRow + index, bytes)
    }
  }
}

function writeConstantText(
  vector: duckdb.Vector,
  segments: readonly ChunkSegment[],
  textOfBatch: (batch: ScannedBatch) => Uint8Array,
): void {
  for (const { decoded, count, chunkRow } of segments) {
    const text = textOfBatch(decoded.batch)
    for (let index = 0; index < count; index++) {
      duckdb.vector_assign_string_element_len(vector, chunkRow + index, text)
    }
  }
}

function headersValue(decoded: DecodedBatch, row: number): DuckDBValue {
  const { batch, rows } = decoded
  return listValue(
    headersOf(batch.records, rows.headersStart[row], rows.headersEnd[row]).map((header) =>
      structValue({
        key: header.key,
        value: header.value === null ? null : textOf(header.value, 0, header.value.length),
      }),
    ),
  )
}

/**
 * Writes `rows` rows (the segments, in chunk order) of the columns `columnIndexes` (DuckDB's
 * projection: output column i is table column columnIndexes[i]) and sets the chunk's size.
 */
export function writeChunk(
  output: DuckDBDataChunk,
  columnIndexes: readonly number[],
  segments: readonly ChunkSegment[],
  rows: number,
  topicBytes: Uint8Array,
  decoded: DecodedColumns | undefined,
): void {
  output.rowCount = rows
  if (rows === 0) return
  for (let outputIndex = 0; outputIndex < columnIndexes.length; outputIndex++) {
    const columnIndex = columnIndexes[outputIndex]
    if (columnIndex === ColumnIndex.keyDecoded || columnIndex === ColumnIndex.valueDecoded) {
      if (decoded === undefined) throw new Error('streamline_topic: the decoded columns were not prepared')
      const isKey = columnIndex === ColumnIndex.keyDecoded
      writeDecoded(output, outputIndex, segments, isKey ? decoded.key : decoded.value, isKey)
    } else writeColumn(output, outputIndex, columnIndex, segments, rows, topicBytes)
  }
}

/** A decoded key or value per row (registry schema or inferred JSON type; decode/decoded-columns.ts). */
function writeDecoded(
  output: DuckDBDataChunk,
  outputIndex: number,
  segments: readonly ChunkSegment[],
  column: DecodedColumn,
  isKey: boolean,
): void {
  const wrapper = output.getColumnVector(outputIndex)
  for (const { decoded, fromRow, count, chunkRow } of segments) {
    const { rows } = decoded
    const [starts, ends] = isKey ? [rows.keyStart, rows.keyEnd] : [rows.valueStart, rows.valueEnd]
    for (let index = 0; index < count; index++) {
      const row = fromRow + index
      wrapper.setItem(chunkRow + index, column.valueOf(decoded.batch.records, starts[row], ends[row]))
    }
  }
  wrapper.flush()
}

/** The schema id of each row's key or value in Confluent's wire format; NULL when not in it. */
function writeSchemaIds(
  vector: duckdb.Vector,
  segments: readonly ChunkSegment[],
  rows: number,
  isKey: boolean,
): void {
  validity.fill(0xff)
  for (const { decoded, fromRow, count, chunkRow } of segments) {
    const { rows: batchRows } = decoded
    const [starts, ends] = isKey
      ? [batchRows.keyStart, batchRows.keyEnd]
      : [batchRows.valueStart, batchRows.valueEnd]
    for (let index = 0; index < count; index++) {
      const id = schemaIdOf(decoded.batch.records, starts[fromRow + index], ends[fromRow + index])
      const bit = chunkRow + index
      scratch.int32[bit] = id ?? 0
      if (id === null) validity[bit >> 3] &= ~(1 << (bit & 7))
    }
  }
  duckdb.vector_ensure_validity_writable(vector)
  duckdb.copy_data_to_vector_validity(vector, 0, scratch.validityBuffer, 0, Math.ceil(rows / 64) * 8)
  copyToVector(vector, scratch.int32, rows * 4)
}

function writeColumn(
  output: DuckDBDataChunk,
  outputIndex: number,
  columnIndex: number,
  segments: readonly ChunkSegment[],
  rows: number,
  topicBytes: Uint8Array,
): void {
  const vector = duckdb.data_chunk_get_vector(output.chunk, outputIndex)
  switch (columnIndex) {
    case ColumnIndex.topic:
      writeConstantText(vector, segments, () => topicBytes)
      break
    case ColumnIndex.partition: {
      for (const { decoded, count, chunkRow } of segments)
        scratch.int32.fill(decoded.batch.partition, chunkRow, chunkRow + count)
      copyToVector(vector, scratch.int32, rows * 4)
      break
    }
    case ColumnIndex.offset:
      writeInt64(vector, segments, rows, (decoded, row) => decoded.rows.offsets[row])
      break
    case ColumnIndex.timestamp:
      // TIMESTAMP is microseconds since the epoch.
      writeInt64(vector, segments, rows, (decoded, row) => decoded.rows.timestamps[row] * 1000)
      break
    case ColumnIndex.timestampType:
      writeConstantText(vector, segments, (batch) =>
        batch.header.timestampType === TimestampType.logAppendTime ? logAppendTimeBytes : createTimeBytes,
      )
      break
    case ColumnIndex.key:
    case ColumnIndex.keyBytes:
    case ColumnIndex.value:
    case ColumnIndex.valueBytes:
      writeRanges(
        vector,
        segments,
        rows,
        columnIndex === ColumnIndex.key || columnIndex === ColumnIndex.keyBytes,
        columnIndex === ColumnIndex.key || columnIndex === ColumnIndex.value,
      )
      break
    case ColumnIndex.headers: {
      const wrapper = output.getColumnVector(outputIndex)
      for (const { decoded, fromRow, count, chunkRow } of segments) {
        for (let index = 0; index < count; index++)
          wrapper.setItem(chunkRow + index, headersValue(decoded, fromRow + index))
      }
      wrapper.flush()
      break
    }
    case ColumnIndex.keySchemaId:
    case ColumnIndex.valueSchemaId:
      writeSchemaIds(vector, segments, rows, columnIndex === ColumnIndex.keySchemaId)
      break
    default:
      throw new Error(`streamline_topic has no column ${columnIndex}`)
  }
}
