// Reads the planned partitions for one Fetch response, within the response's byte budget:
// whole batches from the one holding the fetch offset; the first non-empty partition may exceed the
// budget by one batch (KIP-74, v3+), later ones never do. Old versions get what they can read:
// magic 0/1 message sets below v4, and no zstd below v10 (UNSUPPORTED_COMPRESSION_TYPE).

import { KafkaError } from '../../../errors.ts'
import { ErrorCode } from '../../../protocol/generated/index.ts'
import { splitBatches } from '../../../protocol/records/batch-framing.ts'
import { BatchAttribute, BatchField } from '../../../protocol/records/batch-header.ts'
import { CompressionCodec } from '../../../protocol/records/compression/index.ts'
import { batchesToMessageSet } from '../../../protocol/records/message-set.ts'
import type {
  IsolationLevel,
  LogManager,
  ReadOptions as LogReadOptions,
  LogSlice,
  PartitionLog,
  ReadResult,
} from '../../../storage/types.ts'
import { currentLeaderEpoch } from '../leader-epoch.ts'
import type { SessionPartition } from './fetch-session-cache.ts'

const emptyRecords = Buffer.alloc(0)

export interface PartitionRead {
  target: SessionPartition
  errorCode: number
  highWatermark: number
  lastStableOffset: number
  logStartOffset: number
  /** The records read; empty when they come as `slice`. */
  records: Buffer
  /** Large reads of a v10+ Fetch: the records as a log slice, streamed to the socket (streamed-records.ts). */
  slice: LogSlice | null
  /** In-process Fetches (`batchesApart`) from an engine holding batches in memory: the whole batches
   * as stored, handed over without a copy; `records` is then empty. */
  batches?: readonly Buffer[]
  /** read_committed: the transactions aborted over the returned range. */
  abortedTransactions: { producerId: bigint; firstOffset: number }[]
  /** KIP-392: the broker the consumer should fetch this partition from (no records then). */
  preferredReadReplica?: number
}

export interface ReadOptions {
  apiVersion: number
  isolation: IsolationLevel
  responseBytesMax: number
  logs: LogManager
  /** Reads of at least this many bytes come back as log slices (absent: always read into memory). */
  sliceBytesMin?: number
  /** The records may come as the engine's batches apart (the in-process client; storage/types.ts). */
  batchesApart?: boolean
}

export async function readPartitions(
  partitions: SessionPartition[],
  options: ReadOptions,
): Promise<PartitionRead[]> {
  const reads: PartitionRead[] = []
  let responseBytes = 0
  let index = 0
  while (index < partitions.length) {
    // A wave: the next partitions whose partition budgets all fit in what is left of the response.
    // Each of them gets its whole partition budget whatever the others return, so their reads are
    // started together (a catch-up read of many partitions no longer waits for one disk read after
    // another); the results are then taken in order exactly as a one-by-one read would.
    const wave = waveFrom(partitions, index, options.responseBytesMax - responseBytes)
    const started = wave.map((target) => startRead(target, options))
    let position = 0
    try {
      for (; position < wave.length; position += 1) {
        const read = await readPartition(wave[position], options, responseBytes, started[position])
        responseBytes += recordsLength(read)
        reads.push(read)
      }
    } catch (error) {
      for (const later of started.slice(position + 1)) releaseStarted(later)
      releaseSlices(reads)
      throw error
    }
    index += wave.length
  }
  return reads
}

/** At least one partition; more while their partition budgets add up to no more than `bytesLeft`. */
function waveFrom(partitions: SessionPartition[], start: number, bytesLeft: number): SessionPartition[] {
  let end = start + 1
  let budgets = partitions[start].partitionMaxBytes
  while (end < partitions.length && budgets + partitions[end].partitionMaxBytes <= bytesLeft) {
    budgets += partitions[end].partitionMaxBytes
    end += 1
  }
  return partitions.slice(start, end)
}

/** A read started ahead with the partition's whole budget; settled, never rejected. */
type StartedRead = Promise<{ result: ReadResult } | { error: unknown }> | undefined

function startRead(target: SessionPartition, options: ReadOptions): StartedRead {
  const log = target.topic === '' ? undefined : options.logs.partition(target.topic, target.partition)
  if (
    log === undefined ||
    target.currentLeaderEpoch > currentLeaderEpoch(log) ||
    target.partitionMaxBytes <= 0
  )
    return undefined
  return log.read(target.fetchOffset, target.partitionMaxBytes, readOptionsOf(options)).then(
    (result) => ({ result }),
    (error: unknown) => ({ error }),
  )
}

function readOptionsOf(options: ReadOptions): LogReadOptions {
  return {
    isolation: options.isolation,
    ...(options.sliceBytesMin === undefined ? {} : { sliceBytesMin: options.sliceBytesMin }),
    ...(options.batchesApart === true ? { batchesApart: true } : {}),
  }
}

/** Bytes of records of one read, in memory or as a slice. */
export function recordsLength(read: PartitionRead): number {
  if (read.batches !== undefined) return batchesLength(read.batches)
  return read.slice?.length ?? read.records.length
}

/** A read started ahead and not used: its slice (if it gets one) is released once it settles. */
function releaseStarted(started: StartedRead): void {
  void started?.then((settled) => {
    if ('result' in settled) settled.result.slice?.release()
  })
}

/** Bytes of records in `reads` (what min_bytes counts). */
export function recordBytes(reads: PartitionRead[]): number {
  return reads.reduce((total, read) => total + recordsLength(read), 0)
}

function batchesLength(batches: readonly Buffer[]): number {
  let length = 0
  for (const batch of batches) length += batch.length
  return length
}

/** Ends the slices of reads that will not be sent (a long poll read again, a failed request). */
export function releaseSlices(reads: readonly PartitionRead[]): void {
  for (const read of reads) read.slice?.release()
}

/** The logs a Fetch waits on for new data. */
export function logsOf(partitions: SessionPartition[], logs: LogManager): PartitionLog[] {
  return partitions.flatMap((target) => logs.partition(target.topic, target.partition) ?? [])
}

async function readPartition(
  target: SessionPartition,
  options: ReadOptions,
  responseBytes: number,
  started: StartedRead,
): Promise<PartitionRead> {
  const log = target.topic === '' ? undefined : options.logs.partition(target.topic, target.partition)
  const budget = Math.min(target.partitionMaxBytes, options.responseBytesMax - responseBytes)
  // The read started ahead is the one-by-one read when the budget is still the whole partition budget.
  const useStarted = log !== undefined && budget > 0 && budget === target.partitionMaxBytes
  if (!useStarted) releaseStarted(started)
  if (log === undefined) {
    const unknownId = target.topic === '' && options.apiVersion >= 13
    return failed(target, unknownId ? ErrorCode.UNKNOWN_TOPIC_ID : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)
  }
  if (target.currentLeaderEpoch > currentLeaderEpoch(log)) {
    if (useStarted) releaseStarted(started)
    return failed(target, ErrorCode.UNKNOWN_LEADER_EPOCH)
  }
  const offsets = {
    highWatermark: log.highWatermark,
    lastStableOffset: log.lastStableOffset,
    logStartOffset: log.logStartOffset,
  }
  if (budget <= 0)
    return {
      target,
      errorCode: ErrorCode.NONE,
      ...offsets,
      records: emptyRecords,
      slice: null,
      abortedTransactions: [],
    }
  try {
    const ahead = useStarted ? await started : undefined
    if (ahead !== undefined && 'error' in ahead) throw ahead.error
    const result = ahead?.result ?? (await log.read(target.fetchOffset, budget, readOptionsOf(options)))
    // KIP-74: only the first non-empty partition of a v3+ response may exceed its budget.
    const oversizedAllowed = responseBytes === 0 && options.apiVersion >= 3
    const length =
      result.batches === undefined
        ? (result.slice?.length ?? result.records.length)
        : batchesLength(result.batches)
    const kept = length <= budget || oversizedAllowed
    if (!kept) result.slice?.release()
    const records = kept ? result.records : emptyRecords
    return {
      target,
      errorCode: ErrorCode.NONE,
      highWatermark: result.highWatermark,
      lastStableOffset: result.lastStableOffset,
      logStartOffset: result.logStartOffset,
      abortedTransactions: result.abortedTransactions ?? [],
      slice: kept ? (result.slice ?? null) : null,
      ...(kept && result.batches !== undefined ? { batches: result.batches } : {}),
      records: await convertForVersion(records, {
        apiVersion: options.apiVersion,
        downconversionEnabled:
          options.logs.getTopic(target.topic)?.config.messageDownconversionEnable ?? true,
      }),
    }
  } catch (error) {
    if (error instanceof KafkaError) return failed(target, error.errorCode)
    throw error
  }
}

function failed(target: SessionPartition, errorCode: number): PartitionRead {
  return {
    target,
    errorCode,
    highWatermark: -1,
    lastStableOffset: -1,
    logStartOffset: -1,
    records: emptyRecords,
    slice: null,
    abortedTransactions: [],
  }
}

/** Fetch v0-1 read magic 0, v2-3 magic 1 (KIP-98 added v2 batches in Fetch v4); zstd needs v10 (KIP-110). */
async function convertForVersion(
  records: Buffer,
  options: { apiVersion: number; downconversionEnabled: boolean },
): Promise<Buffer> {
  const { apiVersion } = options
  if (records.length === 0 || apiVersion >= 10) return records
  for (const batch of splitBatches(records).batches) {
    const codec = batch.bytes.readInt16BE(BatchField.attributes) & BatchAttribute.compressionMask
    if (codec === CompressionCodec.zstd) {
      throw new KafkaError(
        ErrorCode.UNSUPPORTED_COMPRESSION_TYPE,
        `zstd data needs Fetch v10, got v${apiVersion}`,
      )
    }
  }
  if (apiVersion >= 4) return records
  if (!options.downconversionEnabled) {
    throw new KafkaError(
      ErrorCode.UNSUPPORTED_VERSION,
      `message.downconversion.enable is false; Fetch v${apiVersion} needs it`,
    )
  }
  return batchesToMessageSet(records, apiVersion >= 2 ? 1 : 0)
}
