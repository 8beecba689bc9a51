// Whether a query runs as rewritten by shared-json-parse.ts (one JSON parse per row), decided on the
// query's own connection before it runs: the rewritten SQL must bind to exactly the original's column
// types (the original's names are given to the result, as DuckDB names a column by its expression's
// text). Anything unexpected (the tree not round-tripping, a bind error either way) runs the original.

import type { DuckDBConnection, DuckDBInstance, DuckDBPreparedStatement, DuckDBType } from '@duckdb/node-api'
import { parseLossless, stringifyLossless } from './lossless-json.ts'
import { shareJsonParses } from './shared-json-parse.ts'
import { isNode } from './sql-ast.ts'
import type { ParsedStatement } from './statement.ts'

export interface SharedParsePlan {
  /** The rewritten SELECT, bound (the caller destroys it). */
  prepared: DuckDBPreparedStatement
  sql: string
  /** The original query's column names, in order. */
  names: string[]
}

function typeKey(type: DuckDBType): string {
  return `${type.toString()} ${type.alias ?? ''}`
}

function columnsOf(prepared: DuckDBPreparedStatement): { names: string[]; types: string[] } {
  const names: string[] = []
  const types: string[] = []
  for (let index = 0; index < prepared.columnCount; index++) {
    names.push(prepared.columnName(index))
    types.push(typeKey(prepared.columnType(index)))
  }
  return { names, types }
}

/** A tree's JSON with its keys in order and without source positions (equal trees, equal text). */
function canonical(value: unknown): string {
  const strip = (item: unknown): unknown => {
    if (Array.isArray(item)) return item.map(strip)
    if (!isNode(item)) return item
    const keys = Object.keys(item)
      .filter((key) => key !== 'query_location')
      .sort()
    return Object.fromEntries(keys.map((key) => [key, strip(item[key])]))
  }
  return stringifyLossless(strip(value))
}

/** The rewritten query for a plain SELECT whose JSON extractions can share a parse, else null. */
export async function planSharedParse(
  instance: DuckDBInstance,
  connection: DuckDBConnection,
  statement: ParsedStatement,
  plainFunctions: ReadonlySet<string>,
): Promise<SharedParsePlan | null> {
  if (statement.insertInto !== null || statement.copyTo !== null) return null
  let document: unknown
  try {
    document = parseLossless(statement.serialized)
  } catch {
    return null
  }
  if (!isNode(document) || !Array.isArray(document.statements)) return null
  const [first] = document.statements
  if (!isNode(first) || !isNode(first.node)) return null
  if (shareJsonParses(first.node, plainFunctions) === null) return null
  let original: DuckDBPreparedStatement
  try {
    original = await connection.prepare(statement.select)
  } catch {
    // The original's error is reported by running it.
    return null
  }
  const wanted = columnsOf(original)
  original.destroySync()
  let sql: string
  // On a connection of its own: a failure there would abort the query's transaction (whose instant
  // the pushdown bounds were evaluated at).
  const side = await instance.connect()
  try {
    const reader = await side.runAndReadAll('SELECT json_deserialize_sql($1::JSON)', [
      stringifyLossless(document),
    ])
    sql = String(reader.getRows()[0][0])
    // DuckDB's SQL text of a tree does not always parse back to it (a DOUBLE constant 1e3 is written
    // 1000.0, a DECIMAL): the text must give back exactly the rewritten tree.
    const again = await side.runAndReadAll('SELECT json_serialize_sql($1::VARCHAR)', [sql])
    if (canonical(parseLossless(String(again.getRows()[0][0]))) !== canonical(document)) return null
  } catch {
    return null
  } finally {
    side.closeSync()
  }
  let prepared: DuckDBPreparedStatement
  try {
    prepared = await connection.prepare(sql)
  } catch {
    return null
  }
  const got = columnsOf(prepared)
  if (
    got.types.length !== wanted.types.length ||
    got.types.some((type, index) => type !== wanted.types[index])
  ) {
    prepared.destroySync()
    return null
  }
  return { prepared, sql, names: wanted.names }
}
