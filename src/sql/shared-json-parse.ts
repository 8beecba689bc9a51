// One JSON parse per row for the `value->>'<path>'` extractions of a query (issue 17's GROUP BY
// target). DuckDB parses `value`'s JSON once for each `->>`: `SELECT value->>'$.country', avg((value
// ->>'$.amount')::INT) … GROUP BY ALL` parses every record twice, which cost more than the whole of
// DuckDB's read_json over the same records. Rewritten, each such extraction is
// `json_extract_string(value, ['$.amount', '$.country'])[i]`: DuckDB's own function, given every path
// at once (the same path code, one parse); its common-subexpression optimizer then evaluates the
// shared `json_extract_string(value, [...])` once per row of the projection or aggregation.
//
// What keeps results exactly as they were:
//   - only the top-level SELECT straight over one streamline_topic(…) is rewritten, and only its
//     select list, GROUP BY, HAVING, QUALIFY, ORDER BY and DISTINCT ON (not WHERE, not subqueries);
//   - only extractions in places evaluated for every row of their operator (reached through plain
//     built-in functions, aggregates without FILTER, casts, comparisons, NOT, IS [NOT] NULL): the
//     optimizer's shared evaluation then parses no row the query did not parse already. Under CASE,
//     AND/OR, COALESCE, TRY, lambdas, windows, macros and unknown functions a row may not be
//     evaluated, so a path found there anywhere is left alone everywhere;
//   - paths are plain keys and indexes (`$.a.b`, `$.a[0]`, `a`): wildcards are refused in a list;
//   - the engine (engine.ts) runs the rewritten SQL only when it binds to the original's column
//     types, names the columns as the original does, and runs the original again for any error, so
//     errors (which quote the SQL text) are the original's.

import type { JsonNode } from './sql-ast.ts'
import { functionCallNode, isNode, topicFunctionName } from './sql-ast.ts'

/** `$.key.key[0]…` or a bare key: paths DuckDB takes in a list (no wildcards), same meaning alone. */
const simplePath = /^(?:\$(?:\.[A-Za-z_][A-Za-z0-9_]*|\[[0-9]+\])+|[A-Za-z_][A-Za-z0-9_]*)$/

/** Functions that evaluate an argument for only some rows (or catch its errors). */
const conditionalFunctions: ReadonlySet<string> = new Set([
  'coalesce',
  'ifnull',
  'nvl',
  'if',
  'iif',
  'try',
  'nullif',
  'case',
])

/** Operator nodes whose children are evaluated for every row they are. */
const plainOperators: ReadonlySet<string> = new Set([
  'OPERATOR_NOT',
  'OPERATOR_IS_NULL',
  'OPERATOR_IS_NOT_NULL',
])

interface Extraction {
  /** The `->>` node's holder and key, to replace it. */
  parent: JsonNode | JsonNode[]
  key: string | number
  node: JsonNode
  path: string
  /** Evaluated for every row of its operator. */
  everyRow: boolean
}

function isValueColumn(node: unknown, alias: string): node is JsonNode {
  if (!isNode(node) || node.class !== 'COLUMN_REF' || !Array.isArray(node.column_names)) return false
  const names = node.column_names.map((name) => String(name).toLowerCase())
  if (names.length === 1) return names[0] === 'value'
  return names.length === 2 && names[0] === alias && names[1] === 'value'
}

/** The path of a `value->>'<path>'` (or json_extract_string(value, '<path>')) node, else null. */
function extractedPath(node: JsonNode, alias: string): string | null {
  if (node.class !== 'FUNCTION' || !Array.isArray(node.children) || node.children.length !== 2) return null
  const name = String(node.function_name).toLowerCase()
  if (name !== '->>' && name !== 'json_extract_string') return null
  if (node.filter !== null || node.distinct === true || node.export_state === true) return null
  if (node.schema !== '' || node.catalog !== '') return null
  const [column, path] = node.children
  if (!isValueColumn(column, alias)) return null
  if (!isNode(path) || path.class !== 'CONSTANT' || !isNode(path.value)) return null
  const constant = path.value
  if (!isNode(constant.type) || constant.type.id !== 'VARCHAR' || constant.is_null !== false) return null
  return typeof constant.value === 'string' && simplePath.test(constant.value) ? constant.value : null
}

/** Whether the children of `node` are evaluated for every row `node` is. */
function evaluatesEveryChild(node: JsonNode, plainFunctions: ReadonlySet<string>): boolean {
  switch (node.class) {
    case 'FUNCTION': {
      const name = String(node.function_name).toLowerCase()
      const orders =
        isNode(node.order_bys) && Array.isArray(node.order_bys.orders) ? node.order_bys.orders : []
      return (
        plainFunctions.has(name) &&
        !conditionalFunctions.has(name) &&
        node.filter === null &&
        orders.length === 0 &&
        node.export_state !== true
      )
    }
    case 'CAST':
      return node.try_cast === false
    case 'COMPARISON':
      return true
    case 'OPERATOR':
      return plainOperators.has(String(node.type))
    default:
      return false
  }
}

/** The children a plain node evaluates (its other fields are not expressions of every row). */
function childSlots(node: JsonNode): Array<[JsonNode | JsonNode[], string | number]> {
  switch (node.class) {
    case 'CAST':
      return [[node, 'child']]
    case 'COMPARISON':
      return [
        [node, 'left'],
        [node, 'right'],
      ]
    default: {
      const children = node.children
      return Array.isArray(children) ? children.map((_child, index) => [children as JsonNode[], index]) : []
    }
  }
}

function collect(
  holder: JsonNode | JsonNode[],
  key: string | number,
  everyRow: boolean,
  context: { alias: string; plainFunctions: ReadonlySet<string>; found: Extraction[] },
): void {
  const node = (holder as Record<string | number, unknown>)[key]
  if (Array.isArray(node)) {
    for (let index = 0; index < node.length; index++) collect(node, index, everyRow, context)
    return
  }
  if (!isNode(node)) return
  // Another SELECT (a subquery) is another scope: its rows are not this operator's.
  if (node.class === 'SUBQUERY' || node.type === 'SELECT_NODE') return
  const path = extractedPath(node, context.alias)
  if (path !== null) {
    context.found.push({ parent: holder, key, node, path, everyRow })
    return
  }
  if (everyRow && evaluatesEveryChild(node, context.plainFunctions)) {
    for (const [slotHolder, slotKey] of childSlots(node)) collect(slotHolder, slotKey, true, context)
    return
  }
  for (const field of Object.keys(node)) collect(node, field, false, context)
}

function constantNode(type: string, value: string | number, location: unknown): JsonNode {
  return {
    class: 'CONSTANT',
    type: 'VALUE_CONSTANT',
    alias: '',
    query_location: location,
    value: { type: { id: type, type_info: null }, is_null: false, value },
  }
}

/**
 * The top-level SELECT with its every-row `value->>'<path>'` extractions sharing one parse, or null
 * when there is nothing to share (fewer than two paths) or the query is not of the handled shape.
 * `root` is changed in place only when the result is not null (pass a copy).
 * `plainFunctions`: names of DuckDB's built-in scalar and aggregate functions that are not macros.
 */
export function shareJsonParses(root: JsonNode, plainFunctions: ReadonlySet<string>): JsonNode | null {
  if (root.type !== 'SELECT_NODE' || !isNode(root.from_table)) return null
  const from = root.from_table
  if (from.type !== 'TABLE_FUNCTION' || !isNode(from.function)) return null
  if (String(from.function.function_name).toLowerCase() !== topicFunctionName) return null
  const alias = String(from.alias || topicFunctionName).toLowerCase()
  const context = { alias, plainFunctions, found: [] as Extraction[] }
  collect(root, 'select_list', true, context)
  collect(root, 'group_expressions', true, context)
  collect(root, 'having', true, context)
  collect(root, 'qualify', true, context)
  if (Array.isArray(root.modifiers)) {
    for (const modifier of root.modifiers) {
      if (!isNode(modifier)) continue
      if (Array.isArray(modifier.orders))
        for (const order of modifier.orders) if (isNode(order)) collect(order, 'expression', true, context)
      collect(modifier, 'distinct_on_targets', true, context)
    }
  }
  const conditional = new Set(context.found.filter((found) => !found.everyRow).map((found) => found.path))
  const shared = context.found.filter((found) => !conditional.has(found.path))
  const paths = [...new Set(shared.map((found) => found.path))].sort()
  if (paths.length < 2) return null
  for (const found of shared) {
    const [column] = found.node.children as JsonNode[]
    const location = found.node.query_location
    const list = functionCallNode(
      'list_value',
      paths.map((path) => constantNode('VARCHAR', path, location)),
      'main',
      location,
    )
    const replacement: JsonNode = {
      class: 'OPERATOR',
      type: 'ARRAY_EXTRACT',
      alias: found.node.alias,
      query_location: location,
      children: [
        functionCallNode('json_extract_string', [column, list], '', location),
        constantNode('INTEGER', paths.indexOf(found.path) + 1, location),
      ],
    }
    ;(found.parent as Record<string | number, unknown>)[found.key] = replacement
  }
  return root
}
