// What the log cleaner may clean, and whether it should (Kafka's LogCleanerManager rules):
// - cleanable: closed segments only, up to the first segment holding a record younger than
//   min.compaction.lag.ms (that one and all later stay as they are);
// - should clean when the dirty part (past the cleaner checkpoint) is at least min.cleanable.dirty.ratio
//   of the cleanable bytes, or when a dirty segment is older than max.compaction.lag.ms.
// Pure, so the rules are tested without files.

import type { TopicConfig } from '../topic-config.ts'

export interface PlanSegment {
  baseOffset: number
  /** Offset after the segment (the next segment's base offset). */
  endOffset: number
  sizeBytes: number
  maxTimestamp: number
}

export interface CleaningPlan {
  /** How many leading segments are cleanable. */
  cleanableCount: number
  dirtyRatio: number
  /** True when the cleaner should rewrite the cleanable segments now. */
  shouldClean: boolean
}

export function planCleaning(
  segments: readonly PlanSegment[],
  input: { config: TopicConfig; nowMs: number; firstDirtyOffset: number },
): CleaningPlan {
  const { config, nowMs, firstDirtyOffset } = input
  let cleanableCount = 0
  // The last segment is active: never cleanable.
  while (cleanableCount < segments.length - 1) {
    const segment = segments[cleanableCount]
    if (segment.maxTimestamp > nowMs - config.minCompactionLagMs) break
    cleanableCount += 1
  }
  let cleanBytes = 0
  let dirtyBytes = 0
  let overdue = false
  for (const segment of segments.slice(0, cleanableCount)) {
    if (segment.endOffset <= firstDirtyOffset) {
      cleanBytes += segment.sizeBytes
      continue
    }
    dirtyBytes += segment.sizeBytes
    if (segment.maxTimestamp >= 0 && segment.maxTimestamp < nowMs - config.maxCompactionLagMs) overdue = true
  }
  const total = cleanBytes + dirtyBytes
  const dirtyRatio = total === 0 ? 0 : dirtyBytes / total
  const shouldClean = dirtyBytes > 0 && (dirtyRatio >= config.minCleanableDirtyRatio || overdue)
  return { cleanableCount, dirtyRatio, shouldClean }
}
