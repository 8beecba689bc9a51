// Compaction for the in-memory engine: the same plan (cleaner-plan.ts) and the same per-batch rules
// (batch-cleaning.ts) as the disk cleaner, applied in place to the closed in-memory segments. Batches
// keep their offsets; a batch that loses every record goes. Readers holding older buffers keep them.

import { addKeysOf, cleanBatch } from '../compaction/batch-cleaning.ts'
import { planCleaning } from '../compaction/cleaner-plan.ts'
import type { PartitionTransactions } from '../partition-transactions.ts'
import type { TopicConfig } from '../topic-config.ts'

export interface CompactableSegment {
  baseOffset: number
  batches: { baseOffset: number; lastOffset: number; maxTimestamp: number; bytes: Buffer }[]
  sizeBytes: number
  maxTimestamp: number
}

/** Cleans the cleanable segments; returns the offset up to which the log is now clean. */
export async function compactSegments(
  segments: readonly CompactableSegment[],
  input: {
    config: TopicConfig
    nowMs: number
    firstDirtyOffset: number
    logEndOffset: number
    transactions: PartitionTransactions
  },
): Promise<number> {
  const views = segments.map((segment, index) => ({
    baseOffset: segment.baseOffset,
    endOffset: index + 1 < segments.length ? segments[index + 1].baseOffset : input.logEndOffset,
    sizeBytes: segment.sizeBytes,
    maxTimestamp: segment.maxTimestamp,
  }))
  const plan = planCleaning(views, input)
  if (!plan.shouldClean) return input.firstDirtyOffset
  const cleanable = segments.slice(0, plan.cleanableCount)
  const newestOffsets = new Map<string, number>()
  for (const segment of cleanable)
    for (const batch of segment.batches) await addKeysOf(batch.bytes, input.transactions, newestOffsets)
  const context = {
    newestOffsets,
    tombstoneHorizonMs: input.nowMs - input.config.deleteRetentionMs,
    transactions: input.transactions,
    retainedByProducer: new Map<bigint, boolean>(),
  }
  for (const segment of cleanable) {
    const kept: CompactableSegment['batches'] = []
    for (const batch of segment.batches) {
      const cleaned = await cleanBatch(batch.bytes, context)
      if (cleaned !== null) kept.push({ ...batch, bytes: cleaned })
    }
    segment.batches = kept
    segment.sizeBytes = kept.reduce((total, batch) => total + batch.bytes.length, 0)
  }
  return views[plan.cleanableCount - 1]?.endOffset ?? input.firstDirtyOffset
}
