// Copying closed segments of one partition (Kafka's RLMCopyTask), in offset order: a segment is
// eligible once it is not active, fully flushed (below the recovery point) and not copied yet.
// Per segment: record COPY_SEGMENT_STARTED (with a fresh id and the index ranges) → put one object,
// `.segment`: the log bytes, then the offset index, time index, the producer snapshot at its end offset
// (aborted transactions included) and its leader epochs back to back (one request instead of five;
// reads take ranges of it), MD5-verified and retried with backoff → record COPY_SEGMENT_FINISHED. Only then may local retention
// delete the local copy. A failure leaves the STARTED entry; cleanupStale() removes its objects later
// (and after a crash at open), and the segment is copied again under a new id. Several segments of a
// partition may upload at once (TieredStorage.copyPartition); FINISHED is recorded in offset order.

import { randomUUID } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { snapshotFileName } from '../producer-snapshot.ts'
import type { Segment } from '../segment.ts'
import { fileWithTrailerBody } from './object-store.ts'
import { combineIndexes, type RemoteSegment, segmentObjectSuffix } from './remote-log-metadata.ts'
import type { RemotePartition } from './remote-partition.ts'
import { withRetries } from './retry.ts'
import type { TieredLog } from './tiered-log.ts'
import { bufferedFileWithTrailerBody } from './upload-buffers.ts'

async function readOptional(file: string): Promise<Buffer | null> {
  try {
    return await readFile(file)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null
    throw error
  }
}

/** The closed, flushed, not yet copied segments, with the offset after each. */
export function segmentsToCopy(
  log: TieredLog,
  remote: RemotePartition,
): { segment: Segment; nextOffset: number }[] {
  const copiedEnd = remote.metadata.copiedEndOffset
  const eligible: { segment: Segment; nextOffset: number }[] = []
  for (let index = 0; index + 1 < log.segments.length; index += 1) {
    const segment = log.segments[index]
    const nextOffset = log.segments[index + 1].baseOffset
    if (nextOffset > log.recoveryPoint) break
    if (nextOffset <= copiedEnd || nextOffset <= log.logStartOffset || segment.size === 0) continue
    if (copiedEnd >= 0 && segment.baseOffset < copiedEnd) continue
    eligible.push({ segment, nextOffset })
  }
  return eligible
}

/** How a copy is ordered after the previous segment's copy of the same partition. */
export interface CopyOrder {
  /** Resolves once the previous segment's COPY_SEGMENT_FINISHED is recorded (rejects: it failed). */
  afterPrevious?: Promise<unknown>
  /** Called once this segment's COPY_SEGMENT_FINISHED is recorded (in memory, write queued). */
  onRecorded?: () => void
  /** Called once the upload has settled (`stored` false: it failed); the rest waits and records. */
  onUploaded?: (stored: boolean) => void
}

/** Segments whose COPY_SEGMENT_STARTED records share one write of the metadata file. */
export const copyPlanSegmentsMax = 32

/** A segment about to be copied: retained (its files stay open) and recorded COPY_SEGMENT_STARTED. */
export interface PlannedCopy {
  segment: Segment
  nextOffset: number
  started: RemoteSegment
}

/**
 * Records COPY_SEGMENT_STARTED (a fresh id each) for these segments in one durable write, before any
 * of their objects exists, so a crash leaves no object without an entry (the next task deletes the
 * objects of STARTED entries). Each segment is retained; copySegment (or the caller, for one it
 * skips) releases it.
 */
export async function startCopies(
  log: TieredLog,
  remote: RemotePartition,
  segments: readonly { segment: Segment; nextOffset: number }[],
): Promise<PlannedCopy[]> {
  for (const { segment } of segments) segment.retain()
  try {
    const planned: PlannedCopy[] = []
    for (const { segment, nextOffset } of segments) {
      await segment.loadIndexes()
      planned.push({
        segment,
        nextOffset,
        started: {
          id: randomUUID(),
          baseOffset: segment.baseOffset,
          endOffset: nextOffset - 1,
          sizeBytes: segment.size,
          maxTimestamp: segment.maxTimestamp,
          offsetOfMaxTimestamp: segment.offsetOfMaxTimestamp,
          leaderEpochs: epochsWithin(log.leaderEpochEntries(), segment.baseOffset, nextOffset),
          objects: [segmentObjectSuffix],
          state: 'COPY_SEGMENT_STARTED',
          copiedAtMs: 0,
        },
      })
    }
    await remote.metadata.putAll(planned.map((copy) => copy.started))
    return planned
  } catch (error) {
    for (const { segment } of segments) await segment.release()
    throw error
  }
}

/** Copies one segment recorded by startCopies; resolves once COPY_SEGMENT_FINISHED is persisted.
 * Releases the segment. */
export async function copySegment(
  log: TieredLog,
  remote: RemotePartition,
  { segment, nextOffset, started: entry }: PlannedCopy,
  order: CopyOrder = {},
): Promise<RemoteSegment> {
  try {
    const epochs = entry.leaderEpochs
    const epochText = `0\n${epochs.length}\n${epochs.map((e) => `${e.epoch} ${e.startOffset}`).join('\n')}\n`
    const indexes = combineIndexes(segment.size, {
      OFFSET: (await readOptional(segment.offsetIndex.filePath)) ?? Buffer.alloc(0),
      TIMESTAMP: (await readOptional(segment.timeIndex.filePath)) ?? Buffer.alloc(0),
      PRODUCER_SNAPSHOT: await readOptional(path.join(log.directory, snapshotFileName(nextOffset))),
      LEADER_EPOCH: Buffer.from(epochText),
    })
    // Read once into a reused buffer and sent from it (upload-buffers.ts); too large: streamed.
    const buffers = remote.tiered.uploadBuffers
    const buffer = buffers.acquire(segment.size + indexes.bytes.length)
    let uploaded = false
    try {
      const body =
        buffer === null
          ? await fileWithTrailerBody(segment.handle, segment.size, indexes.bytes)
          : await bufferedFileWithTrailerBody(segment.handle, segment.size, indexes.bytes, buffer)
      const store = await remote.tiered.store()
      await withRetries(
        remote.tiered.retryPolicy,
        () => store.put(remote.keyOf(entry, segmentObjectSuffix), body),
        { onThrottle: () => remote.tiered.onThrottle() },
      )
      remote.tiered.metrics.bytesCopied += body.sizeBytes
      uploaded = true
    } finally {
      if (buffer !== null) buffers.release(buffer, remote.tiered.options.uploadConcurrency)
      order.onUploaded?.(uploaded)
    }
    // Segments of a partition upload side by side but finish in offset order: a segment is recorded
    // copied only after the one before it is recorded (so the copied range never has a gap; a write
    // of the metadata file holds every entry recorded before it, so the previous one is durable
    // whenever this one is, and consecutive FINISHED records share one fsync); when that one failed,
    // this one stays STARTED and is cleaned up and copied again.
    await order.afterPrevious
    const finished: RemoteSegment = {
      ...entry,
      indexRanges: indexes.ranges,
      state: 'COPY_SEGMENT_FINISHED',
      copiedAtMs: Date.now(),
    }
    const durable = remote.metadata.put(finished)
    order.onRecorded?.()
    await durable
    remote.tiered.metrics.segmentsCopied += 1
    return finished
  } finally {
    await segment.release()
  }
}

/** Epoch entries that cover [baseOffset, nextOffset): the one in force at baseOffset and later ones. */
function epochsWithin(
  entries: { epoch: number; startOffset: number }[],
  baseOffset: number,
  nextOffset: number,
): { epoch: number; startOffset: number }[] {
  const within: { epoch: number; startOffset: number }[] = []
  for (const entry of entries) {
    if (entry.startOffset >= nextOffset) break
    if (entry.startOffset <= baseOffset) within.length = 0
    within.push({ epoch: entry.epoch, startOffset: Math.max(entry.startOffset, baseOffset) })
  }
  return within
}
