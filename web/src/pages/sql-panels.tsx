// The SQL workbench's side panels: the broker's continuous queries (materialized views and streams,
// from `SHOW QUERIES`, with PAUSE / RESUME) and the queries saved in this browser (localStorage: the
// broker stores no per-user state).

import { useState } from 'preact/hooks'
import { ErrorBox, Notice } from '../components/feedback.tsx'
import { useLoad } from '../hooks.ts'
import { Link } from '../router.tsx'
import { servicesApi } from '../services-api.ts'

interface ContinuousQuery {
  name: string
  kind: string
  source: string
  output_topic: string
  status: string
  watermark: string | null
  dropped_records: number | null
}

/** SHOW QUERIES' rows as objects by column name. */
export function continuousQueriesOf(answer: { columns: Array<{ name: string }>; rows: unknown[][] }) {
  return answer.rows.map(
    (row) =>
      Object.fromEntries(
        answer.columns.map((column, index) => [column.name, row[index]]),
      ) as unknown as ContinuousQuery,
  )
}

export function ContinuousQueries() {
  const queries = useLoad(
    () => servicesApi.query('SHOW QUERIES', new AbortController().signal).then(continuousQueriesOf),
    [],
    5000,
  )
  const [error, setError] = useState<Error | null>(null)
  const [notice, setNotice] = useState<string | null>(null)
  const act = (statement: 'PAUSE' | 'RESUME', name: string) => {
    setError(null)
    servicesApi.query(`${statement} ${name}`, new AbortController().signal).then(
      () => {
        setNotice(`${statement === 'PAUSE' ? 'Paused' : 'Resumed'} ${name}`)
        queries.reload()
      },
      (failure: unknown) => setError(failure as Error),
    )
  }
  const rows = queries.data ?? []
  return (
    <section aria-labelledby="continuous-title">
      <h2 id="continuous-title">Continuous queries</h2>
      <ErrorBox error={error ?? queries.error} />
      <Notice text={notice} />
      {queries.data !== null && rows.length === 0 ? (
        <p class="muted">No continuous queries (CREATE MATERIALIZED VIEW or CREATE STREAM starts one).</p>
      ) : null}
      {rows.length === 0 ? null : (
        <table aria-label="Continuous queries">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Kind</th>
              <th scope="col">Source</th>
              <th scope="col">Output topic</th>
              <th scope="col">Status</th>
              <th scope="col">Watermark</th>
              <th scope="col">Dropped</th>
              <th scope="col">
                <span class="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.map((query) => (
              <tr key={query.name}>
                <td>{query.name}</td>
                <td>{query.kind}</td>
                <td>{query.source}</td>
                <td>
                  <Link href={`/topics/${encodeURIComponent(query.output_topic)}/messages`}>
                    {query.output_topic}
                  </Link>
                </td>
                <td>{query.status}</td>
                <td>{query.watermark ?? '–'}</td>
                <td class="number">{query.dropped_records ?? '–'}</td>
                <td>
                  {query.status === 'PAUSED' ? (
                    <button type="button" onClick={() => act('RESUME', query.name)}>
                      Resume {query.name}
                    </button>
                  ) : (
                    <button type="button" onClick={() => act('PAUSE', query.name)}>
                      Pause {query.name}
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  )
}

export interface SavedQuery {
  name: string
  sql: string
}

const savedKey = 'streamline.sql.saved'

export function loadSavedQueries(): SavedQuery[] {
  try {
    const parsed: unknown = JSON.parse(window.localStorage.getItem(savedKey) ?? '[]')
    return Array.isArray(parsed)
      ? parsed.filter(
          (entry): entry is SavedQuery =>
            typeof entry === 'object' &&
            entry !== null &&
            typeof (entry as SavedQuery).name === 'string' &&
            typeof (entry as SavedQuery).sql === 'string',
        )
      : []
  } catch {
    return []
  }
}

function storeSavedQueries(queries: SavedQuery[]): void {
  window.localStorage.setItem(savedKey, JSON.stringify(queries))
}

/** Save the editor's query under a name (the same name replaces it), open or delete a saved one. */
export function SavedQueries(props: { sql: string; onOpen: (sql: string) => void }) {
  const [saved, setSaved] = useState(loadSavedQueries)
  const [name, setName] = useState('')
  const update = (next: SavedQuery[]) => {
    storeSavedQueries(next)
    setSaved(next)
  }
  const save = (event: Event) => {
    event.preventDefault()
    const trimmed = name.trim()
    if (trimmed === '' || props.sql.trim() === '') return
    update(
      [...saved.filter((query) => query.name !== trimmed), { name: trimmed, sql: props.sql }].sort((a, b) =>
        a.name.localeCompare(b.name),
      ),
    )
    setName('')
  }
  return (
    <section aria-labelledby="saved-title">
      <h2 id="saved-title">Saved queries</h2>
      <form class="row" onSubmit={save} aria-label="Save the query">
        <label>
          Name <input value={name} onInput={(event) => setName(event.currentTarget.value)} />
        </label>
        <button type="submit" disabled={name.trim() === '' || props.sql.trim() === ''}>
          Save query
        </button>
      </form>
      {saved.length === 0 ? <p class="muted">No saved queries in this browser.</p> : null}
      <ul class="saved-queries">
        {saved.map((query) => (
          <li key={query.name}>
            <button type="button" class="link" title={query.sql} onClick={() => props.onOpen(query.sql)}>
              {query.name}
            </button>{' '}
            <button
              type="button"
              aria-label={`Delete saved query ${query.name}`}
              onClick={() => update(saved.filter((other) => other.name !== query.name))}
            >
              Delete
            </button>
          </li>
        ))}
      </ul>
    </section>
  )
}
