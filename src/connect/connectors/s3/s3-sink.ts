// S3SinkConnector (Confluent's io.confluent.connect.s3.S3SinkConnector names): records become JSON
// lines, Avro container files or Parquet files (format.class, s3-formats.ts) in objects
// topics/<topic>/<encoded partition>/<topic>+<kafkaPartition>+<startOffset><extension>.
// A file is uploaded when it holds flush.size records, when a record is rotate.interval.ms (record
// time) after the file's first, or rotate.schedule.interval.ms (wall clock) after it was opened, and
// before a record whose value schema differs from the file's (Confluent's schema.compatibility=NONE).
// preCommit() lets the runtime commit only offsets whose records are in uploaded objects, and the
// name carries the first offset: after a crash the same records are read again and written under the
// same names (with flush.size, rotate.interval.ms and schema changes the same contents), so no record
// is stored twice.
// rotate.schedule.interval.ms depends on the clock: objects cut differently may then overlap.

import type { S3Client } from '@aws-sdk/client-s3'
import { DataException } from '../../converters/converter.ts'
import { ParsedConfig, type Properties } from '../../sdk/config-def.ts'
import {
  ConnectException,
  RetriableException,
  type SinkConnector,
  type SinkTask,
} from '../../sdk/connector.ts'
import type { Schema } from '../../sdk/data.ts'
import type { SinkOffsets, SinkRecord } from '../../sdk/records.ts'
import { connectVersion } from '../version.ts'
import { type ObjectFormat, objectFormat } from './s3-formats.ts'
import { encodePartition, objectKey, type PartitionerSettings } from './s3-partitioner.ts'
import { s3SinkDefinition } from './s3-sink-config.ts'

export class S3SinkConnector implements SinkConnector {
  readonly type = 'sink'
  private properties: Properties = {}
  version(): string {
    return connectVersion
  }
  config() {
    return s3SinkDefinition
  }
  start(properties: Properties): void {
    new ParsedConfig(s3SinkDefinition, properties)
    this.properties = properties
  }
  taskConfigs(maxTasks: number): Properties[] {
    return Array.from({ length: maxTasks }, () => ({ ...this.properties }))
  }
  stop(): void {}
  createTask(): SinkTask {
    return new S3SinkTask()
  }
}

interface OpenFile {
  topic: string
  kafkaPartition: number
  directory: string
  startOffset: number
  firstTimestamp: number | null
  openedAtMs: number
  schema: Schema | null
  values: unknown[]
}

interface Settings {
  bucket: string
  topicsDir: string
  flushSize: number
  rotateIntervalMs: number
  rotateScheduleMs: number
  padWidth: number
  retries: number
  backoffMs: number
  ignoreNulls: boolean
  partitioner: PartitionerSettings
}

export class S3SinkTask implements SinkTask {
  private client: S3Client | null = null
  private putObject: ((key: string, body: Buffer) => Promise<void>) | null = null
  private format: ObjectFormat | null = null
  private settings: Settings | null = null
  private readonly files = new Map<string, OpenFile>()
  /** The last offset put per topic-partition: a batch put again (after a retriable error) is not added twice. */
  private readonly lastPut = new Map<string, number>()

  async start(properties: Properties): Promise<void> {
    const config = new ParsedConfig(s3SinkDefinition, properties)
    this.settings = {
      bucket: config.string('s3.bucket.name'),
      topicsDir: config.string('topics.dir'),
      flushSize: config.number('flush.size'),
      rotateIntervalMs: config.number('rotate.interval.ms'),
      rotateScheduleMs: config.number('rotate.schedule.interval.ms'),
      padWidth: config.number('filename.offset.zero.pad.width'),
      retries: config.number('s3.part.retries'),
      backoffMs: config.number('s3.retry.backoff.ms'),
      ignoreNulls: config.string('behavior.on.null.values') === 'ignore',
      partitioner: {
        partitioner: config.string('partitioner.class'),
        fields: config.list('partition.field.name'),
        pathFormat: config.string('path.format'),
        durationMs: config.number('partition.duration.ms'),
        extractor: config.string('timestamp.extractor'),
        timestampField: config.string('timestamp.field'),
      },
    }
    const format = objectFormat(
      config.string('format.class'),
      config.string('avro.codec'),
      config.string('parquet.codec'),
    )
    this.format = format
    const sdk = await import('@aws-sdk/client-s3')
    const endpoint = config.optionalString('store.url')
    const accessKeyId = config.optionalString('aws.access.key.id')
    const secretAccessKey = config.optionalString('aws.secret.access.key')
    const client = new sdk.S3Client({
      region: config.string('s3.region'),
      ...(endpoint === null ? {} : { endpoint }),
      forcePathStyle: config.boolean('s3.path.style.access.enabled'),
      ...(accessKeyId !== null && secretAccessKey !== null
        ? { credentials: { accessKeyId, secretAccessKey } }
        : {}),
      maxAttempts: 1,
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    })
    this.client = client
    const bucket = this.settings.bucket
    this.putObject = async (key, body) => {
      await client.send(
        new sdk.PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: format.contentType }),
      )
    }
  }

  private get config(): Settings {
    if (this.settings === null) throw new ConnectException('the task is not started')
    return this.settings
  }

  async put(records: SinkRecord[]): Promise<void> {
    const settings = this.config
    for (const record of records) {
      const partitionKey = `${record.topic}/${record.kafkaPartition}`
      if ((this.lastPut.get(partitionKey) ?? -1) >= record.kafkaOffset) continue
      if (record.value === null || record.value === undefined) {
        if (!settings.ignoreNulls)
          throw new ConnectException(
            `Null valued records are not writeable with current behavior.on.null.values 'settings'. (${partitionKey} offset ${record.kafkaOffset})`,
          )
        this.lastPut.set(partitionKey, record.kafkaOffset)
        continue
      }
      try {
        this.format?.check(record.valueSchema)
      } catch (error) {
        throw new DataException(`${(error as Error).message} (${partitionKey} offset ${record.kafkaOffset})`)
      }
      const directory = encodePartition(settings.partitioner, record)
      const fileKey = `${partitionKey}/${directory}`
      let file = this.files.get(fileKey)
      if (
        file !== undefined &&
        ((settings.rotateIntervalMs > 0 &&
          file.firstTimestamp !== null &&
          record.timestamp !== null &&
          record.timestamp - file.firstTimestamp >= settings.rotateIntervalMs) ||
          !sameSchema(file.schema, record.valueSchema))
      ) {
        await this.upload(fileKey, file)
        file = undefined
      }
      if (file === undefined) {
        file = {
          topic: record.topic,
          kafkaPartition: record.kafkaPartition,
          directory,
          startOffset: record.kafkaOffset,
          firstTimestamp: record.timestamp,
          openedAtMs: Date.now(),
          schema: record.valueSchema,
          values: [],
        }
        this.files.set(fileKey, file)
      }
      file.values.push(record.value)
      this.lastPut.set(partitionKey, record.kafkaOffset)
      if (file.values.length >= settings.flushSize) await this.upload(fileKey, file)
    }
    if (settings.rotateScheduleMs > 0) {
      const now = Date.now()
      for (const [fileKey, file] of [...this.files])
        if (now - file.openedAtMs >= settings.rotateScheduleMs) await this.upload(fileKey, file)
    }
  }

  /** Uploads a file (retrying with backoff) and closes it; a RetriableException when S3 keeps failing. */
  private async upload(fileKey: string, file: OpenFile): Promise<void> {
    const settings = this.config
    const format = this.format as ObjectFormat
    const key = objectKey(
      settings.topicsDir,
      file.directory,
      file,
      file.startOffset,
      settings.padWidth,
      format.extension,
    )
    const body = await format.encode(file.schema, file.values, key)
    let delayMs = settings.backoffMs
    for (let attempt = 0; ; attempt++) {
      try {
        await this.putObject?.(key, body)
        this.files.delete(fileKey)
        return
      } catch (error) {
        if (attempt >= settings.retries)
          throw new RetriableException(
            `uploading s3://${settings.bucket}/${key} failed: ${(error as Error).message}`,
          )
        await new Promise((resolve) => setTimeout(resolve, delayMs))
        delayMs *= 2
      }
    }
  }

  /** Offsets up to the first record of each partition's oldest open file: everything before is in S3. */
  preCommit(offsets: SinkOffsets): SinkOffsets {
    const committable: SinkOffsets = new Map()
    for (const [key, entry] of offsets) {
      let next = entry.offset
      for (const file of this.files.values())
        if (file.topic === entry.topic && file.kafkaPartition === entry.partition)
          next = Math.min(next, file.startOffset)
      committable.set(key, { ...entry, offset: next })
    }
    return committable
  }

  async stop(): Promise<void> {
    // Open files are dropped, not uploaded: their records are read again from the committed offsets.
    this.files.clear()
    this.client?.destroy()
    this.client = null
    await this.format?.close()
    this.format = null
  }
}

/** Schemas as their JSON text, computed once per schema object (converters often reuse them). */
const schemaTexts = new WeakMap<Schema, string>()

function schemaText(schema: Schema): string {
  let text = schemaTexts.get(schema)
  if (text === undefined) {
    text = JSON.stringify(schema)
    schemaTexts.set(schema, text)
  }
  return text
}

function sameSchema(a: Schema | null, b: Schema | null): boolean {
  if (a === b) return true
  if (a === null || b === null) return false
  return schemaText(a) === schemaText(b)
}
