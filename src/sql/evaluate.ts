// Evaluates the constant sides of pushed-down predicates with DuckDB itself, so `now() - INTERVAL 1
// HOUR`, `'2026-12-06 10:00'` or `40 + 2` mean exactly what they mean in the query. The expressions
// (parse-tree form) are wrapped in TRY_CAST to DOUBLE (offsets, partitions) or to TIMESTAMP and
// epoch_us (timestamps, compared as the query compares a TIMESTAMP column), turned back into SQL by
// json_deserialize_sql and run as one SELECT on the query's connection, inside its transaction.

import type { DuckDBConnection } from '@duckdb/node-api'
import type { EvaluateExpressions } from './pushdown.ts'
import { functionCallNode, type JsonNode, walk } from './sql-ast.ts'

function tryCast(child: JsonNode, typeId: string): JsonNode {
  return {
    class: 'CAST',
    type: 'OPERATOR_CAST',
    alias: '',
    query_location: 0,
    child,
    cast_type: { id: typeId, type_info: null },
    try_cast: true,
  }
}

export function expressionEvaluator(connection: DuckDBConnection): EvaluateExpressions {
  return async (requests) => {
    const selectList = requests.map(({ expression, as }) =>
      as === 'epoch_us'
        ? tryCast(functionCallNode('epoch_us', [tryCast(expression, 'TIMESTAMP')]), 'DOUBLE')
        : tryCast(expression, 'DOUBLE'),
    )
    try {
      const template = await connection.runAndReadAll(`SELECT json_serialize_sql('SELECT 1')`)
      const statement = JSON.parse(String(template.getRows()[0][0])) as {
        statements: Array<{ node: JsonNode }>
      }
      statement.statements[0].node.select_list = selectList
      // JSON.parse turned DuckDB's "no location" (2^64 - 1) into a float it no longer accepts.
      walk(statement, (node) => {
        if ('query_location' in node) node.query_location = 0
      })
      const text = await connection.runAndReadAll('SELECT json_deserialize_sql($1::JSON)', [
        JSON.stringify(statement),
      ])
      const values = await connection.runAndReadAll(String(text.getRows()[0][0]))
      return values.getRows()[0].map((value) => (typeof value === 'number' ? value : null))
    } catch {
      // An expression that fails to evaluate (e.g. 1/0 in an integer context) is not pushed down;
      // the query itself will report the error.
      return requests.map(() => null)
    }
  }
}
