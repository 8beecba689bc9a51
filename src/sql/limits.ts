// Every bound of the SQL service, with its default and reason.

export interface SqlLimits {
  /** DuckDB's memory_limit for one query (each running query has its own DuckDB instance). */
  queryMemoryBytes: number
  /** Default time limit of a query when the request names none. */
  timeoutMsDefault: number
  /** Largest time limit a request may ask for. */
  timeoutMsMax: number
  /** Rows returned when the request names no maxRows. */
  maxRowsDefault: number
  /** Largest maxRows a request may ask for (the answer is one JSON body). */
  maxRowsMax: number
  /** Bytes of record batches one query may read from the log: its scan is held in memory while
   * DuckDB runs, so this bounds the process's memory per query. */
  scanBytesMax: number
  /** Queries that run at once (each holds a DuckDB instance and a libuv thread while it runs). */
  concurrentQueriesMax: number
  /** Queries waiting for a slot; more are refused with 429. */
  queuedQueriesMax: number
  /** DuckDB worker threads per query. */
  threadsPerQuery: number
  /** Records one INSERT INTO streamline_topic(…) may write. */
  insertRecordsMax: number
  /** How often continuous queries look for new records (their result latency: window end + this). */
  continuousIntervalMs: number
  /** Where COPY (…) TO '<file>' writes (the only directory DuckDB may touch); absent: no file output. */
  exportDirectory?: string
}

export const defaultSqlLimits: SqlLimits = {
  queryMemoryBytes: 256 * 1024 * 1024,
  timeoutMsDefault: 30_000,
  timeoutMsMax: 300_000,
  maxRowsDefault: 1000,
  maxRowsMax: 100_000,
  scanBytesMax: 1024 * 1024 * 1024,
  concurrentQueriesMax: 2,
  queuedQueriesMax: 16,
  threadsPerQuery: 2,
  insertRecordsMax: 100_000,
  continuousIntervalMs: 200,
}
