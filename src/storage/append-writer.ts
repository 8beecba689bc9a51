// The write loop of one partition: appends queue here and one loop at a time takes everything queued
// (up to writeGroupBytesMax), stamps offsets, and writes it with a single positional writev at the end
// of the active segment. Rolls happen between writes. So appends to a partition are serialized, many
// small appends cost one syscall, and partitions never wait for each other.
//
// A failed write rejects the appends of that write with StorageError, cuts the file back to the last
// good byte, and leaves the partition readable. If the cut fails too, the partition refuses writes
// until it is reopened (its file has bytes we cannot vouch for).

import { KafkaError, StorageError } from '../errors.ts'
import { type BatchSpan, stampBatch } from './batch.ts'
import { StorageErrorCode } from './error-codes.ts'
import { storageOperation, type WriteIo } from './file-io.ts'
import { appendQueueDepthMax, writeGroupBytesMax } from './limits.ts'
import type { ProducerStateManager } from './producer-state.ts'
import type { Segment } from './segment.ts'
import type { TopicConfig } from './topic-config.ts'
import type { AppendOptions, AppendResult, Clock } from './types.ts'

export interface PendingAppend {
  buffer: Buffer
  spans: BatchSpan[]
  options: AppendOptions
  resolve: (result: AppendResult) => void
  reject: (error: unknown) => void
}

/** What the writer needs from its partition log. */
export interface AppendHost {
  readonly config: TopicConfig
  readonly clock: Clock
  readonly io: WriteIo
  readonly activeSegment: Segment
  readonly logEndOffset: number
  /** Non-null once a write could not be undone: every append fails with it. */
  readonly writeFailure: StorageError | null
  /** Makes a new active segment starting at `baseOffset`. */
  roll(baseOffset: number): Promise<Segment>
  /** Called after bytes reached the OS: advance the log end offset, epochs, notify; returns the group
   * commit the durable appends of the write wait for (null when none is durable). */
  completeWrite(segment: Segment, appends: PendingAppend[], results: AppendResult[]): Promise<void> | null
  /** Called when a write failed and could not be cut back: stop writes. */
  failWrites(error: StorageError): void
  /** Idempotent producers' sequences and recent batches. */
  readonly producers: ProducerStateManager
  readonly logStartOffset: number
  /** Resolves once everything written so far is synced (a resent durable batch waits for it). */
  durableBarrier(): Promise<void>
}

const int32Max = 0x7fffffff

export class AppendWriter {
  private readonly pending: PendingAppend[] = []
  private running: Promise<void> | null = null

  constructor(private readonly host: AppendHost) {}

  get queueDepth(): number {
    return this.pending.length
  }

  enqueue(append: Omit<PendingAppend, 'resolve' | 'reject'>): Promise<AppendResult> {
    if (this.pending.length >= appendQueueDepthMax) {
      const detail = `append queue of ${this.host.activeSegment.directory} is full (${appendQueueDepthMax})`
      return Promise.reject(new KafkaError(StorageErrorCode.REQUEST_TIMED_OUT, detail))
    }
    return new Promise<AppendResult>((resolve, reject) => {
      this.pending.push({ ...append, resolve, reject })
      this.kick()
    })
  }

  /** Starts the loop unless it runs; an append queued while the loop was finishing restarts it. */
  private kick(): void {
    if (this.running !== null) return
    this.running = this.run().finally(() => {
      this.running = null
      if (this.pending.length > 0) this.kick()
    })
  }

  /** Resolves when the queue is empty and no write is running. */
  async idle(): Promise<void> {
    while (this.running !== null) await this.running
  }

  private async run(): Promise<void> {
    while (this.pending.length > 0) {
      let bytes = 0
      let count = 0
      while (
        count < this.pending.length &&
        (count === 0 || bytes + this.pending[count].buffer.length <= writeGroupBytesMax)
      ) {
        bytes += this.pending[count].buffer.length
        count += 1
      }
      const group = this.pending.splice(0, count)
      try {
        await this.writeGroup(group)
      } catch (error) {
        // writeGroup settles every append itself; anything reaching here is a bug: fail the group.
        for (const append of group) append.reject(error)
      }
    }
  }

  private async writeGroup(group: PendingAppend[]): Promise<void> {
    // After a clean restart the active segment's indexes load on first use (partition-open.ts): before
    // the first write adds entries to them (and needsRoll counts them).
    try {
      const active = this.host.activeSegment
      await storageOperation(`load the indexes of ${active.logPath}`, () => active.loadIndexes())
    } catch (error) {
      for (const append of group) append.reject(error)
      return
    }
    let chunk: PendingAppend[] = []
    let chunkBytes = 0
    let chunkSpans = 0
    for (let index = 0; index < group.length; index += 1) {
      const append = group[index]
      if (this.host.writeFailure !== null) {
        append.reject(this.host.writeFailure)
        continue
      }
      if (this.needsRoll(this.host.activeSegment, chunkSpans, chunkBytes, append)) {
        if (chunk.length > 0) await this.writeChunk(chunk)
        chunk = []
        chunkBytes = 0
        chunkSpans = 0
        try {
          await this.host.roll(this.host.logEndOffset)
        } catch (error) {
          const failure = new StorageError(`cannot roll segment: ${(error as Error).message}`, {
            cause: error,
          })
          for (const rest of group.slice(index)) rest.reject(failure)
          return
        }
      }
      chunk.push(append)
      chunkBytes += append.buffer.length
      chunkSpans += append.spans.length
    }
    if (chunk.length > 0) await this.writeChunk(chunk)
  }

  private needsRoll(
    segment: Segment,
    chunkSpans: number,
    chunkBytes: number,
    append: PendingAppend,
  ): boolean {
    const { config, clock } = this.host
    const size = segment.size + chunkBytes
    if (size === 0) return false
    if (size + append.buffer.length > config.segmentBytes) return true
    if (clock.now() - segment.createdAtMs > config.segmentMs) return true
    // Every batch may add one entry to each index: roll before either could overflow.
    const entriesMax = segment.offsetIndex.count + chunkSpans + append.spans.length
    if ((entriesMax + 1) * segment.offsetIndex.entryBytes > config.segmentIndexBytes) return true
    if ((entriesMax + 1) * segment.timeIndex.entryBytes > config.segmentIndexBytes) return true
    let offsets = 0
    for (const span of append.spans) offsets += span.lastOffsetDelta + 1
    return this.host.logEndOffset + offsets - segment.baseOffset > int32Max
  }

  private async writeChunk(chunk: PendingAppend[]): Promise<void> {
    const segment = this.host.activeSegment
    const { config, clock } = this.host
    let nextOffset = this.host.logEndOffset
    const results: AppendResult[] = []
    const written: PendingAppend[] = []
    const undoProducers: (() => void)[] = []
    for (const append of chunk) {
      if (this.screenProducers(append, nextOffset, undoProducers) === 'settled') continue
      const logAppendTimeMs =
        config.messageTimestampType === 'LogAppendTime'
          ? (append.options.logAppendTimeMs ?? clock.now())
          : undefined
      const baseOffset = nextOffset
      for (const span of append.spans) {
        stampBatch(append.buffer, span, {
          baseOffset: nextOffset,
          leaderEpoch: append.options.leaderEpoch,
          logAppendTimeMs,
        })
        nextOffset += span.lastOffsetDelta + 1
      }
      results.push({
        baseOffset,
        lastOffset: nextOffset - 1,
        logAppendTimeMs: logAppendTimeMs ?? -1,
        logStartOffset: 0,
      })
      written.push(append)
    }
    if (written.length === 0) return
    try {
      const buffers = written.map((append) => append.buffer)
      await storageOperation(`write to ${segment.logPath}`, () =>
        this.host.io.writev(segment.handle, buffers, segment.size),
      )
    } catch (error) {
      for (const undo of undoProducers.reverse()) undo()
      for (const append of written) append.reject(error)
      await this.cutBack(segment)
      return
    }
    const sync = this.host.completeWrite(segment, written, results)
    // Group commit: the loop writes nothing while the sync of durable appends runs. Appends queue in
    // the meantime and go out as one write covered by the next sync. Writing during the sync would
    // stall on the pages under writeback and shrink the groups.
    if (sync !== null) await sync.catch(() => {})
  }

  /**
   * Idempotent producers: checks each batch against the producer's sequence (recording the ones to
   * write, with their undo). A resent batch is answered with its original offsets, once those are as
   * durable as the append asks; a refused one is rejected. Returns 'settled' when nothing is written.
   */
  private screenProducers(
    append: PendingAppend,
    firstOffset: number,
    undo: (() => void)[],
  ): 'write' | 'settled' {
    const producers = this.host.producers
    const recorded: (() => void)[] = []
    let offset = firstOffset
    try {
      for (const span of append.spans) {
        if (span.producer !== null) {
          const duplicate = producers.check(span.producer)
          if (duplicate !== null) {
            for (const undoOne of recorded.reverse()) undoOne()
            this.answerDuplicate(append, duplicate.firstOffset, duplicate.lastOffset)
            return 'settled'
          }
          recorded.push(producers.record(span.producer, offset, offset + span.lastOffsetDelta))
        }
        offset += span.lastOffsetDelta + 1
      }
    } catch (error) {
      for (const undoOne of recorded.reverse()) undoOne()
      append.reject(error)
      return 'settled'
    }
    undo.push(...recorded)
    return 'write'
  }

  private answerDuplicate(append: PendingAppend, baseOffset: number, lastOffset: number): void {
    const result = () => ({
      baseOffset,
      lastOffset,
      logAppendTimeMs: -1,
      logStartOffset: this.host.logStartOffset,
    })
    if (!append.options.durable) {
      append.resolve(result())
      return
    }
    this.host.durableBarrier().then(
      () => append.resolve(result()),
      (error: unknown) => append.reject(error),
    )
  }

  /** Removes the bytes a failed write may have left after the last good batch. */
  private async cutBack(segment: Segment): Promise<void> {
    try {
      await segment.handle.truncate(segment.size)
    } catch (error) {
      const failure = new StorageError(
        `cannot undo a failed write to ${segment.logPath}: ${(error as Error).message}`,
        {
          cause: error,
        },
      )
      this.host.failWrites(failure)
    }
  }
}
