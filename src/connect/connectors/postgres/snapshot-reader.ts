// The initial snapshot: every captured table read in one REPEATABLE READ transaction that imports the
// snapshot exported by CREATE_REPLICATION_SLOT, so the snapshot and the stream that starts at the
// slot's consistent point together hold every row exactly once. Rows are read through a cursor, a
// batch at a time (a large table is never held in memory).

import type pg from 'pg'
import { connectPostgres, type PgConnectionOptions, quoteIdentifier, quoteLiteral } from './pg-connection.ts'
import type { RelationColumn, TupleValue } from './pgoutput.ts'

export interface CapturedTable {
  schema: string
  table: string
  columns: RelationColumn[]
}

const columnsSql = `
SELECT a.attname AS name, a.atttypid::int AS type_oid,
       EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = a.attrelid AND i.indisprimary AND a.attnum = ANY (i.indkey)) AS key
FROM pg_attribute a
WHERE a.attrelid = $1::regclass AND a.attnum > 0 AND NOT a.attisdropped
ORDER BY a.attnum`

export async function tableColumns(
  client: pg.Client,
  schema: string,
  table: string,
): Promise<RelationColumn[]> {
  const result = await client.query<{ name: string; type_oid: string; key: string }>(columnsSql, [
    `${quoteIdentifier(schema)}.${quoteIdentifier(table)}`,
  ])
  return result.rows.map((row) => ({ name: row.name, typeOid: Number(row.type_oid), key: row.key === 't' }))
}

export class SnapshotReader {
  private client: pg.Client | null = null
  private tables: CapturedTable[] = []
  private current = -1
  private cursorOpen = false

  constructor(
    private readonly connection: PgConnectionOptions,
    private readonly batchSize: number,
  ) {}

  /** Opens the snapshot transaction on the exported snapshot and lists the tables to read. */
  async begin(snapshotName: string, tables: Array<{ schema: string; table: string }>): Promise<void> {
    const client = await connectPostgres(this.connection)
    this.client = client
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY')
    await client.query(`SET TRANSACTION SNAPSHOT ${quoteLiteral(snapshotName)}`)
    for (const { schema, table } of tables)
      this.tables.push({ schema, table, columns: await tableColumns(client, schema, table) })
  }

  /** The next rows (with their table), or null when every table has been read. */
  async next(): Promise<{ table: CapturedTable; rows: TupleValue[][] } | null> {
    const client = this.client
    if (client === null) return null
    for (;;) {
      if (!this.cursorOpen) {
        this.current++
        if (this.current >= this.tables.length) {
          await this.finish()
          return null
        }
        const { schema, table } = this.tables[this.current]
        await client.query(
          `DECLARE snapshot_rows NO SCROLL CURSOR FOR SELECT * FROM ${quoteIdentifier(schema)}.${quoteIdentifier(table)}`,
        )
        this.cursorOpen = true
      }
      const result = await client.query<TupleValue[]>({
        text: `FETCH FORWARD ${this.batchSize} FROM snapshot_rows`,
        rowMode: 'array',
      })
      if (result.rows.length > 0) return { table: this.tables[this.current], rows: result.rows }
      await client.query('CLOSE snapshot_rows')
      this.cursorOpen = false
    }
  }

  private async finish(): Promise<void> {
    const client = this.client
    this.client = null
    if (client === null) return
    await client.query('COMMIT').catch(() => undefined)
    await client.end().catch(() => undefined)
  }

  async close(): Promise<void> {
    await this.finish()
  }
}
