// The leader's write path. Produce requests of all the partitions this broker leads go into one
// buffer; every flushIntervalMs (or as soon as flushBytes are held) the buffer becomes one object:
// offsets are assigned from each partition's committed high watermark, stamped into the batches with
// the leader epoch, the object is PUT to the store, and its offset ranges are committed to PostgreSQL
// in one statement (commit.ts). Only then are the appends answered: an acknowledged record is in the
// object store and indexed. One object carries many partitions, so PUTs per GB stay low (WarpStream's
// and StreamHouse's design). Flushes run one at a time (SerialQueue, shared with lease changes); what
// arrives during a flush goes into the next object.
//
// Outcomes: PUT failed → KAFKA_STORAGE_ERROR (retriable; nothing was committed). Commit refused for a
// partition (lease lost, epoch moved on) → NOT_LEADER_OR_FOLLOWER and the partition is forgotten. The
// database unreachable during the commit → KAFKA_STORAGE_ERROR; the outcome is unknown, so the
// partitions are forgotten until the next renewal reads their high watermark back.

import { randomUUID } from 'node:crypto'
import { KafkaError, StorageError } from '../errors.ts'
import { ErrorCode } from '../protocol/generated/index.ts'
import { type BatchSpan, stampBatch } from '../storage/batch.ts'
import { trackTransaction } from '../storage/partition-transactions.ts'
import type { ProducerBatch } from '../storage/producer-state.ts'
import { bufferBody, type ObjectStore } from '../storage/tiered/object-store.ts'
import type { AppendResult } from '../storage/types.ts'
import { commitObject, type ObjectPart, partitionKey } from './commit.ts'
import type { MetadataDatabase } from './database.ts'
import type { Leadership, LedPartition, SerialQueue } from './leadership.ts'
import { producerStateRowOf } from './producer-state-rows.ts'

/** Bytes waiting for an object beyond which appends are refused (REQUEST_TIMED_OUT, retriable). */
export const pendingBytesMax = 64 * 1024 * 1024

interface PendingAppend {
  batches: Buffer
  spans: BatchSpan[]
  logAppendTime: boolean
  resolve(result: AppendResult): void
  reject(error: Error): void
}

export interface ObjectWriterOptions {
  store: ObjectStore
  database: MetadataDatabase
  brokerId: number
  leadership: Leadership
  queue: SerialQueue
  flushIntervalMs: number
  flushBytes: number
  /** Called for each committed part with its bytes (read cache, append listeners). */
  onCommitted(part: ObjectPart, objectKey: string, bytes: Buffer): void
  /** Called once per object (metrics, logs). */
  onObject?(stats: { sizeBytes: number; partitions: number; putMs: number; commitMs: number }): void
  onError(error: unknown, what: string): void
}

export class ObjectWriter {
  private pending = new Map<string, { topicId: string; partition: number; appends: PendingAppend[] }>()
  private pendingBytes = 0
  private timer: NodeJS.Timeout | null = null
  private sequence = 0
  private closed = false

  constructor(private readonly options: ObjectWriterOptions) {}

  /** Queues validated batches for the next object; resolves once they are committed. */
  append(
    topicId: string,
    partition: number,
    batches: Buffer,
    spans: BatchSpan[],
    options: { logAppendTime: boolean },
  ): Promise<AppendResult> {
    if (this.closed)
      return Promise.reject(new KafkaError(ErrorCode.NOT_LEADER_OR_FOLLOWER, 'broker stopping'))
    if (this.pendingBytes + batches.length > pendingBytesMax)
      return Promise.reject(
        new KafkaError(
          ErrorCode.REQUEST_TIMED_OUT,
          `more than ${pendingBytesMax} bytes wait for the object store`,
        ),
      )
    return new Promise<AppendResult>((resolve, reject) => {
      const key = partitionKey(topicId, partition)
      let entry = this.pending.get(key)
      if (entry === undefined) {
        entry = { topicId, partition, appends: [] }
        this.pending.set(key, entry)
      }
      entry.appends.push({ batches, spans, logAppendTime: options.logAppendTime, resolve, reject })
      this.pendingBytes += batches.length
      this.schedule(this.pendingBytes >= this.options.flushBytes ? 0 : this.options.flushIntervalMs)
    })
  }

  private schedule(delayMs: number): void {
    if (this.timer !== null) {
      if (delayMs > 0) return
      clearTimeout(this.timer)
    }
    this.timer = setTimeout(() => {
      this.timer = null
      this.options.queue
        .run(() => this.flushNow())
        .catch((error: unknown) => this.options.onError(error, 'writing an object failed'))
        .finally(() => {
          if (this.pending.size > 0 && this.timer === null) this.schedule(this.options.flushIntervalMs)
        })
    }, delayMs)
  }

  /** Writes everything pending now (graceful stop). */
  async flush(): Promise<void> {
    if (this.timer !== null) clearTimeout(this.timer)
    this.timer = null
    await this.options.queue.run(() => this.flushNow())
  }

  async close(): Promise<void> {
    await this.flush()
    this.closed = true
  }

  private async flushNow(): Promise<void> {
    const taken = this.pending
    this.pending = new Map()
    this.pendingBytes = 0
    const built = this.build(taken)
    if (built.parts.length === 0) return
    const body = Buffer.concat(built.chunks)
    const objectKey = `objects/${this.options.brokerId}/${Date.now()}-${this.sequence++}-${randomUUID()}`
    const putStartedMs = performance.now()
    try {
      await this.options.store.put(objectKey, bufferBody(body))
    } catch (error) {
      const failure = new KafkaError(ErrorCode.KAFKA_STORAGE_ERROR, `object store: ${messageOf(error)}`)
      for (const group of built.groups) {
        for (const undo of group.undoProducers.reverse()) undo()
        for (const append of group.appends) append.reject(failure)
      }
      if (!(error instanceof StorageError)) throw error
      return
    }
    const commitStartedMs = performance.now()
    let committed: Set<string>
    try {
      committed = await commitObject(this.options.database, this.options.brokerId, objectKey, built.parts)
    } catch (error) {
      const failure = new KafkaError(ErrorCode.KAFKA_STORAGE_ERROR, `metadata database: ${messageOf(error)}`)
      for (const group of built.groups) {
        this.options.leadership.forget(group.part.topicId, group.part.partition)
        for (const append of group.appends) append.reject(failure)
      }
      if (!(error instanceof StorageError)) throw error
      return
    }
    this.options.onObject?.({
      sizeBytes: body.length,
      partitions: built.parts.length,
      putMs: commitStartedMs - putStartedMs,
      commitMs: performance.now() - commitStartedMs,
    })
    for (const group of built.groups) this.settle(group, committed, objectKey, body)
  }

  private settle(group: BuiltGroup, committed: Set<string>, objectKey: string, body: Buffer): void {
    const { part } = group
    const leadership = this.options.leadership
    if (!committed.has(partitionKey(part.topicId, part.partition))) {
      leadership.forget(part.topicId, part.partition)
      const fenced = new KafkaError(
        ErrorCode.NOT_LEADER_OR_FOLLOWER,
        `partition ${part.partition} of topic ${part.topicId} has a new leader (epoch ${part.leaderEpoch} fenced)`,
      )
      for (const append of group.appends) append.reject(fenced)
      return
    }
    const led = leadership.get(part.topicId, part.partition)
    if (led !== undefined && led.leaderEpoch === part.leaderEpoch) {
      led.highWatermark = part.lastOffset + 1
      led.lastStableOffset = led.transactions.lastStableOffset(led.highWatermark)
    }
    this.options.onCommitted(part, objectKey, body.subarray(part.byteStart, part.byteEnd))
    for (const [index, append] of group.appends.entries())
      append.resolve({
        baseOffset: group.baseOffsets[index],
        lastOffset: group.lastOffsets[index],
        logAppendTimeMs: append.logAppendTime ? group.logAppendTimeMs : -1,
        logStartOffset: led?.logStartOffset ?? 0,
      })
  }

  /** Assigns offsets and lays out the object; appends of partitions no longer led are refused here. */
  private build(taken: Map<string, { topicId: string; partition: number; appends: PendingAppend[] }>): {
    parts: ObjectPart[]
    chunks: Buffer[]
    groups: BuiltGroup[]
  } {
    const parts: ObjectPart[] = []
    const chunks: Buffer[] = []
    const groups: BuiltGroup[] = []
    const logAppendTimeMs = Date.now()
    let position = 0
    for (const { topicId, partition, appends } of taken.values()) {
      const led = this.options.leadership.writable(topicId, partition)
      if (led === undefined) {
        const refused = new KafkaError(
          ErrorCode.NOT_LEADER_OR_FOLLOWER,
          `not the leader of ${topicId}:${partition}`,
        )
        for (const append of appends) append.reject(refused)
        continue
      }
      const byteStart = position
      let offset = led.highWatermark
      let maxTimestamp = -1
      const baseOffsets: number[] = []
      const lastOffsets: number[] = []
      const accepted: PendingAppend[] = []
      const undoProducers: (() => void)[] = []
      const producerIds = new Set<bigint>()
      for (const append of appends) {
        if (!answeredByProducerState(led, append)) continue
        accepted.push(append)
        baseOffsets.push(offset)
        for (const span of append.spans) {
          stampBatch(append.batches, span, {
            baseOffset: offset,
            leaderEpoch: led.leaderEpoch,
            logAppendTimeMs: append.logAppendTime ? logAppendTimeMs : undefined,
          })
          if (span.producer !== null) {
            undoProducers.push(led.producers.record(span.producer, offset, offset + span.lastOffsetDelta))
            producerIds.add(span.producer.producerId)
          }
          if (span.transaction !== null) {
            undoProducers.push(trackTransactionSpan(led, span.transaction, offset))
            producerIds.add(span.transaction.producerId)
          }
          offset += span.lastOffsetDelta + 1
          maxTimestamp = Math.max(maxTimestamp, span.maxTimestamp)
        }
        lastOffsets.push(offset - 1)
        chunks.push(append.batches)
        position += append.batches.length
      }
      if (accepted.length === 0) continue
      const part: ObjectPart = {
        topicId,
        partition,
        leaderEpoch: led.leaderEpoch,
        baseOffset: led.highWatermark,
        lastOffset: offset - 1,
        byteStart,
        byteEnd: position,
        maxTimestamp,
        producers: [...producerIds].flatMap((producerId) => {
          const entry = led.producers.entries.get(producerId)
          const txnFirstOffset = led.transactions.ongoing.get(producerId) ?? null
          return entry === undefined ? [] : [producerStateRowOf(entry, txnFirstOffset)]
        }),
        aborted: led.transactions.aborted.splice(0),
      }
      parts.push(part)
      groups.push({ part, appends: accepted, baseOffsets, lastOffsets, logAppendTimeMs, undoProducers })
    }
    return { parts, chunks, groups }
  }
}

/**
 * Feeds a transactional data batch or a COMMIT/ABORT marker at `offset` to the partition's
 * transactions (the last stable offset, the aborted index) and, for a marker, to its producer state
 * (a newer epoch fences the producer). Returns the undo for an object that never reached the store.
 */
function trackTransactionSpan(
  led: LedPartition,
  transaction: NonNullable<BatchSpan['transaction']>,
  offset: number,
): () => void {
  const { producerId } = transaction
  const firstOffset = led.transactions.ongoing.get(producerId)
  const entry = led.producers.entries.get(producerId)
  const saved = entry === undefined ? undefined : { ...entry, batches: [...entry.batches] }
  trackTransaction(led, transaction, offset)
  return () => {
    if (firstOffset === undefined) led.transactions.ongoing.delete(producerId)
    else led.transactions.ongoing.set(producerId, firstOffset)
    if (transaction.marker === null) return
    if (saved === undefined) led.producers.entries.delete(producerId)
    else led.producers.entries.set(producerId, saved)
  }
}

interface BuiltGroup {
  part: ObjectPart
  appends: PendingAppend[]
  baseOffsets: number[]
  lastOffsets: number[]
  logAppendTimeMs: number
  /** Undo the producer state recorded for this part (the object never made it to the store). */
  undoProducers: (() => void)[]
}

/**
 * Checks an append's idempotent batches against the partition's producer state (Kafka's rules,
 * storage/producer-state.ts). Returns true when it is to be written; otherwise it was answered here:
 * a resent batch with the offsets it got the first time, a sequence or epoch error with its code.
 */
function answeredByProducerState(led: LedPartition, append: PendingAppend): boolean {
  const producerSpans = append.spans.filter((span) => span.producer !== null)
  if (producerSpans.length === 0) return true
  let duplicate: ProducerBatch | null
  try {
    duplicate = producerSpans.length === 1 ? check(led, producerSpans[0]) : checkEach(led, producerSpans)
  } catch (error) {
    append.reject(error instanceof Error ? error : new Error(String(error)))
    return false
  }
  if (duplicate === null) return true
  append.resolve({
    baseOffset: duplicate.firstOffset,
    lastOffset: duplicate.lastOffset,
    logAppendTimeMs: -1,
    logStartOffset: led.logStartOffset,
  })
  return false
}

function check(led: LedPartition, span: BatchSpan): ProducerBatch | null {
  return span.producer === null ? null : led.producers.check(span.producer)
}

/** Several idempotent batches in one append: written only when none of them is a resend. */
function checkEach(led: LedPartition, spans: readonly BatchSpan[]): null {
  for (const span of spans)
    if (check(led, span) !== null)
      throw new KafkaError(ErrorCode.DUPLICATE_SEQUENCE_NUMBER, 'a resent batch among several in one append')
  return null
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
