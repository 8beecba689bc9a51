// WorkerSourceTask: polls a SourceTask, runs each record through the transforms and converters (with
// error handling), writes the batch to Kafka (acks=all), and only then records the batch's source
// offsets; they are written to connect-offsets every offset.flush.interval.ms and when the task stops.
// So an offset is never committed before its record is acknowledged: after a crash the task resumes
// from the last committed offset, and records after it may be sent again (at-least-once, as Kafka).

import type { Logger } from '../../log.ts'
import type { Converter } from '../converters/converter.ts'
import type { Properties } from '../sdk/config-def.ts'
import type { SourceTask } from '../sdk/connector.ts'
import type { OffsetMap, SourceRecord } from '../sdk/records.ts'
import type { SourceOffsets } from '../storage/connector-offset-store.ts'
import type { KafkaWriter, ProducedRecord } from '../storage/kafka-client.ts'
import { type ErrorHandler, skipped } from './error-handling.ts'
import { headerBytes } from './headers.ts'
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

export class WorkerSourceTask extends WorkerTask {
  /** Offsets of acknowledged records not yet written to connect-offsets, by canonical partition. */
  private readonly pendingOffsets = new Map<string, { partition: OffsetMap; offset: OffsetMap }>()
  private lastFlushMs = Date.now()
  protected readonly options: WorkerSourceTaskOptions

  constructor(options: WorkerSourceTaskOptions) {
    super(options.id, options.log, options.onStatus, { paused: options.paused })
    this.options = options
  }

  protected async initialize(): Promise<void> {
    const { task, taskConfig, offsets, id } = this.options
    await offsets.readToEnd()
    await task.start(taskConfig, {
      offsetStorageReader: { offset: (partition) => offsets.offset(id.connector, partition) },
    })
  }

  protected async iteration(): Promise<void> {
    const { task, writer, metrics } = this.options
    const pollStartMs = performance.now()
    const polled = (await task.poll()) ?? []
    const pollMs = performance.now() - pollStartMs
    if (polled.length > 0) {
      const batch: Array<{ record: SourceRecord; produced: ProducedRecord }> = []
      for (const record of polled) {
        const produced = await this.convert(record)
        if (produced !== null) batch.push({ record, produced })
      }
      const written = await writer.send(batch.map((entry) => entry.produced))
      batch.forEach((entry, index) => {
        this.options.onTopic(entry.produced.topic)
        task.commitRecord?.(entry.record, { topic: entry.produced.topic, ...written[index] })
      })
      // Every polled record (also the dropped or skipped ones) is done: its offset may be committed.
      for (const record of polled) this.trackOffset(record)
      metrics.recordsPolled(polled.length, pollMs)
      metrics.recordsWritten(batch.length)
    }
    if (Date.now() - this.lastFlushMs >= this.options.offsetFlushIntervalMs) await this.commitOffsets()
  }

  /** Transforms, then converts: the record to produce, or null when dropped or skipped. */
  protected async convert(record: SourceRecord): Promise<ProducedRecord | null> {
    const { transforms, errors, keyConverter, valueConverter } = this.options
    let className = ''
    const transformed = await errors.execute(
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
    if (transformed === skipped || transformed === null) return null
    const key = await errors.execute(
      { stage: 'KEY_CONVERTER', className: keyConverter.constructor.name },
      () => keyConverter.fromConnectData(transformed.topic, transformed.keySchema, transformed.key),
    )
    if (key === skipped) return null
    const value = await errors.execute(
      { stage: 'VALUE_CONVERTER', className: valueConverter.constructor.name },
      () => valueConverter.fromConnectData(transformed.topic, transformed.valueSchema, transformed.value),
    )
    if (value === skipped) return null
    return {
      topic: transformed.topic,
      ...(transformed.kafkaPartition === null ? {} : { partition: transformed.kafkaPartition }),
      key,
      value,
      headers: headerBytes(transformed.headers),
      timestamp: transformed.timestamp,
    }
  }

  private trackOffset(record: SourceRecord): void {
    if (record.sourcePartition === null || record.sourceOffset === null) return
    this.pendingOffsets.set(JSON.stringify(record.sourcePartition), {
      partition: record.sourcePartition,
      offset: record.sourceOffset,
    })
  }

  private async commitOffsets(): Promise<void> {
    this.lastFlushMs = Date.now()
    if (this.pendingOffsets.size === 0) return
    const startMs = performance.now()
    const entries = [...this.pendingOffsets.values()]
    this.pendingOffsets.clear()
    await this.options.offsets.put(this.id.connector, entries)
    this.options.metrics.offsetsCommitted(performance.now() - startMs)
    await this.options.task.commit?.()
  }

  protected async close(): Promise<void> {
    try {
      await this.commitOffsets()
    } finally {
      await this.options.task.stop()
      this.options.transforms.close()
    }
  }
}
