// Transactions as one partition sees them (Kafka's ProducerStateManager ongoing transactions and the
// aborted-transaction index): which producers have a transaction open here and from which offset
// (the last stable offset is the first of those), and which transactions were aborted over which
// offset range (read_committed consumers skip their records). Fed, in offset order, by every
// transactional data batch and control batch (COMMIT/ABORT marker) the log writes or replays.

import { Reader } from '../protocol/reader.ts'
import { BatchField } from '../protocol/records/batch-header.ts'
import { ControlRecordType } from '../protocol/records/control-record.ts'
import type { ProducerStateManager } from './producer-state.ts'
import type { ActiveProducer, ReadResult } from './types.ts'

export interface AbortedTransaction {
  producerId: bigint
  firstOffset: number
  /** The offset of the ABORT marker. */
  lastOffset: number
}

export type MarkerType = 'commit' | 'abort'

export class PartitionTransactions {
  /** Producer id → first offset of its open transaction. */
  readonly ongoing = new Map<bigint, number>()
  /** Sorted by lastOffset. */
  aborted: AbortedTransaction[] = []

  lastStableOffset(highWatermark: number): number {
    let stable = highWatermark
    for (const firstOffset of this.ongoing.values()) stable = Math.min(stable, firstOffset)
    return stable
  }

  onTransactionalData(producerId: bigint, baseOffset: number): void {
    if (!this.ongoing.has(producerId)) this.ongoing.set(producerId, baseOffset)
  }

  /** A COMMIT or ABORT marker at `markerOffset` ends the producer's transaction here. */
  onMarker(producerId: bigint, markerOffset: number, type: MarkerType): void {
    const firstOffset = this.ongoing.get(producerId)
    this.ongoing.delete(producerId)
    if (type !== 'abort' || firstOffset === undefined) return
    if (this.aborted.some((entry) => entry.lastOffset === markerOffset)) return
    this.aborted.push({ producerId, firstOffset, lastOffset: markerOffset })
  }

  /** Aborted transactions overlapping [fetchOffset, upperOffset): what a read_committed fetch needs. */
  abortedIn(fetchOffset: number, upperOffset: number): AbortedTransaction[] {
    return this.aborted.filter((entry) => entry.lastOffset >= fetchOffset && entry.firstOffset < upperOffset)
  }

  truncateHead(logStartOffset: number): void {
    this.aborted = this.aborted.filter((entry) => entry.lastOffset >= logStartOffset)
    for (const [producerId, firstOffset] of this.ongoing) {
      if (firstOffset < logStartOffset) this.ongoing.set(producerId, logStartOffset)
    }
  }
}

/** The marker type of a control batch at `position` (uncompressed, one record whose key is
 * version int16 + type int16), or null for other control records (KRaft's). */
export function markerTypeOf(buffer: Buffer, position: number): MarkerType | null {
  const reader = new Reader(buffer, position + BatchField.records)
  reader.readVarint('record.length')
  reader.readInt8('record.attributes')
  reader.readVarlong('record.timestampDelta')
  reader.readVarint('record.offsetDelta')
  const keyLength = reader.readVarint('record.keyLength')
  if (keyLength < 4) return null
  const key = reader.readRawBytes(keyLength, 'record.key')
  const type = key.readInt16BE(2)
  if (type === ControlRecordType.commit) return 'commit'
  if (type === ControlRecordType.abort) return 'abort'
  return null
}

/** Drops the batches at or above `upperOffset` from whole batches in `records`. */
export function batchesBelow(records: Buffer, upperOffset: number): Buffer {
  let position = 0
  while (position + BatchField.records <= records.length) {
    const baseOffset = records.readInt32BE(position) * 2 ** 32 + records.readUInt32BE(position + 4)
    if (baseOffset >= upperOffset) break
    position += 12 + records.readInt32BE(position + BatchField.batchLength)
  }
  return position === records.length ? records : records.subarray(0, position)
}

/** The whole batches of `batches` (in offset order) that start below `upperOffset`. */
function batchListBelow(batches: readonly Buffer[], upperOffset: number): readonly Buffer[] {
  const end = batches.findIndex(
    (batch) => batch.readInt32BE(0) * 2 ** 32 + batch.readUInt32BE(4) >= upperOffset,
  )
  return end < 0 ? batches : batches.slice(0, end)
}

/** What a read_committed reader may see of `result`: nothing at or past the first open transaction,
 * and the aborted transactions up to the last stable offset (a few past the returned data do no
 * harm: the consumer only uses them when it reaches their offsets). */
export function readCommittedView(
  result: ReadResult,
  fetchOffset: number,
  transactions: PartitionTransactions,
  lastStableOffset: number,
): ReadResult {
  return {
    ...result,
    records: batchesBelow(result.records, lastStableOffset),
    ...(result.batches === undefined ? {} : { batches: batchListBelow(result.batches, lastStableOffset) }),
    lastStableOffset,
    abortedTransactions: transactions
      .abortedIn(fetchOffset, lastStableOffset)
      .map(({ producerId, firstOffset }) => ({ producerId, firstOffset })),
  }
}

/** Feeds one written (or replayed) transactional batch or marker to the partition's state. */
export function trackTransaction(
  state: { transactions: PartitionTransactions; producers: ProducerStateManager },
  transaction: { producerId: bigint; producerEpoch: number; marker: MarkerType | null } | null,
  baseOffset: number,
): void {
  if (transaction === null) return
  if (transaction.marker === null) {
    state.transactions.onTransactionalData(transaction.producerId, baseOffset)
    return
  }
  state.transactions.onMarker(transaction.producerId, baseOffset, transaction.marker)
  state.producers.onMarker(transaction.producerId, transaction.producerEpoch)
}

/** The producers a partition keeps state for, with their open transaction here (DescribeProducers). */
export function activeProducersOf(state: {
  transactions: PartitionTransactions
  producers: ProducerStateManager
}): ActiveProducer[] {
  return [...state.producers.entries.values()]
    .map((entry) => ({
      producerId: entry.producerId,
      producerEpoch: entry.epoch,
      lastSequence: entry.batches.at(-1)?.lastSequence ?? -1,
      lastTimestamp: entry.lastTimestampMs,
      currentTxnStartOffset: state.transactions.ongoing.get(entry.producerId) ?? -1,
    }))
    .sort((a, b) => (a.producerId < b.producerId ? -1 : a.producerId > b.producerId ? 1 : 0))
}
