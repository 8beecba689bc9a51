// Leader epochs of a partition: (epoch, first offset written in that epoch), increasing in both, for
// OffsetForLeaderEpoch. Follows Kafka's LeaderEpochFileCache: an epoch is recorded on the first append
// that carries it; truncations of the log remove or move entries. Persistence is the caller's job
// (the entries go to `leader-epoch-checkpoint` in the partition directory).

import { leaderEpochEntriesMax } from './limits.ts'
import type { EpochEndOffset } from './types.ts'

export interface EpochEntry {
  epoch: number
  startOffset: number
}

export class LeaderEpochCache {
  private entries: EpochEntry[] = []

  constructor(entries: readonly EpochEntry[] = []) {
    for (const entry of entries) this.assign(entry.epoch, entry.startOffset)
  }

  get latestEpoch(): number {
    return this.entries.length === 0 ? -1 : this.entries[this.entries.length - 1].epoch
  }

  snapshot(): EpochEntry[] {
    return this.entries.map((entry) => ({ ...entry }))
  }

  /** Records that `epoch` starts at `startOffset`. Returns true when the cache changed. */
  assign(epoch: number, startOffset: number): boolean {
    if (epoch < 0) return false
    const latest = this.entries[this.entries.length - 1]
    if (latest !== undefined && epoch <= latest.epoch) return false
    // An entry whose start offset is not below the new one never held records: replace it.
    while (this.entries.length > 0 && this.entries[this.entries.length - 1].startOffset >= startOffset) {
      this.entries.pop()
    }
    this.entries.push({ epoch, startOffset })
    if (this.entries.length > leaderEpochEntriesMax) this.entries.shift()
    return true
  }

  /** Kafka's endOffsetFor: the end offset of `requestedEpoch` given the log end offset. */
  endOffsetFor(requestedEpoch: number, logEndOffset: number): EpochEndOffset {
    if (requestedEpoch < 0 || this.entries.length === 0) return { leaderEpoch: -1, endOffset: -1 }
    if (requestedEpoch === this.latestEpoch) return { leaderEpoch: requestedEpoch, endOffset: logEndOffset }
    const higherIndex = this.entries.findIndex((entry) => entry.epoch > requestedEpoch)
    if (higherIndex < 0) return { leaderEpoch: -1, endOffset: -1 }
    const higher = this.entries[higherIndex]
    if (higherIndex === 0) return { leaderEpoch: requestedEpoch, endOffset: higher.startOffset }
    return { leaderEpoch: this.entries[higherIndex - 1].epoch, endOffset: higher.startOffset }
  }

  /** The log was truncated to end before `endOffset`: drop epochs that start at or after it. */
  truncateFromEnd(endOffset: number): boolean {
    const before = this.entries.length
    this.entries = this.entries.filter((entry) => entry.startOffset < endOffset)
    return this.entries.length !== before
  }

  /** The log now starts at `startOffset`: drop epochs wholly before it, move the one containing it. */
  truncateFromStart(startOffset: number): boolean {
    let changed = false
    while (this.entries.length > 1 && this.entries[1].startOffset <= startOffset) {
      this.entries.shift()
      changed = true
    }
    const first = this.entries[0]
    if (first !== undefined && first.startOffset < startOffset) {
      first.startOffset = startOffset
      changed = true
    }
    return changed
  }
}
