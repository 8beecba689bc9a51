// Debezium's change event for a PostgreSQL row: key = the primary key's columns, value = the envelope
// {before, after, source, op, ts_ms, transaction} with Debezium's schema names, so consumers written
// for Debezium read these records unchanged. Topic: <topic.prefix>.<schema>.<table>.

import type { Field, Schema, StructValue } from '../../sdk/data.ts'
import { connectVersion } from '../version.ts'
import { columnSchema, columnValue, unavailableValue } from './column-types.ts'
import type { RelationColumn, TupleValue } from './pgoutput.ts'

export interface TableShape {
  schema: string
  table: string
  columns: RelationColumn[]
}

export type Operation = 'r' | 'c' | 'u' | 'd'

/** Where the change comes from: Debezium's io.debezium.connector.postgresql.Source block. */
export interface SourceInfo {
  serverName: string
  database: string
  commitTimeMs: number
  snapshot: 'true' | 'last' | 'false'
  txId: number | null
  lsn: number | null
  /** Debezium's sequence: ["<last commit lsn>", "<lsn>"]. */
  sequence: string | null
}

const sourceSchema: Schema = {
  type: 'struct',
  optional: false,
  name: 'io.debezium.connector.postgresql.Source',
  fields: [
    { field: 'version', type: 'string', optional: false },
    { field: 'connector', type: 'string', optional: false },
    { field: 'name', type: 'string', optional: false },
    { field: 'ts_ms', type: 'int64', optional: false },
    {
      field: 'snapshot',
      type: 'string',
      optional: true,
      name: 'io.debezium.data.Enum',
      version: 1,
      parameters: { allowed: 'true,last,false,incremental' },
      default: 'false',
    },
    { field: 'db', type: 'string', optional: false },
    { field: 'sequence', type: 'string', optional: true },
    { field: 'schema', type: 'string', optional: false },
    { field: 'table', type: 'string', optional: false },
    { field: 'txId', type: 'int64', optional: true },
    { field: 'lsn', type: 'int64', optional: true },
    { field: 'xmin', type: 'int64', optional: true },
  ],
}

const transactionSchema: Schema = {
  type: 'struct',
  optional: true,
  name: 'event.block',
  version: 1,
  fields: [
    { field: 'id', type: 'string', optional: false },
    { field: 'total_order', type: 'int64', optional: false },
    { field: 'data_collection_order', type: 'int64', optional: false },
  ],
}

/** The schemas of one table's events, built once per table shape. */
export class ChangeEventSchemas {
  readonly topic: string
  readonly keySchema: Schema | null
  readonly rowSchema: Schema
  readonly envelopeSchema: Schema
  private readonly keyColumns: number[]

  constructor(
    readonly shape: TableShape,
    topicPrefix: string,
  ) {
    const base = `${topicPrefix}.${shape.schema}.${shape.table}`
    this.topic = base
    this.keyColumns = shape.columns.flatMap((column, index) => (column.key ? [index] : []))
    const field = (column: RelationColumn, optional: boolean): Field => ({
      field: column.name,
      ...columnSchema(column.typeOid, optional),
    })
    this.keySchema =
      this.keyColumns.length === 0
        ? null
        : {
            type: 'struct',
            optional: false,
            name: `${base}.Key`,
            fields: this.keyColumns.map((index) => field(shape.columns[index], false)),
          }
    const rowFields = shape.columns.map((column) => field(column, !column.key))
    this.rowSchema = { type: 'struct', optional: true, name: `${base}.Value`, fields: rowFields }
    this.envelopeSchema = {
      type: 'struct',
      optional: false,
      name: `${base}.Envelope`,
      version: 1,
      fields: [
        { field: 'before', ...this.rowSchema },
        { field: 'after', ...this.rowSchema },
        { field: 'source', ...sourceSchema },
        { field: 'op', type: 'string', optional: false },
        { field: 'ts_ms', type: 'int64', optional: true },
        { field: 'transaction', ...transactionSchema },
      ],
    }
  }

  /** The row as a struct; columns missing from a key-only tuple are null. */
  row(tuple: TupleValue[]): StructValue {
    const row: StructValue = {}
    this.shape.columns.forEach((column, index) => {
      const value = tuple[index]
      if (value === undefined || value === null) row[column.name] = null
      else if (typeof value === 'object')
        row[column.name] = columnSchema(column.typeOid, true).type === 'string' ? unavailableValue : null
      else row[column.name] = columnValue(column.typeOid, value)
    })
    return row
  }

  key(row: StructValue): StructValue | null {
    if (this.keySchema === null) return null
    const key: StructValue = {}
    for (const index of this.keyColumns)
      key[this.shape.columns[index].name] = row[this.shape.columns[index].name]
    return key
  }

  envelope(
    op: Operation,
    before: StructValue | null,
    after: StructValue | null,
    source: SourceInfo,
  ): StructValue {
    return {
      before,
      after,
      source: {
        version: connectVersion,
        connector: 'postgresql',
        name: source.serverName,
        ts_ms: source.commitTimeMs,
        snapshot: source.snapshot,
        db: source.database,
        sequence: source.sequence,
        schema: this.shape.schema,
        table: this.shape.table,
        txId: source.txId,
        lsn: source.lsn,
        xmin: null,
      },
      op,
      ts_ms: Date.now(),
      transaction: null,
    }
  }
}
