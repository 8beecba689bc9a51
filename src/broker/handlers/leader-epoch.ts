// Leader epochs as handlers see them on a single broker: the current epoch of a partition is the
// latest one its log recorded (at least 0, as Metadata reports it), and requests that carry a
// current leader epoch are fenced the way Kafka's Partition.checkCurrentLeaderEpoch does.

import { ErrorCode } from '../../protocol/generated/index.ts'
import type { PartitionLog } from '../../storage/types.ts'

/** The epoch clients learn from Metadata for this partition. */
export function currentLeaderEpoch(log: PartitionLog): number {
  return Math.max(log.latestEpoch, 0)
}

/** -1 (no epoch given) passes; an older epoch is FENCED_LEADER_EPOCH, a newer one UNKNOWN_LEADER_EPOCH. */
export function checkCurrentLeaderEpoch(requestedEpoch: number, log: PartitionLog): number {
  if (requestedEpoch === -1) return ErrorCode.NONE
  const current = currentLeaderEpoch(log)
  if (requestedEpoch < current) return ErrorCode.FENCED_LEADER_EPOCH
  if (requestedEpoch > current) return ErrorCode.UNKNOWN_LEADER_EPOCH
  return ErrorCode.NONE
}

/** Bound on the walk below: the epoch cache keeps far fewer entries than this. */
const epochLookupStepsMax = 10_000

/** The leader epoch of the batch holding `offset` (Kafka's LeaderEpochFileCache.epochForOffset), or
 * -1 when the log recorded no epoch for it. Walks down the epochs with endOffsetForEpoch: the end
 * offset of the epoch below `epoch` is where `epoch` starts. Known gap: an offset written before
 * the first recorded epoch 0 reports 0 (the cache's answer for epoch -1 cannot tell). */
export function epochForOffset(log: PartitionLog, offset: number): number {
  let epoch = log.latestEpoch
  let epochStart = Number.NaN
  for (let step = 0; epoch >= 0 && step < epochLookupStepsMax; step++) {
    const previous = log.endOffsetForEpoch(epoch - 1)
    // Below the first entry the cache answers with the first entry's start again: no epoch there.
    if (previous.endOffset === epochStart) return -1
    if (offset >= previous.endOffset) return epoch
    if (previous.leaderEpoch < 0 || previous.leaderEpoch >= epoch) return -1
    epoch = previous.leaderEpoch
    epochStart = previous.endOffset
  }
  return -1
}
