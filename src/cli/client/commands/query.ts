// `query "<sql>"`: SQL over topics (docs/sql.md) through Streamline's HTTP API (POST /api/v1/query).
// Output: an aligned table (default), JSON (the endpoint's answer: columns, rows, stats) or CSV (RFC
// 4180, a header row). Errors: the endpoint's code and message (bad SQL, refused access, limits), exit 1.
import { Command } from 'commander'
import { type CliContext, type RegisterCommands, runCommand } from '../context.ts'
import { parsePositiveInteger } from '../durations.ts'
import { CliFailure, UsageError } from '../errors.ts'

interface QueryColumn {
  name: string
  type: string
}

interface QueryAnswer {
  columns: QueryColumn[]
  rows: unknown[][]
  rowCount: number
  truncated: boolean
  elapsedMs: number
}

const outputFormats = ['table', 'json', 'csv'] as const
type QueryOutputFormat = (typeof outputFormats)[number]

function isQueryAnswer(body: unknown): body is QueryAnswer {
  const answer = body as Partial<QueryAnswer> | null
  return (
    typeof answer === 'object' &&
    answer !== null &&
    Array.isArray(answer.columns) &&
    Array.isArray(answer.rows)
  )
}

/** A cell as text: strings as they are, null empty, everything else as JSON. */
function cellText(value: unknown): string {
  if (value === null || value === undefined) return ''
  return typeof value === 'string' ? value : JSON.stringify(value)
}

function csvField(value: unknown): string {
  const text = cellText(value)
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text
}

function outputFormatOf(context: CliContext, given: string | undefined): QueryOutputFormat {
  if (given === undefined) return context.settings.format === 'json' ? 'json' : 'table'
  if (!(outputFormats as readonly string[]).includes(given)) {
    throw new UsageError(`--output-format must be one of ${outputFormats.join(', ')}, not '${given}'`)
  }
  return given as QueryOutputFormat
}

async function query(context: CliContext, command: Command): Promise<void> {
  const [sql] = command.args
  const options = command.opts<{ outputFormat?: string; maxRows?: string }>()
  const format = outputFormatOf(context, options.outputFormat)
  if (sql === undefined || sql.trim() === '') throw new UsageError('query needs the SQL text')
  const maxRows =
    options.maxRows === undefined ? undefined : parsePositiveInteger(options.maxRows, '--max-rows')
  const answer = await context.http('/api/v1/query', {
    method: 'POST',
    body: { sql, maxRows, timeoutMs: context.settings.timeoutMs },
  })
  if (answer.status !== 200 || !isQueryAnswer(answer.body)) {
    const body = answer.body as { code?: string; message?: string } | string
    const detail = typeof body === 'object' && body !== null ? `${body.code}: ${body.message}` : String(body)
    throw new CliFailure(`query failed (HTTP ${answer.status}) ${detail}`)
  }
  const result = answer.body
  if (format === 'json') {
    context.output.document(result)
  } else if (format === 'csv') {
    context.output.line(result.columns.map((column) => csvField(column.name)).join(','))
    for (const row of result.rows) context.output.line(row.map(csvField).join(','))
  } else {
    const columns = result.columns.map((column, index) => ({
      header: column.name,
      key: String(index),
      alignRight: /INT|DOUBLE|FLOAT|DECIMAL|REAL/.test(column.type),
    }))
    const rows = result.rows.map((row) =>
      Object.fromEntries(row.map((value, index) => [String(index), cellText(value)])),
    )
    context.output.table(columns, rows)
  }
  const more = result.truncated ? ' (truncated: more rows exist; raise --max-rows)' : ''
  context.output.note(
    `${result.rowCount} row${result.rowCount === 1 ? '' : 's'} in ${result.elapsedMs} ms${more}`,
  )
}

export const registerQuery: RegisterCommands = (program, io) => {
  program.addCommand(
    new Command('query')
      .description('SQL over topics (docs/sql.md), e.g. "SELECT count(*) FROM streamline_topic(\'orders\')"')
      .argument('<sql>', 'the SQL statement')
      .option('--output-format <format>', 'table, json or csv (default: table; json with --format json)')
      .option('--max-rows <n>', 'at most n rows (the server default otherwise)')
      .action(runCommand(io, query)),
  )
}
