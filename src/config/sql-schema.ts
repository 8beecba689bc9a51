// The [sql] section: the bounds of SQL over topics (docs/sql.md, Safety). Defaults and meanings are
// src/sql/limits.ts's (that file has no imports, so reading it here loads nothing of DuckDB).

import { z } from 'zod'
import { defaultSqlLimits } from '../sql/limits.ts'

const int32Max = 2 ** 31 - 1
const doc = (text: string) => ({ doc: text })
const count = (min: number, max: number) => z.number().int().min(min).max(max)

export const sqlSchema = z
  .object({
    queryMemoryBytes: count(16 * 1024 * 1024, Number.MAX_SAFE_INTEGER)
      .default(defaultSqlLimits.queryMemoryBytes)
      .meta(doc("DuckDB's memory limit of one query (each running query has its own DuckDB instance).")),
    timeoutMsDefault: count(1, int32Max)
      .default(defaultSqlLimits.timeoutMsDefault)
      .meta(doc('Time limit of a query whose request names none.')),
    timeoutMsMax: count(1, int32Max)
      .default(defaultSqlLimits.timeoutMsMax)
      .meta(doc('Largest time limit a request may ask for (timeoutMs).')),
    maxRowsDefault: count(0, int32Max)
      .default(defaultSqlLimits.maxRowsDefault)
      .meta(doc('Rows a query answers when the request names no maxRows.')),
    maxRowsMax: count(0, int32Max)
      .default(defaultSqlLimits.maxRowsMax)
      .meta(doc('Largest maxRows a request may ask for.')),
    scanBytesMax: count(1, Number.MAX_SAFE_INTEGER)
      .default(defaultSqlLimits.scanBytesMax)
      .meta(doc('Bytes of record batches one query may read from the log (held in memory while it runs).')),
    concurrentQueriesMax: count(1, 64)
      .default(defaultSqlLimits.concurrentQueriesMax)
      .meta(doc('Queries that run at once (each holds a DuckDB instance and a libuv thread).')),
    queuedQueriesMax: count(0, 100_000)
      .default(defaultSqlLimits.queuedQueriesMax)
      .meta(doc('Queries waiting for a slot; more are refused with 429 TOO_MANY_QUERIES.')),
    threadsPerQuery: count(1, 64)
      .default(defaultSqlLimits.threadsPerQuery)
      .meta(doc('DuckDB worker threads per query.')),
    insertRecordsMax: count(1, int32Max)
      .default(defaultSqlLimits.insertRecordsMax)
      .meta(doc('Records one INSERT INTO streamline_topic(…) may write.')),
    continuousIntervalMs: count(10, int32Max)
      .default(defaultSqlLimits.continuousIntervalMs)
      .meta(
        doc('How often continuous queries look for new records (their result latency: window end + this).'),
      ),
    exportDirectory: z
      .string()
      .min(1)
      .optional()
      .meta(
        doc(
          "Where COPY (<query>) TO '<file>' writes its files, the only directory SQL may touch (default: <data dir>/sql-export; none in memory mode).",
        ),
      ),
  })
  .strict()

/** The timeouts and row counts must be ordered (a default above its maximum is refused). */
export function checkSql(section: z.output<typeof sqlSchema>, context: z.RefinementCtx): void {
  if (section.timeoutMsDefault > section.timeoutMsMax) {
    context.addIssue({
      code: 'custom',
      path: ['sql', 'timeoutMsDefault'],
      message: `above sql.timeout_ms_max (${section.timeoutMsMax})`,
    })
  }
  if (section.maxRowsDefault > section.maxRowsMax) {
    context.addIssue({
      code: 'custom',
      path: ['sql', 'maxRowsDefault'],
      message: `above sql.max_rows_max (${section.maxRowsMax})`,
    })
  }
}
