// The public types of the in-process client (exported from the package's main export).

/** Bytes as a record field: a Buffer, or a string stored as its UTF-8 bytes. */
export type RecordBytes = Buffer | string

/** A record header; several headers may share a key (Kafka allows it). */
export interface RecordHeaderInput {
  key: string
  value: RecordBytes | null
}

/** One record for `producer.send`. Key and value go through the producer's serializers. */
export interface ProducerRecord<K = RecordBytes | null, V = RecordBytes | null> {
  key?: K
  value: V
  /** An object (one header per key) or a list (repeated keys kept in order). */
  headers?: Record<string, RecordBytes> | RecordHeaderInput[]
  /** The partition; absent: the producer's partitioner chooses. */
  partition?: number
  /** CreateTime in ms since the epoch; absent: now. A LogAppendTime topic replaces it. */
  timestamp?: number
}

/** Where one sent record was stored (one entry per record, in the order given). */
export interface RecordMetadata {
  topic: string
  partition: number
  /** The record's offset; -1 with acks=0 (nobody waits for the log). */
  offset: number
  /** The record's timestamp: its CreateTime, or the broker's append time on a LogAppendTime topic. */
  timestamp: number
}

/** A consumed record: the exact bytes stored, and the deserialized key and value. */
export interface ConsumedRecord<K = Buffer | null, V = Buffer | null> {
  topic: string
  partition: number
  offset: number
  timestamp: number
  /** 0 CreateTime, 1 LogAppendTime. */
  timestampType: 0 | 1
  key: K
  value: V
  headers: { key: string; value: Buffer | null }[]
}

/** A batch of consumed records of one partition (`consumer.batches()`). */
export interface ConsumedBatch<K = Buffer | null, V = Buffer | null> {
  topic: string
  partition: number
  records: ConsumedRecord<K, V>[]
  /** The partition's high watermark when the batch was read. */
  highWatermark: number
}

export interface TopicPartition {
  topic: string
  partition: number
}

export interface TopicPartitionOffset extends TopicPartition {
  offset: number
}

/** Kafka's codec names; `none` stores uncompressed batches. */
export type CompressionName = 'none' | 'gzip' | 'snappy' | 'lz4' | 'zstd'

/** Turns an application value into the bytes stored (serdes.ts has JSON, string, bytes, registry). */
export type Serializer<T> = (value: T, context: SerdeContext) => Buffer | null | Promise<Buffer | null>
/** Turns stored bytes back into an application value. */
export type Deserializer<T> = (bytes: Buffer | null, context: SerdeContext) => T | Promise<T>

export interface SerdeContext {
  topic: string
  /** Whether the bytes are the record's key (Confluent's `<topic>-key` subject) or its value. */
  isKey: boolean
}

/** Chooses a partition for a record without an explicit one. */
export type Partitioner = (input: { topic: string; partitionCount: number; key: Buffer | null }) => number
