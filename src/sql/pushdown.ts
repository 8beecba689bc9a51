// From the parsed predicates to what the scan of each topic reads: which partitions, which offset
// range, which timestamp range, and where a LIMIT lets it stop. The constant side of each predicate
// (`now() - INTERVAL 1 MINUTE`, `'2026-12-06'`, `40 + 2`) is evaluated by DuckDB in the query's own
// transaction, so `now()` is the same instant the query itself sees. Bounds are widened to whole
// milliseconds / offsets and kept inclusive: the scan may read a little more than the filter keeps,
// never less (DuckDB applies the whole WHERE clause again).

import {
  isConstantExpression,
  type JsonNode,
  type ParsedQuery,
  type RawPredicate,
  scanLimitOf,
} from './sql-ast.ts'

/** What to read of one topic. null: unbounded. Offsets and timestamps (ms) are inclusive. */
export interface ScanSpec {
  topic: string
  partitions: number[] | null
  offsetFrom: number | null
  offsetTo: number | null
  timestampFromMs: number | null
  timestampToMs: number | null
  /** Stop after this many matching records (LIMIT + OFFSET of the simplest queries). */
  recordsMax: number | null
}

/** Evaluates constant SQL expressions (parse-tree form) to numbers, null when one does not evaluate. */
export type EvaluateExpressions = (
  expressions: Array<{ expression: JsonNode; as: 'number' | 'epoch_us' }>,
) => Promise<Array<number | null>>

export interface FunctionCatalog {
  volatile: ReadonlySet<string>
  scalar: ReadonlySet<string>
  /** Built-in scalar and aggregate functions that are not also macros (shared-json-parse.ts). */
  plain: ReadonlySet<string>
}

function unbounded(topic: string): ScanSpec {
  return {
    topic,
    partitions: null,
    offsetFrom: null,
    offsetTo: null,
    timestampFromMs: null,
    timestampToMs: null,
    recordsMax: null,
  }
}

function lowerBound(current: number | null, next: number): number {
  return current === null ? next : Math.max(current, next)
}

function upperBound(current: number | null, next: number): number {
  return current === null ? next : Math.min(current, next)
}

/**
 * Applies one evaluated predicate to a reference's spec (intersection). Offsets and millisecond
 * timestamps are integers, so every comparison becomes an exact inclusive integer bound (`offset > 4.5`
 * is `offset >= 5`; a timestamp value is in µs: `timestamp < X` is `ms <= ceil(X / 1000) - 1`).
 * Returns whether the bound is exact (IN over offsets/timestamps widens to the hull: not exact).
 */
function applyPredicate(spec: ScanSpec, predicate: RawPredicate, values: number[]): boolean {
  if (predicate.column === 'partition') {
    if (predicate.op === 'eq' || predicate.op === 'in') {
      const wanted = values.filter((value) => Number.isInteger(value))
      spec.partitions =
        spec.partitions === null ? wanted : spec.partitions.filter((partition) => wanted.includes(partition))
      return true
    }
    return false
  }
  const scale = predicate.column === 'timestamp' ? 1000 : 1
  const low = Math.min(...values) / scale
  const high = Math.max(...values) / scale
  let from: number | null = null
  let to: number | null = null
  switch (predicate.op) {
    case 'gt':
      from = Math.floor(low) + 1
      break
    case 'ge':
      from = Math.ceil(low)
      break
    case 'lt':
      to = Math.ceil(high) - 1
      break
    case 'le':
      to = Math.floor(high)
      break
    case 'eq':
    case 'in':
      from = Math.ceil(low)
      to = Math.floor(high)
      break
  }
  if (predicate.column === 'offset') {
    if (from !== null) spec.offsetFrom = lowerBound(spec.offsetFrom, from)
    if (to !== null) spec.offsetTo = upperBound(spec.offsetTo, to)
  } else {
    if (from !== null) spec.timestampFromMs = lowerBound(spec.timestampFromMs, from)
    if (to !== null) spec.timestampToMs = upperBound(spec.timestampToMs, to)
  }
  return predicate.op !== 'in' || values.length === 1
}

/** Two references to one topic read the union of what each needs (the hull of their ranges). */
function union(a: ScanSpec, b: ScanSpec): ScanSpec {
  const hullLow = (x: number | null, y: number | null) => (x === null || y === null ? null : Math.min(x, y))
  const hullHigh = (x: number | null, y: number | null) => (x === null || y === null ? null : Math.max(x, y))
  return {
    topic: a.topic,
    partitions:
      a.partitions === null || b.partitions === null
        ? null
        : [...new Set([...a.partitions, ...b.partitions])],
    offsetFrom: hullLow(a.offsetFrom, b.offsetFrom),
    offsetTo: hullHigh(a.offsetTo, b.offsetTo),
    timestampFromMs: hullLow(a.timestampFromMs, b.timestampFromMs),
    timestampToMs: hullHigh(a.timestampToMs, b.timestampToMs),
    recordsMax: null,
  }
}

/** One spec per topic the query reads. */
export async function planScans(
  query: ParsedQuery,
  catalog: FunctionCatalog,
  evaluate: EvaluateExpressions,
): Promise<Map<string, ScanSpec>> {
  const requests: Array<{ expression: JsonNode; as: 'number' | 'epoch_us' }> = []
  const usable = query.references.map((reference) =>
    reference.predicates.filter((predicate) =>
      predicate.values.every((value) => isConstantExpression(value, catalog.volatile)),
    ),
  )
  for (const predicates of usable) {
    for (const predicate of predicates) {
      for (const expression of predicate.values) {
        requests.push({ expression, as: predicate.column === 'timestamp' ? 'epoch_us' : 'number' })
      }
    }
  }
  const evaluated = requests.length === 0 ? [] : await evaluate(requests)
  let next = 0
  const specs = new Map<string, ScanSpec>()
  let exact = true
  query.references.forEach((reference, index) => {
    const spec = unbounded(reference.topic)
    if (usable[index].length !== reference.predicates.length) exact = false
    for (const predicate of usable[index]) {
      const values = predicate.values.map(() => evaluated[next++])
      if (values.every((value): value is number => value !== null && Number.isFinite(value))) {
        if (!applyPredicate(spec, predicate, values)) exact = false
      } else {
        exact = false
      }
    }
    const existing = specs.get(reference.topic)
    specs.set(reference.topic, existing === undefined ? spec : union(existing, spec))
  })
  const limit = scanLimitOf(query, catalog.scalar)
  if (limit !== null && specs.size === 1) {
    // Only when every WHERE conjunct became an exact bound the scan applies (whereFullyPushed, all
    // evaluated): then the first LIMIT + OFFSET records the scan keeps are rows of the answer.
    const [spec] = specs.values()
    if (exact) spec.recordsMax = limit.limit + limit.offset
  }
  return specs
}
