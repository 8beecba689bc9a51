// Which segments retention removes (Kafka's deleteOldSegments): always a prefix of whole closed
// segments, never the active (last) one. Three rules, each deleting the longest prefix it allows:
// - below the log start offset: the next segment starts at or before logStartOffset (DeleteRecords);
// - retention.ms (policies with delete): the segment's newest timestamp is older than now - retentionMs
//   (a segment without timestamps uses its file's modification time, as Kafka does);
// - retention.bytes (policies with delete): the partition is larger than retentionBytes by at least
//   the segment's size.
// Pure: both engines feed it their segments and remove what it selects.

import { isDeleteRetained, type TopicConfig } from './topic-config.ts'

export interface RetentionSegment {
  baseOffset: number
  sizeBytes: number
  /** Largest batch timestamp, or -1 when the segment has none. */
  maxTimestamp: number
  lastModifiedMs: number
}

export interface RetentionInput {
  config: TopicConfig
  nowMs: number
  logStartOffset: number
}

function prefixLength(
  segments: readonly RetentionSegment[],
  keep: (segment: RetentionSegment, index: number) => boolean,
): number {
  const closed = segments.length - 1
  let count = 0
  while (count < closed && !keep(segments[count], count)) count += 1
  return count
}

/** The number of leading segments to delete. */
export function segmentsToDelete(segments: readonly RetentionSegment[], input: RetentionInput): number {
  const { config, nowMs, logStartOffset } = input
  let count = prefixLength(segments, (_segment, index) => segments[index + 1].baseOffset > logStartOffset)
  if (!isDeleteRetained(config)) return count
  if (config.retentionMs >= 0) {
    const byTime = prefixLength(segments, (segment) => {
      const newest = segment.maxTimestamp >= 0 ? segment.maxTimestamp : segment.lastModifiedMs
      return nowMs - newest <= config.retentionMs
    })
    count = Math.max(count, byTime)
  }
  if (config.retentionBytes >= 0) {
    let excess = segments.reduce((total, segment) => total + segment.sizeBytes, 0) - config.retentionBytes
    const bySize = prefixLength(segments, (segment) => {
      if (excess - segment.sizeBytes < 0) return true
      excess -= segment.sizeBytes
      return false
    })
    count = Math.max(count, bySize)
  }
  return count
}
