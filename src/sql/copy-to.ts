// File output: `COPY (<SELECT>) TO '<file>' [(FORMAT parquet | csv | json)]` writes a query's rows to
// a file inside the configured export directory (`sql.export_directory`, by default
// <data dir>/sql-export), never anywhere else: the name is relative, its parts are plain names (no
// `..`, no absolute path, no drive or URL), and DuckDB itself may touch only that directory
// (allowed_directories, with external access otherwise disabled: duckdb-pool.ts). The format comes from
// FORMAT or else the extension (.parquet, .csv, .json / .ndjson / .jsonl: newline-delimited JSON).

import { mkdir } from 'node:fs/promises'
import { dirname, resolve, sep } from 'node:path'
import { SqlError } from './errors.ts'

export type CopyFormat = 'parquet' | 'csv' | 'json'

export interface CopyTarget {
  /** The name as given (relative to the export directory). */
  file: string
  format: CopyFormat
}

const copyPattern =
  /^\s*copy\s*\(([\s\S]+)\)\s*to\s+'((?:[^']|'')*)'\s*(?:\(\s*format\s+'?(\w+)'?\s*\)|with\s*\(\s*format\s+'?(\w+)'?\s*\))?\s*;?\s*$/i
const copyPrefix = /^\s*copy\b/i
const namePart = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/
const extensions: Record<string, CopyFormat> = {
  parquet: 'parquet',
  csv: 'csv',
  json: 'json',
  ndjson: 'json',
  jsonl: 'json',
}

/** The SELECT and target of a COPY statement, null for any other statement. */
export function parseCopy(sql: string): { select: string; target: CopyTarget } | null {
  if (!copyPrefix.test(sql)) return null
  const match = copyPattern.exec(sql)
  if (match === null) {
    throw new SqlError(
      'UNSUPPORTED_STATEMENT',
      "COPY writes a query's rows to a file: COPY (<SELECT>) TO '<file>' [(FORMAT parquet | csv | json)]",
    )
  }
  const file = match[2].replaceAll("''", "'")
  const parts = file.split('/')
  if (file === '' || parts.some((part) => !namePart.test(part) || part === '..')) {
    throw new SqlError(
      'INVALID_SQL',
      `COPY writes inside the export directory: '${file}' must be a relative name of letters, digits, _ . - (and / between directories), without ..`,
    )
  }
  const named = (match[3] ?? match[4])?.toLowerCase()
  const byExtension = extensions[/\.([A-Za-z0-9]+)$/.exec(file)?.[1].toLowerCase() ?? '']
  const format = named === undefined ? byExtension : extensions[named]
  if (format === undefined) {
    throw new SqlError(
      'INVALID_SQL',
      named === undefined
        ? `COPY needs a format: (FORMAT parquet | csv | json) or a .parquet/.csv/.json file name`
        : `unknown COPY format ${named}: parquet, csv or json`,
    )
  }
  return { select: match[1], target: { file, format } }
}

/** The absolute path of a target inside `directory` (its parent directories made), checked again. */
export async function copyPathOf(directory: string | undefined, target: CopyTarget): Promise<string> {
  if (directory === undefined) {
    throw new SqlError('UNSUPPORTED_STATEMENT', 'file output is off: set sql.export_directory')
  }
  const root = resolve(directory)
  const path = resolve(root, target.file)
  if (!path.startsWith(root + sep))
    throw new SqlError('INVALID_SQL', `'${target.file}' is outside the export directory`)
  await mkdir(dirname(path), { recursive: true })
  return path
}

/** DuckDB's COPY of the (already checked) SELECT to the path. */
export function copySql(select: string, path: string, format: CopyFormat): string {
  const options = format === 'csv' ? 'FORMAT csv, HEADER true' : `FORMAT ${format}`
  return `COPY (${select}) TO '${path.replaceAll("'", "''")}' (${options})`
}
