// The PostgreSQL CDC task: snapshot (when there is no stored offset), then the replication stream.
//
// Transactions are buffered until their Commit message and handed to the runtime whole and in commit
// order. Each record's offset under the source partition {"server": <topic.prefix>} says where it is:
// `lsn` (the end of its transaction's commit record), `lsn_commit` (the commit record's LSN), `txId`,
// `ts_usec`, and `event_serial` of `events_total` (its place in the transaction). On restart, a
// transaction whose records were all committed is resumed after (START_REPLICATION at `lsn`), one cut
// in the middle is read again from `lsn_commit` and its first `event_serial` records are skipped.
// The server is told an LSN is flushed only once Kafka holds every record before it (commit()), so it
// keeps the WAL a restart needs: nothing committed in PostgreSQL is lost, and nothing is sent twice
// except records after the last offset commit (Kafka Connect's at-least-once).

import type pg from 'pg'
import { ParsedConfig, type Properties } from '../../sdk/config-def.ts'
import { ConnectException, type SourceTask, type SourceTaskContext } from '../../sdk/connector.ts'
import type { StructValue } from '../../sdk/data.ts'
import { type OffsetMap, type SourceRecord, sourceRecord } from '../../sdk/records.ts'
import { cdcDefinition } from './cdc-config.ts'
import { ChangeEventSchemas, type Operation, type SourceInfo } from './change-event.ts'
import {
  connectionOptions,
  connectPostgres,
  type PgConnectionOptions,
  quoteIdentifier,
} from './pg-connection.ts'
import { type PgoutputMessage, postgresEpochMs, type ReplicationFrame } from './pgoutput.ts'
import { ReplicationStream } from './replication-stream.ts'
import { SnapshotReader } from './snapshot-reader.ts'

const pollWaitMs = 500

interface OpenTransaction {
  xid: number
  commitTimeUs: bigint
  changes: Array<{ lsn: bigint; message: PgoutputMessage }>
}

interface Settings {
  connection: PgConnectionOptions
  prefix: string
  slot: string
  publication: string
  autocreate: string
  include: RegExp[]
  snapshotMode: string
  tombstones: boolean
  statusIntervalMs: number
  batchSize: number
  queueMax: number
}

export class PostgresCdcTask implements SourceTask {
  private settings: Settings | null = null
  private stream: ReplicationStream | null = null
  private snapshot: SnapshotReader | null = null
  private snapshotLsn = 0n
  private heldSnapshotRecord: SourceRecord | null = null
  private queue: SourceRecord[] = []
  private readonly relations = new Map<number, ChangeEventSchemas | null>()
  private transaction: OpenTransaction | null = null
  private skip: { commitLsn: bigint; serial: number } | null = null
  private lastEndLsn = 0n
  /** Records were returned by poll() and their offsets are not committed yet. */
  private uncommitted = false
  /** The end LSN of the last returned record's transaction when that record was its last one. */
  private lastReturnedEnd: bigint | null = null
  private wake: (() => void) | null = null

  private get config(): Settings {
    if (this.settings === null) throw new ConnectException('the task is not started')
    return this.settings
  }

  async start(properties: Properties, context: SourceTaskContext): Promise<void> {
    const parsed = new ParsedConfig(cdcDefinition, properties)
    const settings: Settings = {
      connection: connectionOptions(parsed),
      prefix: parsed.string('topic.prefix'),
      slot: parsed.string('slot.name'),
      publication: parsed.string('publication.name'),
      autocreate: parsed.string('publication.autocreate.mode'),
      include: parsed.list('table.include.list').map((pattern) => new RegExp(`^(?:${pattern})$`)),
      snapshotMode: parsed.string('snapshot.mode'),
      tombstones: parsed.boolean('tombstones.on.delete'),
      statusIntervalMs: parsed.number('status.update.interval.ms'),
      batchSize: parsed.number('max.batch.size'),
      queueMax: parsed.number('max.queue.size'),
    }
    this.settings = settings
    const stored = context.offsetStorageReader.offset({ server: settings.prefix })
    const needSnapshot =
      settings.snapshotMode === 'initial' &&
      (stored === null || (stored.snapshot === true && stored.last_snapshot_record !== true))
    const admin = await connectPostgres(settings.connection)
    let tables: Array<{ schema: string; table: string }>
    let slotExists: boolean
    try {
      await this.ensurePublication(admin)
      tables = await this.capturedTables(admin)
      slotExists =
        (await admin.query('SELECT 1 FROM pg_replication_slots WHERE slot_name = $1', [settings.slot]))
          .rowCount === 1
      // A snapshot that did not finish is read again from a new slot (its records may repeat).
      if (needSnapshot && slotExists) {
        await admin.query('SELECT pg_drop_replication_slot($1)', [settings.slot])
        slotExists = false
      }
    } finally {
      await admin.end().catch(() => undefined)
    }
    const stream = new ReplicationStream(
      settings.connection,
      settings.slot,
      settings.publication,
      settings.statusIntervalMs,
    )
    this.stream = stream
    if (!slotExists) {
      if (stored !== null && !needSnapshot)
        throw new ConnectException(
          `replication slot "${settings.slot}" does not exist: the changes after the stored offset are gone; ` +
            'delete the connector offsets (or the connector) to snapshot again',
        )
      const created = await stream.createSlot()
      if (needSnapshot) {
        const reader = new SnapshotReader(settings.connection, settings.batchSize)
        await reader.begin(created.snapshotName, tables)
        this.snapshot = reader
        this.snapshotLsn = created.consistentPoint
        return
      }
      await this.startStreaming(created.consistentPoint)
      return
    }
    await this.startStreaming(this.resumePoint(stored))
  }

  /** Where to restart the stream from the stored offset (0: the slot's confirmed position). */
  private resumePoint(stored: OffsetMap | null): bigint {
    if (stored === null || typeof stored.lsn !== 'number') return 0n
    const serial = stored.event_serial
    const total = stored.events_total
    if (
      typeof serial === 'number' &&
      typeof total === 'number' &&
      typeof stored.lsn_commit === 'number' &&
      serial < total
    ) {
      this.skip = { commitLsn: BigInt(stored.lsn_commit), serial }
      return BigInt(stored.lsn_commit)
    }
    return BigInt(stored.lsn)
  }

  private async startStreaming(lsn: bigint): Promise<void> {
    this.lastEndLsn = lsn
    await this.stream?.start(lsn, (frame) => this.onFrame(frame))
  }

  private async ensurePublication(admin: pg.Client): Promise<void> {
    const { publication, autocreate } = this.config
    const found = await admin.query('SELECT 1 FROM pg_publication WHERE pubname = $1', [publication])
    if (found.rowCount === 1) return
    if (autocreate === 'disabled')
      throw new ConnectException(
        `publication "${publication}" does not exist and publication.autocreate.mode=disabled`,
      )
    if (autocreate === 'all_tables') {
      await admin.query(`CREATE PUBLICATION ${quoteIdentifier(publication)} FOR ALL TABLES`)
      return
    }
    const tables = await admin.query<{ schemaname: string; tablename: string }>(
      "SELECT schemaname, tablename FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1, 2",
    )
    const chosen = tables.rows.filter((row) => this.included(row.schemaname, row.tablename))
    if (chosen.length === 0)
      throw new ConnectException('publication.autocreate.mode=filtered: no table matches table.include.list')
    const list = chosen.map((row) => `${quoteIdentifier(row.schemaname)}.${quoteIdentifier(row.tablename)}`)
    await admin.query(`CREATE PUBLICATION ${quoteIdentifier(publication)} FOR TABLE ${list.join(', ')}`)
  }

  private async capturedTables(admin: pg.Client): Promise<Array<{ schema: string; table: string }>> {
    const result = await admin.query<{ schemaname: string; tablename: string }>(
      'SELECT schemaname, tablename FROM pg_publication_tables WHERE pubname = $1 ORDER BY 1, 2',
      [this.config.publication],
    )
    return result.rows
      .filter((row) => this.included(row.schemaname, row.tablename))
      .map((row) => ({ schema: row.schemaname, table: row.tablename }))
  }

  private included(schema: string, table: string): boolean {
    const { include } = this.config
    return include.length === 0 || include.some((pattern) => pattern.test(`${schema}.${table}`))
  }

  async poll(): Promise<SourceRecord[] | null> {
    if (this.snapshot !== null) return this.pollSnapshot(this.snapshot)
    const stream = this.stream
    if (stream === null) return null
    const failure = stream.error()
    if (failure !== null)
      throw new ConnectException(`PostgreSQL replication stream failed: ${failure.message}`)
    if (this.queue.length === 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, pollWaitMs)
        this.wake = () => {
          clearTimeout(timer)
          resolve()
        }
      })
      this.wake = null
    }
    const records = this.queue.splice(0, this.config.batchSize)
    if (this.queue.length <= this.config.queueMax / 2) stream.setPaused(false)
    if (records.length > 0) {
      this.uncommitted = true
      const last = records[records.length - 1].sourceOffset ?? {}
      this.lastReturnedEnd =
        last.event_serial === last.events_total && typeof last.lsn === 'number' ? BigInt(last.lsn) : null
    }
    return records
  }

  /** The next snapshot rows; the latest record is held back until it is known whether it is the last. */
  private async pollSnapshot(reader: SnapshotReader): Promise<SourceRecord[]> {
    const batch = await reader.next()
    if (batch === null) {
      this.snapshot = null
      const held = this.heldSnapshotRecord
      this.heldSnapshotRecord = null
      await this.startStreaming(this.snapshotLsn)
      if (held === null) return []
      ;((held.value as StructValue).source as StructValue).snapshot = 'last'
      held.sourceOffset = { ...held.sourceOffset, last_snapshot_record: true }
      return [held]
    }
    const { prefix, connection } = this.config
    const schemas = new ChangeEventSchemas(batch.table, prefix)
    const source: SourceInfo = {
      serverName: prefix,
      database: connection.database,
      commitTimeMs: Date.now(),
      snapshot: 'true',
      txId: null,
      lsn: Number(this.snapshotLsn),
      sequence: null,
    }
    const offset = { lsn: Number(this.snapshotLsn), snapshot: true, last_snapshot_record: false }
    const records = batch.rows.map((tuple) => {
      const row = schemas.row(tuple)
      return this.record(schemas, schemas.key(row), schemas.envelope('r', null, row, { ...source }), offset)
    })
    const out = this.heldSnapshotRecord === null ? [] : [this.heldSnapshotRecord]
    this.heldSnapshotRecord = records.pop() ?? null
    return out.concat(records)
  }

  private record(
    schemas: ChangeEventSchemas,
    key: StructValue | null,
    value: StructValue | null,
    offset: OffsetMap,
  ): SourceRecord {
    return sourceRecord({
      topic: schemas.topic,
      keySchema: schemas.keySchema,
      key,
      valueSchema: value === null ? null : schemas.envelopeSchema,
      value,
      sourcePartition: { server: this.config.prefix },
      sourceOffset: offset,
    })
  }

  /** Every record so far is in Kafka and its offset committed: the server may drop WAL up to there. */
  commit(): void {
    this.uncommitted = false
    if (this.lastReturnedEnd !== null) this.stream?.confirm(this.lastReturnedEnd)
  }

  /** When nothing of ours is waiting or uncommitted, the server may drop WAL up to `lsn`. */
  private confirmIfIdle(lsn: bigint): void {
    if (this.transaction === null && this.queue.length === 0 && !this.uncommitted) this.stream?.confirm(lsn)
  }

  private onFrame(frame: ReplicationFrame): void {
    if (frame.tag === 'keepalive') {
      this.confirmIfIdle(frame.walEnd)
      return
    }
    const message = frame.message
    switch (message.tag) {
      case 'relation': {
        const { relation } = message
        this.relations.set(
          relation.id,
          this.included(relation.schema, relation.table)
            ? new ChangeEventSchemas(relation, this.config.prefix)
            : null,
        )
        return
      }
      case 'begin':
        this.transaction = { xid: message.xid, commitTimeUs: message.commitTimeUs, changes: [] }
        return
      case 'insert':
      case 'update':
      case 'delete':
        this.transaction?.changes.push({ lsn: frame.walStart, message })
        return
      case 'commit':
        this.onCommit(message.commitLsn, message.endLsn)
        return
      default:
        return // truncate (Debezium skips it by default), origin, type, logical messages
    }
  }

  private onCommit(commitLsn: bigint, endLsn: bigint): void {
    const transaction = this.transaction
    this.transaction = null
    if (transaction === null) return
    const built: Array<Omit<SourceRecord, 'sourceOffset'>> = []
    for (const change of transaction.changes)
      built.push(...this.changeRecords(transaction, change.lsn, change.message))
    const offsetBase = {
      lsn: Number(endLsn),
      lsn_commit: Number(commitLsn),
      txId: transaction.xid,
      ts_usec: Number(transaction.commitTimeUs) + postgresEpochMs * 1000,
      events_total: built.length,
    }
    let records = built.map((record, index) => ({
      ...record,
      sourceOffset: { ...offsetBase, event_serial: index + 1 },
    }))
    const skip = this.skip
    if (skip !== null && commitLsn >= skip.commitLsn) {
      this.skip = null
      if (commitLsn === skip.commitLsn)
        records = records.filter((record) => Number(record.sourceOffset.event_serial) > skip.serial)
    }
    this.lastEndLsn = endLsn
    if (records.length === 0) {
      this.confirmIfIdle(endLsn)
      return
    }
    this.queue.push(...records)
    if (this.queue.length >= this.config.queueMax) this.stream?.setPaused(true)
    this.wake?.()
  }

  /** A change's records: Debezium's c/u/d, a tombstone after a delete, delete+create when the key changed. */
  private changeRecords(
    transaction: OpenTransaction,
    lsn: bigint,
    message: PgoutputMessage,
  ): Array<Omit<SourceRecord, 'sourceOffset'>> {
    if (message.tag !== 'insert' && message.tag !== 'update' && message.tag !== 'delete') return []
    const schemas = this.relations.get(message.relationId)
    if (schemas === undefined || schemas === null) return []
    const source: SourceInfo = {
      serverName: this.config.prefix,
      database: this.config.connection.database,
      commitTimeMs: Number(transaction.commitTimeUs / 1000n) + postgresEpochMs,
      snapshot: 'false',
      txId: transaction.xid,
      lsn: Number(lsn),
      sequence: JSON.stringify([String(this.lastEndLsn), String(lsn)]),
    }
    const make = (op: Operation, before: StructValue | null, after: StructValue | null) => {
      const key = schemas.key(after ?? before ?? {})
      return this.record(schemas, key, schemas.envelope(op, before, after, source), {})
    }
    const tombstone = (before: StructValue) =>
      this.config.tombstones ? [this.record(schemas, schemas.key(before), null, {})] : []
    if (message.tag === 'insert') return [make('c', null, schemas.row(message.newTuple))]
    if (message.tag === 'update') {
      const after = schemas.row(message.newTuple)
      if (message.keyTuple !== null) {
        // The primary key changed: a delete of the old key (and its tombstone), then a create.
        const before = schemas.row(message.keyTuple)
        return [make('d', before, null), ...tombstone(before), make('c', null, after)]
      }
      return [make('u', message.oldTuple === null ? null : schemas.row(message.oldTuple), after)]
    }
    const before = schemas.row(message.oldTuple ?? message.keyTuple ?? [])
    return [make('d', before, null), ...tombstone(before)]
  }

  async stop(): Promise<void> {
    this.wake?.()
    await this.snapshot?.close()
    this.snapshot = null
    await this.stream?.stop()
    this.stream = null
  }
}
