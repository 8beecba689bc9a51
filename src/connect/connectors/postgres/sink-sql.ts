// SQL for the PostgreSQL sink: Connect schemas to column types, CREATE TABLE / ALTER TABLE ADD COLUMN
// from a record schema, and the INSERT / upsert / UPDATE / DELETE statements with their parameters.

import { LogicalNames, type Schema } from '../../sdk/data.ts'
import { quoteIdentifier } from './pg-connection.ts'

export interface Column {
  name: string
  schema: Schema
}

export function columnType(schema: Schema): string {
  if (schema.name === LogicalNames.timestamp) return 'TIMESTAMP'
  if (schema.name === LogicalNames.date) return 'DATE'
  if (schema.name === LogicalNames.time) return 'TIME'
  if (schema.name === LogicalNames.decimal) return 'NUMERIC'
  switch (schema.type) {
    case 'int8':
    case 'int16':
      return 'SMALLINT'
    case 'int32':
      return 'INT'
    case 'int64':
      return 'BIGINT'
    case 'float32':
      return 'REAL'
    case 'float64':
      return 'DOUBLE PRECISION'
    case 'boolean':
      return 'BOOLEAN'
    case 'bytes':
      return 'BYTEA'
    case 'string':
      return 'TEXT'
    default:
      return 'JSONB' // arrays, maps and structs as JSON
  }
}

/** A value as a query parameter for its column. */
export function columnParameter(schema: Schema, value: unknown): unknown {
  if (value === null || value === undefined) return null
  if (schema.name === LogicalNames.timestamp && typeof value === 'number')
    return new Date(value).toISOString()
  if (schema.name === LogicalNames.date && typeof value === 'number')
    return new Date(value * (value < 100_000 ? 86_400_000 : 1)).toISOString().slice(0, 10)
  if (typeof value === 'bigint') return value.toString()
  if (schema.type === 'array' || schema.type === 'map' || schema.type === 'struct')
    return JSON.stringify(value)
  return value
}

export function createTableSql(table: string, columns: Column[], keys: string[]): string {
  const definitions = columns.map(
    (column) =>
      `${quoteIdentifier(column.name)} ${columnType(column.schema)}${column.schema.optional && !keys.includes(column.name) ? '' : ' NOT NULL'}`,
  )
  if (keys.length > 0) definitions.push(`PRIMARY KEY (${keys.map(quoteIdentifier).join(', ')})`)
  return `CREATE TABLE IF NOT EXISTS ${quoteIdentifier(table)} (${definitions.join(', ')})`
}

export function addColumnSql(table: string, column: Column): string {
  return `ALTER TABLE ${quoteIdentifier(table)} ADD COLUMN IF NOT EXISTS ${quoteIdentifier(column.name)} ${columnType(column.schema)}`
}

export function writeSql(mode: string, table: string, columns: Column[], keys: string[]): string {
  const names = columns.map((column) => quoteIdentifier(column.name))
  const placeholders = columns.map((_, index) => `$${index + 1}`)
  if (mode === 'update') {
    const values = columns.filter((column) => !keys.includes(column.name))
    const set = values.map((column) => `${quoteIdentifier(column.name)} = $${columns.indexOf(column) + 1}`)
    const where = keys.map(
      (key) => `${quoteIdentifier(key)} = $${columns.findIndex((column) => column.name === key) + 1}`,
    )
    return `UPDATE ${quoteIdentifier(table)} SET ${set.join(', ')} WHERE ${where.join(' AND ')}`
  }
  const insert = `INSERT INTO ${quoteIdentifier(table)} (${names.join(', ')}) VALUES (${placeholders.join(', ')})`
  if (mode !== 'upsert' || keys.length === 0) return insert
  const updates = columns
    .filter((column) => !keys.includes(column.name))
    .map((column) => `${quoteIdentifier(column.name)} = EXCLUDED.${quoteIdentifier(column.name)}`)
  const action = updates.length === 0 ? 'DO NOTHING' : `DO UPDATE SET ${updates.join(', ')}`
  return `${insert} ON CONFLICT (${keys.map(quoteIdentifier).join(', ')}) ${action}`
}

export function deleteSql(table: string, keys: string[]): string {
  const where = keys.map((key, index) => `${quoteIdentifier(key)} = $${index + 1}`)
  return `DELETE FROM ${quoteIdentifier(table)} WHERE ${where.join(' AND ')}`
}
