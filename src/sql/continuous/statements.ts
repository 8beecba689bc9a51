// What tells a continuous-query statement from an ad-hoc query, kept free of imports so the SQL
// façade (../index.ts) can route statements without loading the continuous-query runtime.

export const queriesTopicName = '__streamline_queries'

export const showQueriesPattern = /^\s*show\s+queries\s*;?\s*$/i
export const dropViewPattern =
  /^\s*drop\s+materialized\s+view\s+(if\s+exists\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*;?\s*$/i
export const createViewPrefix = /^\s*create\s+materialized\s+view\b/i
export const unsupportedStreamingPrefix = /^\s*(create\s+stream|create\s+table|pause|resume)\b/i

/** Whether `sql` is handled by the continuous queries rather than the ad-hoc engine. */
export function isContinuousStatement(sql: string): boolean {
  return [showQueriesPattern, dropViewPattern, createViewPrefix, unsupportedStreamingPrefix].some((pattern) =>
    pattern.test(sql),
  )
}
