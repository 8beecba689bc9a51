// What tells a continuous-query statement from an ad-hoc query, kept free of imports so the SQL
// façade (../index.ts) can route statements without loading the continuous-query runtime.

export const queriesTopicName = '__streamline_queries'

export const showQueriesPattern = /^\s*show\s+queries\s*;?\s*$/i
/** DROP MATERIALIZED VIEW | STREAM [IF EXISTS] <name>: groups 1 the kind, 2 IF EXISTS, 3 the name. */
export const dropPattern =
  /^\s*drop\s+(materialized\s+view|stream)\s+(if\s+exists\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*;?\s*$/i
export const createViewPrefix = /^\s*create\s+materialized\s+view\b/i
export const createStreamPrefix = /^\s*create\s+stream\b/i
export const unsupportedStreamingPrefix = /^\s*create\s+table\b/i
/** PAUSE | RESUME [QUERY] <name> (ksqlDB's PAUSE <query id>; a query's id is its name). */
export const pauseResumePrefix = /^\s*(pause|resume)\b/i
export const pauseResumePattern = /^\s*(pause|resume)\s+(?:query\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*;?\s*$/i

/** Whether `sql` is handled by the continuous queries rather than the ad-hoc engine. */
export function isContinuousStatement(sql: string): boolean {
  return [
    showQueriesPattern,
    dropPattern,
    createViewPrefix,
    createStreamPrefix,
    unsupportedStreamingPrefix,
    pauseResumePrefix,
  ].some((pattern) => pattern.test(sql))
}
