// FileStreamSinkConnector (Kafka's demo connector): appends each record's value as a line to a file;
// flush() makes the lines durable (fsync) before their offsets are committed, so after a crash the
// file holds at least every committed record (records after the last commit may appear twice: Kafka's
// at-least-once delivery for this connector). Options: file (required here), topics / topics.regex.
// As Kafka's task writes through a buffered stream, put() does not wait for its lines to reach the
// file: one write is in flight while the worker fetches and converts the next batch; the next put(),
// flush() and stop() wait for it, and a failed write fails the call that finds it.

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

export class FileStreamSinkTask implements SinkTask {
  private handle: FileHandle | null = null
  /** The write in flight (it never rejects: a failure lands in `writeFailure`). */
  private writing: Promise<void> = Promise.resolve()
  private writeFailure: { error: unknown } | null = null

  async start(properties: Properties): Promise<void> {
    const file = new ParsedConfig(definition, properties).optionalString('file')
    if (file === null)
      throw new ConnectException(
        'Streamline runs in a server process: set "file" (writing to standard output is not supported)',
      )
    this.handle = await open(file, 'a')
  }

  async put(records: SinkRecord[]): Promise<void> {
    const handle = this.handle
    if (handle === null || records.length === 0) return
    // One string for the batch, joined once (no string per line with its newline).
    const lines = new Array<string>(records.length)
    for (let index = 0; index < records.length; index++) lines[index] = lineOf(records[index].value)
    const text = `${lines.join('\n')}\n`
    await this.written()
    this.writing = handle.write(text).then(
      () => undefined,
      (error: unknown) => {
        this.writeFailure ??= { error }
      },
    )
  }

  async flush(): Promise<void> {
    await this.written()
    await this.handle?.datasync()
  }

  async stop(): Promise<void> {
    const handle = this.handle
    this.handle = null
    await this.writing
    await handle?.close()
  }

  /** Waits for the write in flight; throws what it failed with. */
  private async written(): Promise<void> {
    await this.writing
    if (this.writeFailure !== null) throw this.writeFailure.error
  }
}

function lineOf(value: unknown): string {
  if (value === null || value === undefined) return 'null'
  if (typeof value === 'string') return value
  if (Buffer.isBuffer(value)) return value.toString('utf8')
  return typeof value === 'object' ? JSON.stringify(value) : String(value)
}
