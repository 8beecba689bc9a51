// The one formatter every command writes through. Two shapes: `text` (aligned tables, colour on a
// terminal unless --no-color / NO_COLOR) and `json` (one document per command, documented in
// docs/cli.md; bigints become strings). Results go to stdout (or the -o file); diagnostics and
// summaries to stderr, so a pipe carries data only.
import type { Writable } from 'node:stream'

export type OutputFormat = 'text' | 'json'

export interface Column {
  /** Header text (upper-cased in the table). */
  header: string
  /** The row field shown. */
  key: string
  /** Right-align (numbers). */
  alignRight?: boolean
}

export type Row = Record<string, unknown>

export interface OutputOptions {
  format: OutputFormat
  color: boolean
  stdout: Writable
  stderr: Writable
}

const ansi = {
  reset: '\u001b[0m',
  bold: '\u001b[1m',
  dim: '\u001b[2m',
  red: '\u001b[31m',
  green: '\u001b[32m',
  yellow: '\u001b[33m',
  cyan: '\u001b[36m',
}
export type Style = Exclude<keyof typeof ansi, 'reset'>

/** JSON with bigints as decimal strings and Buffers as their UTF-8 text. */
export function toJson(value: unknown, indent?: number): string {
  return JSON.stringify(
    value,
    (_key, item: unknown) => (typeof item === 'bigint' ? item.toString() : item),
    indent,
  )
}

function cellText(value: unknown): string {
  if (value === null || value === undefined) return '-'
  if (typeof value === 'string') return value
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean')
    return String(value)
  return toJson(value)
}

export class Output {
  readonly format: OutputFormat
  readonly color: boolean
  readonly stdout: Writable
  readonly stderr: Writable

  constructor(options: OutputOptions) {
    this.format = options.format
    this.color = options.color
    this.stdout = options.stdout
    this.stderr = options.stderr
  }

  get json(): boolean {
    return this.format === 'json'
  }

  style(style: Style, text: string): string {
    return this.color ? `${ansi[style]}${text}${ansi.reset}` : text
  }

  /** Writes raw text to stdout; false when the stream wants a drain() before more. */
  write(text: string | Buffer): boolean {
    return this.stdout.write(text)
  }

  line(text = ''): void {
    this.stdout.write(`${text}\n`)
  }

  /** A diagnostic line on stderr (never part of the data). */
  note(text: string): void {
    this.stderr.write(`${text}\n`)
  }

  drain(): Promise<void> {
    return new Promise((resolve) => this.stdout.once('drain', resolve))
  }

  /** The JSON document of a command (json format), pretty-printed. */
  document(value: unknown): void {
    this.line(toJson(value, 2))
  }

  /** Prints `value` as JSON, or calls `renderText` in text format. */
  result(value: unknown, renderText: () => void): void {
    if (this.json) this.document(value)
    else renderText()
  }

  /** An aligned table; an empty one prints the headers only. */
  table(columns: Column[], rows: Row[]): void {
    this.line(formatTable(columns, rows, (text) => this.style('bold', text)).join('\n'))
  }

  /** `key: value` lines, keys aligned. */
  fields(pairs: [string, unknown][]): void {
    const width = Math.max(0, ...pairs.map(([key]) => key.length)) + 1
    for (const [key, value] of pairs) this.line(`${`${key}:`.padEnd(width)} ${cellText(value)}`)
  }
}

/** Table lines: header, then one per row, columns separated by two spaces, no trailing spaces. */
export function formatTable(
  columns: Column[],
  rows: Row[],
  styleHeader: (text: string) => string = (t) => t,
): string[] {
  const cells = rows.map((row) => columns.map((column) => cellText(row[column.key])))
  const widths = columns.map((column, index) =>
    Math.max(column.header.length, ...cells.map((rowCells) => rowCells[index].length)),
  )
  const render = (values: string[]): string =>
    values
      .map((value, index) =>
        columns[index].alignRight === true ? value.padStart(widths[index]) : value.padEnd(widths[index]),
      )
      .join('  ')
      .trimEnd()
  const header = styleHeader(render(columns.map((column) => column.header.toUpperCase())))
  return [header, ...cells.map(render)]
}
