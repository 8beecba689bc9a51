// A sparse index file of fixed-size entries, kept in memory and appended to disk on flush. The offset
// index and the time index are both this with different entries. Entries are added by the segment's
// writer (one at a time); flush writes the entries added since the last flush at their place in the
// file, so a clean restart reads the whole index back and never scans the log.
//
// The file is opened only while flushing or loading: a data dir with thousands of segments does not
// hold thousands of index file descriptors.

import { constants } from 'node:fs'
import { open, readFile } from 'node:fs/promises'
import { unlinkIfExists, type WriteIo } from './file-io.ts'

const initialCapacityEntries = 64

export class IndexFile {
  private buffer: Buffer
  private entries = 0
  private persistedEntries = 0
  /** Set when entries were removed: the next flush rewrites the file from the start and truncates. */
  private rewriteNeeded = false

  constructor(
    public filePath: string,
    readonly entryBytes: number,
  ) {
    this.buffer = Buffer.alloc(initialCapacityEntries * entryBytes)
  }

  /** Reads the index file, ignoring a partial last entry. A missing file is an empty index. */
  async load(): Promise<void> {
    let contents: Buffer
    try {
      contents = await readFile(this.filePath)
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
      contents = Buffer.alloc(0)
    }
    const entries = Math.floor(contents.length / this.entryBytes)
    this.buffer = Buffer.alloc(Math.max(initialCapacityEntries, entries) * this.entryBytes)
    contents.copy(this.buffer, 0, 0, entries * this.entryBytes)
    this.entries = entries
    this.persistedEntries = entries
    this.rewriteNeeded = entries * this.entryBytes !== contents.length
  }

  get count(): number {
    return this.entries
  }

  get sizeBytes(): number {
    return this.entries * this.entryBytes
  }

  /** The position of entry `index` in the in-memory buffer, for the entry readers. */
  protected at(index: number): number {
    return index * this.entryBytes
  }

  protected get view(): Buffer {
    return this.buffer
  }

  /** Reserves one entry and returns its byte position; the caller writes the entry there. */
  protected reserve(): number {
    if ((this.entries + 1) * this.entryBytes > this.buffer.length) {
      const grown = Buffer.alloc(this.buffer.length * 2)
      this.buffer.copy(grown, 0, 0, this.entries * this.entryBytes)
      this.buffer = grown
    }
    const position = this.entries * this.entryBytes
    this.entries += 1
    return position
  }

  /** Drops entries from `count` on. */
  truncateEntries(count: number): void {
    if (count >= this.entries) return
    this.entries = count
    if (this.persistedEntries > count) {
      this.persistedEntries = count
      this.rewriteNeeded = true
    }
  }

  /** Index of the last entry whose key (read by `keyOf`) is ≤ `target`, or -1. Keys are sorted. */
  protected floorIndex(target: number, keyOf: (index: number) => number): number {
    let low = 0
    let high = this.entries - 1
    let found = -1
    while (low <= high) {
      const middle = (low + high) >>> 1
      if (keyOf(middle) <= target) {
        found = middle
        low = middle + 1
      } else {
        high = middle - 1
      }
    }
    return found
  }

  /** Writes the entries added since the last flush (or the whole index after a truncation), then
   * fsyncs when `sync` is set. */
  async flush(io: WriteIo, options: { sync: boolean }): Promise<void> {
    const from = this.rewriteNeeded ? 0 : this.persistedEntries
    const to = this.entries
    if (from === to && !this.rewriteNeeded) return
    const handle = await open(this.filePath, constants.O_RDWR | constants.O_CREAT)
    try {
      const bytes = this.buffer.subarray(from * this.entryBytes, to * this.entryBytes)
      if (bytes.length > 0) await io.writev(handle, [Buffer.from(bytes)], from * this.entryBytes)
      if (this.rewriteNeeded) await handle.truncate(to * this.entryBytes)
      if (options.sync) await io.datasync(handle)
    } finally {
      await handle.close()
    }
    this.persistedEntries = Math.max(this.persistedEntries, to)
    this.rewriteNeeded = false
  }

  /** Marks the whole index for rewriting at the next flush (after a rebuild in recovery). */
  markRewrite(): void {
    this.persistedEntries = 0
    this.rewriteNeeded = true
  }

  async remove(): Promise<void> {
    await unlinkIfExists(this.filePath)
  }
}
