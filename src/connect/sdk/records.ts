// Records as connectors see them (Kafka's ConnectRecord, SourceRecord, SinkRecord).

import type { Header, Schema } from './data.ts'

/** A source partition or offset: JSON-like map (Kafka: Map<String, ?>). */
export type OffsetMap = Record<string, unknown>

export interface ConnectRecord {
  topic: string
  /** null: let the producer's partitioner choose (murmur2 of the key, as Kafka's). */
  kafkaPartition: number | null
  keySchema: Schema | null
  key: unknown
  valueSchema: Schema | null
  value: unknown
  /** Milliseconds since the epoch; null: the producer's time. */
  timestamp: number | null
  headers: Header[]
}

export interface SourceRecord extends ConnectRecord {
  sourcePartition: OffsetMap | null
  sourceOffset: OffsetMap | null
}

export interface SinkRecord extends ConnectRecord {
  kafkaPartition: number
  kafkaOffset: number
  /** The record as consumed, before transforms (Kafka's originalTopic/originalKafkaPartition/…). */
  originalTopic: string
  originalKafkaPartition: number
  originalKafkaOffset: number
}

export interface TopicPartition {
  topic: string
  partition: number
}

/** Sink offsets a task may commit: "topic/partition" → the next offset to read. */
export type SinkOffsets = Map<string, { topic: string; partition: number; offset: number }>

export function sourceRecord(fields: {
  topic: string
  value: unknown
  valueSchema?: Schema | null
  key?: unknown
  keySchema?: Schema | null
  sourcePartition?: OffsetMap | null
  sourceOffset?: OffsetMap | null
  kafkaPartition?: number | null
  timestamp?: number | null
  headers?: Header[]
}): SourceRecord {
  return {
    topic: fields.topic,
    kafkaPartition: fields.kafkaPartition ?? null,
    keySchema: fields.keySchema ?? null,
    key: fields.key ?? null,
    valueSchema: fields.valueSchema ?? null,
    value: fields.value,
    timestamp: fields.timestamp ?? null,
    headers: fields.headers ?? [],
    sourcePartition: fields.sourcePartition ?? null,
    sourceOffset: fields.sourceOffset ?? null,
  }
}
