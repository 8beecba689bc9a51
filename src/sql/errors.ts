// Errors of the SQL service: each carries the HTTP status and stable code the HTTP API answers with
// (docs/sql.md lists them). DuckDB's own message is kept as it is for bad SQL.

import { StreamlineError } from '../errors.ts'

export type SqlErrorCode =
  /** DuckDB refused the SQL (parser, binder, conversion, …): its message. */
  | 'INVALID_SQL'
  /** A statement other than one SELECT / INSERT INTO streamline_topic(…). */
  | 'UNSUPPORTED_STATEMENT'
  /** File, network, extension or configuration access (external access is disabled). */
  | 'SQL_ACCESS_DENIED'
  | 'TOPIC_AUTHORIZATION_FAILED'
  | 'UNKNOWN_TOPIC_OR_PARTITION'
  | 'QUERY_TIMEOUT'
  | 'QUERY_CANCELLED'
  | 'QUERY_MEMORY_LIMIT'
  /** The scan would read more than scanBytesMax. */
  | 'QUERY_SCAN_LIMIT'
  | 'TOO_MANY_QUERIES'

const statusOf: Record<SqlErrorCode, number> = {
  INVALID_SQL: 400,
  UNSUPPORTED_STATEMENT: 400,
  SQL_ACCESS_DENIED: 403,
  TOPIC_AUTHORIZATION_FAILED: 403,
  UNKNOWN_TOPIC_OR_PARTITION: 404,
  QUERY_TIMEOUT: 408,
  QUERY_CANCELLED: 499,
  QUERY_MEMORY_LIMIT: 413,
  QUERY_SCAN_LIMIT: 413,
  TOO_MANY_QUERIES: 429,
}

export class SqlError extends StreamlineError {
  readonly sqlCode: SqlErrorCode
  readonly status: number
  constructor(sqlCode: SqlErrorCode, message: string, options: { cause?: unknown } = {}) {
    super('SL_ERR_SQL', message, options)
    this.sqlCode = sqlCode
    this.status = statusOf[sqlCode]
  }
  static override [Symbol.hasInstance](value: unknown): boolean {
    if (this !== SqlError) return Function.prototype[Symbol.hasInstance].call(this, value)
    return StreamlineError[Symbol.hasInstance](value) && (value as StreamlineError).code === 'SL_ERR_SQL'
  }
}

/** DuckDB's error (thrown as a plain Error) as a SqlError: its message kept, the kind from its prefix. */
export function sqlErrorOfDuckDb(error: unknown): SqlError {
  if (error instanceof SqlError) return error
  const message = error instanceof Error ? error.message : String(error)
  if (message.startsWith('Permission Error')) return new SqlError('SQL_ACCESS_DENIED', message)
  if (message.startsWith('Out of Memory Error')) {
    return new SqlError('QUERY_MEMORY_LIMIT', `the query exceeded its memory limit: ${message}`)
  }
  return new SqlError('INVALID_SQL', message, { cause: error })
}
