// The streamed form of a Fetch read (partition-read.ts's readBatches): the same whole batches, found
// by position without reading them, handed out as a slice of the segment (Kafka's FileRecords slice)
// that Fetch streams to the socket in pooled chunks. Where the batches end is found from the offset
// index (the last entry before the byte budget) and one short header scan from there, so planning a
// 16 MiB read costs two small reads instead of copying 16 MiB into a fresh buffer.
// The bytes are exactly those readBatches returns (then cut at the last stable offset for
// read_committed, like partition-transactions.ts's batchesBelow): partition-slice.test.ts compares them.
// A range below the snapshot of the segment's size never changes while the segment is retained
// (appends go past it; retention and compaction replace whole segments, whose files stay readable
// until the last release).

import { KafkaError } from '../errors.ts'
import { logOverheadBytes } from './batch.ts'
import { StorageErrorCode } from './error-codes.ts'
import { type ReadSource, readStart, segmentAfter } from './partition-read.ts'
import type { Segment } from './segment.ts'
import type { LogSlice, ReadResult } from './types.ts'

/** The scan from the last index entry covers about one index interval (index.interval.bytes, 4 KiB
 * by default) of headers: a small read, not the 64 KiB chunks of a full scan. */
const planScanChunkBytes = 8 * 1024

export interface SliceOptions {
  /** Batches whose base offset is at or past this are left out (the last stable offset for read_committed). */
  offsetLimit: number
  /** Smaller reads are read into a buffer at once (a slice is worth it only for large reads). */
  sliceBytesMin: number
}

/** The batches readBatches would return for this fetch, as `slice` (or `records` when small). */
export async function sliceBatches(
  source: ReadSource,
  fetchOffset: number,
  maxBytes: number,
  options: SliceOptions,
): Promise<ReadResult> {
  const { result, active, activeSize } = readStart(source, fetchOffset)
  let segment = source.floorSegment(fetchOffset)
  while (segment !== undefined && segment.baseOffset < result.highWatermark) {
    const end = segment === active ? activeSize : segment.size
    segment.retain()
    let kept = false
    try {
      const range = await rangeInSegment(source, segment, { fetchOffset, maxBytes, end, ...options })
      if (range !== null) {
        if (range.length < options.sliceBytesMin) {
          const records = range.length === 0 ? result.records : await readExactly(segment, range)
          return { ...result, records }
        }
        kept = true
        return { ...result, slice: new SegmentSlice(segment, range) }
      }
    } finally {
      if (!kept) await segment.release()
    }
    segment = segmentAfter(source, segment)
  }
  return result
}

interface ByteRange {
  position: number
  length: number
  recordCount: number
}

/** readFromSegment's range (null: no batch at or after the offset here), cut at `offsetLimit`. */
async function rangeInSegment(
  source: ReadSource,
  segment: Segment,
  read: SliceOptions & { fetchOffset: number; maxBytes: number; end: number },
): Promise<ByteRange | null> {
  const { end, offsetLimit } = read
  const hint = source.readHint
  let position: number
  if (hint !== null && hint.segment === segment && hint.offset === read.fetchOffset && hint.position <= end) {
    position = hint.position
  } else {
    const found = await segment.findBatchPosition(read.fetchOffset, end)
    if (found === null) return null
    position = found.position
  }
  if (position >= end) return null
  const limit = position + Math.min(end - position, Math.max(read.maxBytes, logOverheadBytes))
  const first = await headerAt(segment, position, end)
  if (first === null || first.baseOffset >= offsetLimit) return { position, length: 0, recordCount: 0 }
  await segment.loadIndexes()
  const jump = segment.offsetIndex.floorByPosition(limit, offsetLimit)
  // Every batch before the index entry ends at or before it, so within the budget.
  const skipped = jump !== null && jump.position > position
  let stop = skipped ? jump.position : position
  let lastOffset = skipped ? jump.offset - 1 : first.baseOffset - 1
  await segment.scanHeaders(
    stop,
    limit,
    (header, at) => {
      if (header.baseOffset >= offsetLimit || at + header.sizeBytes > limit) return true
      stop = at + header.sizeBytes
      lastOffset = header.lastOffset
      return false
    },
    planScanChunkBytes,
  )
  if (stop === position) {
    // The first batch is larger than maxBytes: it goes whole anyway (Kafka's minOneMessage).
    if (first.sizeBytes > end - position) return { position, length: 0, recordCount: 0 }
    stop = position + first.sizeBytes
    lastOffset = first.lastOffset
  }
  source.readHint = { segment, offset: lastOffset + 1, position: stop }
  return { position, length: stop - position, recordCount: lastOffset + 1 - first.baseOffset }
}

async function headerAt(
  segment: Segment,
  position: number,
  end: number,
): Promise<{ baseOffset: number; lastOffset: number; sizeBytes: number } | null> {
  let found: { baseOffset: number; lastOffset: number; sizeBytes: number } | null = null
  await segment.scanHeaders(position, Math.min(end, position + logOverheadBytes + 64), (header) => {
    found = header
    return true
  })
  return found
}

async function readExactly(segment: Segment, range: ByteRange): Promise<Buffer> {
  const bytes = await segment.read(range.position, range.length)
  if (bytes.length !== range.length) {
    throw new KafkaError(StorageErrorCode.KAFKA_STORAGE_ERROR, `segment ${segment.logPath} lost bytes`)
  }
  return bytes
}

class SegmentSlice implements LogSlice {
  readonly length: number
  readonly recordCount: number
  #released = false

  constructor(
    private readonly segment: Segment,
    private readonly range: ByteRange,
  ) {
    this.length = range.length
    this.recordCount = range.recordCount
  }

  async readInto(buffer: Buffer, at: number, length: number): Promise<number> {
    if (this.#released) throw new Error('slice read after release')
    const bytes = Math.min(length, this.length - at)
    let filled = 0
    while (filled < bytes) {
      const { bytesRead } = await this.segment.handle.read(
        buffer,
        filled,
        bytes - filled,
        this.range.position + at + filled,
      )
      if (bytesRead === 0) break
      filled += bytesRead
    }
    return filled
  }

  release(): void {
    if (this.#released) return
    this.#released = true
    void this.segment.release().catch(() => {})
  }
}
