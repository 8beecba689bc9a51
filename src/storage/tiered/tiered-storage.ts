// The broker's remote log manager (Kafka's RemoteLogManager): one per log manager when
// [tiered_storage] is on. It opens the object store on first use (the S3 SDK loads then), gives each
// partition of a remote-storage topic its RemotePartition, and every task interval: cleans up stale
// copy/delete attempts, copies eligible segments (bounded concurrency, halved on throttling, grown
// back on success), then runs the partition's retention (total and local). It deletes a deleted
// topic's objects. Its counters feed /metrics.

import type { StorageLogger } from '../types.ts'
import { CircuitBreaker, type CircuitBreakerOptions, defaultReadBreakerOptions } from './circuit-breaker.ts'
import { CopySlots } from './copy-slots.ts'
import { FileSystemObjectStore } from './fs-object-store.ts'
import type { ObjectStore } from './object-store.ts'
import {
  copyPlanSegmentsMax,
  copySegment,
  type PlannedCopy,
  segmentsToCopy,
  startCopies,
} from './remote-copier.ts'
import { RemoteLogMetadata, topicKeyPrefix } from './remote-log-metadata.ts'
import { RemotePartition } from './remote-partition.ts'
import { RemoteReadCache } from './remote-read-cache.ts'
import { deleteRemoteSegments } from './remote-retention.ts'
import { type RetryPolicy, withRetries } from './retry.ts'
import type { S3ObjectStoreOptions } from './s3-object-store.ts'
import type { TieredLog } from './tiered-log.ts'
import { UploadBufferPool } from './upload-buffers.ts'

export type RemoteStoreOptions =
  | ({ backend: 's3' } & S3ObjectStoreOptions)
  | { backend: 'filesystem'; path: string }

export interface TieredStorageOptions {
  store: RemoteStoreOptions
  taskIntervalMs: number
  uploadConcurrency: number
  retry: RetryPolicy
  cacheBytes: number
  cacheChunkBytes: number
  /** Per partition; -1: no bound. */
  localPendingUploadBytesMax: number
  /** Remote reads fail fast after this many consecutive store failures (default 5 failures, 2 s). */
  readBreaker?: CircuitBreakerOptions
}

export interface TieredStorageMetrics {
  bytesCopied: number
  segmentsCopied: number
  bytesDeleted: number
  segmentsDeleted: number
  bytesReadRemotely: number
  remoteReadErrors: number
  copyFailures: number
  throttleEvents: number
  appendsRefused: number
}

/** What /metrics reads (metrics/tiered-gauges.ts). */
export interface RemoteStorageSnapshot {
  counters: TieredStorageMetrics & {
    cacheHits: number
    cacheMisses: number
    cacheSizeBytes: number
    concurrency: number
    readBreakerOpens: number
    readsRejected: number
  }
  partitions: {
    topic: string
    partition: number
    remoteSizeBytes: number
    remoteSegments: number
    /** Local bytes not copied yet (upload lag). */
    pendingCopyBytes: number
  }[]
}

/** Runs `tieredTask`, retention included, over these partitions (the log manager's remote ones). */
export interface TieredPartitions {
  partitions(): (TieredLog & { applyRetention(nowMs: number): Promise<void> })[]
}

export class TieredStorage {
  readonly cache: RemoteReadCache
  /** Guards remote reads (GETs) when the store keeps failing: see circuit-breaker.ts. */
  readonly readBreaker: CircuitBreaker
  readonly metrics: TieredStorageMetrics = {
    bytesCopied: 0,
    segmentsCopied: 0,
    bytesDeleted: 0,
    segmentsDeleted: 0,
    bytesReadRemotely: 0,
    remoteReadErrors: 0,
    copyFailures: 0,
    throttleEvents: 0,
    appendsRefused: 0,
  }
  /** Current copy concurrency: halved on throttling, +1 per successful copy up to the maximum. */
  concurrency: number
  /** Buffers segment copies read their objects into; dropped after a task that copied nothing. */
  readonly uploadBuffers = new UploadBufferPool()
  /** Segment copies in flight across partitions, at most `concurrency`. */
  private readonly slots = new CopySlots()
  private opened: Promise<ObjectStore> | null = null
  private timer: NodeJS.Timeout | null = null
  private running: Promise<void> | null = null
  private closed = false

  constructor(
    readonly options: TieredStorageOptions,
    private readonly logger: StorageLogger,
  ) {
    this.cache = new RemoteReadCache(options.cacheBytes)
    this.readBreaker = new CircuitBreaker(options.readBreaker ?? defaultReadBreakerOptions)
    this.concurrency = options.uploadConcurrency
  }

  get retryPolicy(): RetryPolicy {
    return this.options.retry
  }

  /** The object store, opened on first use (the S3 SDK is imported then). */
  store(): Promise<ObjectStore> {
    if (this.opened === null) {
      const { store } = this.options
      this.opened =
        store.backend === 'filesystem'
          ? Promise.resolve(new FileSystemObjectStore(store.path))
          : import('./s3-object-store.ts').then(({ S3ObjectStore }) => S3ObjectStore.open(store))
      this.opened.catch(() => {
        this.opened = null
      })
    }
    return this.opened
  }

  onThrottle(): void {
    this.metrics.throttleEvents += 1
    this.concurrency = Math.max(1, Math.floor(this.concurrency / 2))
  }

  /** Loads a partition's metadata (before the log opens: it decides the log start offset). */
  loadMetadata(directory: string): Promise<RemoteLogMetadata> {
    return RemoteLogMetadata.load(directory)
  }

  attach(log: TieredLog, topicId: string, metadata: RemoteLogMetadata): RemotePartition {
    const remote = new RemotePartition(
      { topic: log.topic, topicId, partition: log.partition },
      metadata,
      this,
    )
    log.remote = remote
    return remote
  }

  start(source: TieredPartitions): void {
    this.timer = setInterval(() => {
      this.running ??= this.runTask(source).finally(() => {
        this.running = null
      })
    }, this.options.taskIntervalMs)
    this.timer.unref()
  }

  /** One pass: stale cleanup, copies, then retention, over every remote-storage partition. */
  async runTask(source: TieredPartitions, nowMs = Date.now()): Promise<void> {
    const all = source.partitions()
    // remote.log.delete.on.disable: data left by a deletion that did not finish (crash, store down).
    for (const log of all)
      if (log.remote !== null && !log.config.remoteStorageEnable && log.remote.metadata.all.length > 0)
        await this.deleteRemoteData(log).catch((error: unknown) => this.deleteFailed(log, error))
    const logs = all.filter((log) => log.remote !== null && log.config.remoteStorageEnable)
    // remote.log.copy.disable: nothing is copied; retention (total over remote + local) still runs.
    const copying = logs.filter((log) => !log.config.remoteLogCopyDisable)
    const jobs = copying.map((log) => async () => {
      try {
        // Local retention after each copied segment, not only at the end of the task: with uploads
        // slower than ingest, copied segments would otherwise pile up locally beside the pending ones.
        await this.copyPartition(log, () => this.retain(log, nowMs))
      } catch (error) {
        this.metrics.copyFailures += 1
        this.logger.warn(
          { err: error, topic: log.topic, partition: log.partition },
          'copy to remote storage failed; retried next task',
        )
      }
    })
    const copiedBefore = this.metrics.segmentsCopied
    await this.runAdaptive(jobs)
    // Buffers stay for the next task while copies go on; an idle broker gives them back.
    if (this.metrics.segmentsCopied === copiedBefore) this.uploadBuffers.clear()
    for (const log of logs) await this.retain(log, nowMs)
  }

  /** remote.storage.enable turned off with remote.log.delete.on.disable: the log start moves to the
   * first local offset (persisted first: a crash never exposes a half-deleted range), then every
   * remote segment goes (DELETE_SEGMENT_STARTED, objects, entries). Runs in the partition's
   * exclusive chain, like retention. */
  deleteRemoteData(log: TieredLog): Promise<void> {
    return log.exclusive(async () => {
      const remote = log.remote
      if (remote === null || log.config.remoteStorageEnable || remote.metadata.all.length === 0) return
      const localStart = log.segments[0].baseOffset
      if (localStart > log.logStartOffset) await log.advanceLogStartOffset(localStart)
      await deleteRemoteSegments(remote, [...remote.metadata.all])
    })
  }

  /** deleteRemoteData without waiting; a failure is logged and retried by the next task. */
  deleteRemoteDataInBackground(log: TieredLog): void {
    this.deleteRemoteData(log).catch((error: unknown) => this.deleteFailed(log, error))
  }

  private deleteFailed(log: TieredLog, error: unknown): void {
    this.logger.warn(
      { err: error, topic: log.topic, partition: log.partition },
      'deleting remote data after remote.storage.enable=false failed; retried next task',
    )
  }

  /** The partition's retention (total and local); a failure is logged and retried next task. */
  private retain(
    log: TieredLog & { applyRetention(nowMs: number): Promise<void> },
    nowMs: number,
  ): Promise<void> {
    return log
      .applyRetention(nowMs)
      .catch((error: unknown) =>
        this.logger.warn(
          { err: error, topic: log.topic, partition: log.partition },
          'remote retention failed; retried next task',
        ),
      )
  }

  /** Copies a partition's eligible segments, several at once (each holds a copy slot), recorded as
   * copied in offset order; stops launching copies after a failure, which it then throws. The
   * STARTED records of up to copyPlanSegmentsMax segments share one write. */
  private async copyPartition(log: TieredLog, afterEachCopy: () => Promise<void>): Promise<void> {
    const remote = log.remote
    if (remote === null) return
    await this.cleanupStale(remote)
    const state = { previous: Promise.resolve() as Promise<unknown>, failed: false }
    const copies: Promise<unknown>[] = []
    const eligible = segmentsToCopy(log, remote)
    for (let at = 0; at < eligible.length && !this.closed && !state.failed; at += copyPlanSegmentsMax) {
      const planned = await startCopies(log, remote, eligible.slice(at, at + copyPlanSegmentsMax))
      for (const [index, copy] of planned.entries()) {
        await this.slots.acquire(() => this.concurrency)
        if (this.closed || state.failed || copy.segment.isClosed) {
          this.slots.release()
          if (!this.closed && !state.failed) {
            await copy.segment.release()
            continue
          }
          // Not copied: released; their STARTED entries are cleaned up by the next task.
          for (const skipped of planned.slice(index)) await skipped.segment.release()
          break
        }
        copies.push(this.launchCopy(log, remote, copy, state, afterEachCopy))
      }
    }
    const outcomes = await Promise.allSettled(copies)
    const failure = outcomes.find((outcome) => outcome.status === 'rejected')
    if (failure !== undefined) throw failure.reason
  }

  /** Starts one planned copy (holding a slot), chained after the previous one of the partition. */
  private launchCopy(
    log: TieredLog,
    remote: RemotePartition,
    planned: PlannedCopy,
    state: { previous: Promise<unknown>; failed: boolean },
    afterEachCopy: () => Promise<void>,
  ): Promise<unknown> {
    let onRecorded = (): void => {}
    const recorded = new Promise<void>((resolve) => {
      onRecorded = resolve
    })
    // The slot bounds uploads in flight: it is free again once the PUT has settled, while this copy
    // still waits for the one before it, writes COPY_SEGMENT_FINISHED and runs local retention (an
    // fsync or two that would otherwise leave the connection idle).
    let slotHeld = true
    const releaseSlot = (): void => {
      if (slotHeld) this.slots.release()
      slotHeld = false
    }
    const copy = copySegment(log, remote, planned, {
      afterPrevious: state.previous,
      onRecorded,
      onUploaded: (stored) => {
        // Set before the slot frees: the loop launching copies must not start another after a failure.
        if (!stored) state.failed = true
        releaseSlot()
      },
    })
      .then(() => {
        this.concurrency = Math.min(this.options.uploadConcurrency, this.concurrency + 1)
        return afterEachCopy()
      })
      .catch((error: unknown) => {
        state.failed = true
        throw error
      })
      .finally(releaseSlot)
    // The next segment waits until this one is recorded (or has failed), not until it is durable.
    state.previous = Promise.race([recorded, copy])
    // Handled here too: after the last copy nothing awaits it (the failure surfaces through copies).
    state.previous.catch(() => {})
    return copy
  }

  /** Objects of interrupted copies (never read) and interrupted deletes go; their entries too. */
  async cleanupStale(remote: RemotePartition): Promise<void> {
    const stale = remote.metadata.all.filter((segment) => segment.state !== 'COPY_SEGMENT_FINISHED')
    if (stale.length > 0) await deleteRemoteSegments(remote, stale)
  }

  /** Runs jobs with at most `this.concurrency` in flight (re-read as jobs finish). */
  private async runAdaptive(jobs: (() => Promise<void>)[]): Promise<void> {
    const inFlight = new Set<Promise<void>>()
    for (const job of jobs) {
      while (inFlight.size >= this.concurrency) await Promise.race(inFlight)
      const running: Promise<void> = job().finally(() => inFlight.delete(running))
      inFlight.add(running)
    }
    await Promise.all(inFlight)
  }

  snapshot(logs: readonly TieredLog[]): RemoteStorageSnapshot {
    const counters = {
      ...this.metrics,
      cacheHits: this.cache.counters.hits,
      cacheMisses: this.cache.counters.misses,
      cacheSizeBytes: this.cache.sizeBytes,
      concurrency: this.concurrency,
      readBreakerOpens: this.readBreaker.opens,
      readsRejected: this.readBreaker.rejected,
    }
    const partitions = logs.flatMap((log) =>
      log.remote === null || !log.config.remoteStorageEnable
        ? []
        : [
            {
              topic: log.topic,
              partition: log.partition,
              remoteSizeBytes: log.remote.metadata.copiedSizeBytes,
              remoteSegments: log.remote.metadata.copied.length,
              pendingCopyBytes: log.remote.pendingCopyBytes(log.segments),
            },
          ],
    )
    return { counters, partitions }
  }

  /** Deletes every object of a deleted topic (retried; logged when it still fails). */
  deleteTopicData(where: { topic: string; topicId: string }): Promise<void> {
    const run = async (): Promise<void> => {
      const store = await this.store()
      const prefix = topicKeyPrefix(where)
      await withRetries(this.retryPolicy, async () => {
        const objects = await store.list(prefix)
        await store.delete(objects.map((object) => object.key))
      })
    }
    return run().catch((error: unknown) =>
      this.logger.error(
        { err: error, topic: where.topic },
        'deleting the remote data of a deleted topic failed',
      ),
    )
  }

  async close(): Promise<void> {
    this.closed = true
    if (this.timer !== null) clearInterval(this.timer)
    await this.running
    this.uploadBuffers.clear()
    if (this.opened !== null) (await this.opened.catch(() => null))?.close()
  }
}
