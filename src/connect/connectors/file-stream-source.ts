// FileStreamSourceConnector (Kafka's demo connector, org.apache.kafka.connect.file): each line of a
// file becomes a record with a string value. Source partition {"filename": <file>}, offset
// {"position": <byte position after the line>}, so a restart continues after the last committed line.
// Options: file (required here: a server process has no standard input to read), topic, batch.size.

import { type FileHandle, open } from 'node:fs/promises'
import { atLeast, type ConfigDef, ParsedConfig, type Properties } from '../sdk/config-def.ts'
import {
  ConnectException,
  type ExactlyOnceSupport,
  type SourceConnector,
  type SourceTask,
  type SourceTaskContext,
} from '../sdk/connector.ts'
import type { Schema } from '../sdk/data.ts'
import type { OffsetMap, SourceRecord } from '../sdk/records.ts'
import { connectVersion } from './version.ts'

const definition: ConfigDef = [
  {
    name: 'file',
    type: 'STRING',
    defaultValue: null,
    importance: 'HIGH',
    documentation: 'Source filename. If not specified, the standard input will be used',
  },
  {
    name: 'topic',
    type: 'LIST',
    importance: 'HIGH',
    documentation: 'The topic to publish data to',
    validate: (value) =>
      Array.isArray(value) && value.length === 1
        ? null
        : "'topic' in FileStreamSourceConnector configuration requires definition of a single topic",
  },
  {
    name: 'batch.size',
    type: 'INT',
    defaultValue: 2000,
    importance: 'LOW',
    documentation:
      'The maximum number of records the source task can read from the file each time it is polled',
    validate: atLeast(1),
  },
]

const readChunkBytes = 256 * 1024
const idleWaitMs = 200
const stringSchema: Schema = { type: 'string', optional: false }

interface ReadChunk {
  chunk: Buffer
  bytesRead: number
}

/** Up to readChunkBytes of the file from `position`. */
async function readChunk(handle: FileHandle, position: number): Promise<ReadChunk> {
  const chunk = Buffer.allocUnsafe(readChunkBytes)
  const { bytesRead } = await handle.read(chunk, 0, readChunkBytes, position)
  return { chunk, bytesRead }
}

export class FileStreamSourceConnector implements SourceConnector {
  readonly type = 'source'
  private properties: Properties = {}
  version(): string {
    return connectVersion
  }
  config(): ConfigDef {
    return definition
  }
  start(properties: Properties): void {
    new ParsedConfig(definition, properties)
    this.properties = properties
  }
  taskConfigs(): Properties[] {
    // Only one task: a file is read by one reader.
    return [{ ...this.properties }]
  }
  stop(): void {}
  createTask(): SourceTask {
    return new FileStreamSourceTask()
  }
  /** As Kafka's: a real file read from stored byte positions can be resumed exactly (if only appended to). */
  exactlyOnceSupport(config: Properties): ExactlyOnceSupport {
    return (config.file ?? '').trim() !== '' ? 'SUPPORTED' : 'UNSUPPORTED'
  }
}

export class FileStreamSourceTask implements SourceTask {
  private file = ''
  private topic = ''
  private batchSize = 2000
  /** The source partition, one object for every record (the worker keys offsets by it). */
  private partition: OffsetMap = {}
  /** Bytes of the file read so far (the file position of the end of `pending`). */
  private position = 0
  /** Bytes read and not yet made into records start at `pendingStart`. */
  private pending: Buffer = Buffer.alloc(0)
  private pendingStart = 0
  /** Kept open between polls, as Kafka's reader keeps its stream (opened once the file exists). */
  private handle: FileHandle | null = null
  /**
   * The chunk after `position`, read while the current one is made into records: a file read waits
   * in libuv's pool behind the broker's own writes and fsyncs (each wait showed as the worker idle).
   */
  private ahead: { position: number; read: Promise<ReadChunk> } | null = null
  private stopped = false

  start(properties: Properties, context: SourceTaskContext): void {
    const config = new ParsedConfig(definition, properties)
    const file = config.optionalString('file')
    if (file === null)
      throw new ConnectException(
        'Streamline runs in a server process: set "file" (reading standard input is not supported)',
      )
    this.file = file
    this.topic = config.list('topic')[0]
    this.batchSize = config.number('batch.size')
    this.partition = { filename: this.file }
    const stored = context.offsetStorageReader.offset({ filename: this.file })
    if (stored !== null) {
      const position = stored.position
      if (typeof position !== 'number') throw new ConnectException('Offset position is the incorrect type')
      this.position = position
    }
  }

  async poll(): Promise<SourceRecord[] | null> {
    const records: SourceRecord[] = []
    while (records.length < this.batchSize && !this.stopped) {
      const newline = this.pending.indexOf(10, this.pendingStart)
      if (newline !== -1) {
        records.push(this.lineRecord(newline))
        continue
      }
      // What is read goes out now, as Kafka's task returns the lines its reader has: records held
      // across a wait for the file (libuv's pool, behind the broker's writes and fsyncs) outlived
      // the young generation's scavenges and were promoted. The next chunk is being read ahead.
      if (records.length > 0) break
      const chunk = await this.readMore()
      if (chunk === 0) break
    }
    if (records.length === 0) await new Promise((resolve) => setTimeout(resolve, idleWaitMs))
    return records
  }

  /** The line that ends at `newline` in the pending bytes (a trailing \r dropped, as Kafka's reader). */
  private lineRecord(newline: number): SourceRecord {
    const end = newline > this.pendingStart && this.pending[newline - 1] === 13 ? newline - 1 : newline
    const line = this.pending.toString('utf8', this.pendingStart, end)
    this.pendingStart = newline + 1
    // The record literal itself (what sourceRecord() builds, without its argument object per line).
    return {
      topic: this.topic,
      kafkaPartition: null,
      keySchema: null,
      key: null,
      valueSchema: stringSchema,
      value: line,
      timestamp: null,
      headers: [],
      sourcePartition: this.partition,
      sourceOffset: { position: this.position - (this.pending.length - this.pendingStart) },
    }
  }

  /** Reads the next bytes after what is pending; 0 at the end of the file (or if it is missing). */
  private async readMore(): Promise<number> {
    if (this.handle === null) {
      try {
        this.handle = await open(this.file, 'r')
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 0 // not there yet: Kafka waits too
        throw error
      }
    }
    const ahead = this.ahead
    this.ahead = null
    let read = ahead !== null && ahead.position === this.position ? await ahead.read : null
    // Nothing was there when it was read ahead: the file may have grown since.
    if (read === null || read.bytesRead === 0) read = await readChunk(this.handle, this.position)
    const { chunk, bytesRead } = read
    if (bytesRead === 0) return 0
    this.position += bytesRead
    const rest = this.pending.subarray(this.pendingStart)
    const fresh = chunk.subarray(0, bytesRead)
    // The unfinished line goes first (no copy when none is left over: lines usually end a chunk's read).
    this.pending = rest.length === 0 ? fresh : Buffer.concat([rest, fresh])
    this.pendingStart = 0
    // A short read is the end of the file for now: read ahead only after a full chunk.
    if (bytesRead === readChunkBytes) {
      const next = readChunk(this.handle, this.position)
      next.catch(() => undefined) // a failure is thrown by the readMore() that awaits it
      this.ahead = { position: this.position, read: next }
    }
    return bytesRead
  }

  async stop(): Promise<void> {
    this.stopped = true
    const handle = this.handle
    this.handle = null
    const ahead = this.ahead
    this.ahead = null
    await ahead?.read.catch(() => undefined) // the handle is closed after its last read
    await handle?.close()
  }
}
