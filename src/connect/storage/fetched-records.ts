// The records of one Fetch round, decoded as they are taken (a poll's worth at a time) instead of all
// at once. Why: a 1 MiB partition fetch holds ~8,000 records of 100 bytes; decoded up front, their
// objects stayed alive across the dozen put() calls that drained them, survived the young
// generation and made GC the largest cost of a sink task (bench/suite/workloads/connect-flow.ts).
// Kept raw, the fetch is one buffer; what is alive at a time is one poll's records.
//
// Same outcome as decoding up front: every batch is validated (CRC) and decompressed when the reader
// reaches it, control batches are skipped, records before the partition's position are left out, and
// the position moves past each record handed out and past each batch once it is read to its end (a
// compacted batch's missing last offsets included). A corrupt batch or record fails the take() that
// reaches it, as Kafka's consumer fails the poll that reaches it.

import { DecodeError } from '../../errors.ts'
import { Reader } from '../../protocol/reader.ts'
import { type OpenedBatch, openBatch } from '../../protocol/records/batch-v2.ts'
import { CorruptRecordError } from '../../protocol/records/errors.ts'
import {
  checkRecordCount,
  decodeRecords,
  type KafkaRecord,
  readRecord,
} from '../../protocol/records/record.ts'
import type { FetchedRecord } from './kafka-client.ts'

/** A record a sink task consumes: the same shape as the worker's internal topics' records. */
export type ConsumedMessage = FetchedRecord

/** A partition's fetched bytes: its whole batches start at `batchStarts`. */
export interface FetchedPartition {
  topic: string
  partition: number
  /** The fetcher's position of the partition (the next offset to read), moved as records are taken. */
  position: { offset: number }
  records: Buffer
  batchStarts: number[]
}

/** Shared by every record without headers (nobody mutates a consumed record's headers). */
const noHeaders: Array<[string, Buffer | null]> = []

/** What decodeRecords throws for a record that does not decode (asCorruptRecord, without a closure per record). */
function corrupt(error: unknown): unknown {
  return error instanceof DecodeError
    ? new CorruptRecordError('record', `record batch: ${error.message}`, { cause: error })
    : error
}

export class FetchedRecords {
  private partitionIndex = 0
  private batchIndex = 0
  /** The batch being read: its reader and the records left in it. */
  private batch: OpenedBatch | null = null
  private reader: Reader | null = null
  private left = 0

  constructor(private readonly partitions: FetchedPartition[]) {
    this.skipReadPartitions()
  }

  static readonly empty = new FetchedRecords([])

  /** True once every record was taken (or skipped). */
  get exhausted(): boolean {
    return this.batch === null && this.partitionIndex >= this.partitions.length
  }

  /** Up to `max` records in fetch order (fewer at the end; possibly none if only skipped ones remain). */
  async take(max: number): Promise<ConsumedMessage[]> {
    const out: ConsumedMessage[] = []
    while (out.length < max) {
      if (this.batch === null && !(await this.openNext())) break
      const partition = this.partitions[this.partitionIndex]
      const batch = this.batch as OpenedBatch
      let record: KafkaRecord
      try {
        record = readRecord(this.reader as Reader, batch.context)
      } catch (error) {
        throw corrupt(error)
      }
      const last = --this.left === 0
      if (record.offset >= partition.position.offset) {
        out.push({
          topic: partition.topic,
          partition: partition.partition,
          offset: record.offset,
          timestamp: record.timestamp,
          key: record.key,
          value: record.value,
          headers:
            record.headers.length === 0
              ? noHeaders
              : record.headers.map((header) => [header.key, header.value]),
        })
        partition.position.offset = record.offset + 1
      }
      if (last) this.finishBatch(partition, batch)
    }
    return out
  }

  /** Opens the next batch with records to read (control batches only move the position); false at the end. */
  private async openNext(): Promise<boolean> {
    for (;;) {
      this.skipReadPartitions()
      if (this.partitionIndex >= this.partitions.length) return false
      const partition = this.partitions[this.partitionIndex]
      const batch = await openBatch(partition.records, partition.batchStarts[this.batchIndex])
      this.batchIndex++
      if (batch.header.isControl || batch.header.recordCount === 0) {
        // Checked as decodeBatch checks them, but never handed out (transaction markers).
        decodeRecords(batch.data, batch.header.recordCount, batch.context)
        this.finishBatch(partition, batch)
        continue
      }
      checkRecordCount(batch.data, batch.header.recordCount)
      this.batch = batch
      this.reader = new Reader(batch.data)
      this.left = batch.header.recordCount
      return true
    }
  }

  /** The batch was read to its end: no bytes may be left, and the position moves past all of it. */
  private finishBatch(partition: FetchedPartition, batch: OpenedBatch): void {
    if (this.reader !== null) {
      try {
        this.reader.expectEnd('records')
      } catch (error) {
        throw corrupt(error)
      }
    }
    // Compaction may leave the batch's last offsets empty: move past the whole batch.
    const last = batch.header.baseOffset + batch.header.lastOffsetDelta
    partition.position.offset = Math.max(partition.position.offset, last + 1)
    this.batch = null
    this.reader = null
    this.left = 0
    this.skipReadPartitions()
  }

  /** Moves past partitions whose batches were all opened (so `exhausted` is true right after the last record). */
  private skipReadPartitions(): void {
    while (
      this.partitionIndex < this.partitions.length &&
      this.batchIndex >= this.partitions[this.partitionIndex].batchStarts.length
    ) {
      this.partitionIndex++
      this.batchIndex = 0
    }
  }
}
