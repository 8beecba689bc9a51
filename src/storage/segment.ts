// One segment of a partition log: `<baseOffset:20 digits>.log` holding batches verbatim, with its
// sparse offset index (`.index`) and time index (`.timeindex`). The partition log's writer is the only
// one that appends; readers read byte ranges by position (never the whole file). Closed segments load
// their indexes on first use. A segment removed by retention or compaction stays open until the last
// reader releases it.

import assert from 'node:assert'
import { type FileHandle, open, stat } from 'node:fs/promises'
import path from 'node:path'
import { readStoredBatchHeader, type StoredBatchHeader, storedHeaderBytes } from './batch.ts'
import { unlinkIfExists } from './file-io.ts'
import { scanChunkBytes } from './limits.ts'
import { OffsetIndex } from './offset-index.ts'
import { TimeIndex } from './time-index.ts'

export const logSuffix = '.log'
export const offsetIndexSuffix = '.index'
export const timeIndexSuffix = '.timeindex'

/** Kafka's file name for a segment: the base offset, zero-padded to 20 digits. */
export function segmentFileName(baseOffset: number, suffix: string): string {
  return `${String(baseOffset).padStart(20, '0')}${suffix}`
}

/** One appended batch as the segment records it in its indexes. */
export interface AppendedBatch {
  baseOffset: number
  lastOffset: number
  position: number
  sizeBytes: number
  maxTimestamp: number
}

export class Segment {
  readonly offsetIndex: OffsetIndex
  readonly timeIndex: TimeIndex
  /** Bytes of valid batches in the `.log`. */
  size: number
  /** Largest batch max timestamp in the segment and the last offset of that batch (-1 when none). */
  maxTimestamp = -1
  offsetOfMaxTimestamp = -1
  /** When this segment became active (or was opened): the base for segment.ms. Kafka uses the first
   * batch's timestamp, which rolls on every append when producers send old timestamps; we do not. */
  createdAtMs = 0
  /** Offset after the last batch, when known (always for the active segment). */
  nextOffset: number
  private bytesSinceLastIndexEntry = 0
  private indexesLoaded: Promise<void> | null = null
  private readers = 0
  private closeRequested = false
  /** `.cleaned` while a compaction output is not swapped in yet. */
  private logFileSuffix = ''

  private constructor(
    readonly directory: string,
    readonly baseOffset: number,
    readonly handle: FileHandle,
    size: number,
  ) {
    this.size = size
    this.nextOffset = baseOffset
    this.offsetIndex = new OffsetIndex(
      path.join(directory, segmentFileName(baseOffset, offsetIndexSuffix)),
      baseOffset,
    )
    this.timeIndex = new TimeIndex(
      path.join(directory, segmentFileName(baseOffset, timeIndexSuffix)),
      baseOffset,
    )
  }

  get logPath(): string {
    return path.join(this.directory, segmentFileName(this.baseOffset, logSuffix) + this.logFileSuffix)
  }

  /** Creates an empty segment (an existing file of that name, a leftover of a crash, is emptied).
   * With `suffix` (compaction's `.cleaned`), all three files get it until renamed by the swap. */
  static async create(
    directory: string,
    baseOffset: number,
    options: { suffix?: string } = {},
  ): Promise<Segment> {
    const suffix = options.suffix ?? ''
    const handle = await open(path.join(directory, segmentFileName(baseOffset, logSuffix) + suffix), 'w+')
    const segment = new Segment(directory, baseOffset, handle, 0)
    segment.logFileSuffix = suffix
    segment.offsetIndex.filePath += suffix
    segment.timeIndex.filePath += suffix
    await Promise.all([
      unlinkIfExists(segment.offsetIndex.filePath),
      unlinkIfExists(segment.timeIndex.filePath),
    ])
    segment.indexesLoaded = Promise.resolve()
    return segment
  }

  /** After the swap renamed the `.cleaned` files: the files live under their final names. */
  useFinalNames(): void {
    this.logFileSuffix = ''
    this.offsetIndex.filePath = path.join(this.directory, segmentFileName(this.baseOffset, offsetIndexSuffix))
    this.timeIndex.filePath = path.join(this.directory, segmentFileName(this.baseOffset, timeIndexSuffix))
  }

  /** Opens an existing segment; its indexes load on first use (or now, with `loadIndexes`). */
  static async open(directory: string, baseOffset: number): Promise<Segment> {
    const handle = await open(path.join(directory, segmentFileName(baseOffset, logSuffix)), 'r+')
    try {
      const { size } = await handle.stat()
      return new Segment(directory, baseOffset, handle, size)
    } catch (error) {
      await handle.close()
      throw error
    }
  }

  /** Loads both indexes once and takes the max timestamp from the time index's last entry. */
  loadIndexes(): Promise<void> {
    this.indexesLoaded ??= Promise.all([this.offsetIndex.load(), this.timeIndex.load()]).then(() => {
      const last = this.timeIndex.lastEntry()
      if (last !== null && last.timestamp > this.maxTimestamp) {
        this.maxTimestamp = last.timestamp
        this.offsetOfMaxTimestamp = last.offset
      }
    })
    return this.indexesLoaded
  }

  /** Forgets sizes and index entries before recovery re-reads the file and records each valid batch. */
  resetForRecovery(): void {
    this.indexesLoaded = Promise.resolve()
    this.offsetIndex.truncateEntries(0)
    this.timeIndex.truncateEntries(0)
    this.offsetIndex.markRewrite()
    this.timeIndex.markRewrite()
    this.size = 0
    this.nextOffset = this.baseOffset
    this.maxTimestamp = -1
    this.offsetOfMaxTimestamp = -1
    this.bytesSinceLastIndexEntry = 0
  }

  /** Records batches the writer has just written at their positions; adds index entries. */
  recordAppended(batch: AppendedBatch, indexIntervalBytes: number): void {
    assert(batch.position === this.size, `append at ${batch.position}, segment size ${this.size}`)
    assert(
      batch.baseOffset >= this.nextOffset,
      `offsets must increase: ${batch.baseOffset} < ${this.nextOffset}`,
    )
    if (batch.maxTimestamp > this.maxTimestamp) {
      this.maxTimestamp = batch.maxTimestamp
      this.offsetOfMaxTimestamp = batch.lastOffset
    }
    if (this.size === 0 || this.bytesSinceLastIndexEntry > indexIntervalBytes) {
      this.offsetIndex.append(batch.baseOffset, batch.position)
      if (this.maxTimestamp >= 0) this.timeIndex.maybeAppend(this.maxTimestamp, this.offsetOfMaxTimestamp)
      this.bytesSinceLastIndexEntry = 0
    }
    this.bytesSinceLastIndexEntry += batch.sizeBytes
    this.size += batch.sizeBytes
    this.nextOffset = batch.lastOffset + 1
  }

  /** Writes the final time index entry (the segment's max timestamp) when the segment stops being active. */
  onBecomeInactive(): void {
    if (this.maxTimestamp >= 0) this.timeIndex.maybeAppend(this.maxTimestamp, this.offsetOfMaxTimestamp)
  }

  /** Reads `length` bytes at `position` (fewer at the end of the file). */
  async read(position: number, length: number): Promise<Buffer> {
    // Unsafe (not zero-filled): only the bytes read are returned, and zeroing 16 MiB costs milliseconds.
    const buffer = Buffer.allocUnsafe(length)
    let filled = 0
    while (filled < length) {
      const { bytesRead } = await this.handle.read(buffer, filled, length - filled, position + filled)
      if (bytesRead === 0) break
      filled += bytesRead
    }
    return filled === length ? buffer : buffer.subarray(0, filled)
  }

  /**
   * Visits the headers of the batches from `position` up to `end` (exclusive), in order, until `visit`
   * returns true. Reads in chunks of scanChunkBytes; a batch larger than a chunk costs one read.
   * Returns the position where the visit stopped (or `end`).
   */
  async scanHeaders(
    position: number,
    end: number,
    visit: (header: StoredBatchHeader, position: number) => boolean,
    chunkBytes = scanChunkBytes,
  ): Promise<number> {
    let current = position
    while (current < end) {
      const chunk = await this.read(current, Math.min(chunkBytes, end - current))
      let offsetInChunk = 0
      while (chunk.length - offsetInChunk >= storedHeaderBytes) {
        const header = readStoredBatchHeader(chunk, offsetInChunk)
        assert(
          header.sizeBytes >= storedHeaderBytes,
          `stored batch at ${current + offsetInChunk} is too small`,
        )
        if (visit(header, current + offsetInChunk)) return current + offsetInChunk
        offsetInChunk += header.sizeBytes
        if (offsetInChunk > chunk.length) break
      }
      if (offsetInChunk === 0) break
      current += offsetInChunk
    }
    return Math.min(current, end)
  }

  /** Position of the first batch whose last offset is ≥ `offset`, or null if the segment has none. */
  async findBatchPosition(
    offset: number,
    end: number,
  ): Promise<{ position: number; header: StoredBatchHeader } | null> {
    await this.loadIndexes()
    const start = this.offsetIndex.lookup(offset).position
    let found: { position: number; header: StoredBatchHeader } | null = null
    await this.scanHeaders(start, end, (header, position) => {
      if (header.lastOffset < offset) return false
      found = { position, header }
      return true
    })
    return found
  }

  /** Readers hold the segment open while reading; a removed segment closes after the last release. */
  retain(): void {
    this.readers += 1
  }

  async release(): Promise<void> {
    this.readers -= 1
    if (this.readers === 0 && this.closeRequested) await this.handle.close()
  }

  /** True once the segment left the log (or the log closed): its files must not be written again. */
  get isClosed(): boolean {
    return this.closeRequested
  }

  /** Closes the file handle now or after the last reader releases it. */
  async close(): Promise<void> {
    if (this.closeRequested) return
    this.closeRequested = true
    if (this.readers === 0) await this.handle.close()
  }

  /** Removes the files: the `.log` first (so a crash never leaves a log without its place in the
   * order), then the indexes. On POSIX an open handle keeps reading an unlinked file, so readers that
   * retained the segment finish; the handle closes after the last release. */
  async delete(): Promise<void> {
    await unlinkIfExists(this.logPath)
    await Promise.all([this.offsetIndex.remove(), this.timeIndex.remove()])
    await this.close()
  }
}

/** Size of a segment's `.log` file, for segments not opened yet. */
export async function logFileSize(directory: string, baseOffset: number): Promise<number> {
  return (await stat(path.join(directory, segmentFileName(baseOffset, logSuffix)))).size
}
