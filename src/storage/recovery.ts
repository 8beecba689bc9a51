// Recovery of a segment after an unclean shutdown: read every batch from the start of the file and
// check it as on append (length, magic 2, CRC32C, counts) plus what only the log knows (offsets
// increase, fit the segment). The first batch that fails ends the valid data: the file is cut there
// and the indexes are rebuilt from the valid batches. Batches are read in large chunks by position; a
// length prefix above recoveryBatchBytesMax counts as corruption, so garbage never drives a huge read.

import { KafkaError } from '../errors.ts'
import { logOverheadBytes, validateBatch } from '../protocol/records/batch-header.ts'
import { storedHeaderBytes } from './batch.ts'
import { recoveryBatchBytesMax } from './limits.ts'
import type { Segment } from './segment.ts'

/** Bytes read per step of recovery. Default 1 MiB: few syscalls, bounded memory. */
const recoveryChunkBytes = 1024 * 1024
const int32Max = 0x7fffffff

export interface SegmentRecovery {
  /** Bytes cut from the end of the file (0 when the whole file was valid). */
  truncatedBytes: number
  /** Why the valid data ended before the end of the file, or null. */
  reason: string | null
}

/**
 * Rebuilds `segment`'s state and indexes from its file; cuts the file at the first invalid byte.
 * `minBaseOffset` is the offset the first batch may not be below (the end of the previous segment).
 */
export async function recoverSegment(
  segment: Segment,
  options: {
    indexIntervalBytes: number
    minBaseOffset: number
    /** Called per valid batch with its partitionLeaderEpoch (rebuilds the leader epoch cache). */
    onBatch?: (partitionLeaderEpoch: number, baseOffset: number) => void
  },
): Promise<SegmentRecovery> {
  segment.resetForRecovery()
  const fileSize = (await segment.handle.stat()).size
  let expectedMin = Math.max(segment.baseOffset, options.minBaseOffset)
  let chunk: Buffer = Buffer.alloc(0)
  let chunkStart = 0
  let position = 0
  let reason: string | null = null
  while (position < fileSize) {
    if (fileSize - position < storedHeaderBytes) {
      reason = `${fileSize - position} bytes at the end, less than a batch header`
      break
    }
    if (position + storedHeaderBytes > chunkStart + chunk.length) {
      chunk = await segment.read(position, Math.min(recoveryChunkBytes, fileSize - position))
      chunkStart = position
    }
    const sizeBytes = logOverheadBytes + chunk.readInt32BE(position - chunkStart + 8)
    if (sizeBytes < storedHeaderBytes || sizeBytes > recoveryBatchBytesMax) {
      reason = `batch size ${sizeBytes} at position ${position} is impossible`
      break
    }
    if (position + sizeBytes > fileSize) {
      reason = `batch of ${sizeBytes} bytes at position ${position} is cut by the end of the file`
      break
    }
    if (position + sizeBytes > chunkStart + chunk.length) {
      chunk = await segment.read(
        position,
        Math.min(Math.max(recoveryChunkBytes, sizeBytes), fileSize - position),
      )
      chunkStart = position
    }
    const problem = checkBatch(chunk, position - chunkStart, expectedMin, segment.baseOffset)
    if (typeof problem === 'string') {
      reason = `${problem} at position ${position}`
      break
    }
    segment.recordAppended(
      {
        baseOffset: problem.baseOffset,
        lastOffset: problem.lastOffset,
        position,
        sizeBytes,
        maxTimestamp: problem.maxTimestamp,
      },
      options.indexIntervalBytes,
    )
    options.onBatch?.(problem.partitionLeaderEpoch, problem.baseOffset)
    expectedMin = problem.lastOffset + 1
    position += sizeBytes
  }
  if (position < fileSize) await segment.handle.truncate(position)
  return { truncatedBytes: fileSize - position, reason }
}

/** The batch's offsets and timestamp, or why it is invalid. */
function checkBatch(
  chunk: Buffer,
  at: number,
  expectedMin: number,
  segmentBaseOffset: number,
): { baseOffset: number; lastOffset: number; maxTimestamp: number; partitionLeaderEpoch: number } | string {
  try {
    const { header, lastOffset } = validateBatch(chunk, at, { origin: 'log' })
    if (header.baseOffset < expectedMin)
      return `offset ${header.baseOffset} does not follow ${expectedMin - 1}`
    if (lastOffset - segmentBaseOffset > int32Max) return `offset ${lastOffset} does not fit the segment`
    const { baseOffset, maxTimestamp, partitionLeaderEpoch } = header
    return { baseOffset, lastOffset, maxTimestamp, partitionLeaderEpoch }
  } catch (error) {
    if (error instanceof KafkaError) return error.message
    throw error
  }
}
