// The in-memory engine's partition log (`--in-memory`, tests, ephemeral use). Same behaviour as the
// disk engine: batches validated and stamped the same way, grouped into virtual segments that roll on
// segment.bytes / segment.ms, retention removes whole closed segments. Bounded: when retention.bytes
// is unlimited, memoryPartitionBytesMax applies instead. `durable` has nothing to sync here.

import { KafkaError, StorageError } from '../../errors.ts'
import { AppendNotifier } from '../append-notifier.ts'
import { type BatchSpan, stampBatch, validateAppendBatches } from '../batch.ts'
import { StorageErrorCode } from '../error-codes.ts'
import { isHandedOver } from '../handed-over.ts'
import { LeaderEpochCache } from '../leader-epoch-cache.ts'
import { memoryPartitionBytesMax, producerIdExpirationMs } from '../limits.ts'
import {
  activeProducersOf,
  PartitionTransactions,
  readCommittedView,
  trackTransaction,
} from '../partition-transactions.ts'
import { ProducerStateManager } from '../producer-state.ts'
import { segmentsToDelete } from '../retention.ts'
import { firstRecordAtOrAfter, recordWithMaxTimestamp } from '../timestamp-lookup.ts'
import type { TopicConfig } from '../topic-config.ts'
import type {
  ActiveProducer,
  AppendOptions,
  AppendResult,
  Clock,
  EpochEndOffset,
  PartitionLog,
  ReadOptions,
  ReadResult,
  StorageLogger,
  TimestampOffset,
  Unsubscribe,
} from '../types.ts'
import { compactSegments } from './memory-compaction.ts'

interface StoredBatch {
  baseOffset: number
  lastOffset: number
  maxTimestamp: number
  bytes: Buffer
}

interface MemorySegment {
  baseOffset: number
  batches: StoredBatch[]
  sizeBytes: number
  maxTimestamp: number
  offsetOfMaxTimestamp: number
  createdAtMs: number
}

export class MemoryPartitionLog implements PartitionLog {
  private segments: MemorySegment[]
  private endOffset = 0
  private startOffset = 0
  private readonly epochs = new LeaderEpochCache()
  readonly producers = new ProducerStateManager()
  /** The cleaner's checkpoint: offsets below it were compacted by an earlier pass. */
  private cleanedUpTo = 0
  readonly transactions = new PartitionTransactions()
  private readonly notifier: AppendNotifier
  private closed = false

  constructor(
    readonly topic: string,
    readonly partition: number,
    public config: TopicConfig,
    private readonly clock: Clock,
    logger: StorageLogger,
  ) {
    this.segments = [this.newSegment(0)]
    this.notifier = new AppendNotifier((error) =>
      logger.error({ err: error, topic, partition }, 'append listener threw'),
    )
  }

  private newSegment(baseOffset: number): MemorySegment {
    return {
      baseOffset,
      batches: [],
      sizeBytes: 0,
      maxTimestamp: -1,
      offsetOfMaxTimestamp: -1,
      createdAtMs: this.clock.now(),
    }
  }

  get logEndOffset(): number {
    return this.endOffset
  }
  get highWatermark(): number {
    return this.endOffset
  }
  get lastStableOffset(): number {
    return this.transactions.lastStableOffset(this.endOffset)
  }
  get logStartOffset(): number {
    return this.startOffset
  }
  get latestEpoch(): number {
    return this.epochs.latestEpoch
  }
  activeProducers(): ActiveProducer[] {
    return activeProducersOf(this)
  }
  get sizeBytes(): number {
    return this.segments.reduce((total, segment) => total + segment.sizeBytes, 0)
  }
  private get active(): MemorySegment {
    return this.segments[this.segments.length - 1]
  }

  /** Idempotent producers (see producer-state.ts): a resent batch gets its original offsets. */
  private checkProducers(spans: readonly BatchSpan[]): AppendResult | null {
    for (const span of spans) {
      if (span.producer === null) continue
      const duplicate = this.producers.check(span.producer)
      if (duplicate !== null) {
        return {
          baseOffset: duplicate.firstOffset,
          lastOffset: duplicate.lastOffset,
          logAppendTimeMs: -1,
          logStartOffset: this.startOffset,
        }
      }
    }
    return null
  }

  async append(batches: Buffer, options: AppendOptions): Promise<AppendResult> {
    if (this.closed) throw new StorageError(`${this.topic}-${this.partition} is closed`)
    // The log keeps the bytes: a buffer its producer handed over is kept, any other one is copied.
    const copy = isHandedOver(batches) ? batches : Buffer.from(batches)
    const spans = validateAppendBatches(copy, {
      maxMessageBytes: this.config.maxMessageBytes,
      origin: options.origin ?? 'client',
    })
    const duplicate = this.checkProducers(spans)
    if (duplicate !== null) return duplicate
    const logAppendTimeMs =
      this.config.messageTimestampType === 'LogAppendTime'
        ? (options.logAppendTimeMs ?? this.clock.now())
        : undefined
    const baseOffset = this.endOffset
    for (const span of spans) {
      if (span.producer !== null) {
        this.producers.record(span.producer, this.endOffset, this.endOffset + span.lastOffsetDelta)
      }
      trackTransaction(this, span.transaction, this.endOffset)
      if (this.needsRoll(span.sizeBytes)) this.segments.push(this.newSegment(this.endOffset))
      stampBatch(copy, span, {
        baseOffset: this.endOffset,
        leaderEpoch: options.leaderEpoch,
        logAppendTimeMs,
      })
      const lastOffset = this.endOffset + span.lastOffsetDelta
      const segment = this.active
      segment.batches.push({
        baseOffset: this.endOffset,
        lastOffset,
        maxTimestamp: span.maxTimestamp,
        bytes: copy.subarray(span.position, span.position + span.sizeBytes),
      })
      segment.sizeBytes += span.sizeBytes
      if (span.maxTimestamp > segment.maxTimestamp) {
        segment.maxTimestamp = span.maxTimestamp
        segment.offsetOfMaxTimestamp = lastOffset
      }
      this.endOffset = lastOffset + 1
    }
    if (options.leaderEpoch !== undefined) this.epochs.assign(options.leaderEpoch, baseOffset)
    this.enforceMemoryBound()
    this.notifier.notify(this.endOffset)
    return {
      baseOffset,
      lastOffset: this.endOffset - 1,
      logAppendTimeMs: logAppendTimeMs ?? -1,
      logStartOffset: this.startOffset,
    }
  }

  private needsRoll(bytes: number): boolean {
    const segment = this.active
    if (segment.sizeBytes === 0) return false
    if (segment.sizeBytes + bytes > this.config.segmentBytes) return true
    return this.clock.now() - segment.createdAtMs > this.config.segmentMs
  }

  /** Unlimited retention.bytes still may not exceed memoryPartitionBytesMax. */
  private enforceMemoryBound(): void {
    while (this.sizeBytes > memoryPartitionBytesMax && this.segments.length > 1) this.removeFirstSegments(1)
  }

  private removeFirstSegments(count: number): void {
    this.segments = this.segments.slice(count)
    if (this.segments[0].baseOffset > this.startOffset) {
      this.startOffset = this.segments[0].baseOffset
      this.producers.truncateHead(this.startOffset)
      this.transactions.truncateHead(this.startOffset)
      this.epochs.truncateFromStart(this.startOffset)
    }
  }

  async read(fetchOffset: number, maxBytes: number, options: ReadOptions = {}): Promise<ReadResult> {
    const result = await this.readUncommitted(fetchOffset, maxBytes, options.batchesApart === true)
    if (options.isolation !== 'read_committed') return result
    return readCommittedView(result, fetchOffset, this.transactions, this.lastStableOffset)
  }

  private async readUncommitted(
    fetchOffset: number,
    maxBytes: number,
    batchesApart: boolean,
  ): Promise<ReadResult> {
    const result: ReadResult = {
      records: Buffer.alloc(0),
      highWatermark: this.endOffset,
      logStartOffset: this.startOffset,
      lastStableOffset: this.lastStableOffset,
    }
    if (fetchOffset < this.startOffset || fetchOffset > this.endOffset) {
      throw new KafkaError(
        StorageErrorCode.OFFSET_OUT_OF_RANGE,
        `offset ${fetchOffset} is outside [${this.startOffset}, ${this.endOffset}] of ${this.topic}-${this.partition}`,
      )
    }
    for (const segment of this.segments) {
      const index = firstBatchEndingAtOrAfter(segment.batches, fetchOffset)
      if (index === segment.batches.length) continue
      const chosen: Buffer[] = [segment.batches[index].bytes]
      let bytes = chosen[0].length
      for (let next = index + 1; next < segment.batches.length; next += 1) {
        const batch = segment.batches[next].bytes
        if (bytes + batch.length > maxBytes) break
        chosen.push(batch)
        bytes += batch.length
      }
      // Batches are handed out as stored (readers never write into read results): no copy when there
      // is one, or when the reader takes them apart (the in-process client). Every stored batch passed
      // validateAppendBatches (or was built in process by buildBatch) and only this log holds its
      // buffer, so its CRC needs no second check in this process.
      if (batchesApart) return { ...result, batches: chosen, crcVerified: true }
      return {
        ...result,
        records: chosen.length === 1 ? chosen[0] : Buffer.concat(chosen),
        crcVerified: true,
      }
    }
    return result
  }

  async offsetForTimestamp(timestampMs: number): Promise<TimestampOffset | null> {
    for (const segment of this.segments) {
      if (segment.maxTimestamp < timestampMs) continue
      for (const batch of segment.batches) {
        if (batch.maxTimestamp >= timestampMs && batch.lastOffset >= this.startOffset) {
          const batchHit = {
            timestamp: batch.maxTimestamp,
            offset: Math.max(batch.baseOffset, this.startOffset),
          }
          return firstRecordAtOrAfter((offset) => this.read(offset, 1), batchHit, timestampMs)
        }
      }
    }
    return null
  }

  async maxTimestampOffset(): Promise<TimestampOffset | null> {
    let best: TimestampOffset | null = null
    for (const segment of this.segments) {
      if (segment.maxTimestamp >= 0 && (best === null || segment.maxTimestamp > best.timestamp)) {
        best = { timestamp: segment.maxTimestamp, offset: segment.offsetOfMaxTimestamp }
      }
    }
    if (best === null || best.offset < this.startOffset) return best
    return recordWithMaxTimestamp((offset) => this.read(offset, 1), best)
  }

  async deleteRecordsBefore(offset: number): Promise<number> {
    if (offset > this.endOffset || offset < 0) {
      throw new KafkaError(
        StorageErrorCode.OFFSET_OUT_OF_RANGE,
        `offset ${offset} is above the high watermark`,
      )
    }
    if (offset > this.startOffset) {
      this.startOffset = offset
      this.producers.truncateHead(offset)
      this.transactions.truncateHead(offset)
      this.epochs.truncateFromStart(offset)
      this.applyRetention(this.clock.now())
    }
    return this.startOffset
  }

  /** One pass of the log cleaner over the closed segments (cleanup.policy=compact). */
  async compact(nowMs: number): Promise<void> {
    if (!this.config.cleanupPolicy.includes('compact')) return
    this.cleanedUpTo = await compactSegments(this.segments, {
      config: this.config,
      nowMs,
      firstDirtyOffset: this.cleanedUpTo,
      logEndOffset: this.endOffset,
      transactions: this.transactions,
    })
  }

  applyRetention(nowMs: number): void {
    this.producers.expire(nowMs, producerIdExpirationMs, (producerId) =>
      this.transactions.ongoing.has(producerId),
    )
    const views = this.segments.map((segment) => ({
      baseOffset: segment.baseOffset,
      sizeBytes: segment.sizeBytes,
      maxTimestamp: segment.maxTimestamp,
      lastModifiedMs: segment.createdAtMs,
    }))
    const count = segmentsToDelete(views, { config: this.config, nowMs, logStartOffset: this.startOffset })
    if (count > 0) this.removeFirstSegments(count)
  }

  endOffsetForEpoch(leaderEpoch: number): EpochEndOffset {
    return this.epochs.endOffsetFor(leaderEpoch, this.endOffset)
  }

  onAppend(listener: (logEndOffset: number) => void): Unsubscribe {
    return this.notifier.onAppend(listener)
  }

  waitForAppend(offset: number, options: { timeoutMs: number; signal?: AbortSignal }): Promise<boolean> {
    return this.notifier.waitFor(offset, () => this.endOffset, options)
  }

  close(): void {
    this.closed = true
  }
}

/** Index of the first batch whose last offset is ≥ `offset` (batches.length when none). */
function firstBatchEndingAtOrAfter(batches: readonly StoredBatch[], offset: number): number {
  let low = 0
  let high = batches.length
  while (low < high) {
    const middle = (low + high) >>> 1
    if (batches[middle].lastOffset < offset) low = middle + 1
    else high = middle
  }
  return low
}
