// One partition of a ListOffsets request: the special timestamps, lookups by timestamp and v0's
// list of offsets. Used by list-offsets.ts.

import { ErrorCode } from '../../protocol/generated/index.ts'
import type { ListOffsetsPartition } from '../../protocol/generated/list-offsets-request.ts'
import type { ListOffsetsPartitionResponse } from '../../protocol/generated/list-offsets-response.ts'
import type { PartitionLog, TimestampOffset } from '../../storage/types.ts'
import { checkCurrentLeaderEpoch, currentLeaderEpoch, epochForOffset } from './leader-epoch.ts'

/** ListOffsetsRequest's special timestamps. */
export const ListOffsetsTimestamp = {
  latest: -1,
  earliest: -2,
  /** v7+ (KIP-734): the record with the largest timestamp. */
  maxTimestamp: -3,
  /** v8+ (KIP-405): the first offset in local storage (tiered storage: past the copied segments). */
  earliestLocal: -4,
  /** v9+ (KIP-1005): the last offset copied to tiered storage (-1 offset when none). */
  latestTiered: -5,
} as const

/** Which offsets a requester may see: consumers stop at the high watermark (read_uncommitted) or
 * the last stable offset (read_committed); replicas and debugging tools see the log end offset. */
export type OffsetVisibility = 'read_uncommitted' | 'read_committed' | 'replica'

interface Found {
  timestamp: number
  offset: number
  leaderEpoch: number
}

const notFound: Found = { timestamp: -1, offset: -1, leaderEpoch: -1 }

export function partitionError(partitionIndex: number, errorCode: number): ListOffsetsPartitionResponse {
  return { partitionIndex, errorCode, oldStyleOffsets: [], timestamp: -1n, offset: -1n, leaderEpoch: -1 }
}

function lastVisibleOffset(log: PartitionLog, visibility: OffsetVisibility): number {
  if (visibility === 'read_committed') return log.lastStableOffset
  if (visibility === 'read_uncommitted') return log.highWatermark
  return log.logEndOffset
}

/** Kafka's fetchOffsetForTimestamp for v1+. */
async function lookUp(log: PartitionLog, timestampMs: number, visibility: OffsetVisibility): Promise<Found> {
  const lastVisible = lastVisibleOffset(log, visibility)
  switch (timestampMs) {
    case ListOffsetsTimestamp.latest:
      return { timestamp: -1, offset: lastVisible, leaderEpoch: currentLeaderEpoch(log) }
    case ListOffsetsTimestamp.earliest:
    case ListOffsetsTimestamp.earliestLocal: {
      const offset =
        timestampMs === ListOffsetsTimestamp.earliestLocal
          ? (log.localLogStartOffset ?? log.logStartOffset)
          : log.logStartOffset
      return { timestamp: -1, offset, leaderEpoch: epochForOffset(log, offset) }
    }
    case ListOffsetsTimestamp.latestTiered: {
      const offset = log.latestTieredOffset ?? -1
      return offset < 0 ? notFound : { timestamp: -1, offset, leaderEpoch: epochForOffset(log, offset) }
    }
  }
  const found: TimestampOffset | null =
    timestampMs === ListOffsetsTimestamp.maxTimestamp
      ? await log.maxTimestampOffset()
      : await log.offsetForTimestamp(timestampMs)
  // Offsets past what the requester may read are not disclosed (Kafka: offset < lastFetchableOffset).
  if (found === null || found.offset >= lastVisible || found.offset < log.logStartOffset) return notFound
  return { ...found, leaderEpoch: epochForOffset(log, found.offset) }
}

/** v0: up to `maxNumOffsets` offsets at or before the timestamp, newest first. The log counts as one
 * segment (Kafka lists segment base offsets): its start offset, and its end offset when not empty. */
async function legacyOffsets(
  log: PartitionLog,
  timestampMs: number,
  maxNumOffsets: number,
  visibility: OffsetVisibility,
): Promise<number[]> {
  const end = lastVisibleOffset(log, visibility)
  const boundaries = end > log.logStartOffset ? [end, log.logStartOffset] : [log.logStartOffset]
  let offsets: number[]
  if (timestampMs === ListOffsetsTimestamp.latest) offsets = boundaries
  else if (timestampMs === ListOffsetsTimestamp.earliest) offsets = [log.logStartOffset]
  else {
    const found = await log.offsetForTimestamp(timestampMs)
    offsets = [found === null || found.offset > end ? end : found.offset]
  }
  return offsets.slice(0, Math.max(0, maxNumOffsets))
}

export async function listPartitionOffsets(
  log: PartitionLog,
  partition: ListOffsetsPartition,
  options: { apiVersion: number; visibility: OffsetVisibility },
): Promise<ListOffsetsPartitionResponse> {
  const { partitionIndex } = partition
  const epochError = checkCurrentLeaderEpoch(partition.currentLeaderEpoch, log)
  if (epochError !== ErrorCode.NONE) return partitionError(partitionIndex, epochError)
  const timestampMs = Number(partition.timestamp)
  if (options.apiVersion === 0) {
    const offsets = await legacyOffsets(log, timestampMs, partition.maxNumOffsets, options.visibility)
    return { ...partitionError(partitionIndex, ErrorCode.NONE), oldStyleOffsets: offsets.map(BigInt) }
  }
  const found = await lookUp(log, timestampMs, options.visibility)
  return {
    partitionIndex,
    errorCode: ErrorCode.NONE,
    oldStyleOffsets: [],
    timestamp: BigInt(found.timestamp),
    offset: BigInt(found.offset),
    // The field exists from v4; older versions must leave it at its default.
    leaderEpoch: options.apiVersion >= 4 ? found.leaderEpoch : -1,
  }
}
