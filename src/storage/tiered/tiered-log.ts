// What tiered storage needs from a disk partition log (partition-log.ts implements it): its closed
// segments, how far they are flushed, the log start offset, and two narrow operations: drop local
// copies that are safely remote (the log start stays), and advance the log start (total retention).

import type { Segment } from '../segment.ts'
import type { TopicConfig } from '../topic-config.ts'
import type { RemotePartition } from './remote-partition.ts'

export interface TieredLog {
  readonly topic: string
  readonly partition: number
  readonly directory: string
  readonly config: TopicConfig
  /** Sorted by base offset; the last one is active (never copied). */
  readonly segments: readonly Segment[]
  /** Data and indexes below this offset are fsynced: only segments below it are copied. */
  readonly recoveryPoint: number
  readonly logStartOffset: number
  readonly logEndOffset: number
  remote: RemotePartition | null
  leaderEpochEntries(): { epoch: number; startOffset: number }[]
  /** Runs retention-like work one at a time with retention and compaction. */
  exclusive<T>(operation: () => Promise<T>): Promise<T>
  /** Removes the first `count` local segments; the log start offset does not move. */
  removeLocalSegments(count: number): Promise<void>
  /** Total retention: the log start offset becomes `offset` (persisted); local segments below go. */
  advanceLogStartOffset(offset: number): Promise<void>
}
