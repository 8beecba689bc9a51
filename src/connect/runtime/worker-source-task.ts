// WorkerSourceTask: polls a SourceTask, runs each record through the transforms and converters (with
// error handling), writes the records to Kafka (acks=all), and only then records their source
// offsets; they are written to connect-offsets every offset.flush.interval.ms and when the task stops.
// So an offset is never committed before its record is acknowledged: after a crash the task resumes
// from the last committed offset, and records after it may be sent again (at-least-once, as Kafka).
//
// As Kafka's worker producer (acks=all, max.in.flight.requests.per.connection=1), one write is in
// flight at a time while the task keeps polling: what it polls meanwhile queues up and goes out as the
// next write (bounded by sendBytesMax/sendRecordsMax; polling waits when queuedRecordsMax are
// queued). Writes complete in poll order, and a failed write fails the task before anything after it
// is acknowledged, so the offsets recorded are always those of an acknowledged prefix of the polls.

import type { Logger } from '../../log.ts'
import type { Converter } from '../converters/converter.ts'
import type { Properties } from '../sdk/config-def.ts'
import type { SourceTask } from '../sdk/connector.ts'
import type { Schema } from '../sdk/data.ts'
import type { OffsetMap, SourceRecord } from '../sdk/records.ts'
import type { SourceOffsets } from '../storage/connector-offset-store.ts'
import type { KafkaWriter, ProducedRecord } from '../storage/kafka-client.ts'
import { type ErrorContext, type ErrorHandler, skipped } from './error-handling.ts'
import { headerBytes } from './headers.ts'
import { isPromise, type MaybePromise, then } from './maybe-promise.ts'
import type { TaskMetrics } from './task-metrics.ts'
import type { TransformationChain } from './transformation-chain.ts'
import { type TaskId, type TaskStatusListener, WorkerTask } from './worker-task.ts'

export interface WorkerSourceTaskOptions {
  id: TaskId
  task: SourceTask
  taskConfig: Properties
  keyConverter: Converter
  valueConverter: Converter
  transforms: TransformationChain
  errors: ErrorHandler
  writer: KafkaWriter
  /** connect-offsets, or the connector's own offsets.storage.topic with it as the fallback. */
  offsets: SourceOffsets
  offsetFlushIntervalMs: number
  onTopic: (topic: string) => void
  metrics: TaskMetrics
  log: Logger
  onStatus: TaskStatusListener
  paused: boolean
}

/** Polled records and what each became (null: dropped by a transform or skipped by error tolerance). */
interface Converted {
  records: SourceRecord[]
  produced: Array<ProducedRecord | null>
}

/** Every ProducedRecord without headers shares this one (the writers never mutate a record's headers). */
const noHeaders: Array<[string, Buffer | null]> = []

/**
 * The record to write: one shape either way (a spread of an optional field made two, and an object
 * more per record). A record without a timestamp gets the time it is handed to the writer, as Kafka's
 * producer stamps it in send(), not when its batch goes out (a first write waits for metadata and a
 * connection, and its records would otherwise carry that later time).
 */
function producedRecord(transformed: SourceRecord, key: Buffer | null, value: Buffer | null): ProducedRecord {
  const timestamp = transformed.timestamp ?? Date.now()
  const headers = transformed.headers.length === 0 ? noHeaders : headerBytes(transformed.headers)
  return transformed.kafkaPartition === null
    ? { topic: transformed.topic, key, value, headers, timestamp }
    : {
        topic: transformed.topic,
        partition: transformed.kafkaPartition,
        key,
        value,
        headers,
        timestamp,
      }
}

/** One write at most this big (estimated: keys, values, headers): under Kafka's 1 MiB message.max.bytes. */
const sendBytesMax = 768 * 1024
const sendRecordsMax = 20_000
/**
 * Polling pauses while this many records wait for the write in flight (Kafka's buffer.memory). Kept
 * small: records queued while a write waits for its acknowledgement outlived the young generation's
 * scavenges, were copied, promoted and then cost mark-compacts. FileStreamSource alone, 500,000 lines
 * (bench/RESULTS.md, 2026-12-07 evening): at 10,000, scavenges of 3-15 ms kept 6-9 MB each and the
 * broker process spent 7.1 µs of CPU per record; at 2,000, scavenges of 1.2-1.8 ms promoted nothing
 * and 4.0 µs per record.
 */
const queuedRecordsMax = 2_000

export class WorkerSourceTask extends WorkerTask {
  /** Offsets of acknowledged records not yet written to connect-offsets, by canonical partition. */
  private readonly pendingOffsets = new Map<string, { partition: OffsetMap; offset: OffsetMap }>()
  private lastFlushMs = Date.now()
  /** Converted records in poll order, not yet handed to the writer (two columns: no object per record). */
  private queue: Converted = { records: [], produced: [] }
  /** The write in flight (it never rejects: a failure lands in sendError). */
  private inFlight: Promise<void> | null = null
  private sendError: { error: unknown } | null = null
  /** The canonical form of the source partition seen last (connectors reuse one object per partition). */
  private lastPartition: { object: OffsetMap; key: string } | null = null
  private readonly keyContext: ErrorContext
  private readonly valueContext: ErrorContext
  protected readonly options: WorkerSourceTaskOptions

  constructor(options: WorkerSourceTaskOptions) {
    super(options.id, options.log, options.onStatus, { paused: options.paused })
    this.options = options
    this.keyContext = { stage: 'KEY_CONVERTER', className: options.keyConverter.constructor.name }
    this.valueContext = { stage: 'VALUE_CONVERTER', className: options.valueConverter.constructor.name }
  }

  protected async initialize(): Promise<void> {
    const { task, taskConfig, offsets, id } = this.options
    await offsets.readToEnd()
    await task.start(taskConfig, {
      offsetStorageReader: { offset: (partition) => offsets.offset(id.connector, partition) },
    })
  }

  protected async iteration(): Promise<void> {
    const { task, metrics } = this.options
    this.throwIfSendFailed()
    while (this.inFlight !== null && this.queue.records.length >= queuedRecordsMax) await this.inFlight
    this.throwIfSendFailed()
    const pollStartMs = performance.now()
    const polled = (await task.poll()) ?? []
    const pollMs = performance.now() - pollStartMs
    if (polled.length > 0) {
      const { records, produced } = this.queue
      // Index loop: a for-of with an await inside allocated an iterator result per record.
      for (let index = 0; index < polled.length; index++) {
        const record = polled[index]
        const converted = this.convert(record)
        records.push(record)
        produced.push(isPromise(converted) ? await converted : converted)
      }
      metrics.recordsPolled(polled.length, pollMs)
      this.startSend()
    }
    if (Date.now() - this.lastFlushMs >= this.options.offsetFlushIntervalMs) await this.commitOffsets()
  }

  private throwIfSendFailed(): void {
    if (this.sendError !== null) throw this.sendError.error
  }

  /** Starts the next write unless one is in flight; each completed write starts the one after it. */
  private startSend(): void {
    if (this.inFlight !== null || this.queue.records.length === 0 || this.sendError !== null) return
    const batch = this.takeSendBatch()
    this.inFlight = this.send(batch).then(
      () => {
        this.inFlight = null
        this.startSend()
      },
      (error: unknown) => {
        this.inFlight = null
        this.sendError = { error }
      },
    )
  }

  /** The queue's head up to one write's worth (at least one record). */
  private takeSendBatch(): Converted {
    const { records, produced } = this.queue
    let bytes = 0
    let count = 0
    while (count < records.length && count < sendRecordsMax) {
      const entry = produced[count]
      if (entry !== null) {
        const size = (entry.key?.length ?? 0) + (entry.value?.length ?? 0) + 24
        if (count > 0 && bytes + size > sendBytesMax) break
        bytes += size
      }
      count++
    }
    if (count === records.length) {
      this.queue = { records: [], produced: [] }
      return { records, produced }
    }
    this.queue = { records: records.slice(count), produced: produced.slice(count) }
    return { records: records.slice(0, count), produced: produced.slice(0, count) }
  }

  /** Writes the batch; once acknowledged, its records are committed and their offsets recorded. */
  private async send(batch: Converted): Promise<void> {
    const { task, writer, metrics } = this.options
    const toSend: ProducedRecord[] = []
    for (const produced of batch.produced) if (produced !== null) toSend.push(produced)
    const written = await writer.send(toSend)
    let lastTopic = ''
    let sent = 0
    for (let index = 0; index < batch.records.length; index++) {
      const produced = batch.produced[index]
      if (produced === null) continue
      if (produced.topic !== lastTopic) {
        lastTopic = produced.topic
        this.options.onTopic(lastTopic)
      }
      task.commitRecord?.(batch.records[index], { topic: produced.topic, ...written[sent] })
      sent++
    }
    // Every polled record (also the dropped or skipped ones) is done: its offset may be committed.
    this.trackOffsets(batch.records)
    metrics.recordsWritten(toSend.length, batch.records.length)
  }

  /** Sends everything queued and waits for it (the task stops); a failed write is thrown. */
  private async drain(): Promise<void> {
    for (;;) {
      this.startSend()
      if (this.inFlight === null) break
      await this.inFlight
    }
    this.throwIfSendFailed()
  }

  /** Transforms, then converts: the record to produce, or null when dropped or skipped. */
  protected convert(record: SourceRecord): MaybePromise<ProducedRecord | null> {
    const { transforms, errors } = this.options
    if (transforms.isEmpty) return this.produce(record)
    let className = ''
    const transformed = errors.run(
      {
        stage: 'TRANSFORMATION',
        get className() {
          return className
        },
      },
      () =>
        transforms.apply(record, (name) => {
          className = name
        }),
    )
    return then(transformed, (result) =>
      result === skipped || result === null ? null : this.produce(result),
    )
  }

  /** The key and value through their converters (null when error tolerance skips the record). */
  private produce(transformed: SourceRecord): MaybePromise<ProducedRecord | null> {
    const { topic, keySchema, key } = transformed
    const keyBytes = this.fromConnectData(this.keyContext, this.options.keyConverter, topic, keySchema, key)
    if (isPromise(keyBytes))
      return keyBytes.then((bytes) => (bytes === skipped ? null : this.produceValue(transformed, bytes)))
    return keyBytes === skipped ? null : this.produceValue(transformed, keyBytes)
  }

  private produceValue(
    transformed: SourceRecord,
    keyBytes: Buffer | null,
  ): MaybePromise<ProducedRecord | null> {
    const { topic, valueSchema, value } = transformed
    const valueConverter = this.options.valueConverter
    const valueBytes = this.fromConnectData(this.valueContext, valueConverter, topic, valueSchema, value)
    if (isPromise(valueBytes))
      return valueBytes.then((bytes) =>
        bytes === skipped ? null : producedRecord(transformed, keyBytes, bytes),
      )
    return valueBytes === skipped ? null : producedRecord(transformed, keyBytes, valueBytes)
  }

  /**
   * The converter called directly; the error handler (its retries, tolerance and closures) only after
   * a throw or a promise, with that first outcome replayed (ErrorHandler.continue): a per-record path
   * without two closures and a `then` per record and converter.
   */
  private fromConnectData(
    context: ErrorContext,
    converter: Converter,
    topic: string,
    schema: Schema | null,
    value: unknown,
  ): MaybePromise<Buffer | null | typeof skipped> {
    let first: Buffer | null | Promise<Buffer | null>
    try {
      first = converter.fromConnectData(topic, schema, value)
    } catch (error) {
      first = Promise.reject(error)
      // Handled through continue() below; this only keeps the rejection from being reported as unhandled.
      first.catch(() => undefined)
    }
    if (!isPromise(first)) return first
    const pending = first
    return this.options.errors.continue(
      context,
      () => pending,
      () => converter.fromConnectData(topic, schema, value),
    )
  }

  /**
   * Records each source partition's last offset among `records` (poll order: the last one wins, so
   * only the last record of each run of one partition is looked at).
   */
  private trackOffsets(records: SourceRecord[]): void {
    for (let index = 0; index < records.length; index++) {
      const record = records[index]
      const partition = record.sourcePartition
      if (partition === null || record.sourceOffset === null) continue
      const next = records[index + 1]
      if (next !== undefined && next.sourcePartition === partition && next.sourceOffset !== null) continue
      if (this.lastPartition?.object !== partition)
        this.lastPartition = { object: partition, key: JSON.stringify(partition) }
      this.pendingOffsets.set(this.lastPartition.key, { partition, offset: record.sourceOffset })
    }
  }

  private async commitOffsets(): Promise<void> {
    this.lastFlushMs = Date.now()
    const { metrics } = this.options
    // Nothing new to write still counts as a completed commit (Kafka's, for its metrics).
    if (this.pendingOffsets.size === 0) return metrics.offsetsCommitted(0)
    const startMs = performance.now()
    const entries = [...this.pendingOffsets.values()]
    this.pendingOffsets.clear()
    try {
      await this.options.offsets.put(this.id.connector, entries)
    } catch (error) {
      metrics.offsetCommitFailed()
      throw error
    }
    metrics.offsetsCommitted(performance.now() - startMs)
    await this.options.task.commit?.()
  }

  protected async close(): Promise<void> {
    try {
      // What was polled goes out first (as Kafka's producer flush), unless a write already failed;
      // then the acknowledged part's offsets are committed either way.
      try {
        if (this.sendError === null) await this.drain()
      } finally {
        await this.commitOffsets()
      }
    } finally {
      await this.options.task.stop()
      this.options.transforms.close()
    }
  }
}
