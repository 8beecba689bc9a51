// Copying closed segments of one partition (Kafka's RLMCopyTask), in offset order: a segment is
// eligible once it is not active, fully flushed (below the recovery point) and not copied yet.
// Per segment: record COPY_SEGMENT_STARTED (with a fresh id) → put the .log, .index, .timeindex, the
// producer snapshot at its end offset (aborted transactions included) and its leader epochs, each
// MD5-verified and retried with backoff → record COPY_SEGMENT_FINISHED. Only then may local retention
// delete the local copy. A failure leaves the STARTED entry; cleanupStale() removes its objects later
// (and after a crash at open), and the segment is copied again under a new id. Several segments of a
// partition may upload at once (TieredStorage.copyPartition); FINISHED is recorded in offset order.

import { randomUUID } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { snapshotFileName } from '../producer-snapshot.ts'
import type { Segment } from '../segment.ts'
import { bufferBody, fileBody, type ObjectBody } from './object-store.ts'
import type { RemoteSegment } from './remote-log-metadata.ts'
import type { RemotePartition } from './remote-partition.ts'
import { withRetries } from './retry.ts'
import type { TieredLog } from './tiered-log.ts'

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

/** Copies one segment; resolves once COPY_SEGMENT_FINISHED is persisted. */
export async function copySegment(
  log: TieredLog,
  remote: RemotePartition,
  segment: Segment,
  nextOffset: number,
  order: { afterPrevious?: Promise<unknown> } = {},
): Promise<RemoteSegment> {
  segment.retain()
  try {
    await segment.loadIndexes()
    const leaderEpochs = epochsWithin(log.leaderEpochEntries(), segment.baseOffset, nextOffset)
    const epochText = `0\n${leaderEpochs.length}\n${leaderEpochs.map((e) => `${e.epoch} ${e.startOffset}`).join('\n')}\n`
    const files: [string, () => Promise<ObjectBody | null>][] = [
      ['.log', () => fileBody(segment.handle, segment.size)],
      [
        '.index',
        async () => bufferBody((await readOptional(segment.offsetIndex.filePath)) ?? Buffer.alloc(0)),
      ],
      [
        '.timeindex',
        async () => bufferBody((await readOptional(segment.timeIndex.filePath)) ?? Buffer.alloc(0)),
      ],
      [
        '.snapshot',
        async () => {
          const bytes = await readOptional(path.join(log.directory, snapshotFileName(nextOffset)))
          return bytes === null ? null : bufferBody(bytes)
        },
      ],
      ['.leader-epoch-checkpoint', async () => bufferBody(Buffer.from(epochText))],
    ]
    const entry: RemoteSegment = {
      id: randomUUID(),
      baseOffset: segment.baseOffset,
      endOffset: nextOffset - 1,
      sizeBytes: segment.size,
      maxTimestamp: segment.maxTimestamp,
      offsetOfMaxTimestamp: segment.offsetOfMaxTimestamp,
      leaderEpochs,
      objects: [],
      state: 'COPY_SEGMENT_STARTED',
      copiedAtMs: 0,
    }
    await remote.metadata.put(entry)
    const store = await remote.tiered.store()
    // The segment's objects go up together (one round trip of latency, not five); each is retried.
    const uploaded = await Promise.all(
      files.map(async ([suffix, body]) => {
        const content = await body()
        if (content === null) return null
        await withRetries(remote.tiered.retryPolicy, () => store.put(remote.keyOf(entry, suffix), content), {
          onThrottle: () => remote.tiered.onThrottle(),
        })
        remote.tiered.metrics.bytesCopied += content.sizeBytes
        return suffix
      }),
    )
    const objects = uploaded.filter((suffix): suffix is string => suffix !== null)
    // Segments of a partition upload side by side but finish in offset order: a segment is recorded
    // copied only after the one before it (so the copied range never has a gap); when that one
    // failed, this one stays STARTED and is cleaned up and copied again.
    await order.afterPrevious
    const finished: RemoteSegment = {
      ...entry,
      objects,
      state: 'COPY_SEGMENT_FINISHED',
      copiedAtMs: Date.now(),
    }
    await remote.metadata.put(finished)
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
