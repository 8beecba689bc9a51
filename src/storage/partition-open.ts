// Opening a partition directory: find the segments, read the partition's checkpoints, and either
// trust the files (clean shutdown: no scan at all, the log end offset comes from the recovery-point
// checkpoint) or recover (unclean: validate every batch from the segment holding the recovery point on,
// cut at the first invalid byte, drop the segments after it, rebuild their indexes, fsync).
//
// A clean open does as few file operations as it can, since a data dir of 1,000 partitions does it
// 1,000 times before the broker is ready: one listing of the directory (reused for the crash leftovers,
// the checkpoints and the producer snapshots), one open and fstat per segment, and the newest producer
// snapshot. Every segment's indexes, the active one's too, load on first use (Segment.loadIndexes).
//
// Leftovers of a crash are cleaned here: temporary checkpoint files, index files without a log, and
// the `.cleaned`/`.swap` files of an interrupted compaction (see compaction/swap.ts).

import { readdir } from 'node:fs/promises'
import path from 'node:path'
import { parseOffsetField, readCheckpointFile } from './checkpoint-file.ts'
import { cleanedSuffix, completeInterruptedSwaps, swapSuffix } from './compaction/swap.ts'
import { ensureDirectory, storageOperation, unlinkIfExists } from './file-io.ts'
import { LeaderEpochCache } from './leader-epoch-cache.ts'
import {
  DiskPartitionLog,
  leaderEpochCheckpointFile,
  logStartOffsetCheckpointFile,
  type PartitionLogContext,
} from './partition-log.ts'
import { recoverSegment } from './recovery.ts'
import { offsetIndexSuffix, Segment, timeIndexSuffix } from './segment.ts'
import type { TopicConfig } from './topic-config.ts'

export interface OpenPartitionOptions {
  topic: string
  partition: number
  directory: string
  config: TopicConfig
  context: PartitionLogContext
  /** The checkpointed recovery point, or null when unknown (then every segment is recovered). */
  recoveryPoint: number | null
  /** True after a clean shutdown: the recovery point is the log end offset and nothing is scanned. */
  cleanShutdown: boolean
  /** Tiered storage: the first offset held in copied segments (-1: none); the log may start there. */
  remoteStartOffset?: number
}

const segmentNamePattern = /^(\d{20})\.log$/

export async function openPartitionLog(options: OpenPartitionOptions): Promise<DiskPartitionLog> {
  const { directory } = options
  let names = await listOrCreateDirectory(directory)
  if (names.some((name) => name.endsWith(swapSuffix) || name.endsWith(cleanedSuffix))) {
    await completeInterruptedSwaps(directory)
    names = await readdir(directory)
  }
  const baseOffsets = await cleanLeftovers(directory, names)
  const logStartEntries = names.includes(logStartOffsetCheckpointFile)
    ? await readCheckpointFile(path.join(directory, logStartOffsetCheckpointFile), 1)
    : null
  const checkpointedStart =
    logStartEntries?.[0] === undefined ? 0 : (parseOffsetField(logStartEntries[0][0]) ?? 0)
  const epochEntries = names.includes(leaderEpochCheckpointFile)
    ? await readCheckpointFile(path.join(directory, leaderEpochCheckpointFile), 2)
    : null
  const epochs = new LeaderEpochCache(
    (epochEntries ?? []).map(([epoch, startOffset]) => ({
      epoch: Number(epoch),
      startOffset: Number(startOffset),
    })),
  )
  const segments: Segment[] = []
  try {
    for (const baseOffset of baseOffsets) segments.push(await Segment.open(directory, baseOffset))
    if (segments.length === 0) segments.push(await Segment.create(directory, checkpointedStart))
    const logEndOffset = await establishLogEnd(segments, epochs, options)
    const remoteStart = options.remoteStartOffset ?? -1
    const localStart =
      remoteStart >= 0 ? Math.min(remoteStart, segments[0].baseOffset) : segments[0].baseOffset
    const logStartOffset = Math.max(checkpointedStart, localStart)
    epochs.truncateFromEnd(logEndOffset)
    epochs.truncateFromStart(logStartOffset)
    const state = {
      topic: options.topic,
      partition: options.partition,
      directory,
      config: options.config,
      segments,
      logStartOffset: Math.min(logStartOffset, logEndOffset),
      logEndOffset,
      recoveryPoint: logEndOffset,
      epochs,
    }
    const log = new DiskPartitionLog(state, options.context)
    await log.loadProducerState(names)
    return log
  } catch (error) {
    for (const segment of segments) await segment.close()
    throw error
  }
}

/** The names in a partition directory; a missing directory is created (a new partition). */
async function listOrCreateDirectory(directory: string): Promise<string[]> {
  try {
    return await readdir(directory)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
  }
  await ensureDirectory(directory)
  return []
}

/** Removes crash leftovers; returns the base offsets of the segments, sorted. */
async function cleanLeftovers(directory: string, names: readonly string[]): Promise<number[]> {
  const baseOffsets: number[] = []
  const logNames = new Set<string>()
  for (const name of names) {
    const match = segmentNamePattern.exec(name)
    if (match !== null) {
      baseOffsets.push(Number(match[1]))
      logNames.add(match[1])
    }
  }
  for (const name of names) {
    const stem = name.slice(0, 20)
    const isIndex = name.endsWith(offsetIndexSuffix) || name.endsWith(timeIndexSuffix)
    if (name.endsWith('.tmp') || name.endsWith('.deleted') || (isIndex && !logNames.has(stem))) {
      await unlinkIfExists(path.join(directory, name))
    }
  }
  return baseOffsets.sort((a, b) => a - b)
}

/** Trusts the files after a clean shutdown, recovers them otherwise; returns the log end offset. */
async function establishLogEnd(
  segments: Segment[],
  epochs: LeaderEpochCache,
  options: OpenPartitionOptions,
): Promise<number> {
  const active = segments[segments.length - 1]
  const { recoveryPoint } = options
  if (options.cleanShutdown && recoveryPoint !== null && recoveryPoint >= active.baseOffset) {
    // The indexes load on first use: the append writer loads the active segment's before its first
    // write, readers before their first lookup.
    active.nextOffset = recoveryPoint
    return recoveryPoint
  }
  let first = 0
  if (recoveryPoint !== null) {
    while (first + 1 < segments.length && segments[first + 1].baseOffset <= recoveryPoint) first += 1
  }
  let nextOffset = 0
  for (let index = first; index < segments.length; index += 1) {
    const segment = segments[index]
    const recovery = await storageOperation(`recover ${segment.logPath}`, () =>
      recoverSegment(segment, {
        indexIntervalBytes: options.config.indexIntervalBytes,
        minBaseOffset: nextOffset,
        onBatch: (epoch, baseOffset) => epochs.assign(epoch, baseOffset),
      }),
    )
    nextOffset = segment.nextOffset
    if (index < segments.length - 1) segment.onBecomeInactive()
    await segment.offsetIndex.flush(options.context.io, { sync: true })
    await segment.timeIndex.flush(options.context.io, { sync: true })
    await storageOperation(`fdatasync ${segment.logPath}`, () => options.context.io.datasync(segment.handle))
    if (recovery.reason !== null) {
      options.context.logger.warn(
        { topic: options.topic, partition: options.partition, segment: segment.logPath, ...recovery },
        'recovery truncated the log at the first invalid batch',
      )
      const dropped = segments.splice(index + 1)
      for (const later of dropped) await later.delete()
      break
    }
  }
  return segments[segments.length - 1].nextOffset
}
