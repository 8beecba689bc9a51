// An uncompressed v2 batch built one record at a time (Kafka's MemoryRecordsBuilder): each record is
// encoded as it is appended, so a producer that queues records while a write is in flight keeps
// their bytes, not their objects (a queue of record objects outlived the young generation's
// scavenges and was copied and promoted: src/connect/runtime/worker-source-task.ts). The base
// timestamp is the first record's (Kafka's firstTimestamp), offset deltas are the records' indexes.

import { EncodeError } from '../../errors.ts'
import { Writer } from '../writer.ts'
import { noTimestamp } from './batch-header.ts'
import { batchHeaderRoom, fillBatchHeader } from './batch-v2.ts'
import { CompressionCodec } from './compression/index.ts'
import { type RecordInput, writeRecord } from './record.ts'

export class RecordBatchBuilder {
  private readonly writer: Writer
  private count = 0
  private baseTimestamp = noTimestamp
  private maxTimestamp = noTimestamp

  constructor(initialBytes: number) {
    this.writer = new Writer(initialBytes)
    this.writer.writeRawBytes(batchHeaderRoom)
  }

  /** Records appended so far. */
  get recordCount(): number {
    return this.count
  }

  /** The batch's size so far (header included). */
  get sizeBytes(): number {
    return this.writer.length
  }

  append(record: RecordInput): void {
    const { timestamp } = record
    if (!Number.isSafeInteger(timestamp))
      throw new EncodeError(`record timestamp ${timestamp} is not an integer`)
    if (this.count === 0) this.baseTimestamp = timestamp
    if (timestamp > this.maxTimestamp) this.maxTimestamp = timestamp
    writeRecord(this.writer, record, this.count, this.baseTimestamp)
    this.count++
  }

  /** The batch (base offset 0, no producer id): at least one record must have been appended. */
  build(): Buffer {
    if (this.count === 0) throw new EncodeError('an empty batch cannot be built')
    const batch = this.writer.toBuffer()
    fillBatchHeader(batch, {
      attributes: CompressionCodec.none,
      lastOffsetDelta: this.count - 1,
      baseTimestamp: this.baseTimestamp,
      maxTimestamp: this.maxTimestamp,
      recordCount: this.count,
    })
    return batch
  }
}
