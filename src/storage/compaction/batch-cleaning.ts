// Cleaning one batch, the same for the disk cleaner and the in-memory engine: which records of a
// compacted topic stay (the newest per key; tombstones until delete.retention.ms), and what happens to
// transactional batches (aborted data goes, committed data is compacted, data of an open transaction
// and markers with records left stay; a spent marker goes after delete.retention.ms).

import { type BatchHeader, readBatchHeader } from '../../protocol/records/batch-header.ts'
import { buildBatch, decodeBatch } from '../../protocol/records/batch-v2.ts'
import type { KafkaRecord } from '../../protocol/records/record.ts'
import type { PartitionTransactions } from '../partition-transactions.ts'

type TransactionFate = 'plain' | 'marker' | 'open' | 'aborted' | 'committed'

/** What the partition's transaction state says about a batch (Kafka's cleaner uses the aborted-
 * transaction index the same way). */
function transactionFate(header: BatchHeader, transactions: PartitionTransactions): TransactionFate {
  if (header.isControl) return 'marker'
  if (!header.isTransactional) return 'plain'
  const aborted = transactions.aborted.some(
    (entry) =>
      entry.producerId === header.producerId &&
      entry.firstOffset <= header.baseOffset &&
      header.baseOffset < entry.lastOffset,
  )
  if (aborted) return 'aborted'
  const openFrom = transactions.ongoing.get(header.producerId)
  return openFrom !== undefined && openFrom <= header.baseOffset ? 'open' : 'committed'
}

function keepBatchUnchanged(fate: TransactionFate): boolean {
  return fate === 'marker' || fate === 'open'
}

/** What cleaning one batch needs to know (the same for every batch of one pass). */
export interface CleaningContext {
  /** Key (latin1) → its newest offset among the cleanable segments. */
  newestOffsets: Map<string, number>
  /** Tombstones and spent transaction markers older than this go (now − delete.retention.ms). */
  tombstoneHorizonMs: number
  transactions: PartitionTransactions
  /** Producer id → whether the transaction being read still has records after cleaning. */
  retainedByProducer: Map<bigint, boolean>
}

function keepRecord(record: KafkaRecord, context: CleaningContext): boolean {
  if (record.key === null) return true
  if (context.newestOffsets.get(record.key.toString('latin1')) !== record.offset) return false
  return record.value !== null || record.timestamp >= context.tombstoneHorizonMs
}

/** The batch to write for `bytes`: itself, a rebuilt batch with fewer records, or null (all gone). */
export async function cleanBatch(bytes: Buffer, context: CleaningContext): Promise<Buffer | null> {
  const header = readBatchHeader(bytes, 0)
  const fate = transactionFate(header, context.transactions)
  if (fate === 'marker') return keepMarker(header, context) ? bytes : null
  const rewritten = await rewriteDataBatch(bytes, fate, context)
  if (fate !== 'plain') {
    const retained = rewritten !== null || context.retainedByProducer.get(header.producerId) === true
    context.retainedByProducer.set(header.producerId, retained)
  }
  return rewritten
}

/**
 * A transaction marker goes once no record of its transaction is left (all aborted, or compacted
 * away) and it is older than delete.retention.ms, as in Kafka: a consumer still reading the
 * transaction's records then has had that long to see the marker too.
 */
function keepMarker(header: BatchHeader, context: CleaningContext): boolean {
  const retained = context.retainedByProducer.get(header.producerId) === true
  context.retainedByProducer.delete(header.producerId)
  return retained || header.maxTimestamp >= context.tombstoneHorizonMs
}

async function rewriteDataBatch(
  bytes: Buffer,
  fate: TransactionFate,
  context: CleaningContext,
): Promise<Buffer | null> {
  const { header, records } = await decodeBatch(bytes)
  if (keepBatchUnchanged(fate)) return bytes
  if (fate === 'aborted') return null
  const kept = records.filter((record) => keepRecord(record, context))
  if (kept.length === records.length) return bytes
  if (kept.length === 0) return null
  return buildBatch({
    records: kept.map((record) => ({
      offsetDelta: record.offset - header.baseOffset,
      timestamp: record.timestamp,
      key: record.key,
      value: record.value,
      headers: record.headers,
    })),
    baseOffset: header.baseOffset,
    partitionLeaderEpoch: header.partitionLeaderEpoch,
    compression: header.compression,
    timestampType: header.timestampType,
    isTransactional: header.isTransactional,
    producerId: header.producerId,
    producerEpoch: header.producerEpoch,
    baseSequence: header.baseSequence,
    baseTimestamp: header.baseTimestamp,
    maxTimestamp: header.maxTimestamp,
    lastOffsetDelta: header.lastOffsetDelta,
  })
}

/** Adds the keys of one batch to `into` (key → newest offset); aborted and open data count for nothing. */
export async function addKeysOf(
  bytes: Buffer,
  transactions: PartitionTransactions,
  into: Map<string, number>,
): Promise<void> {
  const { header, records } = await decodeBatch(bytes)
  const fate = transactionFate(header, transactions)
  if (keepBatchUnchanged(fate) || fate === 'aborted') return
  for (const record of records)
    if (record.key !== null) into.set(record.key.toString('latin1'), record.offset)
}
