// The disk engine's partition log: a directory `<topic>-<partition>` of segments, the last one active.
// Appends go through the AppendWriter (serialized, grouped); durable appends wait for a group commit;
// reads are positional reads of whole batches. Opening (and crash recovery) lives in partition-open.ts,
// background work (retention, flush.ms) is driven by the log manager through the methods at the end.
//
// Concurrency: the writer is the only code that appends to the active segment or adds segments;
// retention and compaction replace closed segments only; readers snapshot the high watermark and the
// active segment's size first, so they never see a batch past the high watermark or a half-written one.

import { stat } from 'node:fs/promises'
import path from 'node:path'
import { KafkaError, StorageError } from '../errors.ts'
import { splitBatches } from '../protocol/records/batch-framing.ts'
import { readBatchHeader } from '../protocol/records/batch-header.ts'
import { AppendNotifier } from './append-notifier.ts'
import { type AppendHost, AppendWriter, type PendingAppend } from './append-writer.ts'
import { type BatchSpan, validateAppendBatches } from './batch.ts'
import { writeCheckpointFile } from './checkpoint-file.ts'
import { StorageErrorCode } from './error-codes.ts'
import { storageOperation, syncDirectory, type WriteIo } from './file-io.ts'
import { GroupCommit } from './group-commit.ts'
import type { LeaderEpochCache } from './leader-epoch-cache.ts'
import { producerIdExpirationMs } from './limits.ts'
import { findOffsetForTimestamp, type ReadHint, readBatches } from './partition-read.ts'
import { sliceBatches } from './partition-slice.ts'
import {
  activeProducersOf,
  markerTypeOf,
  PartitionTransactions,
  readCommittedView,
  trackTransaction,
} from './partition-transactions.ts'
import { readProducerSnapshot, writeProducerSnapshot } from './producer-snapshot.ts'
import { ProducerStateManager } from './producer-state.ts'
import { type RetentionSegment, segmentsToDelete } from './retention.ts'
import { Segment } from './segment.ts'
import type { RemotePartition } from './tiered/remote-partition.ts'
import { applyTieredRetention } from './tiered/remote-retention.ts'
import type { TieredLog } from './tiered/tiered-log.ts'
import { firstRecordAtOrAfter, recordWithMaxTimestamp } from './timestamp-lookup.ts'
import { longMax, type TopicConfig } from './topic-config.ts'
import type {
  ActiveProducer,
  AppendOptions,
  AppendResult,
  Clock,
  EpochEndOffset,
  PartitionLog,
  ReadOptions,
  ReadResult,
  RemoteStorageState,
  StorageLogger,
  TimestampOffset,
  Unsubscribe,
} from './types.ts'

export const logStartOffsetCheckpointFile = 'log-start-offset-checkpoint'
/** Bytes read per step when replaying batch headers into the producer state. */
const producerReplayReadBytes = 4 * 1024 * 1024
export const leaderEpochCheckpointFile = 'leader-epoch-checkpoint'

export interface PartitionLogContext {
  clock: Clock
  logger: StorageLogger
  io: WriteIo
}

export interface PartitionLogState {
  topic: string
  partition: number
  directory: string
  config: TopicConfig
  segments: Segment[]
  logStartOffset: number
  logEndOffset: number
  recoveryPoint: number
  epochs: LeaderEpochCache
}

export class DiskPartitionLog implements PartitionLog, AppendHost, TieredLog {
  readonly topic: string
  readonly partition: number
  readonly directory: string
  config: TopicConfig
  readonly clock: Clock
  readonly io: WriteIo
  /** Sorted by base offset; the last one is active. Replaced (never mutated in place) by compaction. */
  segments: Segment[]
  /** Offset below which data and indexes are on disk (fsynced): recovery starts from here. */
  recoveryPoint: number
  writeFailure: StorageError | null = null
  private endOffset: number
  private startOffset: number
  private readonly epochs: LeaderEpochCache
  private readonly logger: StorageLogger
  private readonly writer: AppendWriter
  private readonly groupCommit: GroupCommit
  private readonly notifier: AppendNotifier
  private readonly dirtySegments = new Set<Segment>()
  private unflushedOffsets = 0
  private flushTimer: NodeJS.Timeout | null = null
  private flushChain: Promise<void> = Promise.resolve()
  private checkpointChain: Promise<void> = Promise.resolve()
  private maintenanceChain: Promise<void> = Promise.resolve()
  private closed = false
  /** Where the last read ended, so a consumer reading on needs no index lookup or header scan. */
  readHint: ReadHint | null = null
  /** Idempotent producers (checked by the writer, snapshotted at roll and close). */
  readonly producers = new ProducerStateManager()
  /** Open and aborted transactions (last stable offset, read_committed), snapshotted with producers. */
  readonly transactions = new PartitionTransactions()
  /** Tiered storage (storage/tiered/): the copied segments, when the broker has remote storage on. */
  remote: RemotePartition | null = null

  constructor(state: PartitionLogState, context: PartitionLogContext) {
    this.topic = state.topic
    this.partition = state.partition
    this.directory = state.directory
    this.config = state.config
    this.segments = state.segments
    this.startOffset = state.logStartOffset
    this.endOffset = state.logEndOffset
    this.recoveryPoint = state.recoveryPoint
    this.epochs = state.epochs
    this.clock = context.clock
    this.io = context.io
    this.logger = context.logger
    this.activeSegment.createdAtMs = this.clock.now()
    this.writer = new AppendWriter(this)
    this.groupCommit = new GroupCommit(() => this.syncDirtySegments())
    this.notifier = new AppendNotifier((error) =>
      this.logger.error({ err: error, ...this.where() }, 'append listener threw'),
    )
  }

  get activeSegment(): Segment {
    return this.segments[this.segments.length - 1]
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
  /** First offset on local disk (ListOffsets -4, earliest-local); the log start without remote data. */
  get localLogStartOffset(): number {
    return Math.max(this.startOffset, this.segments[0].baseOffset)
  }
  get latestTieredOffset(): number {
    return this.remote === null ? -1 : this.remote.metadata.copiedEndOffset - 1
  }
  /** True when `offset` lies in copied segments whose local files are gone. */
  private isRemoteOffset(offset: number): boolean {
    return this.remote !== null && offset >= this.startOffset && offset < this.segments[0].baseOffset
  }
  get latestEpoch(): number {
    return this.epochs.latestEpoch
  }
  activeProducers(): ActiveProducer[] {
    return activeProducersOf(this)
  }
  get sizeBytes(): number {
    return this.segments.reduce((total, segment) => total + segment.size, 0)
  }
  remoteStorageState(): RemoteStorageState | null {
    if (this.remote === null || !this.config.remoteStorageEnable) return null
    return {
      localLogStartOffset: this.localLogStartOffset,
      latestTieredOffset: this.latestTieredOffset,
      localSizeBytes: this.sizeBytes,
      remoteSizeBytes: this.remote.metadata.copiedSizeBytes,
      remoteSegments: this.remote.metadata.copied.length,
      pendingUploadBytes: this.remote.pendingCopyBytes(this.segments),
    }
  }

  private where(): { topic: string; partition: number } {
    return { topic: this.topic, partition: this.partition }
  }

  async append(batches: Buffer, options: AppendOptions): Promise<AppendResult> {
    if (this.closed) throw new StorageError(`${this.topic}-${this.partition} is closed`)
    if (this.writeFailure !== null) throw this.writeFailure
    // With remote.log.copy.disable nothing waits for upload (local data follows retention.*).
    if (this.config.remoteStorageEnable && !this.config.remoteLogCopyDisable)
      this.remote?.checkAppendAllowed(this.segments)
    const spans = validateAppendBatches(batches, {
      maxMessageBytes: this.config.maxMessageBytes,
      origin: options.origin ?? 'client',
    })
    return this.writer.enqueue({ buffer: batches, spans, options })
  }

  // AppendHost: called by the writer.

  durableBarrier(): Promise<void> {
    return this.groupCommit.request()
  }

  async roll(baseOffset: number): Promise<Segment> {
    const previous = this.activeSegment
    const segment = await storageOperation(`roll ${this.directory}`, async () => {
      const created = await Segment.create(this.directory, baseOffset)
      await syncDirectory(this.directory)
      return created
    })
    previous.onBecomeInactive()
    segment.createdAtMs = this.clock.now()
    this.segments = [...this.segments, segment]
    this.snapshotProducers(baseOffset).catch(() => {}) // queueCheckpoint logs a failure; close retries
    // Kafka flushes the segment it rolled away from in the background; the recovery point follows.
    this.flushInBackground()
    return segment
  }

  completeWrite(segment: Segment, appends: PendingAppend[], results: AppendResult[]): Promise<void> | null {
    let offsets = 0
    for (let index = 0; index < appends.length; index += 1) {
      const append = appends[index]
      const result = results[index]
      let baseOffset = result.baseOffset
      let position = segment.size
      for (const span of append.spans) {
        const lastOffset = baseOffset + span.lastOffsetDelta
        this.trackTransaction(span.transaction, baseOffset)
        segment.recordAppended(
          { baseOffset, lastOffset, position, sizeBytes: span.sizeBytes, maxTimestamp: span.maxTimestamp },
          this.config.indexIntervalBytes,
        )
        position += span.sizeBytes
        baseOffset = lastOffset + 1
      }
      if (
        append.options.leaderEpoch !== undefined &&
        this.epochs.assign(append.options.leaderEpoch, result.baseOffset)
      ) {
        this.persistEpochs()
      }
      offsets += result.lastOffset - result.baseOffset + 1
      this.endOffset = result.lastOffset + 1
    }
    this.dirtySegments.add(segment)
    this.notifier.notify(this.endOffset)
    let sync: Promise<void> | null = null
    for (let index = 0; index < appends.length; index += 1) {
      const result = { ...results[index], logStartOffset: this.startOffset }
      if (appends[index].options.durable) {
        sync ??= this.groupCommit.request()
        sync.then(
          () => appends[index].resolve(result),
          (error: unknown) => appends[index].reject(error),
        )
      } else {
        appends[index].resolve(result)
      }
    }
    this.scheduleFlush(offsets)
    return sync
  }

  failWrites(error: StorageError): void {
    this.writeFailure = error
    this.logger.error({ err: error, ...this.where() }, 'partition stops accepting writes')
  }

  /** fdatasync of every segment written since the last sync (the group commit's sync). */
  private async syncDirtySegments(): Promise<void> {
    const segments = [...this.dirtySegments]
    this.dirtySegments.clear()
    for (const segment of segments) {
      segment.retain()
      try {
        await storageOperation(`fdatasync ${segment.logPath}`, () => this.io.datasync(segment.handle))
      } catch (error) {
        // After a failed fsync the kernel may have dropped the dirty pages: stop writes (fsyncgate).
        this.failWrites(error as StorageError)
        throw error
      } finally {
        await segment.release()
      }
    }
  }

  async read(fetchOffset: number, maxBytes: number, options: ReadOptions = {}): Promise<ReadResult> {
    const lastStableOffset = this.lastStableOffset
    const committed = options.isolation === 'read_committed'
    const { sliceBytesMin } = options
    const result = this.isRemoteOffset(fetchOffset)
      ? await this.readRemote(fetchOffset, maxBytes)
      : sliceBytesMin === undefined
        ? await readBatches(this, fetchOffset, maxBytes)
        : await sliceBatches(this, fetchOffset, maxBytes, {
            offsetLimit: committed ? lastStableOffset : Number.POSITIVE_INFINITY,
            sliceBytesMin,
          })
    if (!committed) return { ...result, lastStableOffset }
    return readCommittedView(result, fetchOffset, this.transactions, lastStableOffset)
  }

  private async readRemote(fetchOffset: number, maxBytes: number): Promise<ReadResult> {
    const highWatermark = this.highWatermark
    const logStartOffset = this.startOffset
    const records = (await this.remote?.read(fetchOffset, maxBytes)) ?? Buffer.alloc(0)
    return { records, highWatermark, logStartOffset, lastStableOffset: highWatermark }
  }

  private trackTransaction(transaction: BatchSpan['transaction'], baseOffset: number): void {
    trackTransaction(this, transaction, baseOffset)
  }

  async offsetForTimestamp(timestampMs: number): Promise<TimestampOffset | null> {
    const batchHit =
      (this.remote === null ? null : await this.remote.findTimestamp(timestampMs, this.startOffset)) ??
      (await findOffsetForTimestamp(this, timestampMs))
    return batchHit === null
      ? null
      : firstRecordAtOrAfter((offset) => this.read(offset, 1), batchHit, timestampMs)
  }

  /** The last segment whose base offset is ≤ `offset` (or the first segment). */
  floorSegment(offset: number): Segment | undefined {
    let low = 0
    let high = this.segments.length - 1
    let found = 0
    while (low <= high) {
      const middle = (low + high) >>> 1
      if (this.segments[middle].baseOffset <= offset) {
        found = middle
        low = middle + 1
      } else {
        high = middle - 1
      }
    }
    return this.segments[found]
  }

  async maxTimestampOffset(): Promise<TimestampOffset | null> {
    let best: TimestampOffset | null = this.remote?.maxTimestamp(this.startOffset) ?? null
    for (const segment of this.segments) {
      await segment.loadIndexes()
      if (segment.maxTimestamp >= 0 && (best === null || segment.maxTimestamp > best.timestamp)) {
        best = { timestamp: segment.maxTimestamp, offset: segment.offsetOfMaxTimestamp }
      }
    }
    if (best === null || best.offset < this.startOffset) return best
    return recordWithMaxTimestamp((offset) => this.read(offset, 1), best)
  }

  async deleteRecordsBefore(offset: number): Promise<number> {
    if (offset > this.highWatermark || offset < 0) {
      throw new KafkaError(
        StorageErrorCode.OFFSET_OUT_OF_RANGE,
        `offset ${offset} is above the high watermark`,
      )
    }
    if (offset <= this.startOffset) return this.startOffset
    this.startOffset = offset
    this.producers.truncateHead(offset)
    this.transactions.truncateHead(offset)
    if (this.epochs.truncateFromStart(offset)) this.persistEpochs()
    await this.persistLogStartOffset()
    await this.applyRetention(this.clock.now())
    return this.startOffset
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

  // Background work, driven by the log manager.

  updateConfig(config: TopicConfig): void {
    this.config = config
  }

  /** Removes whole closed segments selected by retention; advances the log start offset. */
  async applyRetention(nowMs: number): Promise<void> {
    await this.exclusive(() => this.applyRetentionNow(nowMs))
  }

  /** Runs retention or compaction one at a time on this partition (both replace closed segments). */
  exclusive<T>(operation: () => Promise<T>): Promise<T> {
    const result = this.maintenanceChain.then(operation, operation)
    this.maintenanceChain = result.then(
      () => {},
      () => {},
    )
    return result
  }

  private async applyRetentionNow(nowMs: number): Promise<void> {
    this.producers.expire(nowMs, producerIdExpirationMs, (producerId) =>
      this.transactions.ongoing.has(producerId),
    )
    if (this.remote !== null && this.config.remoteStorageEnable) {
      await applyTieredRetention(this, this.remote, nowMs)
      return
    }
    const views: RetentionSegment[] = []
    for (const segment of this.segments) {
      // Retention never deletes the active segment (retention.ts): its times are not needed, so an
      // idle partition costs no index load and no stat per pass.
      const active = segment === this.activeSegment
      if (!active) await segment.loadIndexes()
      const lastModifiedMs = active || segment.maxTimestamp >= 0 ? 0 : (await stat(segment.logPath)).mtimeMs
      views.push({
        baseOffset: segment.baseOffset,
        sizeBytes: segment.size,
        maxTimestamp: segment.maxTimestamp,
        lastModifiedMs,
      })
    }
    const count = segmentsToDelete(views, { config: this.config, nowMs, logStartOffset: this.startOffset })
    if (count === 0) return
    const removed = this.segments.slice(0, count)
    this.segments = this.segments.slice(count)
    this.afterSegmentsRemoved(removed)
    for (const segment of removed) {
      await storageOperation(`delete ${segment.logPath}`, () => segment.delete()).catch((error: unknown) =>
        this.logger.error({ err: error, ...this.where() }, 'segment deletion failed'),
      )
    }
  }

  // TieredLog (storage/tiered/): local copies of copied segments go; total retention moves the start.

  leaderEpochEntries(): { epoch: number; startOffset: number }[] {
    return this.epochs.snapshot().map((entry) => ({ epoch: entry.epoch, startOffset: entry.startOffset }))
  }

  /** Runs inside applyRetention (exclusive). The log start offset stays where it is. */
  async removeLocalSegments(count: number): Promise<void> {
    const removed = this.segments.slice(0, Math.min(count, this.segments.length - 1))
    this.segments = this.segments.slice(removed.length)
    for (const segment of removed) this.dirtySegments.delete(segment)
    if (this.readHint !== null && removed.includes(this.readHint.segment)) this.readHint = null
    for (const segment of removed) {
      await storageOperation(`delete ${segment.logPath}`, () => segment.delete()).catch((error: unknown) =>
        this.logger.error({ err: error, ...this.where() }, 'segment deletion failed'),
      )
    }
  }

  /** Runs inside applyRetention (exclusive): total retention moved the start past remote segments. */
  async advanceLogStartOffset(offset: number): Promise<void> {
    if (offset <= this.startOffset) return
    this.startOffset = Math.min(offset, this.endOffset)
    this.producers.truncateHead(this.startOffset)
    this.transactions.truncateHead(this.startOffset)
    if (this.epochs.truncateFromStart(this.startOffset)) this.persistEpochs()
    await this.persistLogStartOffset()
    let below = 0
    while (below + 1 < this.segments.length && this.segments[below + 1].baseOffset <= this.startOffset)
      below += 1
    if (below > 0) await this.removeLocalSegments(below)
  }

  /** Compaction's swap, in memory: `replacement` takes the place of the consecutive `group`. */
  replaceSegments(group: readonly Segment[], replacement: Segment): void {
    this.segments = this.segments.flatMap((segment) => {
      if (segment === group[0]) return [replacement]
      return group.includes(segment) ? [] : [segment]
    })
    for (const segment of group) this.dirtySegments.delete(segment)
    if (this.readHint !== null && group.includes(this.readHint.segment)) this.readHint = null
  }

  /** Bookkeeping after segments left the log (retention, deleteRecords). */
  private afterSegmentsRemoved(removed: readonly Segment[]): void {
    for (const segment of removed) this.dirtySegments.delete(segment)
    if (this.readHint !== null && removed.includes(this.readHint.segment)) this.readHint = null
    const first = this.segments[0].baseOffset
    if (first > this.startOffset) {
      this.startOffset = first
      this.producers.truncateHead(first)
      this.transactions.truncateHead(first)
      if (this.epochs.truncateFromStart(first)) this.persistEpochs()
    }
  }

  private scheduleFlush(offsets: number): void {
    this.unflushedOffsets += offsets
    if (this.unflushedOffsets >= this.config.flushMessages) {
      this.flushInBackground()
    } else if (this.flushTimer === null && this.config.flushMs < longMax) {
      this.flushTimer = setTimeout(() => this.flushInBackground(), this.config.flushMs)
      this.flushTimer.unref()
    }
  }

  private flushInBackground(): void {
    this.flush().catch((error: unknown) =>
      this.logger.error({ err: error, ...this.where() }, 'background flush failed'),
    )
  }

  /** Syncs data and indexes of every segment from the recovery point on, then advances the recovery
   * point to the log end offset seen at the start. Serialized. */
  flush(): Promise<void> {
    if (this.flushTimer !== null) clearTimeout(this.flushTimer)
    this.flushTimer = null
    this.unflushedOffsets = 0
    const run = async (): Promise<void> => {
      const target = this.endOffset
      const from = this.floorSegment(this.recoveryPoint)?.baseOffset ?? 0
      const segments = this.segments.filter((segment) => segment.baseOffset >= from)
      await this.groupCommit.request()
      for (const segment of segments) {
        // A segment removed by retention or replaced by compaction must not get its files back.
        if (segment.isClosed) continue
        await storageOperation(`flush indexes of ${segment.logPath}`, async () => {
          await segment.offsetIndex.flush(this.io, { sync: true })
          await segment.timeIndex.flush(this.io, { sync: true })
        })
      }
      this.recoveryPoint = Math.max(this.recoveryPoint, target)
    }
    this.flushChain = this.flushChain.then(run, run)
    return this.flushChain
  }

  private persistEpochs(): void {
    const entries = this.epochs.snapshot().map((entry) => [entry.epoch, entry.startOffset])
    const file = path.join(this.directory, leaderEpochCheckpointFile)
    // queueCheckpoint logs a failure; the next epoch change or close writes the file again.
    this.queueCheckpoint(() => writeCheckpointFile(file, entries)).catch(() => {})
  }

  /** Writes the producer state as of `offset` (everything below it is in the state). */
  private snapshotProducers(offset: number): Promise<void> {
    const entries = [...this.producers.entries.values()].map((entry) => ({
      ...entry,
      batches: [...entry.batches],
    }))
    return this.queueCheckpoint(() => writeProducerSnapshot(this.directory, offset, entries))
  }

  /** Rebuilds producer state on open: the newest snapshot, then the batch headers written after it. */
  /** `listed`: the directory's names, when the caller just listed it. */
  async loadProducerState(listed?: readonly string[]): Promise<void> {
    const snapshot = await readProducerSnapshot(this.directory, this.endOffset, listed)
    for (const entry of snapshot?.entries ?? []) this.producers.entries.set(entry.producerId, entry)
    for (const [producerId, firstOffset] of snapshot?.transactions.ongoing ?? []) {
      this.transactions.ongoing.set(producerId, firstOffset)
    }
    this.transactions.aborted = [...(snapshot?.transactions.aborted ?? [])]
    let offset = Math.max(snapshot?.offset ?? 0, this.startOffset)
    while (offset < this.endOffset) {
      const { records } = await readBatches(this, offset, producerReplayReadBytes)
      if (records.length === 0) break
      for (const batch of splitBatches(records).batches) {
        const header = readBatchHeader(batch.bytes, 0)
        const lastOffset = header.baseOffset + header.lastOffsetDelta
        if (lastOffset >= offset && header.producerId >= 0n) {
          if (!header.isControl) this.producers.record(header, header.baseOffset, lastOffset)
          const marker = header.isControl ? markerTypeOf(batch.bytes, 0) : null
          if (header.isControl || header.isTransactional) {
            this.trackTransaction(
              { producerId: header.producerId, producerEpoch: header.producerEpoch, marker },
              header.baseOffset,
            )
          }
        }
        offset = Math.max(offset, lastOffset + 1)
      }
    }
    this.producers.truncateHead(this.startOffset)
  }

  private persistLogStartOffset(): Promise<void> {
    const file = path.join(this.directory, logStartOffsetCheckpointFile)
    const offset = this.startOffset
    return this.queueCheckpoint(() => writeCheckpointFile(file, [[offset]]))
  }

  private queueCheckpoint(write: () => Promise<void>): Promise<void> {
    const run = (): Promise<void> =>
      storageOperation(`checkpoint in ${this.directory}`, write).catch((error: unknown) => {
        this.logger.error({ err: error, ...this.where() }, 'checkpoint write failed')
        throw error
      })
    const result = this.checkpointChain.then(run, run)
    this.checkpointChain = result.catch(() => {})
    return result
  }

  /** Waits for queued appends, flushes everything (final time index entry included), closes files. */
  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    await this.writer.idle()
    this.activeSegment.onBecomeInactive()
    await this.flush()
    await this.snapshotProducers(this.endOffset)
    await this.checkpointChain
    if (this.flushTimer !== null) clearTimeout(this.flushTimer)
    for (const segment of this.segments) await segment.close()
  }

  /** Closes files without flushing (the directory is about to be deleted). */
  async abandon(): Promise<void> {
    this.closed = true
    await this.writer.idle()
    await this.flushChain.catch(() => {})
    await this.checkpointChain
    if (this.flushTimer !== null) clearTimeout(this.flushTimer)
    for (const segment of this.segments) await segment.close()
  }
}
