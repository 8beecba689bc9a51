// FileStreamSinkConnector (Kafka's demo connector): appends each record's value as a line to a file;
// flush() makes the lines durable (fsync) before their offsets are committed, so after a crash the
// file holds at least every committed record (records after the last commit may appear twice: Kafka's
// at-least-once delivery for this connector). Options: file (required here), topics / topics.regex.
// As Kafka's task writes through a buffered stream, put() does not wait for its lines to reach the
// file: one write is in flight, and the lines put meanwhile are kept as bytes and go out together as
// the next write. put() waits only when more than bufferedBytesMax are waiting (then its records stay
// alive for that wait: records held across a write outlived the young generation's scavenges and
// were promoted, the file flow's CPU per record then doubled). flush() and stop() wait for every
// write; a failed write fails the call that finds it.

import { type FileHandle, open } from 'node:fs/promises'
import { type ConfigDef, ParsedConfig, type Properties } from '../sdk/config-def.ts'
import { ConnectException, type SinkConnector, type SinkTask } from '../sdk/connector.ts'
import type { SinkRecord } from '../sdk/records.ts'
import { connectVersion } from './version.ts'

const definition: ConfigDef = [
  {
    name: 'file',
    type: 'STRING',
    defaultValue: null,
    importance: 'HIGH',
    documentation: 'Destination filename. If not specified, the standard output will be used',
  },
]

export class FileStreamSinkConnector implements SinkConnector {
  readonly type = 'sink'
  private properties: Properties = {}
  version(): string {
    return connectVersion
  }
  config(): ConfigDef {
    return definition
  }
  start(properties: Properties): void {
    this.properties = properties
  }
  taskConfigs(maxTasks: number): Properties[] {
    return Array.from({ length: maxTasks }, () => ({ ...this.properties }))
  }
  stop(): void {}
  createTask(): SinkTask {
    return new FileStreamSinkTask()
  }
}

/** Bytes put and not yet handed to a write beyond which put() waits (Kafka's buffered stream). */
const bufferedBytesMax = 4 * 1024 * 1024

export class FileStreamSinkTask implements SinkTask {
  private handle: FileHandle | null = null
  /** The write in flight, null when none (it never rejects: a failure lands in `writeFailure`). */
  private writing: Promise<void> | null = null
  /** Lines put while a write was in flight, as bytes: the next write. */
  private buffered: Buffer[] = []
  private bufferedBytes = 0
  private writeFailure: { error: unknown } | null = null

  async start(properties: Properties): Promise<void> {
    const file = new ParsedConfig(definition, properties).optionalString('file')
    if (file === null)
      throw new ConnectException(
        'Streamline runs in a server process: set "file" (writing to standard output is not supported)',
      )
    this.handle = await open(file, 'a')
  }

  put(records: SinkRecord[]): Promise<void> | undefined {
    if (this.writeFailure !== null) throw this.writeFailure.error
    if (this.handle === null || records.length === 0) return undefined
    // One string for the batch, joined once (no string per line with its newline).
    const lines = new Array<string>(records.length)
    for (let index = 0; index < records.length; index++) lines[index] = lineOf(records[index].value)
    const bytes = Buffer.from(`${lines.join('\n')}\n`)
    this.buffered.push(bytes)
    this.bufferedBytes += bytes.length
    this.startWrite()
    return this.bufferedBytes > bufferedBytesMax ? this.written() : undefined
  }

  async flush(): Promise<void> {
    await this.allWritten()
    await this.handle?.datasync()
  }

  async stop(): Promise<void> {
    await this.allWritten().catch(() => undefined)
    const handle = this.handle
    this.handle = null
    await handle?.close()
  }

  /** Hands what is buffered to a write, unless one is in flight (its completion starts the next). */
  private startWrite(): void {
    const handle = this.handle
    if (this.writing !== null || this.bufferedBytes === 0 || handle === null) return
    const bytes = this.buffered.length === 1 ? this.buffered[0] : Buffer.concat(this.buffered)
    this.buffered = []
    this.bufferedBytes = 0
    this.writing = handle.write(bytes).then(
      () => {
        this.writing = null
        this.startWrite()
      },
      (error: unknown) => {
        this.writing = null
        this.writeFailure ??= { error }
      },
    )
  }

  /** Waits for the write in flight; throws what it failed with. */
  private async written(): Promise<void> {
    if (this.writing !== null) await this.writing
    if (this.writeFailure !== null) throw this.writeFailure.error
  }

  /** Waits until everything put is written; throws what a write failed with. */
  private async allWritten(): Promise<void> {
    while (this.writing !== null) await this.writing
    if (this.writeFailure !== null) throw this.writeFailure.error
  }
}

function lineOf(value: unknown): string {
  if (value === null || value === undefined) return 'null'
  if (typeof value === 'string') return value
  if (Buffer.isBuffer(value)) return value.toString('utf8')
  return typeof value === 'object' ? JSON.stringify(value) : String(value)
}
