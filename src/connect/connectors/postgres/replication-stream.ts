// A logical replication connection (`replication=database`): creates the slot (exporting a snapshot
// for the initial read), streams `START_REPLICATION SLOT … LOGICAL <lsn> (proto_version '1',
// publication_names '…')`, and sends Standby Status Updates: on the server's keepalive request and
// every `status.update.interval.ms`, always with the LSN whose changes are committed in Kafka (the
// task's `confirm`). The server keeps WAL from that LSN, so a restart loses nothing.

import type pg from 'pg'
import { connectPostgres, type PgConnectionOptions, quoteIdentifier, quoteLiteral } from './pg-connection.ts'
import {
  decodeReplicationFrame,
  lsnText,
  parseLsn,
  type ReplicationFrame,
  standbyStatusUpdate,
} from './pgoutput.ts'

/** The parts of pg's (untyped) protocol connection the replication stream uses. */
interface CopyConnection {
  on(event: 'copyData', listener: (message: { chunk: Buffer }) => void): void
  sendCopyFromChunk(chunk: Buffer): void
  stream: { pause(): void; resume(): void }
}

export interface CreatedSlot {
  consistentPoint: bigint
  snapshotName: string
}

export class ReplicationStream {
  private client: pg.Client | null = null
  private confirmedLsn = 0n
  private timer: NodeJS.Timeout | null = null
  private failure: Error | null = null
  private paused = false

  constructor(
    private readonly connection: PgConnectionOptions,
    private readonly slot: string,
    private readonly publication: string,
    private readonly statusIntervalMs: number,
  ) {}

  private async open(): Promise<pg.Client> {
    if (this.client === null) this.client = await connectPostgres(this.connection, true)
    return this.client
  }

  /** CREATE_REPLICATION_SLOT with an exported snapshot; valid until this connection's next command. */
  async createSlot(): Promise<CreatedSlot> {
    const client = await this.open()
    const result = await client.query<{ consistent_point: string; snapshot_name: string }>(
      `CREATE_REPLICATION_SLOT ${quoteIdentifier(this.slot)} LOGICAL pgoutput EXPORT_SNAPSHOT`,
    )
    const row = result.rows[0]
    return { consistentPoint: parseLsn(row.consistent_point), snapshotName: row.snapshot_name }
  }

  /** Streams from `startLsn`; `onFrame` sees every frame in order. Errors end up in `error()`. */
  async start(startLsn: bigint, onFrame: (frame: ReplicationFrame) => void): Promise<void> {
    const client = await this.open()
    this.confirmedLsn = startLsn
    const copy = (client as unknown as { connection: CopyConnection }).connection
    copy.on('copyData', ({ chunk }) => {
      if (this.failure !== null) return
      try {
        const frame = decodeReplicationFrame(chunk)
        onFrame(frame)
        if (frame.tag === 'keepalive' && frame.replyRequested) this.sendStatus()
      } catch (error) {
        this.fail(error as Error)
      }
    })
    const sql =
      `START_REPLICATION SLOT ${quoteIdentifier(this.slot)} LOGICAL ${lsnText(startLsn)} ` +
      `(proto_version '1', publication_names ${quoteLiteral(quoteIdentifier(this.publication))})`
    // The query lasts as long as the stream: it settles only when the stream ends or fails.
    client.query(sql).then(
      () => this.fail(new Error('the replication stream ended')),
      (error: Error) => this.fail(error),
    )
    this.timer = setInterval(() => this.sendStatus(), this.statusIntervalMs)
    this.timer.unref()
  }

  /** Changes up to `lsn` are durable in Kafka: the server may drop WAL before it. */
  confirm(lsn: bigint): void {
    if (lsn > this.confirmedLsn) this.confirmedLsn = lsn
  }

  get confirmed(): bigint {
    return this.confirmedLsn
  }

  /** Stops reading the socket (back-pressure while the task has many records waiting). */
  setPaused(paused: boolean): void {
    if (this.client === null || paused === this.paused) return
    this.paused = paused
    const copy = (this.client as unknown as { connection: CopyConnection }).connection
    if (paused) copy.stream.pause()
    else copy.stream.resume()
  }

  /** The error that ended the stream, if any. */
  error(): Error | null {
    return this.failure
  }

  private fail(error: Error): void {
    if (this.failure === null) this.failure = error
  }

  private sendStatus(): void {
    if (this.client === null || this.failure !== null) return
    const copy = (this.client as unknown as { connection: CopyConnection }).connection
    copy.sendCopyFromChunk(standbyStatusUpdate(this.confirmedLsn, Date.now()))
  }

  async stop(): Promise<void> {
    if (this.timer !== null) clearInterval(this.timer)
    this.timer = null
    const client = this.client
    this.client = null
    if (client === null) return
    this.fail(new Error('stopped'))
    try {
      const copy = (client as unknown as { connection: CopyConnection }).connection
      copy.sendCopyFromChunk(standbyStatusUpdate(this.confirmedLsn, Date.now()))
    } catch {
      // the connection is already gone: nothing to confirm
    }
    await client.end().catch(() => undefined)
  }
}
