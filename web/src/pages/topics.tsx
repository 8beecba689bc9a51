// Topics: search, sort and page through every topic (all in memory: 10,000 names filter and sort in a
// few milliseconds; only one page of rows is rendered), and create one. State lives in the URL
// (?q=&sort=&page=) so a view can be linked and the back button restores it.

import { useMemo, useState } from 'preact/hooks'
import { api, type TopicSummary } from '../api.ts'
import { ErrorBox, Loading } from '../components/feedback.tsx'
import { useLoad } from '../hooks.ts'
import { Link, type Location, navigate, withQuery } from '../router.tsx'
import { CreateTopicForm } from './topic-create.tsx'

const pageSize = 50

type SortKey = 'name' | '-name' | 'partitions' | '-partitions'

function sorted(topics: TopicSummary[], sort: SortKey): TopicSummary[] {
  const descending = sort.startsWith('-')
  const key = descending ? sort.slice(1) : sort
  const result = [...topics].sort((a, b) =>
    key === 'partitions'
      ? a.partitions - b.partitions || (a.name < b.name ? -1 : 1)
      : a.name < b.name
        ? -1
        : 1,
  )
  return descending ? result.reverse() : result
}

export function TopicsPage(props: { location: Location }) {
  const { search } = props.location
  const q = search.get('q') ?? ''
  const sort = (search.get('sort') ?? 'name') as SortKey
  const page = Math.max(Number(search.get('page') ?? '1') || 1, 1)
  const topics = useLoad(() => api.topics(), [])
  const [creating, setCreating] = useState(false)
  const go = (changes: Record<string, string | number | undefined>) =>
    navigate(withQuery('/topics', { q, sort, page, ...changes }), { replace: 'q' in changes })
  const matching = useMemo(() => {
    const all = topics.data?.topics ?? []
    const needle = q.toLowerCase()
    return sorted(
      needle === '' ? all : all.filter((topic) => topic.name.toLowerCase().includes(needle)),
      sort,
    )
  }, [topics.data, q, sort])
  const pages = Math.max(Math.ceil(matching.length / pageSize), 1)
  const shown = matching.slice((page - 1) * pageSize, page * pageSize)
  const sortButton = (key: 'name' | 'partitions', label: string) => {
    const active = sort === key || sort === `-${key}`
    const next = sort === key ? `-${key}` : key
    return (
      <th scope="col" aria-sort={active ? (sort.startsWith('-') ? 'descending' : 'ascending') : 'none'}>
        <button type="button" class="link" onClick={() => go({ sort: next, page: 1 })}>
          {label} {active ? (sort.startsWith('-') ? '▼' : '▲') : ''}
        </button>
      </th>
    )
  }
  return (
    <>
      <div class="page-head">
        <h1>Topics</h1>
        <button type="button" onClick={() => setCreating(!creating)} aria-expanded={creating}>
          Create topic
        </button>
      </div>
      {creating ? (
        <CreateTopicForm
          onCreated={(name) => {
            setCreating(false)
            navigate(`/topics/${encodeURIComponent(name)}`)
          }}
        />
      ) : null}
      <div class="toolbar">
        <label>
          Search topics{' '}
          <input
            type="search"
            value={q}
            onInput={(event) => go({ q: event.currentTarget.value, page: 1 })}
            placeholder="name contains…"
          />
        </label>
        <span class="muted" aria-live="polite">
          {matching.length} of {topics.data?.topics.length ?? 0} topics
        </span>
      </div>
      <ErrorBox error={topics.error} />
      <Loading loading={topics.loading && topics.data === null} />
      <table>
        <thead>
          <tr>
            {sortButton('name', 'Name')}
            {sortButton('partitions', 'Partitions')}
            <th scope="col">Internal</th>
          </tr>
        </thead>
        <tbody>
          {shown.map((topic) => (
            <tr key={topic.name}>
              <td>
                <Link href={`/topics/${encodeURIComponent(topic.name)}`}>{topic.name}</Link>
              </td>
              <td class="number">{topic.partitions}</td>
              <td>{topic.internal ? 'yes' : ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <nav class="pager" aria-label="Pages">
        <button type="button" disabled={page <= 1} onClick={() => go({ page: page - 1 })}>
          Previous
        </button>
        <span>
          Page {Math.min(page, pages)} of {pages}
        </span>
        <button type="button" disabled={page >= pages} onClick={() => go({ page: page + 1 })}>
          Next
        </button>
      </nav>
    </>
  )
}
