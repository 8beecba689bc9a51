// The shape of a parsed JSON value, following DuckDB's read_json auto-detection: integers BIGINT,
// other numbers DOUBLE (an integer and a fraction: DOUBLE), true/false BOOLEAN, strings VARCHAR unless
// every one is an ISO date (DATE) or an ISO timestamp (TIMESTAMP), objects STRUCTs of the union of
// their keys, arrays LISTs of their merged items; only-NULL, empty-array items and conflicting types
// JSON, an object never seen with keys MAP(VARCHAR, JSON). Merged over a sample of the values
// (jsonSampleSize, read_json's default sample_size).

import { daysOfIsoDate, mergeShapes, microsOfIsoTimestamp, nullShape, type Shape } from './shape.ts'

/** Values sampled for inference per column and query (read_json's default sample_size). */
export const jsonSampleSize = 20_480

function stringShape(text: string): Shape {
  if (daysOfIsoDate(text) !== null) return { kind: 'date' }
  if (microsOfIsoTimestamp(text) !== null && !/[zZ+]|-\d{2}:?\d{2}$/.test(text.slice(19)))
    return { kind: 'timestamp' }
  return { kind: 'varchar' }
}

export function shapeOfJson(value: unknown): Shape {
  if (value === null) return nullShape
  switch (typeof value) {
    case 'boolean':
      return { kind: 'boolean' }
    case 'number':
      return { kind: Number.isInteger(value) ? 'bigint' : 'double' }
    case 'string':
      return stringShape(value)
    default:
      break
  }
  if (Array.isArray(value)) {
    let item: Shape = nullShape
    for (const element of value) item = mergeShapes(item, shapeOfJson(element))
    return { kind: 'list', item }
  }
  const fields = new Map<string, Shape>()
  for (const [key, field] of Object.entries(value as Record<string, unknown>)) {
    const known = fields.get(key)
    const shape = shapeOfJson(field)
    fields.set(key, known === undefined ? shape : mergeShapes(known, shape))
  }
  return { kind: 'struct', fields }
}
