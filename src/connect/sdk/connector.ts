// The connector contract, as Kafka Connect's (org.apache.kafka.connect.connector / .source / .sink).
// A connector splits its job into task configs; tasks move the data. The runtime (runtime/) does the
// rest: offsets, retries, converters, transforms, the dead-letter queue, status. A connector file only
// says how to read or write its system.

import type { ConfigDef, Properties } from './config-def.ts'
import type { OffsetMap, SinkOffsets, SinkRecord, SourceRecord, TopicPartition } from './records.ts'

export interface ConnectorContext {
  /** Asks the runtime to call taskConfigs again (e.g. the source found new tables). */
  requestTaskReconfiguration(): void
  /** Fails the connector with this error (FAILED with its trace in /status). */
  raiseError(error: Error): void
}

export interface Connector {
  version(): string
  config(): ConfigDef
  start(properties: Properties, context: ConnectorContext): Promise<void> | void
  /** At most `maxTasks` task configurations. */
  taskConfigs(maxTasks: number): Properties[]
  stop(): Promise<void> | void
}

export interface OffsetStorageReader {
  /** The last committed offset of a source partition, or null. */
  offset(partition: OffsetMap): OffsetMap | null
}

/**
 * KIP-618: a source task's control over transaction boundaries (`transaction.boundary=connector`).
 * A request without a record applies after the current poll's records; with a record, right after
 * that record (records after it in the same poll go to the next transaction).
 */
export interface TransactionContext {
  commitTransaction(record?: SourceRecord): void
  /** Drops the transaction's records and offsets (the task is not asked for them again). */
  abortTransaction(record?: SourceRecord): void
}

export interface SourceTaskContext {
  offsetStorageReader: OffsetStorageReader
  /** Set only with exactly-once source enabled and `transaction.boundary=connector` (else null, as Kafka). */
  transactionContext?: TransactionContext | null
}

export interface SourceTask {
  start(properties: Properties, context: SourceTaskContext): Promise<void> | void
  /** Records to send, or null/[] when none are ready (the runtime calls again). */
  poll(): Promise<SourceRecord[] | null>
  /** Every record of the last poll is acknowledged and its offset committed. */
  commit?(): Promise<void> | void
  /** One record is acknowledged by Kafka (with where it was written). */
  commitRecord?(record: SourceRecord, written: { topic: string; partition: number; offset: number }): void
  stop(): Promise<void> | void
}

export interface SinkTaskContext {
  requestCommit(): void
}

export interface SinkTask {
  start(properties: Properties, context: SinkTaskContext): Promise<void> | void
  open?(partitions: TopicPartition[]): Promise<void> | void
  put(records: SinkRecord[]): Promise<void> | void
  /** Everything put so far must be durable in the external system. */
  flush?(offsets: SinkOffsets): Promise<void> | void
  /** The offsets that may be committed (default: flush, then all of them). */
  preCommit?(offsets: SinkOffsets): Promise<SinkOffsets> | SinkOffsets
  close?(partitions: TopicPartition[]): Promise<void> | void
  stop(): Promise<void> | void
}

export interface SourceConnector extends Connector {
  readonly type: 'source'
  createTask(): SourceTask
  /** KIP-875: answers whether these offset changes are fine (default: allowed). */
  alterOffsets?(config: Properties, offsets: Map<OffsetMap, OffsetMap | null>): boolean
  /** KIP-618: can it give exactly-once delivery with this config? (absent or null: unknown, as Kafka). */
  exactlyOnceSupport?(config: Properties): ExactlyOnceSupport | null
  /** KIP-618: can its tasks define transaction boundaries with this config? (absent: no). */
  canDefineTransactionBoundaries?(config: Properties): ConnectorTransactionBoundaries
}

/** Kafka's org.apache.kafka.connect.source.ExactlyOnceSupport. */
export type ExactlyOnceSupport = 'SUPPORTED' | 'UNSUPPORTED'
/** Kafka's org.apache.kafka.connect.source.ConnectorTransactionBoundaries. */
export type ConnectorTransactionBoundaries = 'SUPPORTED' | 'UNSUPPORTED'

export interface SinkConnector extends Connector {
  readonly type: 'sink'
  createTask(): SinkTask
}

export type AnyConnector = SourceConnector | SinkConnector

/** A connector's task errors that should be retried by the runtime (Kafka's RetriableException). */
export class RetriableException extends Error {
  override name = 'org.apache.kafka.connect.errors.RetriableException'
}

/** A connector error that fails the task (Kafka's ConnectException). */
export class ConnectException extends Error {
  override name = 'org.apache.kafka.connect.errors.ConnectException'
}
