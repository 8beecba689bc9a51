// A brute-force recount of a materialized view over a windowed stream–stream join, for the tests that
// compare a view's topic with it: every pair (same key, timestamps at most WITHIN apart) and, for
// LEFT/RIGHT/FULL, an outer row for each record without a partner whose window has closed
// (timestamp + WITHIN + GRACE < the largest timestamp of both topics), bucketed into TUMBLE or HOP
// windows by an event time and grouped by the joined key. Written from docs/sql.md's definition, not
// from the broker's SQL.

export interface JoinRecord {
  id: string
  key: string
  /** The record timestamp in ms. */
  ts: number
}

export interface JoinRow {
  left: JoinRecord | null
  right: JoinRecord | null
}

export interface RecountSpec {
  type: 'inner' | 'left' | 'right' | 'full'
  withinMs: number
  graceMs: number
  /** TUMBLE: size = advance. */
  sizeMs: number
  advanceMs: number
  /** The event time of a joined row (null: in no window). */
  time: (row: JoinRow) => number | null
  /** The view's WHERE. */
  keep?: (row: JoinRow) => boolean
}

/** The join's rows over all records (the state after everything was read). */
export function joinRows(spec: RecountSpec, lefts: JoinRecord[], rights: JoinRecord[]): JoinRow[] {
  const watermark = Math.max(...lefts.map((r) => r.ts), ...rights.map((r) => r.ts))
  const partners = (a: JoinRecord, b: JoinRecord) => a.key === b.key && Math.abs(a.ts - b.ts) <= spec.withinMs
  const closed = (record: JoinRecord) => record.ts + spec.withinMs + spec.graceMs < watermark
  const rows: JoinRow[] = []
  for (const left of lefts) for (const right of rights) if (partners(left, right)) rows.push({ left, right })
  if (spec.type === 'left' || spec.type === 'full') {
    for (const left of lefts)
      if (closed(left) && !rights.some((right) => partners(left, right))) rows.push({ left, right: null })
  }
  if (spec.type === 'right' || spec.type === 'full') {
    for (const right of rights)
      if (closed(right) && !lefts.some((left) => partners(left, right))) rows.push({ left: null, right })
  }
  return rows.filter((row) => spec.keep?.(row) ?? true)
}

/** DuckDB's text of a TIMESTAMP with whole seconds. */
export function timestampText(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').replace('.000Z', '')
}

/**
 * The view's expected contents: key [window_start, k] → {window_start, window_end, k, n, pairs} for
 * a view selecting `coalesce(l.key, r.key) AS k, count(*) AS n, list(<left id>/<right id> ORDER BY …)
 * AS pairs` grouped by the window and k.
 */
export function recountView(
  spec: RecountSpec,
  lefts: JoinRecord[],
  rights: JoinRecord[],
): Map<string, unknown> {
  const windows = new Map<string, { start: number; k: string; pairs: string[] }>()
  for (const row of joinRows(spec, lefts, rights)) {
    const time = spec.time(row)
    if (time === null) continue
    const k = row.left?.key ?? row.right?.key ?? ''
    // Windows start at multiples of the advance (epoch-aligned for the sizes the tests use).
    const last = time - (time % spec.advanceMs)
    for (let start = last; start > time - spec.sizeMs; start -= spec.advanceMs) {
      const id = JSON.stringify([timestampText(start), k])
      const window = windows.get(id) ?? { start, k, pairs: [] }
      window.pairs.push(`${row.left?.id ?? ''}/${row.right?.id ?? ''}`)
      windows.set(id, window)
    }
  }
  const view = new Map<string, unknown>()
  for (const [id, window] of windows) {
    view.set(id, {
      window_start: timestampText(window.start),
      window_end: timestampText(window.start + spec.sizeMs),
      k: window.k,
      n: window.pairs.length,
      pairs: window.pairs.sort(),
    })
  }
  return new Map([...view].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
}

/** The select list recountView describes, over aliases `l` and `r` (value `{"id": …}`). */
export const recountSelect = (l: string, r: string) => {
  const pair = `coalesce(${l}.value->>'$.id', '') || '/' || coalesce(${r}.value->>'$.id', '')`
  return `coalesce(${l}.key, ${r}.key) AS k, count(*) AS n, list(${pair} ORDER BY ${pair}) AS pairs`
}
