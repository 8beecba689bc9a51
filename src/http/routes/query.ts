// SQL API: POST /api/v1/query runs one ad-hoc SQL query over topics (DuckDB, src/sql). The SQL
// engine loads on the first query. Errors: 400 INVALID_SQL (DuckDB's message) / UNSUPPORTED_STATEMENT,
// 403 SQL_ACCESS_DENIED / TOPIC_AUTHORIZATION_FAILED, 404 UNKNOWN_TOPIC_OR_PARTITION, 408 QUERY_TIMEOUT,
// 413 QUERY_MEMORY_LIMIT / QUERY_SCAN_LIMIT, 429 TOO_MANY_QUERIES. A client that goes away cancels
// its query. With `Accept: application/x-ndjson` the answer is streamed (streamNdjson). With a
// console login the session's principal's topic ACLs apply (READ; WRITE for INSERT).

import { once } from 'node:events'
import type { FastifyReply } from 'fastify'
import { SqlError } from '../../sql/errors.ts'
import { defaultSqlLimits } from '../../sql/limits.ts'
import type { QueryColumn, QueryRequest } from '../../sql/types.ts'
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
      const principal = principalOf(request)
      const query = { ...body, signal: cancel.signal, ...(principal === undefined ? {} : { principal }) }
      try {
        if (wantsNdjson(request.headers.accept)) return await streamNdjson(reply, broker, query)
        return await broker.sql.query(query)
      } catch (error) {
        if (error instanceof SqlError) throw new ApiError(error.status, error.sqlCode, error.message)
        throw error
      } finally {
        reply.raw.off('close', onClose)
      }
    },
  )
}

function wantsNdjson(accept: string | undefined): boolean {
  return accept !== undefined && /application\/x-ndjson/i.test(accept)
}

/**
 * The answer as newline-delimited JSON, written as DuckDB produces it (one chunk held at a time, the
 * query waits while the client reads): `{"columns":[…]}`, then one JSON array per row, then
 * `{"rowCount","truncated","elapsedMs","stats"[,"written"]}`. An error before the first line is the
 * usual error answer; after it, the last line is `{"error":{"code","message"}}` (the status is sent).
 */
async function streamNdjson(
  reply: FastifyReply,
  broker: BrokerView,
  query: QueryRequest,
): Promise<FastifyReply> {
  const raw = reply.raw
  let started = false
  const write = async (value: unknown): Promise<void> => {
    if (!started) {
      started = true
      reply.hijack()
      raw.writeHead(200, { 'content-type': 'application/x-ndjson; charset=utf-8' })
    }
    if (!raw.write(`${JSON.stringify(value)}\n`)) await once(raw, 'drain', { signal: query.signal })
  }
  const writeRows = async (rows: unknown[][]): Promise<void> => {
    if (rows.length === 0) return
    if (!raw.write(`${rows.map((row) => JSON.stringify(row)).join('\n')}\n`))
      await once(raw, 'drain', { signal: query.signal })
  }
  let columnsWritten = false
  const columnsLine = async (columns: QueryColumn[]) => {
    columnsWritten = true
    await write({ columns })
  }
  let pendingColumns: Promise<void> = Promise.resolve()
  try {
    const result = await broker.sql.query({
      ...query,
      sink: {
        columns: (columns) => {
          pendingColumns = columnsLine(columns)
        },
        rows: async (rows) => {
          await pendingColumns
          await writeRows(rows)
        },
      },
    })
    await pendingColumns
    // Statements that do not stream (continuous queries, INSERT) answer their rows here.
    if (!columnsWritten) {
      await columnsLine(result.columns)
      await writeRows(result.rows)
    }
    const { rows: _rows, columns: _columns, ...summary } = result
    await write(summary)
  } catch (error) {
    if (!started) throw error
    const code = error instanceof SqlError ? error.sqlCode : 'INTERNAL_ERROR'
    const message = error instanceof Error ? error.message : String(error)
    if (!raw.destroyed) raw.write(`${JSON.stringify({ error: { code, message } })}\n`)
  }
  if (!raw.destroyed) raw.end()
  return reply
}
