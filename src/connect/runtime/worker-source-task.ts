// WorkerSourceTask: polls a SourceTask, runs each record through the transforms and converters (with
// error handling), writes the records to Kafka (acks=all), and only then records their source
// offsets; they are written to connect-offsets every offset.flush.interval.ms and when the task stops.
// So an offset is never committed before its record is acknowledged: after a crash the task resumes
// from the last committed offset, and records after it may be sent again (at-least-once, as Kafka).
//
// As Kafka's worker producer (acks=all, max.in.flight.requests.per.connection=1), one write is in
// flight at a time while the task keeps polling: what it polls meanwhile is encoded into the next
// write's batches as it is converted (record-accumulator.ts, Kafka's RecordAccumulator), a write being
// at most sendBytesMax/sendRecordsMax; polling waits while one full write waits behind the one in
// flight. Writes complete in poll order, and a failed write fails the task before anything after it
// is acknowledged, so the offsets recorded are always those of an acknowledged prefix of the polls.

import type { Logger } from '../../log.ts'
import type { Converter } from '../converters/converter.ts'
import type { Properties } from '../sdk/config-def.ts'
import type { SourceTask } from '../sdk/connector.ts'
import type { Schema } from '../sdk/data.ts'
import type { OffsetMap, SourceRecord } from '../sdk/records.ts'
import type { SourceOffsets } from '../storage/connector-offset-store.ts'
import type { KafkaWriter, ProducedRecord } from '../storage/kafka-client.ts'
import { RecordAccumulator } from '../storage/record-accumulator.ts'
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

/** Source offsets by canonical source partition (the last polled record's offset of each). */
type OffsetsByPartition = Map<string, { partition: OffsetMap; offset: OffsetMap }>

/**
 * Polled records not yet written: their bytes (no record objects: a queue of them outlived the
 * young generation's scavenges while a write waited for its acknowledgement, and was copied,
 * promoted and then cost mark-compacts), and what the write settles once acknowledged.
 */
interface PendingWrite {
  batches: RecordAccumulator
  /** Records polled into this write, the dropped and skipped ones too (their offsets count as done). */
  polled: number
  offsets: OffsetsByPartition
  /** The last polled record with a source offset, not yet in `offsets` (the last of a partition's run wins). */
  lastWithOffset: SourceRecord | null
  /** Only for a task with commitRecord: each written record and its place in its partition's batch. */
  committing: Array<{ record: SourceRecord; topic: string; partition: number; index: number }> | null
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

/** One write at most this big (its batches' bytes): under Kafka's 1 MiB message.max.bytes. */
const sendBytesMax = 768 * 1024
const sendRecordsMax = 20_000

export class WorkerSourceTask extends WorkerTask {
  /** Offsets of acknowledged records not yet written to connect-offsets, by canonical partition. */
  private readonly pendingOffsets = new Map<string, { partition: OffsetMap; offset: OffsetMap }>()
  private lastFlushMs = Date.now()
  /** The write records are encoded into now. */
  private open: PendingWrite
  /** Full writes waiting for the one in flight (at most one: polling waits meanwhile). */
  private readonly sealed: PendingWrite[] = []
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
    this.open = this.newWrite()
  }

  private newWrite(): PendingWrite {
    return {
      batches: new RecordAccumulator(),
      polled: 0,
      offsets: new Map(),
      lastWithOffset: null,
      committing: this.options.task.commitRecord === undefined ? null : [],
    }
  }

  protected async initialize(): Promise<void> {
    const { task, taskConfig, offsets, id } = this.options
    await offsets.readToEnd()
    await task.start(taskConfig, {
      offsetStorageReader: { offset: (partition) => offsets.offset(id.connector, partition) },
    })
  }

  protected async iteration(): Promise<void> {
    const { task, metrics, writer } = this.options
    this.throwIfSendFailed()
    while (this.inFlight !== null && this.sealed.length > 0) await this.inFlight
    this.throwIfSendFailed()
    const pollStartMs = performance.now()
    const polled = (await task.poll()) ?? []
    const pollMs = performance.now() - pollStartMs
    if (polled.length > 0) {
      // Index loop: a for-of with an await inside allocated an iterator result per record.
      for (let index = 0; index < polled.length; index++) {
        const record = polled[index]
        const converted = this.convert(record)
        const produced = isPromise(converted) ? await converted : converted
        if (produced === null) {
          this.add(record, null, 0)
          continue
        }
        const partition = writer.partitionFor(produced)
        this.add(record, produced, isPromise(partition) ? await partition : partition)
      }
      metrics.recordsPolled(polled.length, pollMs)
      this.startSend()
    }
    if (Date.now() - this.lastFlushMs >= this.options.offsetFlushIntervalMs) await this.commitOffsets()
  }

  /** Adds a polled record to the open write: encoded (unless dropped or skipped), its offset kept. */
  private add(record: SourceRecord, produced: ProducedRecord | null, partition: number): void {
    const write = this.open
    write.polled++
    if (record.sourcePartition !== null && record.sourceOffset !== null) {
      const last = write.lastWithOffset
      if (last !== null && last.sourcePartition !== record.sourcePartition) this.keepOffset(write, last)
      write.lastWithOffset = record
    }
    if (produced !== null) {
      const index = write.batches.add(produced, partition)
      write.committing?.push({ record, topic: produced.topic, partition, index })
    }
    if (write.batches.sizeBytes >= sendBytesMax || write.batches.recordCount >= sendRecordsMax) {
      this.sealed.push(this.finished(write))
      this.open = this.newWrite()
    }
  }

  /** `write` with its last offset kept: nothing more is added to it. */
  private finished(write: PendingWrite): PendingWrite {
    if (write.lastWithOffset !== null) this.keepOffset(write, write.lastWithOffset)
    write.lastWithOffset = null
    return write
  }

  /** Keeps `record`'s source offset as its partition's in `write` (the canonical key cached). */
  private keepOffset(write: PendingWrite, record: SourceRecord): void {
    const partition = record.sourcePartition
    if (partition === null || record.sourceOffset === null) return
    if (this.lastPartition?.object !== partition)
      this.lastPartition = { object: partition, key: JSON.stringify(partition) }
    write.offsets.set(this.lastPartition.key, { partition, offset: record.sourceOffset })
  }

  private throwIfSendFailed(): void {
    if (this.sendError !== null) throw this.sendError.error
  }

  /** Starts the next write unless one is in flight; each completed write starts the one after it. */
  private startSend(): void {
    if (this.inFlight !== null || this.sendError !== null) return
    let write = this.sealed.shift()
    if (write === undefined && this.open.polled > 0) {
      write = this.finished(this.open)
      this.open = this.newWrite()
    }
    if (write === undefined) return
    this.inFlight = this.send(write).then(
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

  /** Writes the batches; once acknowledged, their records are committed and their offsets recorded. */
  private async send(write: PendingWrite): Promise<void> {
    const { task, writer, metrics } = this.options
    const written = write.batches.recordCount
    const batches = write.batches.drain()
    const baseOffsets = await writer.sendBatches(batches)
    let lastTopic = ''
    for (const entry of batches) {
      if (entry.topic === lastTopic) continue
      lastTopic = entry.topic
      this.options.onTopic(lastTopic)
    }
    if (write.committing !== null && task.commitRecord !== undefined) {
      const bases = new Map<string, number>()
      for (let index = 0; index < batches.length; index++)
        bases.set(`${batches[index].topic}\u0000${batches[index].partition}`, baseOffsets[index])
      for (const { record, topic, partition, index } of write.committing)
        task.commitRecord(record, {
          topic,
          partition,
          offset: (bases.get(`${topic}\u0000${partition}`) ?? -1) + index,
        })
    }
    // Every polled record (also the dropped or skipped ones) is done: its offset may be committed.
    for (const [key, entry] of write.offsets) this.pendingOffsets.set(key, entry)
    metrics.recordsWritten(written, write.polled)
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
