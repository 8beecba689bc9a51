// SQL workbench: write a query over topics (DuckDB, docs/sql.md), run it (button or Ctrl+Enter),
// cancel it (the request is aborted; the broker cancels a query whose client went away), see the
// result grid with what the query read, or DuckDB's error. The last query run is in the URL (?sql=),
// so a query can be linked; results download as CSV or JSON. Below: saved queries and the broker's
// continuous queries (sql-panels.tsx).

import { useRef, useState } from 'preact/hooks'
import { api } from '../api.ts'
import { ErrorBox, Notice } from '../components/feedback.tsx'
import { SqlEditor } from '../components/sql-editor.tsx'
import { formatBytes, formatNumber } from '../format.ts'
import { useLoad } from '../hooks.ts'
import { type Location, navigate, withQuery } from '../router.tsx'
import { type QueryResult, servicesApi } from '../services-api.ts'
import { ContinuousQueries, SavedQueries } from './sql-panels.tsx'

const placeholder = 'SELECT partition, "offset", key, value FROM streamline_topic(\'orders\') LIMIT 100'

function cellText(value: unknown): string {
  if (value === null || value === undefined) return 'NULL'
  return typeof value === 'object' ? JSON.stringify(value) : String(value)
}

function csvField(text: string): string {
  return /[",\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text
}

export function resultAsCsv(result: QueryResult): string {
  const lines = [result.columns.map((column) => csvField(column.name)).join(',')]
  for (const row of result.rows)
    lines.push(row.map((value) => csvField(value === null ? '' : cellText(value))).join(','))
  return `${lines.join('\n')}\n`
}

function download(name: string, type: string, text: string): void {
  const link = document.createElement('a')
  link.href = URL.createObjectURL(new Blob([text], { type }))
  link.download = name
  link.click()
  URL.revokeObjectURL(link.href)
}

export function SqlPage(props: { location: Location }) {
  const [sql, setSql] = useState(props.location.search.get('sql') ?? '')
  const [result, setResult] = useState<QueryResult | null>(null)
  const [error, setError] = useState<Error | null>(null)
  const [notice, setNotice] = useState<string | null>(null)
  const running = useRef<AbortController | null>(null)
  const [busy, setBusy] = useState(false)
  const topics = useLoad(() => api.topics(), [])
  const topicNames = (topics.data?.topics ?? []).map((topic) => topic.name)
  const run = () => {
    if (sql.trim() === '' || running.current !== null) return
    const controller = new AbortController()
    running.current = controller
    setBusy(true)
    setError(null)
    setNotice('Running…')
    navigate(withQuery('/sql', { sql }), { replace: true })
    servicesApi
      .query(sql, controller.signal)
      .then(
        (answer) => {
          setResult(answer)
          setNotice(
            answer.written === undefined
              ? `${formatNumber(answer.rowCount)} rows${answer.truncated ? ' (truncated)' : ''} in ${answer.elapsedMs} ms`
              : `${formatNumber(answer.written.records)} records written to ${answer.written.topic} in ${answer.elapsedMs} ms`,
          )
        },
        (failure: unknown) => {
          setResult(null)
          setNotice(null)
          if (controller.signal.aborted) setNotice('Cancelled')
          else setError(failure as Error)
        },
      )
      .finally(() => {
        running.current = null
        setBusy(false)
      })
  }
  const cancel = () => running.current?.abort()
  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
      event.preventDefault()
      run()
    }
  }
  return (
    <>
      <h1>SQL</h1>
      <form
        onSubmit={(event) => {
          event.preventDefault()
          run()
        }}
        aria-label="Query"
      >
        <label class="block" htmlFor="sql-query">
          Query <span class="muted">(Ctrl+Enter runs it; docs/sql.md lists the columns)</span>
        </label>
        <SqlEditor
          id="sql-query"
          value={sql}
          placeholder={placeholder}
          onInput={setSql}
          onKeyDown={onKeyDown}
          topics={topicNames}
        />
        <div class="row">
          <button type="submit" class="primary" disabled={busy}>
            Run
          </button>
          <button type="button" onClick={cancel} disabled={!busy}>
            Cancel
          </button>
          <button
            type="button"
            disabled={result === null}
            onClick={() => result !== null && download('query.csv', 'text/csv', resultAsCsv(result))}
          >
            Download CSV
          </button>
          <button
            type="button"
            disabled={result === null}
            onClick={() =>
              result !== null &&
              download('query.json', 'application/json', `${JSON.stringify(result, null, 2)}\n`)
            }
          >
            Download JSON
          </button>
        </div>
      </form>
      <ErrorBox error={error} />
      <Notice text={notice} />
      {result === null || result.columns.length === 0 ? null : (
        <>
          {result.stats?.bytesRead === undefined ? null : (
            <p class="muted">
              Read {formatBytes(result.stats.bytesRead)}
              {result.stats.recordsScanned === undefined
                ? ''
                : `, ${formatNumber(result.stats.recordsScanned)} records scanned`}
            </p>
          )}
          <div class="scroll">
            <table aria-label="Result">
              <thead>
                <tr>
                  {result.columns.map((column) => (
                    <th key={column.name} scope="col" title={column.type}>
                      {column.name}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {result.rows.map((row, index) => (
                  <tr key={index}>
                    {row.map((value, column) => (
                      <td key={column} class={typeof value === 'number' ? 'number' : ''}>
                        {cellText(value)}
                      </td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
      <SavedQueries sql={sql} onOpen={setSql} />
      <ContinuousQueries />
    </>
  )
}
