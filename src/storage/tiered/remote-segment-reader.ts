// Reads of copied segments: the offset index (one ranged GET of the '.segment' object, cached) gives the position of the batch
// at or before the fetch offset; data is then read as aligned chunks (ranged GETs, cached) from there,
// batch headers are walked to the first batch holding the fetch offset, and whole batches up to
// maxBytes are returned (at least one: Kafka's minOneMessage). The next chunk is prefetched for a
// consumer reading on. Reads stop at the end of the remote segment; the next fetch goes on from there.
// The time index object serves ListOffsets by timestamp in the same way.

import { readStoredBatchHeader, storedHeaderBytes } from '../batch.ts'
import { offsetIndexEntryBytes } from '../offset-index.ts'
import { timeIndexEntryBytes } from '../time-index.ts'
import type { TimestampOffset } from '../types.ts'
import type { ObjectStore } from './object-store.ts'
import { dataObjectSuffix, type RemoteSegment, segmentObjectSuffix } from './remote-log-metadata.ts'
import type { RemoteReadCache } from './remote-read-cache.ts'

export interface RemoteSegmentReaderOptions {
  store: ObjectStore
  cache: RemoteReadCache
  chunkBytes: number
  /** Object key of a file of the segment (remoteObjectKey bound to the partition). */
  keyOf(segment: RemoteSegment, suffix: string): string
}

/** Objects of segments copied with one object per index. */
const legacyIndexSuffix = { OFFSET: '.index', TIMESTAMP: '.timeindex' } as const

function readInt64(buffer: Buffer, at: number): number {
  return buffer.readInt32BE(at) * 2 ** 32 + buffer.readUInt32BE(at + 4)
}

export class RemoteSegmentReader {
  constructor(private readonly options: RemoteSegmentReaderOptions) {}

  /** An index of the segment: a ranged GET of the '.segment' object (or, for a segment copied
   * before the indexes were combined, its own object). Cached. */
  private index(segment: RemoteSegment, type: 'OFFSET' | 'TIMESTAMP'): Promise<Buffer> {
    return this.options.cache.get(`${segment.id}:${type}`, async () => {
      if (segment.indexRanges === undefined)
        return this.options.store.get(this.options.keyOf(segment, legacyIndexSuffix[type]))
      const range = segment.indexRanges[type]
      if (range === undefined || range[1] === range[0]) return Buffer.alloc(0)
      return this.options.store.get(this.options.keyOf(segment, segmentObjectSuffix), {
        start: range[0],
        endExclusive: range[1],
      })
    })
  }

  private chunk(segment: RemoteSegment, chunkIndex: number): Promise<Buffer> {
    const { chunkBytes } = this.options
    const start = chunkIndex * chunkBytes
    const endExclusive = Math.min(segment.sizeBytes, start + chunkBytes)
    return this.options.cache.get(`${segment.id}:${chunkIndex}`, () =>
      this.options.store.get(this.options.keyOf(segment, dataObjectSuffix(segment)), { start, endExclusive }),
    )
  }

  /** Bytes [start, endExclusive) of the segment's data, from cached chunks. */
  async range(segment: RemoteSegment, start: number, endExclusive: number): Promise<Buffer> {
    const end = Math.min(endExclusive, segment.sizeBytes)
    if (end <= start) return Buffer.alloc(0)
    const { chunkBytes } = this.options
    const first = Math.floor(start / chunkBytes)
    const last = Math.floor((end - 1) / chunkBytes)
    if (first === last) {
      // The common case (a batch header, a read within one chunk): a view, no copy.
      const chunk = await this.chunk(segment, first)
      return chunk.subarray(start - first * chunkBytes, end - first * chunkBytes)
    }
    const chunks: Promise<Buffer>[] = []
    for (let index = first; index <= last; index += 1) chunks.push(this.chunk(segment, index))
    const joined = Buffer.concat(await Promise.all(chunks))
    return joined.subarray(start - first * chunkBytes, end - first * chunkBytes)
  }

  /** Position of the last offset index entry at or before `offset` (0 when none). */
  private async startPosition(segment: RemoteSegment, offset: number): Promise<number> {
    const index = await this.index(segment, 'OFFSET')
    let low = 0
    let high = Math.floor(index.length / offsetIndexEntryBytes) - 1
    let position = 0
    while (low <= high) {
      const middle = (low + high) >>> 1
      const entryOffset = segment.baseOffset + index.readInt32BE(middle * offsetIndexEntryBytes)
      if (entryOffset <= offset) {
        position = index.readInt32BE(middle * offsetIndexEntryBytes + 4)
        low = middle + 1
      } else {
        high = middle - 1
      }
    }
    return position
  }

  /** Whole batches from the one holding `fetchOffset`, up to maxBytes (at least one batch). */
  async read(
    segment: RemoteSegment,
    fetchOffset: number,
    maxBytes: number,
    following?: RemoteSegment,
  ): Promise<Buffer> {
    let position = await this.startPosition(segment, fetchOffset)
    while (position + storedHeaderBytes <= segment.sizeBytes) {
      const header = readStoredBatchHeader(
        await this.range(segment, position, position + storedHeaderBytes),
        0,
      )
      if (header.lastOffset >= fetchOffset) break
      position += header.sizeBytes
    }
    if (position + storedHeaderBytes > segment.sizeBytes) return Buffer.alloc(0)
    let end = position
    while (end + storedHeaderBytes <= segment.sizeBytes) {
      const header = readStoredBatchHeader(await this.range(segment, end, end + storedHeaderBytes), 0)
      if (end > position && end + header.sizeBytes - position > maxBytes) break
      end += header.sizeBytes
    }
    const records = await this.range(segment, position, end)
    this.prefetchAfter(segment, end, following)
    return records
  }

  /** Starts fetching the chunk after the one `position` is in (a consumer reads on), or, from the
   * segment's last chunk, the offset index and first chunk of the `following` segment, so a catch-up
   * read does not wait for two GETs at each segment boundary. Errors are ignored (the read retries). */
  private prefetchAfter(segment: RemoteSegment, position: number, following?: RemoteSegment): void {
    const next = Math.floor(position / this.options.chunkBytes) + 1
    if (next * this.options.chunkBytes < segment.sizeBytes) {
      this.chunk(segment, next).catch(() => {})
    } else if (following !== undefined) {
      this.index(following, 'OFFSET').catch(() => {})
      this.chunk(following, 0).catch(() => {})
    }
  }

  /** The first batch whose max timestamp is ≥ `timestampMs` with offsets ≥ `minOffset`, or null. */
  async findTimestamp(
    segment: RemoteSegment,
    timestampMs: number,
    minOffset: number,
  ): Promise<TimestampOffset | null> {
    if (segment.maxTimestamp < timestampMs) return null
    const timeIndex = await this.index(segment, 'TIMESTAMP')
    let fromOffset = segment.baseOffset
    for (let at = 0; at + timeIndexEntryBytes <= timeIndex.length; at += timeIndexEntryBytes) {
      if (readInt64(timeIndex, at) >= timestampMs) break
      fromOffset = segment.baseOffset + timeIndex.readInt32BE(at + 8) + 1
    }
    let position = await this.startPosition(segment, fromOffset)
    while (position + storedHeaderBytes <= segment.sizeBytes) {
      const header = readStoredBatchHeader(
        await this.range(segment, position, position + storedHeaderBytes),
        0,
      )
      if (header.maxTimestamp >= timestampMs && header.lastOffset >= minOffset) {
        return { timestamp: header.maxTimestamp, offset: Math.max(header.baseOffset, minOffset) }
      }
      position += header.sizeBytes
    }
    return null
  }
}
