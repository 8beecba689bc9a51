// The topic `_schemas` (Confluent's kafkastore.topic): compacted, one partition (the registry's state
// needs one total order), created by the registry on first use with those configs. Writes are durable
// appends (acks=all: answered after fdatasync); reads follow the log from the last offset applied, so
// records written by anyone (our own writes, or another registry's producer) are applied in order.
// Reads are read_committed, as Confluent's KafkaStoreReaderThread: records of open transactions are
// not reached (the last stable offset) and those of aborted transactions are skipped.

import type { BatchHeader } from '../../protocol/records/batch-header.ts'
import { buildBatch, decodeBatch } from '../../protocol/records/batch-v2.ts'
import type { LogManager, PartitionLog } from '../../storage/types.ts'
import type { EncodedRecord } from './records.ts'

export const schemasTopicName = '_schemas'

/**
 * Bytes read per step while catching up with the log. Small, and each batch decoded and applied before
 * the next (not all of a read at once): a replay of 10,000 schemas then never holds more than a few
 * hundred decoded records, which would otherwise live long enough to be promoted to the old
 * generation and stay there as garbage (RSS with 10,000 schemas: issue 15's target).
 */
const catchUpReadBytes = 128 * 1024

/** Skips the batches of aborted transactions as a read_committed consumer does: a producer listed as
 * aborted from its first offset on has its transactional batches skipped until its marker. */
class AbortedTransactions {
  private readonly listed: Array<{ producerId: bigint; firstOffset: number }> = []
  private readonly aborted = new Set<bigint>()

  add(list: ReadonlyArray<{ producerId: bigint; firstOffset: number }> | undefined): void {
    if (list === undefined) return
    this.listed.push(...list)
    this.listed.sort((a, b) => a.firstOffset - b.firstOffset)
  }

  /** Whether the batch's records are to be skipped (control batches always are). */
  skips(header: BatchHeader): boolean {
    const lastOffset = header.baseOffset + header.lastOffsetDelta
    while (this.listed.length > 0 && this.listed[0].firstOffset <= lastOffset) {
      const next = this.listed.shift()
      if (next !== undefined) this.aborted.add(next.producerId)
    }
    if (header.isControl) {
      this.aborted.delete(header.producerId)
      return true
    }
    return header.isTransactional && this.aborted.has(header.producerId)
  }
}

export class SchemasTopic {
  private readonly logs: LogManager
  private creating: Promise<PartitionLog> | null = null
  /** The next offset to read: everything below it has been handed to the reader. */
  nextOffset = 0

  constructor(logs: LogManager) {
    this.logs = logs
  }

  /** The partition log, creating the topic (compact, 1 partition) unless it exists. */
  partition(): Promise<PartitionLog> {
    const existing = this.logs.partition(schemasTopicName, 0)
    if (existing !== undefined) return Promise.resolve(existing)
    this.creating ??= this.logs
      .createTopic(schemasTopicName, {
        partitionCount: 1,
        configOverrides: { 'cleanup.policy': 'compact' },
      })
      .then(
        () => {
          const log = this.logs.partition(schemasTopicName, 0)
          if (log === undefined) throw new Error(`${schemasTopicName} has no partition 0 after creation`)
          return log
        },
        (error: unknown) => {
          this.creating = null
          // Created meanwhile by someone else (a Metadata request, CreateTopics): use theirs.
          const log = this.logs.partition(schemasTopicName, 0)
          if (log !== undefined) return log
          throw error
        },
      )
    return this.creating
  }

  /** Appends the records as one batch and resolves once they are on disk, with the batch's last offset:
   * the group commit that made it durable synced everything written before it too. */
  async append(records: readonly EncodedRecord[], timestampMs: number): Promise<number> {
    const log = await this.partition()
    const batch = await buildBatch({
      records: records.map((record) => ({ key: record.key, value: record.value, timestamp: timestampMs })),
    })
    return (await log.append(batch, { durable: true })).lastOffset
  }

  /** Hands every record from nextOffset to the end of the committed log to `apply`, in order. */
  async catchUp(apply: (key: Buffer, value: Buffer | null) => void): Promise<number> {
    const log = this.logs.partition(schemasTopicName, 0)
    if (log === undefined) return 0
    let applied = 0
    if (this.nextOffset < log.logStartOffset) this.nextOffset = log.logStartOffset
    const aborted = new AbortedTransactions()
    while (this.nextOffset < log.lastStableOffset) {
      const read = await log.read(this.nextOffset, catchUpReadBytes, { isolation: 'read_committed' })
      const { records } = read
      if (records.length === 0) break
      aborted.add(read.abortedTransactions)
      for (let position = 0; position < records.length; ) {
        const batch = await decodeBatch(records, position)
        position += batch.sizeBytes
        const end = batch.header.baseOffset + batch.header.lastOffsetDelta + 1
        if (!aborted.skips(batch.header)) {
          for (const record of batch.records) {
            if (record.offset < this.nextOffset || record.key === null) continue
            apply(record.key, record.value)
            applied++
          }
        }
        this.nextOffset = Math.max(this.nextOffset, end)
      }
    }
    return applied
  }
}
