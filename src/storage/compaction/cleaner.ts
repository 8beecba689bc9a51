// The log cleaner (cleanup.policy=compact and compact,delete). One pass over a partition:
//   1. plan (cleaner-plan.ts): which closed segments are cleanable, and is the dirty ratio reached;
//   2. map every key of the cleanable segments to its newest offset;
//   3. rewrite the cleanable segments, grouped up to segment.bytes, into `.cleaned` files: a record
//      stays when it is the newest for its key (or has no key); a tombstone (null value) also goes
//      once older than delete.retention.ms. Batches keep their offsets, codec, producer fields; an
//      untouched batch is copied byte for byte, a filtered one is rebuilt and recompressed;
//   4. swap each group in atomically (swap.ts) and advance the cleaner checkpoint.
// Runs under the partition's maintenance lock (never with retention); appends and reads go on: the
// active segment is never cleaned and readers keep the old segments open until they are done.
//
// Transactions: data of an aborted transaction is removed; data of a committed one is compacted like
// any other; data of a transaction still open is copied unchanged (see `transactionFate`); a marker
// goes once none of its transaction's records is left and it is older than delete.retention.ms.

import path from 'node:path'
import { BatchField } from '../../protocol/records/batch-header.ts'
import { parseOffsetField, readCheckpointFile, writeCheckpointFile } from '../checkpoint-file.ts'
import { nodeWriteIo, storageOperation } from '../file-io.ts'
import type { DiskPartitionLog } from '../partition-log.ts'
import type { PartitionTransactions } from '../partition-transactions.ts'
import { Segment } from '../segment.ts'
import { addKeysOf, type CleaningContext, cleanBatch } from './batch-cleaning.ts'
import { planCleaning } from './cleaner-plan.ts'
import { forEachStoredBatch } from './segment-batches.ts'
import { cleanedSuffix, finishSwap, writeSwapManifest } from './swap.ts'

export const cleanerCheckpointFile = 'cleaner-offset-checkpoint'

/** Distinct keys the cleaner maps in one pass. Default 4,000,000 (Kafka's 128 MiB dedupe buffer holds
 * about 5.5 M entries); beyond it the pass maps only the segments that fit and cleans those. */
export const cleanerKeysMax = 4_000_000
/** Bytes the cleaner buffers before a write to the `.cleaned` file. Default 1 MiB. */
const cleanerWriteBytes = 1024 * 1024

export interface CleanerHooks {
  /** Called after the `.cleaned` files are synced, before the swap commits. */
  beforeSwapCommit?: () => Promise<void>
  /** Called in the middle of the swap (after old segments were unlinked, before renames). */
  afterUnlink?: () => Promise<void>
}

/** The cleaner as the log manager's `compactPartition` option. */
export function createCleaner(
  options: { hooks?: CleanerHooks } = {},
): (log: DiskPartitionLog, nowMs: number) => Promise<void> {
  return (log, nowMs) => log.exclusive(() => cleanPartition(log, nowMs, options.hooks ?? {}))
}

async function cleanPartition(log: DiskPartitionLog, nowMs: number, hooks: CleanerHooks): Promise<void> {
  const checkpoint = path.join(log.directory, cleanerCheckpointFile)
  const entries = await readCheckpointFile(checkpoint, 1)
  const firstDirtyOffset = entries?.[0] === undefined ? 0 : (parseOffsetField(entries[0][0]) ?? 0)
  const segments = [...log.segments]
  for (const segment of segments) await segment.loadIndexes()
  const views = segments.map((segment, index) => ({
    baseOffset: segment.baseOffset,
    endOffset: index + 1 < segments.length ? segments[index + 1].baseOffset : log.logEndOffset,
    sizeBytes: segment.size,
    maxTimestamp: segment.maxTimestamp,
  }))
  const plan = planCleaning(views, { config: log.config, nowMs, firstDirtyOffset })
  if (!plan.shouldClean) return
  const { newestOffsets, mappedCount } = await mapKeys(
    segments.slice(0, plan.cleanableCount),
    log.transactions,
  )
  const cleanable = segments.slice(0, mappedCount)
  // Shared by every group of this pass, which runs from the first segment on in offset order.
  const retainedByProducer = new Map<bigint, boolean>()
  for (const group of groupSegments(cleanable, views, log.config.segmentBytes)) {
    await cleanGroup(log, group, {
      newestOffsets,
      tombstoneHorizonMs: nowMs - log.config.deleteRetentionMs,
      hooks,
      transactions: log.transactions,
      retainedByProducer,
    })
  }
  const cleanedEnd = views[mappedCount - 1]?.endOffset ?? firstDirtyOffset
  await storageOperation('write cleaner checkpoint', () => writeCheckpointFile(checkpoint, [[cleanedEnd]]))
}

/** Newest offset of every key in `segments`; stops at the segment that would pass cleanerKeysMax. */
async function mapKeys(
  segments: readonly Segment[],
  transactions: PartitionTransactions,
): Promise<{ newestOffsets: Map<string, number>; mappedCount: number }> {
  const newestOffsets = new Map<string, number>()
  let mappedCount = 0
  for (const segment of segments) {
    const added = new Map<string, number>()
    await forEachStoredBatch(segment, (bytes) => addKeysOf(bytes, transactions, added))
    if (newestOffsets.size + added.size > cleanerKeysMax && mappedCount > 0) break
    for (const [key, offset] of added) newestOffsets.set(key, offset)
    mappedCount += 1
  }
  return { newestOffsets, mappedCount }
}

/** Consecutive segments whose total size fits segment.bytes and whose offsets fit one segment. */
function groupSegments(
  segments: readonly Segment[],
  views: readonly { endOffset: number }[],
  segmentBytes: number,
): Segment[][] {
  const groups: Segment[][] = []
  let current: Segment[] = []
  let bytes = 0
  segments.forEach((segment, index) => {
    const fits =
      bytes + segment.size <= segmentBytes &&
      views[index].endOffset - (current[0]?.baseOffset ?? 0) <= 0x7fffffff
    if (current.length > 0 && !fits) {
      groups.push(current)
      current = []
      bytes = 0
    }
    current.push(segment)
    bytes += segment.size
  })
  if (current.length > 0) groups.push(current)
  return groups
}

async function cleanGroup(
  log: DiskPartitionLog,
  group: Segment[],
  context: CleaningContext & { hooks: CleanerHooks },
): Promise<void> {
  const baseOffset = group[0].baseOffset
  const cleaned = await Segment.create(log.directory, baseOffset, { suffix: cleanedSuffix })
  const writer = new CleanedSegmentWriter(cleaned, log.config.indexIntervalBytes)
  try {
    for (const segment of group) {
      await forEachStoredBatch(segment, async (bytes) => {
        const rewritten = await cleanBatch(bytes, context)
        if (rewritten !== null) await writer.add(rewritten)
      })
    }
    await writer.finish()
    await context.hooks.beforeSwapCommit?.()
    const replaced = group.map((segment) => segment.baseOffset)
    await writeSwapManifest(log.directory, baseOffset, replaced)
    log.replaceSegments(group, cleaned)
    await finishSwap(log.directory, baseOffset, replaced, { afterUnlink: context.hooks.afterUnlink })
    cleaned.useFinalNames()
    for (const segment of group) await segment.close()
  } catch (error) {
    // Before the commit point the cleaned files go; after it the swap completes at the next open.
    if (log.segments.includes(cleaned)) for (const segment of group) await segment.close()
    else await cleaned.delete()
    throw error
  }
}

/** Appends batches to a `.cleaned` segment in large writes, indexing them as it goes. */
class CleanedSegmentWriter {
  private pending: Buffer[] = []
  private pendingBytes = 0
  private writtenBytes = 0

  constructor(
    private readonly segment: Segment,
    private readonly indexIntervalBytes: number,
  ) {}

  async add(batch: Buffer): Promise<void> {
    const baseOffset = batch.readInt32BE(0) * 2 ** 32 + batch.readUInt32BE(4)
    this.segment.recordAppended(
      {
        baseOffset,
        lastOffset: baseOffset + batch.readInt32BE(BatchField.lastOffsetDelta),
        position: this.segment.size,
        sizeBytes: batch.length,
        maxTimestamp:
          batch.readInt32BE(BatchField.maxTimestamp) * 2 ** 32 +
          batch.readUInt32BE(BatchField.maxTimestamp + 4),
      },
      this.indexIntervalBytes,
    )
    this.pending.push(batch)
    this.pendingBytes += batch.length
    if (this.pendingBytes >= cleanerWriteBytes) await this.writePending()
  }

  private async writePending(): Promise<void> {
    if (this.pendingBytes === 0) return
    const buffer = Buffer.concat(this.pending)
    await this.segment.handle.write(buffer, 0, buffer.length, this.writtenBytes)
    this.writtenBytes += buffer.length
    this.pending = []
    this.pendingBytes = 0
  }

  /** Writes what is left, the final time index entry, and syncs the log and both indexes. */
  async finish(): Promise<void> {
    await this.writePending()
    this.segment.onBecomeInactive()
    await this.segment.handle.datasync()
    await this.segment.offsetIndex.flush(nodeWriteIo, { sync: true })
    await this.segment.timeIndex.flush(nodeWriteIo, { sync: true })
  }
}
