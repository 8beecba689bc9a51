// SQL API: POST /api/v1/query runs one ad-hoc SQL query over topics (DuckDB, src/sql). The SQL
// engine loads on the first query. Errors: 400 INVALID_SQL (DuckDB's message) / UNSUPPORTED_STATEMENT,
// 403 SQL_ACCESS_DENIED / TOPIC_AUTHORIZATION_FAILED, 404 UNKNOWN_TOPIC_OR_PARTITION, 408 QUERY_TIMEOUT,
// 413 QUERY_MEMORY_LIMIT / QUERY_SCAN_LIMIT, 429 TOO_MANY_QUERIES. A client that goes away cancels
// its query. Known gap: results are one JSON body (not streamed). With a
// console login the session's principal's topic ACLs apply (READ; WRITE for INSERT).

import { SqlError } from '../../sql/errors.ts'
import { defaultSqlLimits } from '../../sql/limits.ts'
import { type ApiRoutes, objectSchema } from '../api-route.ts'
import { principalOf } from '../auth/guard.ts'
import type { BrokerView } from '../context.ts'
import { ApiError } from '../errors.ts'

const queryResultSchema = objectSchema({
  columns: {
    type: 'array',
    items: objectSchema({
      name: { type: 'string' },
      type: { type: 'string', description: "DuckDB's type name" },
    }),
  },
  rows: { type: 'array', items: { type: 'array' } },
  rowCount: { type: 'integer' },
  truncated: { type: 'boolean', description: 'More rows than maxRows existed' },
  elapsedMs: { type: 'integer' },
  stats: {
    type: 'object',
    description: 'What the query read from the log (bytesRead, batchesRead, recordsScanned, topics)',
  },
  written: objectSchema({ topic: { type: 'string' }, records: { type: 'integer' } }),
})

export function registerQueryRoutes(routes: ApiRoutes, brokerOf: () => BrokerView): void {
  routes.add(
    {
      method: 'POST',
      url: '/api/v1/query',
      summary:
        "Run one SQL query over topics (DuckDB): SELECT … FROM streamline_topic('orders'), or INSERT INTO streamline_topic('out') SELECT …",
      tag: 'sql',
      body: objectSchema(
        {
          sql: { type: 'string', minLength: 1, maxLength: 1024 * 1024 },
          // The maxima are the [sql] section's (sql.max_rows_max, sql.timeout_ms_max), checked by the engine.
          maxRows: {
            type: 'integer',
            minimum: 0,
            description: `at most sql.max_rows_max (default ${defaultSqlLimits.maxRowsMax})`,
          },
          timeoutMs: {
            type: 'integer',
            minimum: 1,
            description: `at most sql.timeout_ms_max (default ${defaultSqlLimits.timeoutMsMax})`,
          },
        },
        ['sql'],
      ),
      responses: {
        200: { description: 'Columns with their types, rows, and what was read', schema: queryResultSchema },
      },
      errors: [403, 404, 408, 413, 429],
    },
    async (request, reply) => {
      const body = request.body as { sql: string; maxRows?: number; timeoutMs?: number }
      const broker = brokerOf()
      const cancel = new AbortController()
      const onClose = (): void => {
        if (!reply.raw.writableFinished) cancel.abort()
      }
      reply.raw.once('close', onClose)
      try {
        const principal = principalOf(request)
        return await broker.sql.query({
          ...body,
          signal: cancel.signal,
          ...(principal === undefined ? {} : { principal }),
        })
      } catch (error) {
        if (error instanceof SqlError) throw new ApiError(error.status, error.sqlCode, error.message)
        throw error
      } finally {
        reply.raw.off('close', onClose)
      }
    },
  )
}
