// Fills a VARCHAR or BLOB vector of an output chunk from byte ranges with a fixed number of native
// calls per chunk instead of one per row (the per-row duckdb_vector_assign_string_element_len call
// and the view object it needs were most of a GROUP BY's JS-thread time over JSON values).
//
// How: a VARCHAR/BLOB vector's data is an array of duckdb_string_t (DuckDB's C API, duckdb.h): 16
// bytes per row, `uint32 length` then either the bytes inlined (length ≤ 12, zero-padded: DuckDB
// compares the padding) or a 4-byte prefix and a pointer to the bytes. The chunk's values are copied
// into one scratch buffer (each batch's span of values at once, the bytes between them made spaces),
// which is assigned to row 0 with a single assign call: DuckDB copies it
// into the vector's own string heap (memory the vector owns until the chunk is reset, as for any
// assigned string). Row 0's entry then tells where that copy lies, and every row's entry is written
// (inlined, or pointing into that copy) and handed over in one copy. Nothing outside the vector's
// memory is referenced.
//
// VARCHAR needs valid UTF-8 per value (invalid is NULL, this table's rule): the scratch buffer is
// checked at once (node's isUtf8); as every value lies between ASCII spaces, it is valid exactly when
// every value is. A chunk failing that, or one too large for the scratch buffer, goes the per-row
// way, where DuckDB checks each value.

import { isUtf8 } from 'node:buffer'
import duckdb from '@duckdb/node-bindings'

/** One row's part of a chunk: the bytes [start, end) of `data`; start < 0 is NULL. */
export interface RangeSource {
  data: Buffer
  starts: ArrayLike<number>
  ends: ArrayLike<number>
  fromRow: number
  count: number
  chunkRow: number
}

const chunkRowsMax = 2048
const entryBytes = 16
const inlinedMax = 12
const twoPow32 = 2 ** 32
/** Chunks whose values add up to more go the per-row way (bounds the scratch buffer). */
const bulkBytesMax = 16 * 1024 * 1024

const entries = new ArrayBuffer(chunkRowsMax * entryBytes)
const entryWords = new Uint32Array(entries)
const entryBytesView = new Uint8Array(entries)
const heapBytesKept = 256 * 1024
let heap = Buffer.allocUnsafe(heapBytesKept)
const zeroEntry = new ArrayBuffer(entryBytes)

function copySmall(from: Uint8Array, start: number, end: number, to: Uint8Array, at: number): void {
  for (let index = start; index < end; index++) to[at + index - start] = from[index]
}

/** The bytes from the first non-null range's start to the last one's end (0 when all are null). */
function spanOf(source: RangeSource): { start: number; end: number } {
  const { starts, ends, fromRow, count } = source
  let first = fromRow
  while (first < fromRow + count && starts[first] < 0) first++
  let last = fromRow + count - 1
  while (last >= first && starts[last] < 0) last--
  return last < first ? { start: 0, end: 0 } : { start: starts[first], end: ends[last] }
}

/**
 * Writes the ranges' values into `vector` (VARCHAR when `utf8`, else BLOB); null rows get an empty
 * entry (the caller writes the validity mask afterwards). Returns false when the chunk must go the
 * per-row way (row 0 may then have been touched: the per-row way rewrites every row and the mask).
 */
export function writeRangesBulk(
  vector: duckdb.Vector,
  sources: readonly RangeSource[],
  rows: number,
  utf8: boolean,
): boolean {
  const spans = sources.map(spanOf)
  // One space after each source's span keeps the last value of one batch off the next one's first.
  const total = spans.reduce((sum, span) => sum + span.end - span.start + 1, 0)
  if (total > bulkBytesMax) return false
  // Grown for chunks of large values (up to bulkBytesMax), and given back at the next small chunk.
  if (heap.length < total || (heap.length > heapBytesKept && total <= heapBytesKept))
    heap = Buffer.allocUnsafe(Math.max(total, heapBytesKept))
  entryBytesView.fill(0, 0, rows * entryBytes)
  let position = 0
  let pointers = false
  for (let sourceIndex = 0; sourceIndex < sources.length; sourceIndex++) {
    const { data, starts, ends, fromRow, count, chunkRow } = sources[sourceIndex]
    const span = spans[sourceIndex]
    // The values lie in order in the batch, a few framing bytes apart (lengths, offsets, headers):
    // the span is copied at once and the bytes between values become spaces, so the copy is valid
    // UTF-8 exactly when every value is (each value is whole characters between ASCII spaces).
    heap.set(data.subarray(span.start, span.end), position)
    const shift = position - span.start
    let previousEnd = span.start
    for (let index = 0; index < count; index++) {
      const start = starts[fromRow + index]
      if (start < 0) continue
      const end = ends[fromRow + index]
      for (let at = previousEnd + shift; at < start + shift; at++) heap[at] = 0x20
      previousEnd = end
      const length = end - start
      const entry = (chunkRow + index) * entryBytes
      entryWords[entry >> 2] = length
      if (length <= inlinedMax) copySmall(data, start, end, entryBytesView, entry + 4)
      else {
        // The prefix (the first 4 bytes, little-endian as they lie) and, until the heap's address is
        // known, the value's place in the heap where the pointer goes.
        entryWords[(entry >> 2) + 1] =
          data[start] | (data[start + 1] << 8) | (data[start + 2] << 16) | (data[start + 3] << 24)
        entryWords[(entry >> 2) + 2] = start + shift
        pointers = true
      }
    }
    position += span.end - span.start
    heap[position++] = 0x20
  }
  if (utf8 && !isUtf8(heap.subarray(0, position))) return false
  if (pointers) {
    // DuckDB copies the whole heap into the vector's string memory (row 0's entry is then rewritten).
    // Row 0's entry is zeroed first: a refusal (DuckDB's UTF-8 check disagreeing with node's) leaves
    // it so, which the length check below sees.
    duckdb.copy_data_to_vector(vector, 0, zeroEntry, 0, entryBytes)
    duckdb.vector_assign_string_element_len(vector, 0, heap.subarray(0, position))
    const row0 = duckdb.vector_get_data(vector, entryBytes)
    const row0View = new DataView(row0.buffer, row0.byteOffset, entryBytes)
    if (row0View.getUint32(0, true) !== position) return false
    const base = Number(row0View.getBigUint64(8, true))
    for (let word = 0; word < rows * 4; word += 4) {
      if (entryWords[word] <= inlinedMax) continue
      const address = base + entryWords[word + 2]
      const high = Math.floor(address / twoPow32)
      entryWords[word + 2] = address - high * twoPow32
      entryWords[word + 3] = high
    }
  }
  duckdb.copy_data_to_vector(vector, 0, entries, 0, rows * entryBytes)
  return true
}
