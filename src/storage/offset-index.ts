// The sparse offset index of a segment (Kafka's `.index`): entries of (offset relative to the
// segment's base offset: int32, byte position of the batch in the `.log`: int32), one every
// `index.interval.bytes`. Each entry points at the start of a batch whose base offset is the entry's
// offset, so a lookup gives a position from which a forward scan finds any larger offset.

import assert from 'node:assert'
import { IndexFile } from './index-file.ts'

export const offsetIndexEntryBytes = 8

export interface OffsetPosition {
  offset: number
  position: number
}

export class OffsetIndex extends IndexFile {
  constructor(
    filePath: string,
    readonly baseOffset: number,
  ) {
    super(filePath, offsetIndexEntryBytes)
  }

  append(offset: number, position: number): void {
    const relative = offset - this.baseOffset
    assert(
      relative >= 0 && relative <= 0x7fffffff,
      `offset ${offset} out of range for base ${this.baseOffset}`,
    )
    const last = this.lastEntry()
    assert(last === null || offset > last.offset, `offset index entries must increase: ${offset}`)
    const at = this.reserve()
    this.view.writeInt32BE(relative, at)
    this.view.writeInt32BE(position, at + 4)
  }

  entry(index: number): OffsetPosition {
    const at = this.at(index)
    return { offset: this.baseOffset + this.view.readInt32BE(at), position: this.view.readInt32BE(at + 4) }
  }

  lastEntry(): OffsetPosition | null {
    return this.count === 0 ? null : this.entry(this.count - 1)
  }

  /** The last entry with offset ≤ `offset`, or (baseOffset, 0) when there is none. */
  lookup(offset: number): OffsetPosition {
    const index = this.floorIndex(offset - this.baseOffset, (i) => this.view.readInt32BE(this.at(i)))
    return index < 0 ? { offset: this.baseOffset, position: 0 } : this.entry(index)
  }

  /** The last entry at or before byte `position` whose offset is below `offsetLimit` (null: none). A
   * streamed Fetch jumps there to find where its whole batches end without reading what lies before. */
  floorByPosition(position: number, offsetLimit: number): OffsetPosition | null {
    const byPosition = this.floorIndex(position, (i) => this.view.readInt32BE(this.at(i) + 4))
    const byOffset = this.floorIndex(offsetLimit - 1 - this.baseOffset, (i) =>
      this.view.readInt32BE(this.at(i)),
    )
    const index = Math.min(byPosition, byOffset)
    return index < 0 ? null : this.entry(index)
  }

  /** Drops entries whose position is ≥ `position` (after a truncation of the log). */
  truncateToPosition(position: number): void {
    const index = this.floorIndex(position - 1, (i) => this.view.readInt32BE(this.at(i) + 4))
    this.truncateEntries(index + 1)
  }
}
