// A source task's records waiting for their write, already encoded (Kafka's RecordAccumulator): one
// uncompressed batch per topic partition, in the order partitions were first written to. Records
// become bytes as they are added, so nothing of a record object outlives its poll (see
// worker-source-task.ts for why that matters to the young generation).

import { RecordBatchBuilder } from '../../protocol/records/batch-builder.ts'
import type { RecordHeader, RecordInput } from '../../protocol/records/record.ts'
import type { ProducedRecord } from './kafka-client.ts'

/** One partition's encoded records. */
export interface AccumulatedBatch {
  topic: string
  partition: number
  batch: Buffer
  recordCount: number
}

/** A batch's first size: most polls of small records fit; a larger one grows by doubling. */
const initialBatchBytes = 64 * 1024
const noHeaders: RecordHeader[] = []

interface OpenBatch {
  topic: string
  partition: number
  builder: RecordBatchBuilder
}

export class RecordAccumulator {
  private readonly open = new Map<string, OpenBatch>()
  /** The batch appended to last (consecutive records of one partition skip the map). */
  private last: OpenBatch | null = null
  private records = 0
  private bytes = 0

  /** Records added since the last drain. */
  get recordCount(): number {
    return this.records
  }

  /** Bytes of the batches so far. */
  get sizeBytes(): number {
    return this.bytes
  }

  /**
   * Encodes `record` into its partition's batch; answers its index there (its offset once written is
   * the batch's base offset plus that index). A record without a timestamp gets the time now.
   */
  add(record: ProducedRecord, partition: number): number {
    let entry = this.last
    if (entry === null || entry.partition !== partition || entry.topic !== record.topic) {
      const key = `${record.topic}\u0000${partition}`
      entry = this.open.get(key) ?? null
      if (entry === null) {
        entry = { topic: record.topic, partition, builder: new RecordBatchBuilder(initialBatchBytes) }
        this.open.set(key, entry)
      }
      this.last = entry
    }
    const { builder } = entry
    const index = builder.recordCount
    const before = builder.sizeBytes
    builder.append(recordInput(record))
    this.bytes += builder.sizeBytes - before
    this.records++
    return index
  }

  /** The batches so far (each built), and a fresh start. */
  drain(): AccumulatedBatch[] {
    const batches = [...this.open.values()].map((entry) => ({
      topic: entry.topic,
      partition: entry.partition,
      batch: entry.builder.build(),
      recordCount: entry.builder.recordCount,
    }))
    this.open.clear()
    this.last = null
    this.records = 0
    this.bytes = 0
    return batches
  }
}

/**
 * A record as the batch encoders take it: headers as {key, value} (one shared empty list when there
 * are none), and `now` (else the time of the call) for a record without a timestamp.
 */
export function recordInput(record: ProducedRecord, now?: number): RecordInput {
  const headers = record.headers
  return {
    timestamp: record.timestamp ?? now ?? Date.now(),
    key: record.key,
    value: record.value,
    headers:
      headers === undefined || headers.length === 0
        ? noHeaders
        : headers.map(([key, value]) => ({ key, value })),
  }
}
