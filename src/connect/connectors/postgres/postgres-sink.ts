// PostgreSQL sink (Confluent's JDBC sink names: io.confluent.connect.jdbc.JdbcSinkConnector, for
// PostgreSQL): each put() is one transaction of INSERTs, upserts (INSERT … ON CONFLICT DO UPDATE) or
// UPDATEs by primary key, and DELETEs for tombstones; tables are created and evolved from the record
// schema when asked. put() commits before returning, so the offsets the runtime commits afterwards are
// always covered; with upserts, records read again after a crash leave exactly the same rows.

import type pg from 'pg'
import { ParsedConfig, type Properties } from '../../sdk/config-def.ts'
import {
  ConnectException,
  RetriableException,
  type SinkConnector,
  type SinkTask,
} from '../../sdk/connector.ts'
import { isStruct, type Schema } from '../../sdk/data.ts'
import type { SinkRecord } from '../../sdk/records.ts'
import { connectVersion } from '../version.ts'
import { connectPostgres, type PgConnectionOptions } from './pg-connection.ts'
import { sinkDefinition, topicPlaceholder } from './postgres-sink-config.ts'
import {
  addColumnSql,
  type Column,
  columnParameter,
  createTableSql,
  deleteSql,
  writeSql,
} from './sink-sql.ts'

export class PostgresSinkConnector implements SinkConnector {
  readonly type = 'sink'
  private properties: Properties = {}
  version(): string {
    return connectVersion
  }
  config() {
    return sinkDefinition
  }
  start(properties: Properties): void {
    new ParsedConfig(sinkDefinition, properties)
    this.properties = properties
  }
  taskConfigs(maxTasks: number): Properties[] {
    return Array.from({ length: maxTasks }, () => ({ ...this.properties }))
  }
  stop(): void {}
  createTask(): SinkTask {
    return new PostgresSinkTask()
  }
}

/** jdbc:postgresql://host[:port]/database */
export function parseJdbcUrl(url: string): { host: string; port: number; database: string } {
  const match = /^jdbc:postgresql:\/\/([^/:]+)(?::(\d+))?\/([^?]+)/.exec(url)
  if (match === null) throw new ConnectException(`not a PostgreSQL JDBC URL: ${url}`)
  return { host: match[1], port: match[2] === undefined ? 5432 : Number(match[2]), database: match[3] }
}

interface Row {
  table: string
  columns: Column[]
  values: unknown[]
  keys: string[]
  tombstone: boolean
}

export class PostgresSinkTask implements SinkTask {
  private client: pg.Client | null = null
  private connection: PgConnectionOptions | null = null
  private config: ParsedConfig | null = null
  /** Columns known per table (after creating or evolving it). */
  private readonly tables = new Map<string, Set<string>>()

  async start(properties: Properties): Promise<void> {
    const config = new ParsedConfig(sinkDefinition, properties)
    this.config = config
    const where = parseJdbcUrl(config.string('connection.url'))
    this.connection = {
      host: where.host,
      port: where.port,
      database: where.database,
      user: config.optionalString('connection.user') ?? 'postgres',
      password: config.optionalString('connection.password'),
    }
  }

  private async connected(): Promise<pg.Client> {
    if (this.client === null) {
      if (this.connection === null) throw new ConnectException('the task is not started')
      try {
        this.client = await connectPostgres(this.connection)
      } catch (error) {
        throw new RetriableException(`connecting to PostgreSQL failed: ${(error as Error).message}`)
      }
    }
    return this.client
  }

  async put(records: SinkRecord[]): Promise<void> {
    if (records.length === 0) return
    const config = this.config
    if (config === null) throw new ConnectException('the task is not started')
    const rows = records.map((record) => this.row(config, record))
    const client = await this.connected()
    const batchSize = config.number('batch.size')
    for (let start = 0; start < rows.length; start += batchSize) {
      try {
        await client.query('BEGIN')
        for (const row of rows.slice(start, start + batchSize)) {
          if (row.tombstone) await client.query(deleteSql(row.table, row.keys), row.values)
          else {
            await this.ensureTable(client, config, row)
            await client.query(
              writeSql(config.string('insert.mode'), row.table, row.columns, row.keys),
              row.values,
            )
          }
        }
        await client.query('COMMIT')
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined)
        this.tables.clear() // a rolled-back CREATE/ALTER: look at the table again
        if ((error as { code?: string }).code === undefined) {
          // no SQLSTATE: the connection failed; a new one on the next try
          await client.end().catch(() => undefined)
          this.client = null
          throw new RetriableException(`writing to PostgreSQL failed: ${(error as Error).message}`)
        }
        throw new ConnectException(`writing to PostgreSQL failed: ${(error as Error).message}`)
      }
    }
  }

  private row(config: ParsedConfig, record: SinkRecord): Row {
    const table = config.string('table.name.format').replaceAll(topicPlaceholder, record.topic)
    const mode = config.string('pk.mode')
    const pkFields = config.list('pk.fields')
    const columns: Column[] = []
    const values: unknown[] = []
    const add = (name: string, schema: Schema, value: unknown): void => {
      if (columns.some((column) => column.name === name)) return
      columns.push({ name, schema })
      values.push(columnParameter(schema, value))
    }
    if (mode === 'kafka') {
      add('__connect_topic', { type: 'string', optional: false }, record.topic)
      add('__connect_partition', { type: 'int32', optional: false }, record.kafkaPartition)
      add('__connect_offset', { type: 'int64', optional: false }, record.kafkaOffset)
    } else if (mode === 'record_key') {
      const keySchema = record.keySchema
      if (keySchema === null) throw new ConnectException('pk.mode=record_key needs a key with a schema')
      if (keySchema.type === 'struct') {
        const key = isStruct(record.key) ? record.key : {}
        for (const field of keySchema.fields ?? [])
          if (pkFields.length === 0 || pkFields.includes(field.field))
            add(field.field, field, key[field.field])
      } else {
        if (pkFields.length !== 1)
          throw new ConnectException('pk.mode=record_key with a primitive key needs one pk.fields name')
        add(pkFields[0], keySchema, record.key)
      }
    }
    const keys = mode === 'record_value' ? pkFields : columns.map((column) => column.name)
    if (record.value === null || record.value === undefined) {
      if (!config.boolean('delete.enabled') || mode !== 'record_key')
        throw new ConnectException(
          `a tombstone at ${record.topic}-${record.kafkaPartition}@${record.kafkaOffset} needs delete.enabled=true and pk.mode=record_key`,
        )
      return { table, columns, values, keys, tombstone: true }
    }
    const schema = record.valueSchema
    if (schema === null || schema.type !== 'struct' || !isStruct(record.value))
      throw new ConnectException(
        'the PostgreSQL sink needs struct values with a schema (e.g. JsonConverter with schemas.enable=true)',
      )
    for (const field of schema.fields ?? []) add(field.field, field, record.value[field.field])
    return { table, columns, values, keys, tombstone: false }
  }

  /** Creates the table (auto.create) or adds missing columns (auto.evolve), else refuses. */
  private async ensureTable(client: pg.Client, config: ParsedConfig, row: Row): Promise<void> {
    let known = this.tables.get(row.table)
    if (known === undefined) {
      const found = await client.query<{ column_name: string }>(
        'SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1',
        [row.table],
      )
      known = new Set(found.rows.map((entry) => entry.column_name))
      if (known.size === 0) {
        if (!config.boolean('auto.create'))
          throw new ConnectException(`Table "${row.table}" is missing and auto-creation is disabled`)
        await client.query(createTableSql(row.table, row.columns, row.keys))
        known = new Set(row.columns.map((column) => column.name))
      }
      this.tables.set(row.table, known)
    }
    for (const column of row.columns) {
      if (known.has(column.name)) continue
      if (!config.boolean('auto.evolve'))
        throw new ConnectException(
          `Table "${row.table}" has no column "${column.name}" and auto.evolve is disabled`,
        )
      await client.query(addColumnSql(row.table, column))
      known.add(column.name)
    }
  }

  async stop(): Promise<void> {
    await this.client?.end().catch(() => undefined)
    this.client = null
  }
}
