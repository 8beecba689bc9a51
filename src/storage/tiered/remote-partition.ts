// One partition's remote side: its metadata, object keys, and the reads that go to copied segments
// (Fetch below the local log start, ListOffsets by timestamp). A failed remote read becomes KafkaError
// KAFKA_STORAGE_ERROR for that partition (retriable: the client fetches again), never other data.

import { KafkaError } from '../../errors.ts'
import { StorageErrorCode } from '../error-codes.ts'
import type { Segment } from '../segment.ts'
import type { TimestampOffset } from '../types.ts'
import { type RemoteLogMetadata, type RemoteSegment, remoteObjectKey } from './remote-log-metadata.ts'
import { RemoteSegmentReader } from './remote-segment-reader.ts'
import type { TieredStorage } from './tiered-storage.ts'

export interface PartitionWhere {
  topic: string
  topicId: string
  partition: number
}

export class RemotePartition {
  readonly reader: RemoteSegmentReader

  constructor(
    readonly where: PartitionWhere,
    readonly metadata: RemoteLogMetadata,
    readonly tiered: TieredStorage,
  ) {
    this.reader = new RemoteSegmentReader({
      store: {
        // The store opens on first use; the reader sees it through this forwarding object. Its GETs
        // pass the read breaker (fail fast while the store is down); cached chunks do not.
        description: 'remote',
        put: async (key, body) => (await tiered.store()).put(key, body),
        get: (key, range) => tiered.readBreaker.run(async () => (await tiered.store()).get(key, range)),
        list: async (prefix) => (await tiered.store()).list(prefix),
        delete: async (keys) => (await tiered.store()).delete(keys),
        close: () => {},
      },
      cache: tiered.cache,
      chunkBytes: tiered.options.cacheChunkBytes,
      keyOf: (segment, suffix) => this.keyOf(segment, suffix),
    })
  }

  keyOf(segment: Pick<RemoteSegment, 'baseOffset' | 'id'>, suffix: string): string {
    return remoteObjectKey(this.where, segment, suffix)
  }

  /** First offset held remotely, or -1 when nothing is copied. */
  get startOffset(): number {
    return this.metadata.copied[0]?.baseOffset ?? -1
  }

  private failed(what: string, error: unknown): KafkaError {
    if (error instanceof KafkaError) return error
    this.tiered.metrics.remoteReadErrors += 1
    const detail = error instanceof Error ? error.message : String(error)
    return new KafkaError(
      StorageErrorCode.KAFKA_STORAGE_ERROR,
      `remote ${what} of ${this.where.topic}-${this.where.partition} failed: ${detail}`,
      { cause: error },
    )
  }

  /** Whole batches from the copied segment holding `fetchOffset`; empty when no copied segment does. */
  async read(fetchOffset: number, maxBytes: number): Promise<Buffer> {
    const segment = this.metadata.segmentFor(fetchOffset)
    if (segment === undefined) return Buffer.alloc(0)
    const following = this.metadata.segmentFor(segment.endOffset + 1)
    try {
      const records = await this.reader.read(segment, fetchOffset, maxBytes, following)
      this.tiered.metrics.bytesReadRemotely += records.length
      return records
    } catch (error) {
      throw this.failed('read', error)
    }
  }

  /** ListOffsets by timestamp over the copied segments at or above `logStartOffset`. */
  async findTimestamp(timestampMs: number, logStartOffset: number): Promise<TimestampOffset | null> {
    for (const segment of this.metadata.copied) {
      if (segment.endOffset < logStartOffset || segment.maxTimestamp < timestampMs) continue
      try {
        const found = await this.reader.findTimestamp(segment, timestampMs, logStartOffset)
        if (found !== null) return found
      } catch (error) {
        throw this.failed('timestamp lookup', error)
      }
    }
    return null
  }

  /** Largest timestamp among copied segments at or above the log start. */
  maxTimestamp(logStartOffset: number): TimestampOffset | null {
    let best: TimestampOffset | null = null
    for (const segment of this.metadata.copied) {
      if (segment.endOffset < logStartOffset || segment.maxTimestamp < 0) continue
      if (best === null || segment.maxTimestamp > best.timestamp) {
        best = { timestamp: segment.maxTimestamp, offset: segment.offsetOfMaxTimestamp }
      }
    }
    return best
  }

  /** Local bytes not copied yet (active segment included): what an outage of the store piles up. */
  pendingCopyBytes(segments: readonly Segment[]): number {
    const copiedEnd = this.metadata.copiedEndOffset
    let pending = 0
    for (const segment of segments) if (segment.baseOffset >= copiedEnd) pending += segment.size
    return pending
  }

  /** Throws KAFKA_STORAGE_ERROR when the bound on bytes waiting for upload is passed. */
  checkAppendAllowed(segments: readonly Segment[]): void {
    const bound = this.tiered.options.localPendingUploadBytesMax
    if (bound < 0) return
    const pending = this.pendingCopyBytes(segments)
    if (pending >= bound) {
      this.tiered.metrics.appendsRefused += 1
      throw new KafkaError(
        StorageErrorCode.KAFKA_STORAGE_ERROR,
        `${this.where.topic}-${this.where.partition}: ${pending} bytes wait for upload to remote storage ` +
          `(tiered_storage.local_pending_upload_bytes_max = ${bound}); the remote store is unreachable or slow`,
      )
    }
  }
}
