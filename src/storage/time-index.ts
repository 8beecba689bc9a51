// The sparse time index of a segment (Kafka's `.timeindex`): entries of (timestamp: int64, offset
// relative to the segment's base offset: int32). An entry says "every batch up to this offset has a
// max timestamp ≤ this timestamp"; timestamps strictly increase. The last entry, written when the
// segment closes, carries the segment's largest timestamp.

import assert from 'node:assert'
import { IndexFile } from './index-file.ts'

export const timeIndexEntryBytes = 12

export interface TimestampOffsetEntry {
  timestamp: number
  offset: number
}

function readInt64(buffer: Buffer, at: number): number {
  return buffer.readInt32BE(at) * 2 ** 32 + buffer.readUInt32BE(at + 4)
}

export class TimeIndex extends IndexFile {
  constructor(
    filePath: string,
    readonly baseOffset: number,
  ) {
    super(filePath, timeIndexEntryBytes)
  }

  /** Adds an entry when `timestamp` is larger than the last one (otherwise nothing to record). */
  maybeAppend(timestamp: number, offset: number): void {
    const last = this.lastEntry()
    if (last !== null && timestamp <= last.timestamp) return
    const relative = offset - this.baseOffset
    assert(
      relative >= 0 && relative <= 0x7fffffff,
      `offset ${offset} out of range for base ${this.baseOffset}`,
    )
    assert(last === null || offset >= last.offset, `time index offsets must not decrease: ${offset}`)
    const at = this.reserve()
    const high = Math.floor(timestamp / 2 ** 32)
    this.view.writeInt32BE(high, at)
    this.view.writeUInt32BE(timestamp - high * 2 ** 32, at + 4)
    this.view.writeInt32BE(relative, at + 8)
  }

  entry(index: number): TimestampOffsetEntry {
    const at = this.at(index)
    return { timestamp: readInt64(this.view, at), offset: this.baseOffset + this.view.readInt32BE(at + 8) }
  }

  lastEntry(): TimestampOffsetEntry | null {
    return this.count === 0 ? null : this.entry(this.count - 1)
  }

  /** The last entry with timestamp < `timestamp`, or null: every batch up to its offset is older. */
  lastBefore(timestamp: number): TimestampOffsetEntry | null {
    const index = this.floorIndex(timestamp - 1, (i) => readInt64(this.view, this.at(i)))
    return index < 0 ? null : this.entry(index)
  }

  /** Drops entries whose offset is ≥ `offset` (after a truncation of the log). */
  truncateToOffset(offset: number): void {
    const index = this.floorIndex(offset - this.baseOffset - 1, (i) => this.view.readInt32BE(this.at(i) + 8))
    this.truncateEntries(index + 1)
  }
}
