// What kind of statement the user sent, decided by DuckDB's own parser before anything runs: one
// SELECT (any SELECT: WITH, FROM-first, PIVOT, DESCRIBE/SUMMARIZE of a SELECT, …), or
// `INSERT INTO streamline_topic('<topic>') <SELECT>`, which DuckDB cannot parse (a table function is
// not an insert target) and which is therefore recognised here and split into its target and SELECT.
// `COPY (<SELECT>) TO '<file>'` writes a query's rows to a file of the export directory (copy-to.ts).
// Everything else (ATTACH, other COPY forms, CREATE, SET, PRAGMA, INSTALL, several statements) is refused.

import type { DuckDBConnection } from '@duckdb/node-api'
import { type CopyTarget, parseCopy } from './copy-to.ts'
import { SqlError } from './errors.ts'
import { isNode, type JsonNode } from './sql-ast.ts'

export interface ParsedStatement {
  /** The SELECT to run (for an INSERT, its source query). */
  select: string
  /** Its parse tree (json_serialize_sql), the top-level SELECT node. */
  root: JsonNode
  /** json_serialize_sql's text of the SELECT (exact: numbers beyond 2^53 as written; lossless-json.ts). */
  serialized: string
  /** The topic an INSERT writes to, or null for a query. */
  insertInto: string | null
  /** The file a COPY (<SELECT>) TO '<file>' writes (copy-to.ts), or null. */
  copyTo: CopyTarget | null
}

const insertPattern = /^\s*insert\s+into\s+streamline_topic\s*\(\s*'((?:[^']|'')*)'\s*\)\s*([\s\S]*)$/i

export async function parseStatement(connection: DuckDBConnection, sql: string): Promise<ParsedStatement> {
  const copy = parseCopy(sql)
  const insert = insertPattern.exec(sql)
  const select = copy !== null ? copy.select : insert === null ? sql : insert[2]
  const insertInto = insert === null || copy !== null ? null : insert[1].replaceAll("''", "'")
  const reader = await connection.runAndReadAll('SELECT json_serialize_sql($1::VARCHAR)', [select])
  const serialized = String(reader.getRows()[0][0])
  const parsed: unknown = JSON.parse(serialized)
  if (!isNode(parsed)) throw new SqlError('INVALID_SQL', 'the SQL could not be parsed')
  if (parsed.error === true) {
    const message = String(parsed.error_message)
    if (parsed.error_type === 'parser') throw new SqlError('INVALID_SQL', `Parser Error: ${message}`)
    throw new SqlError(
      'UNSUPPORTED_STATEMENT',
      `only SELECT statements (and INSERT INTO streamline_topic('<topic>') SELECT …) can run here: ${message}`,
    )
  }
  const statements = Array.isArray(parsed.statements) ? parsed.statements.filter(isNode) : []
  if (statements.length !== 1) {
    throw new SqlError('UNSUPPORTED_STATEMENT', `one statement per query (got ${statements.length})`)
  }
  const root = statements[0].node
  if (!isNode(root)) throw new SqlError('INVALID_SQL', 'the SQL could not be parsed')
  return { select, root, serialized, insertInto, copyTo: copy?.target ?? null }
}
