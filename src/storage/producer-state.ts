// Idempotent producer state of one partition (Kafka's ProducerStateManager): per producer id, its
// epoch and the last five batches it wrote (first/last sequence and offsets). An append is checked
// against it: a resent batch is found and answered with its original offsets instead of being
// written twice; a sequence gap is OUT_OF_ORDER_SEQUENCE_NUMBER; an older epoch is
// INVALID_PRODUCER_EPOCH; an unknown producer is accepted at any sequence, as in Kafka 2.5+.
// State is rebuilt from snapshots plus the batch headers written after them (producer-snapshot.ts).

import { KafkaError } from '../errors.ts'
import { StorageErrorCode } from './error-codes.ts'

/** Kafka keeps five batches per producer: the most a producer has in flight (max.in.flight ≤ 5). */
export const producerBatchesKept = 5
const sequenceMax = 0x7fffffff

export interface ProducerBatch {
  firstSequence: number
  lastSequence: number
  firstOffset: number
  lastOffset: number
}

export interface ProducerEntry {
  producerId: bigint
  epoch: number
  /** Oldest first, at most producerBatchesKept. */
  batches: ProducerBatch[]
  lastTimestampMs: number
}

/** The producer fields of one v2 batch header. */
export interface ProducerBatchHeader {
  producerId: bigint
  producerEpoch: number
  baseSequence: number
  lastOffsetDelta: number
  maxTimestamp: number
}

export function lastSequenceOf(header: ProducerBatchHeader): number {
  return (header.baseSequence + header.lastOffsetDelta) % (sequenceMax + 1)
}

function inSequence(lastSequence: number, nextSequence: number): boolean {
  return nextSequence === (lastSequence === sequenceMax ? 0 : lastSequence + 1)
}

export class ProducerStateManager {
  readonly entries = new Map<bigint, ProducerEntry>()

  /**
   * Checks a batch of an idempotent producer before it is written. Returns the offsets of the batch
   * it duplicates, or null when it is new and in sequence. Throws KafkaError otherwise.
   */
  check(header: ProducerBatchHeader): ProducerBatch | null {
    const entry = this.entries.get(header.producerId)
    const lastSequence = lastSequenceOf(header)
    // An unknown producer (new, or whose batches retention removed) may start at any sequence:
    // Kafka 2.5+ (KIP-360) accepts it and tracks the producer from there.
    if (entry === undefined) return null
    if (header.producerEpoch < entry.epoch) {
      throw new KafkaError(
        StorageErrorCode.INVALID_PRODUCER_EPOCH,
        `producer ${header.producerId} epoch ${header.producerEpoch} is older than ${entry.epoch}`,
      )
    }
    if (header.producerEpoch > entry.epoch) {
      if (header.baseSequence !== 0) {
        throw new KafkaError(
          StorageErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER,
          `new epoch ${header.producerEpoch} of producer ${header.producerId} must start at sequence 0`,
        )
      }
      return null
    }
    const duplicate = entry.batches.find(
      (batch) => batch.firstSequence === header.baseSequence && batch.lastSequence === lastSequence,
    )
    if (duplicate !== undefined) return duplicate
    const previous = entry.batches.at(-1)
    const expected =
      previous === undefined ? 0 : previous.lastSequence === sequenceMax ? 0 : previous.lastSequence + 1
    if (
      previous === undefined
        ? header.baseSequence !== 0
        : !inSequence(previous.lastSequence, header.baseSequence)
    ) {
      throw new KafkaError(
        StorageErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER,
        `producer ${header.producerId} sent sequence ${header.baseSequence}, expected ${expected}`,
      )
    }
    return null
  }

  /** Records a written batch; returns a function that undoes it (for a write that failed). */
  record(header: ProducerBatchHeader, firstOffset: number, lastOffset: number): () => void {
    const previous = this.entries.get(header.producerId)
    const saved = previous === undefined ? undefined : { ...previous, batches: [...previous.batches] }
    const entry: ProducerEntry =
      previous !== undefined && previous.epoch === header.producerEpoch
        ? previous
        : { producerId: header.producerId, epoch: header.producerEpoch, batches: [], lastTimestampMs: -1 }
    entry.batches.push({
      firstSequence: header.baseSequence,
      lastSequence: lastSequenceOf(header),
      firstOffset,
      lastOffset,
    })
    if (entry.batches.length > producerBatchesKept) entry.batches.shift()
    entry.lastTimestampMs = Math.max(entry.lastTimestampMs, header.maxTimestamp)
    this.entries.set(header.producerId, entry)
    return () => {
      if (saved === undefined) this.entries.delete(header.producerId)
      else this.entries.set(header.producerId, saved)
    }
  }

  /** A transaction marker written by the coordinator: a newer epoch fences the producer's older
   * one (its next batch must use the new epoch, from sequence 0). */
  onMarker(producerId: bigint, epoch: number): void {
    const entry = this.entries.get(producerId)
    if (entry === undefined) {
      this.entries.set(producerId, { producerId, epoch, batches: [], lastTimestampMs: -1 })
    } else if (epoch > entry.epoch) {
      entry.epoch = epoch
      entry.batches = []
    }
  }

  /** Forgets producers silent for `producer.id.expiration.ms` (by their last batch timestamp),
   * except those `keep` names (an open transaction). */
  expire(nowMs: number, expirationMs: number, keep: (producerId: bigint) => boolean): void {
    for (const [producerId, entry] of this.entries) {
      if (entry.lastTimestampMs >= 0 && nowMs - entry.lastTimestampMs > expirationMs && !keep(producerId)) {
        this.entries.delete(producerId)
      }
    }
  }

  /** Forgets batches below the log start offset (retention, DeleteRecords), and producers with none
   * left (they are accepted again from wherever they continue, as in Kafka 2.5+). */
  truncateHead(logStartOffset: number): void {
    for (const [producerId, entry] of this.entries) {
      entry.batches = entry.batches.filter((batch) => batch.lastOffset >= logStartOffset)
      if (entry.batches.length === 0) this.entries.delete(producerId)
    }
  }
}
