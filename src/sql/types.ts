// What callers of the SQL service see: a query request, its result, and the limits that bound it.
// Kept free of DuckDB imports so the HTTP app and the embedded API can name these types without
// loading the engine (it loads on the first query, index.ts).

/** One ad-hoc query. */
export interface QueryRequest {
  sql: string
  /** Rows returned at most; more set `truncated`. Default `sqlLimits.maxRowsDefault`. */
  maxRows?: number
  /** Time limit of the whole query (scan + DuckDB), at most `sqlLimits.timeoutMsMax`. */
  timeoutMs?: number
  /** Kafka principal (`User:alice`) whose READ (and, for INSERT, WRITE) ACLs apply. Omitted: no check. */
  principal?: string
  /** The client's host for host-scoped ACLs; default `127.0.0.1`. */
  host?: string
  /** Aborting cancels the query (e.g. the HTTP client went away). */
  signal?: AbortSignal
  /** Streamed results: the rows go here chunk by chunk (at most one DuckDB chunk, 2048 rows, held at
   * a time) and the result's `rows` stays empty. Only SELECTs stream; other statements answer rows. */
  sink?: RowSink
}

export interface RowSink {
  columns(columns: QueryColumn[]): void
  /** Resolves when the rows are written (the query waits: backpressure). */
  rows(rows: unknown[][]): Promise<void>
}

export interface QueryColumn {
  name: string
  /** DuckDB's type name (`BIGINT`, `VARCHAR`, `TIMESTAMP`, `STRUCT(…)`, …). */
  type: string
}

/** What a query read from the log: the pushdown evidence. */
export interface ScanStats {
  /** Bytes of record batches read from the log (all partitions of all topics scanned). */
  bytesRead: number
  batchesRead: number
  /** Records handed to DuckDB after the partition/offset/timestamp ranges were applied. */
  recordsScanned: number
  /** Per topic: the partitions read and the offset range of each. */
  topics: Array<{
    topic: string
    partitions: Array<{ partition: number; fromOffset: number; toOffset: number }>
  }>
}

export interface QueryResult {
  columns: QueryColumn[]
  /** Rows as JSON values (see docs/sql.md for the type mapping). */
  rows: unknown[][]
  rowCount: number
  truncated: boolean
  elapsedMs: number
  stats: ScanStats
  /** INSERT INTO streamline_topic(…): the records written. */
  written?: { topic: string; records: number }
}
