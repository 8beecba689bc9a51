// What the broker's Produce path asks of broker-side schema validation (type only: importing it
// loads nothing; the check itself is loaded on the first validated produce, runtime.ts).

import type { TopicConfig } from '../../storage/topic-config.ts'

/** One record's key and value as produced. */
export interface ProducedRecord {
  key: Buffer | null
  value: Buffer | null
}

/** A refused record: its index in the partition's records and why (Kafka's per-record error). */
export interface RecordRefusal {
  batchIndex: number
  message: string
}

export interface SchemaValidator {
  /** The records refused under the topic's validation configs; empty when every record passes. */
  check(topic: string, config: TopicConfig, records: readonly ProducedRecord[]): Promise<RecordRefusal[]>
}
