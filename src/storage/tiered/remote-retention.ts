// Retention of a partition with remote storage (Kafka's RLM expiration + UnifiedLog local retention):
// - total retention (retention.ms / retention.bytes, and DeleteRecords' log start offset) over the
//   whole log: copied segments, then the local segments past them. Remote segments it selects are
//   deleted (DELETE_SEGMENT_STARTED recorded first, entry removed after the objects are gone) and
//   the log start offset advances;
// - local retention (local.retention.ms / local.retention.bytes) over the local segments, but only
//   those already copied (COPY_SEGMENT_FINISHED): their local files go, the log start stays.

import { type RetentionSegment, segmentsToDelete } from '../retention.ts'
import { type RemoteSegment, segmentObjectSuffix, segmentObjectSuffixes } from './remote-log-metadata.ts'
import type { RemotePartition } from './remote-partition.ts'
import { effectiveLocalRetentionBytes, effectiveLocalRetentionMs } from './remote-topic-config.ts'
import { withRetries } from './retry.ts'
import type { TieredLog } from './tiered-log.ts'

/** Deletes remote segments: DELETE_SEGMENT_STARTED recorded for all (one write), their objects
 * deleted, then their entries removed (one write). */
export async function deleteRemoteSegments(
  remote: RemotePartition,
  segments: readonly RemoteSegment[],
): Promise<void> {
  await remote.metadata.putAll(segments.map((segment) => ({ ...segment, state: 'DELETE_SEGMENT_STARTED' })))
  const store = await remote.tiered.store()
  const keys = segments.flatMap((segment) =>
    objectSuffixesOf(segment).map((suffix) => remote.keyOf(segment, suffix)),
  )
  await withRetries(remote.tiered.retryPolicy, () => store.delete(keys))
  for (const segment of segments) remote.tiered.cache.forget(segment.id)
  await remote.metadata.removeAll(segments.map((segment) => segment.id))
  for (const segment of segments) {
    // A STARTED copy's objects were never counted as copied.
    if (segment.state === 'COPY_SEGMENT_STARTED') continue
    remote.tiered.metrics.segmentsDeleted += 1
    remote.tiered.metrics.bytesDeleted += segment.sizeBytes
  }
}

/** The objects a segment may have: its one '.segment' object, or, for an entry written before the
 * indexes were combined (whose STARTED entries listed no objects), every per-file object. */
function objectSuffixesOf(segment: RemoteSegment): readonly string[] {
  if (segment.objects.includes(segmentObjectSuffix)) return segment.objects
  return [...new Set([...segment.objects, ...segmentObjectSuffixes])]
}

export async function applyTieredRetention(
  log: TieredLog,
  remote: RemotePartition,
  nowMs: number,
): Promise<void> {
  const copied = remote.metadata.copied
  const copiedEnd = remote.metadata.copiedEndOffset
  const localPast = log.segments.filter((segment) => segment.baseOffset >= copiedEnd)
  const views: (RetentionSegment & { remote?: RemoteSegment })[] = [
    ...copied.map((segment) => ({
      baseOffset: segment.baseOffset,
      sizeBytes: segment.sizeBytes,
      maxTimestamp: segment.maxTimestamp,
      lastModifiedMs: segment.copiedAtMs,
      remote: segment,
    })),
  ]
  for (const segment of localPast) {
    await segment.loadIndexes()
    views.push({
      baseOffset: segment.baseOffset,
      sizeBytes: segment.size,
      maxTimestamp: segment.maxTimestamp,
      lastModifiedMs: nowMs,
    })
  }
  const totalCount = segmentsToDelete(views, {
    config: log.config,
    nowMs,
    logStartOffset: log.logStartOffset,
  })
  if (totalCount > 0) {
    const newStart = views[totalCount].baseOffset
    // The log start moves first (readers stop asking for those offsets), then the objects go.
    if (newStart > log.logStartOffset) await log.advanceLogStartOffset(newStart)
    const expired = views
      .slice(0, totalCount)
      .flatMap((view) => (view.remote === undefined ? [] : [view.remote]))
    if (expired.length > 0) await deleteRemoteSegments(remote, expired)
  }
  await applyLocalRetention(log, remote, nowMs)
}

async function applyLocalRetention(log: TieredLog, remote: RemotePartition, nowMs: number): Promise<void> {
  const copiedEnd = remote.metadata.copiedEndOffset
  let copiedPrefix = 0
  while (copiedPrefix + 1 < log.segments.length && log.segments[copiedPrefix + 1].baseOffset <= copiedEnd)
    copiedPrefix += 1
  if (copiedPrefix === 0) return
  const views: RetentionSegment[] = []
  for (const segment of log.segments) {
    await segment.loadIndexes()
    views.push({
      baseOffset: segment.baseOffset,
      sizeBytes: segment.size,
      maxTimestamp: segment.maxTimestamp,
      lastModifiedMs: nowMs,
    })
  }
  const localConfig = {
    ...log.config,
    retentionMs: effectiveLocalRetentionMs(log.config),
    retentionBytes: effectiveLocalRetentionBytes(log.config),
  }
  const count = Math.min(
    copiedPrefix,
    segmentsToDelete(views, { config: localConfig, nowMs, logStartOffset: log.logStartOffset }),
  )
  if (count > 0) await log.removeLocalSegments(count)
}
