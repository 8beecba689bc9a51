// Reading DuckDB's parsed statement (json_serialize_sql) for what the scan of each topic may skip:
// the streamline_topic('…') references, and the conjuncts of their WHERE clause that bound
// `partition`, `offset` or `timestamp` by a constant expression. Only the parser runs here (no
// binding); the constant sides are evaluated by DuckDB later (pushdown.ts). Everything not
// recognised simply is not pushed down: DuckDB still applies the whole WHERE clause to what the scan
// returns, so a pushdown can only make the scan smaller, never change a result.

export type JsonNode = Record<string, unknown>

export type PushdownColumn = 'partition' | 'offset' | 'timestamp'

export type PredicateOp = 'eq' | 'in' | 'gt' | 'ge' | 'lt' | 'le'

/** `column op value`, the value still an expression of the parse tree. */
export interface RawPredicate {
  column: PushdownColumn
  op: PredicateOp
  values: JsonNode[]
}

export interface RawReference {
  topic: string
  predicates: RawPredicate[]
  /** Every conjunct of the WHERE clause became a predicate (so the scan applies the whole filter). */
  whereFullyPushed: boolean
  /** The SELECT node reading this reference directly (for the LIMIT pushdown). */
  select: JsonNode
}

export interface ParsedQuery {
  references: RawReference[]
  /** Topic references whose name is not a string literal (refused when bound). */
  nonLiteralReferences: number
  /** The top-level SELECT node. */
  root: JsonNode
}

export const topicFunctionName = 'streamline_topic'

export function isNode(value: unknown): value is JsonNode {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function nodes(value: unknown): JsonNode[] {
  return Array.isArray(value) ? value.filter(isNode) : []
}

/** A function call in DuckDB's serialized parse tree (json_serialize_sql's form). */
export function functionCallNode(
  name: string,
  children: JsonNode[],
  schema = '',
  location: unknown = 0,
): JsonNode {
  return {
    class: 'FUNCTION',
    type: 'FUNCTION',
    alias: '',
    query_location: location,
    function_name: name,
    schema,
    children,
    filter: null,
    order_bys: { type: 'ORDER_MODIFIER', orders: [] },
    distinct: false,
    is_operator: false,
    export_state: false,
    catalog: '',
  }
}

/** Calls `visit` on every object of the tree (depth first, parents first). */
export function walk(value: unknown, visit: (node: JsonNode) => void): void {
  if (Array.isArray(value)) {
    for (const item of value) walk(item, visit)
    return
  }
  if (!isNode(value)) return
  visit(value)
  for (const child of Object.values(value)) walk(child, visit)
}

/** The topic named by a streamline_topic(...) table reference, or null for other references. */
function topicOfTableRef(ref: JsonNode): { topic: string | null } | null {
  if (ref.type !== 'TABLE_FUNCTION' || !isNode(ref.function)) return null
  const call = ref.function
  if (String(call.function_name).toLowerCase() !== topicFunctionName) return null
  const [first] = nodes(call.children)
  if (first === undefined || first.class !== 'CONSTANT' || !isNode(first.value)) return { topic: null }
  const value = first.value
  if (value.is_null === true || typeof value.value !== 'string') return { topic: null }
  return { topic: value.value }
}

function conjunctsOf(where: unknown): JsonNode[] {
  if (!isNode(where)) return []
  if (where.class === 'CONJUNCTION' && where.type === 'CONJUNCTION_AND') {
    return nodes(where.children).flatMap(conjunctsOf)
  }
  return [where]
}

const pushdownColumns: readonly string[] = ['partition', 'offset', 'timestamp']

/** The pushdown column a COLUMN_REF names (unqualified, or qualified with the reference's alias). */
function columnOf(node: JsonNode, alias: string): PushdownColumn | null {
  if (node.class !== 'COLUMN_REF' || !Array.isArray(node.column_names)) return null
  const names = node.column_names.map((name) => String(name).toLowerCase())
  const column = names[names.length - 1]
  if (!pushdownColumns.includes(column)) return null
  if (names.length === 2 && names[0] !== alias) return null
  if (names.length > 2) return null
  return column as PushdownColumn
}

const comparisonOps: Record<string, { op: PredicateOp; mirrored: PredicateOp }> = {
  COMPARE_EQUAL: { op: 'eq', mirrored: 'eq' },
  COMPARE_GREATERTHAN: { op: 'gt', mirrored: 'lt' },
  COMPARE_GREATERTHANOREQUALTO: { op: 'ge', mirrored: 'le' },
  COMPARE_LESSTHAN: { op: 'lt', mirrored: 'gt' },
  COMPARE_LESSTHANOREQUALTO: { op: 'le', mirrored: 'ge' },
}

/** The predicates one WHERE conjunct gives (none when it is not a recognised bound). */
function predicatesOf(conjunct: JsonNode, alias: string): RawPredicate[] {
  if (conjunct.class === 'COMPARISON' && isNode(conjunct.left) && isNode(conjunct.right)) {
    const ops = comparisonOps[String(conjunct.type)]
    if (ops === undefined) return []
    const left = columnOf(conjunct.left, alias)
    if (left !== null) return [{ column: left, op: ops.op, values: [conjunct.right] }]
    const right = columnOf(conjunct.right, alias)
    if (right !== null) return [{ column: right, op: ops.mirrored, values: [conjunct.left] }]
    return []
  }
  if (conjunct.class === 'BETWEEN' && isNode(conjunct.input) && isNode(conjunct.lower)) {
    const column = columnOf(conjunct.input, alias)
    if (column === null || !isNode(conjunct.upper)) return []
    return [
      { column, op: 'ge', values: [conjunct.lower] },
      { column, op: 'le', values: [conjunct.upper] },
    ]
  }
  if (conjunct.class === 'OPERATOR' && conjunct.type === 'COMPARE_IN') {
    const [input, ...values] = nodes(conjunct.children)
    const column = input === undefined ? null : columnOf(input, alias)
    if (column === null || values.length === 0) return []
    return [{ column, op: 'in', values }]
  }
  return []
}

/**
 * The topic references of one parsed SELECT statement. A reference read directly by a SELECT (its
 * FROM is the streamline_topic call) gets that SELECT's WHERE bounds; references inside joins get
 * none (a full scan of the partitions; documented).
 */
export function parseReferences(root: JsonNode): ParsedQuery {
  const references: RawReference[] = []
  const direct = new Set<JsonNode>()
  let nonLiteralReferences = 0
  walk(root, (node) => {
    if (node.type !== 'SELECT_NODE' || !isNode(node.from_table)) return
    const found = topicOfTableRef(node.from_table)
    if (found === null || found.topic === null) return
    direct.add(node.from_table)
    const alias = String(node.from_table.alias || topicFunctionName).toLowerCase()
    const conjuncts = conjunctsOf(node.where_clause)
    const perConjunct = conjuncts.map((conjunct) => predicatesOf(conjunct, alias))
    references.push({
      topic: found.topic,
      predicates: perConjunct.flat(),
      whereFullyPushed: perConjunct.every((predicates) => predicates.length > 0),
      select: node,
    })
  })
  walk(root, (node) => {
    if (direct.has(node)) return
    const found = topicOfTableRef(node)
    if (found === null) return
    if (found.topic === null) nonLiteralReferences += 1
    else references.push({ topic: found.topic, predicates: [], whereFullyPushed: false, select: node })
  })
  return { references, nonLiteralReferences, root }
}

/** Classes of expression that are never constant. */
const nonConstantClasses = new Set([
  'COLUMN_REF',
  'SUBQUERY',
  'PARAMETER',
  'STAR',
  'WINDOW',
  'LAMBDA',
  'LAMBDA_REF',
  'POSITIONAL_REFERENCE',
])

/** Whether `expression` can be evaluated once, before the query: no columns, subqueries or
 * volatile functions (random(), nextval(), …). */
export function isConstantExpression(expression: JsonNode, volatileFunctions: ReadonlySet<string>): boolean {
  let constant = true
  walk(expression, (node) => {
    if (typeof node.class === 'string' && nonConstantClasses.has(node.class)) constant = false
    if (node.class === 'FUNCTION' && volatileFunctions.has(String(node.function_name).toLowerCase())) {
      constant = false
    }
  })
  return constant
}

/**
 * The LIMIT the scan of the only reference may stop at (LIMIT + OFFSET), or null. Only for the
 * simplest shape, where any `n` matching records give a correct answer: one SELECT straight over
 * the topic, its WHERE fully pushed down, no ORDER BY / DISTINCT / GROUP BY / HAVING / QUALIFY /
 * SAMPLE / CTE, and a select list of scalar expressions (no aggregate, window or subquery).
 */
export function scanLimitOf(
  query: ParsedQuery,
  scalarFunctions: ReadonlySet<string>,
): { limit: number; offset: number } | null {
  if (query.references.length !== 1 || query.nonLiteralReferences > 0) return null
  const [reference] = query.references
  const select = reference.select
  if (select !== query.root || !reference.whereFullyPushed) return null
  if (nodes(select.group_expressions).length > 0 || select.having !== null || select.qualify !== null)
    return null
  if (select.sample !== null || select.aggregate_handling !== 'STANDARD_HANDLING') return null
  if (isNode(select.cte_map) && nodes(select.cte_map.map).length > 0) return null
  const modifiers = nodes(select.modifiers)
  if (modifiers.length !== 1 || modifiers[0].type !== 'LIMIT_MODIFIER') return null
  const limit = integerConstant(modifiers[0].limit)
  const offset = modifiers[0].offset === null ? 0 : integerConstant(modifiers[0].offset)
  if (limit === null || offset === null) return null
  let scalar = true
  walk(select.select_list, (node) => {
    if (typeof node.class === 'string' && ['SUBQUERY', 'WINDOW'].includes(node.class)) scalar = false
    if (node.class === 'FUNCTION' && !scalarFunctions.has(String(node.function_name).toLowerCase())) {
      scalar = false
    }
  })
  return scalar ? { limit, offset } : null
}

function integerConstant(node: unknown): number | null {
  if (!isNode(node) || node.class !== 'CONSTANT' || !isNode(node.value)) return null
  const value = Number(node.value.value)
  return Number.isSafeInteger(value) && value >= 0 ? value : null
}
