// DuckDB values as JSON for the HTTP answer: DuckDB's own JSON mapping (@duckdb/node-api's
// JsonDuckDBValueConverter: timestamps and decimals as text, structs as objects, lists as arrays),
// with three changes that make answers easier to use: 64/128-bit integers are numbers while they are
// safe integers (text beyond), BLOBs are base64, and values of DuckDB's JSON type are embedded as JSON.

import {
  DuckDBBlobValue,
  type DuckDBResultReader,
  type DuckDBType,
  DuckDBTypeId,
  type DuckDBValue,
  type DuckDBValueConverter,
  type Json,
  JsonDuckDBValueConverter,
} from '@duckdb/node-api'
import type { QueryColumn } from './types.ts'

function integerOf(value: DuckDBValue): number | string {
  const big = typeof value === 'bigint' ? value : BigInt(String(value))
  const number = Number(big)
  return Number.isSafeInteger(number) ? number : big.toString()
}

function parsedJson(text: string): Json {
  try {
    return JSON.parse(text) as Json
  } catch {
    // DuckDB's JSON type may hold text that is not JSON (it is a VARCHAR alias): keep the text.
    return text
  }
}

export const jsonValueConverter: DuckDBValueConverter<Json> = (value, type, converter) => {
  if (value === null) return null
  switch (type.typeId) {
    case DuckDBTypeId.BIGINT:
    case DuckDBTypeId.UBIGINT:
    case DuckDBTypeId.HUGEINT:
    case DuckDBTypeId.UHUGEINT:
      return integerOf(value)
    case DuckDBTypeId.BLOB:
      return value instanceof DuckDBBlobValue ? Buffer.from(value.bytes).toString('base64') : String(value)
    case DuckDBTypeId.VARCHAR:
      return type.alias === 'JSON' ? parsedJson(String(value)) : String(value)
    default:
      return JsonDuckDBValueConverter(value, type, converter)
  }
}

export function typeName(type: DuckDBType): string {
  return type.alias ?? type.toString()
}

export function columnsOf(reader: DuckDBResultReader): QueryColumn[] {
  const names = reader.columnNames()
  const types = reader.columnTypes()
  return names.map((name, index) => ({ name, type: typeName(types[index]) }))
}

/** The first `maxRows` rows read so far, as JSON. */
export function rowsOf(reader: DuckDBResultReader, maxRows: number): Json[][] {
  return reader.convertRows(jsonValueConverter).slice(0, maxRows)
}
