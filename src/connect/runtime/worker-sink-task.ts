// WorkerSinkTask: consumes the connector's topics in its group, converts and transforms each record
// (with error handling: tolerated failures go to the log and the dead-letter queue), hands batches to
// SinkTask.put(), and every offset.flush.interval.ms (and on stop) asks the task to flush, then commits
// the offsets preCommit() allows. A record is therefore committed only after the task made it durable:
// after a crash, records after the last commit are delivered again (at-least-once, as Kafka).

import type { Logger } from '../../log.ts'
import type { Converter, SchemaAndValue } from '../converters/converter.ts'
import type { Properties } from '../sdk/config-def.ts'
import { RetriableException, type SinkTask } from '../sdk/connector.ts'
import type { SinkOffsets, SinkRecord } from '../sdk/records.ts'
import type { ConsumedMessage, GroupConsumer } from '../storage/group-consumer.ts'
import { type ConsumedRecord, type ErrorHandler, skipped } from './error-handling.ts'
import { headersOf } from './headers.ts'
import { isPromise, type MaybePromise, then } from './maybe-promise.ts'
import type { TaskMetrics } from './task-metrics.ts'
import type { TransformationChain } from './transformation-chain.ts'
import { type TaskId, type TaskStatusListener, WorkerTask } from './worker-task.ts'

export interface WorkerSinkTaskOptions {
  id: TaskId
  task: SinkTask
  taskConfig: Properties
  /** `topics`, or the `topics.regex` pattern. */
  topics: string[] | RegExp
  keyConverter: Converter
  valueConverter: Converter
  transforms: TransformationChain
  errors: ErrorHandler
  consumer: GroupConsumer
  offsetFlushIntervalMs: number
  /** consumer.max.poll.records (Kafka's default 500). */
  maxPollRecords: number
  onTopic: (topic: string) => void
  metrics: TaskMetrics
  log: Logger
  onStatus: TaskStatusListener
  paused: boolean
}

const pollWaitMs = 500
const putRetryBackoffMs = 1_000

/** The record put() is given, as consumed and converted (before transforms). */
function sinkRecordOf(
  message: ConsumedMessage,
  keyData: SchemaAndValue,
  valueData: SchemaAndValue,
): SinkRecord {
  return {
    topic: message.topic,
    kafkaPartition: message.partition,
    kafkaOffset: message.offset,
    keySchema: keyData.schema,
    key: keyData.value,
    valueSchema: valueData.schema,
    value: valueData.value,
    timestamp: message.timestamp,
    headers: message.headers.length === 0 ? [] : headersOf(message.headers),
    originalTopic: message.topic,
    originalKafkaPartition: message.partition,
    originalKafkaOffset: message.offset,
  }
}

export class WorkerSinkTask extends WorkerTask {
  /** Next offset per partition of everything handed to put() (or skipped): what a flush covers. */
  private readonly consumed: SinkOffsets = new Map()
  private lastCommitMs = Date.now()
  private readonly options: WorkerSinkTaskOptions

  constructor(options: WorkerSinkTaskOptions) {
    super(options.id, options.log, options.onStatus, { paused: options.paused })
    this.options = options
  }

  protected async initialize(): Promise<void> {
    await this.options.task.start(this.options.taskConfig, {
      requestCommit: () => {
        this.lastCommitMs = 0
      },
    })
    // Kafka's onPartitionsRevoked: flush and commit what was put before the partitions move, and forget
    // them (a stale offset must never be committed over the next owner's progress).
    this.options.consumer.onRevoked(async (partitions) => {
      if (!this.failed) await this.commitOffsets().catch(() => undefined)
      for (const { topic, partition } of partitions) this.consumed.delete(`${topic}/${partition}`)
    })
    await this.options.consumer.subscribe(this.options.topics)
  }

  protected async iteration(): Promise<void> {
    const { consumer, metrics } = this.options
    const messages = await consumer.poll(this.options.maxPollRecords, pollWaitMs)
    // As Kafka's sink task after each poll (also an empty one): partitions, records not committed, lag.
    metrics.sinkProgress(
      consumer.assignedPartitionCount,
      consumer.uncommittedRecords(),
      consumer.recordLagMax(),
    )
    if (messages.length > 0) {
      metrics.recordsRead(messages.length)
      const records: SinkRecord[] = []
      // Index loops: a for-of with an await inside keeps its iterator across the await, and allocated a
      // result object per record (allocation profile of the file flow).
      for (let index = 0; index < messages.length; index++) {
        const converted = this.convert(messages[index])
        const record = isPromise(converted) ? await converted : converted
        if (record !== null) records.push(record)
      }
      const putStartMs = performance.now()
      await this.put(records)
      metrics.recordsPut(records.length, performance.now() - putStartMs)
      this.trackConsumed(messages)
    }
    if (Date.now() - this.lastCommitMs >= this.options.offsetFlushIntervalMs) await this.commitOffsets()
  }

  /** Each partition's next offset after the messages (a poll's messages run partition by partition). */
  private trackConsumed(messages: ConsumedMessage[]): void {
    let lastTopic = ''
    for (let index = 0; index < messages.length; index++) {
      const message = messages[index]
      if (message.topic !== lastTopic) {
        lastTopic = message.topic
        this.options.onTopic(lastTopic)
      }
      const next = messages[index + 1]
      if (next !== undefined && next.topic === message.topic && next.partition === message.partition) continue
      this.consumed.set(`${message.topic}/${message.partition}`, {
        topic: message.topic,
        partition: message.partition,
        offset: message.offset + 1,
      })
    }
  }

  /** put() again while it throws RetriableException (Kafka redelivers the batch); other errors fail the task. */
  private async put(records: SinkRecord[]): Promise<void> {
    for (;;) {
      try {
        await this.options.task.put(records)
        return
      } catch (error) {
        if (!(error instanceof RetriableException) || this.isStopping) throw error
        this.log.warn(
          { err: error, connector: this.id.connector, task: this.id.task },
          'put failed; retrying the batch',
        )
        await new Promise((resolve) => setTimeout(resolve, putRetryBackoffMs))
      }
    }
  }

  /** Converts, then transforms: the record to put, or null when skipped or dropped. */
  private convert(message: ConsumedMessage): MaybePromise<SinkRecord | null> {
    const key = this.toConnectData('KEY_CONVERTER', this.options.keyConverter, message, message.key)
    // A closure only when a converter answers a promise (two per record showed in the allocation profile).
    if (isPromise(key))
      return key.then((keyData) => (keyData === skipped ? null : this.convertValue(message, keyData)))
    return key === skipped ? null : this.convertValue(message, key)
  }

  private convertValue(message: ConsumedMessage, keyData: SchemaAndValue): MaybePromise<SinkRecord | null> {
    const value = this.toConnectData('VALUE_CONVERTER', this.options.valueConverter, message, message.value)
    if (isPromise(value))
      return value.then((valueData) =>
        valueData === skipped ? null : this.transform(sinkRecordOf(message, keyData, valueData), message),
      )
    return value === skipped ? null : this.transform(sinkRecordOf(message, keyData, value), message)
  }

  /**
   * One converter call under the error handler: called directly, and only a throw or a promise goes
   * on through ErrorHandler (same outcome as errors.run; no context object or closure per record).
   */
  private toConnectData(
    stage: 'KEY_CONVERTER' | 'VALUE_CONVERTER',
    converter: Converter,
    message: ConsumedMessage,
    bytes: Buffer | null,
  ): MaybePromise<SchemaAndValue | typeof skipped> {
    let first: SchemaAndValue | Promise<SchemaAndValue>
    try {
      first = converter.toConnectData(message.topic, bytes)
    } catch (error) {
      first = Promise.reject(error)
      // Handled through continue() below; this only keeps the rejection from being reported as unhandled.
      first.catch(() => undefined)
    }
    if (!isPromise(first)) return first
    const pending = first
    const consumed: ConsumedRecord = message
    return this.options.errors.continue(
      { stage, className: converter.constructor.name, consumed },
      () => pending,
      () => converter.toConnectData(message.topic, bytes),
    )
  }

  private transform(record: SinkRecord, consumed: ConsumedRecord): MaybePromise<SinkRecord | null> {
    const { transforms, errors } = this.options
    if (transforms.isEmpty) return record
    let className = ''
    const transformed = errors.run(
      {
        stage: 'TRANSFORMATION',
        get className() {
          return className
        },
        consumed,
      },
      () =>
        transforms.apply(record, (name) => {
          className = name
        }),
    )
    return then(transformed, (result) => (result === skipped ? null : result))
  }

  private async commitOffsets(): Promise<void> {
    this.lastCommitMs = Date.now()
    const { task, consumer, metrics } = this.options
    // Kafka numbers every commit while partitions are assigned, also one with nothing new.
    if (consumer.assignedPartitionCount > 0 || this.consumed.size > 0) metrics.offsetCommitStarted()
    // Nothing new to commit still counts as a completed commit (Kafka's, for its metrics).
    if (this.consumed.size === 0) return metrics.offsetsCommitted(0)
    const startMs = performance.now()
    const offsets: SinkOffsets = new Map(this.consumed)
    let committable: SinkOffsets
    try {
      if (task.preCommit !== undefined) committable = await task.preCommit(offsets)
      else {
        await task.flush?.(offsets)
        committable = offsets
      }
    } catch (error) {
      metrics.offsetCommitFailed()
      throw error
    }
    try {
      await consumer.commit([...committable.values()])
    } catch (error) {
      metrics.offsetCommitFailed()
      // A rebalance in between: the partitions' new owners start from the last commit (at-least-once).
      this.log.warn(
        { err: error, connector: this.id.connector, task: this.id.task },
        'committing offsets failed',
      )
      return
    }
    for (const [key, entry] of committable)
      if (this.consumed.get(key)?.offset === entry.offset) this.consumed.delete(key)
    metrics.offsetsCommitted(performance.now() - startMs)
    metrics.sinkProgress(consumer.assignedPartitionCount, consumer.uncommittedRecords())
  }

  protected async close(): Promise<void> {
    try {
      if (!this.failed) await this.commitOffsets()
    } finally {
      await this.options.task.stop()
      await this.options.consumer.close()
      this.options.transforms.close()
      // As Kafka: a stopped or failed task's consumer has left the group (its metrics stay until removed).
      this.options.metrics.partitionCount = 0
    }
  }
}
