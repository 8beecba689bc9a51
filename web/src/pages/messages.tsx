// The message browser of one topic. Everything that selects what is shown lives in the URL
// (?partition=&from=&offset=&timestamp=&q=&mode=&view=&positions=), so a search can be linked and the
// back button returns to the previous page. Live tail: the broker's WebSocket (/api/v1/topics/x/tail).

import { useEffect, useState } from 'preact/hooks'
import type { EncodedBytes, Message, TopicDetail } from '../api.ts'
import { ErrorBox, Loading } from '../components/feedback.tsx'
import { JsonTree } from '../components/json-tree.tsx'
import { formatTime } from '../format.ts'
import { useLoad } from '../hooks.ts'
import {
  browse,
  formatPositions,
  jsonLine,
  parsePositions,
  type StartFrom,
  showBytes,
  type ViewMode,
} from '../messages-logic.ts'
import { type Location, navigate, withQuery } from '../router.tsx'
import { ExportForm, ImportForm } from './export-import.tsx'
import { LiveTail } from './live-tail.tsx'
import { ProduceForm } from './produce-form.tsx'

const pageSize = 50

export function MessagesView(props: { topic: TopicDetail; location: Location }) {
  const { topic } = props
  const { search } = props.location
  const base = `/topics/${encodeURIComponent(topic.name)}/messages`
  const params = {
    partition: search.get('partition') ?? 'all',
    from: (search.get('from') ?? 'newest') as StartFrom,
    offset: search.get('offset') ?? '',
    timestamp: search.get('timestamp') ?? '',
    q: search.get('q') ?? '',
    mode: search.get('mode') === 'regex' ? 'regex' : 'text',
    view: (search.get('view') ?? 'json') as ViewMode,
    positions: search.get('positions') ?? '',
    decode: search.get('decode') === 'registry' ? 'registry' : '',
  }
  const go = (changes: Partial<typeof params>) => navigate(withQuery(base, { ...params, ...changes }))
  const partitions =
    params.partition === 'all'
      ? topic.partitionDetails.map((item) => item.partition)
      : [Number(params.partition)]
  const page = useLoad(
    () =>
      browse(topic, {
        partitions,
        from: params.from,
        offset: Number(params.offset || 0),
        timestamp: params.timestamp === '' ? 0 : Date.parse(params.timestamp),
        positions: parsePositions(params.positions),
        filter: params.q,
        filterMode: params.mode as 'text' | 'regex',
        pageSize,
        encoding: params.view === 'hex' ? 'base64' : 'auto',
        decode: params.decode === 'registry' && params.view !== 'hex',
      }),
    [topic, props.location.search.toString()],
  )
  const [draft, setDraft] = useState(params)
  useEffect(() => setDraft(params), [props.location.search.toString()])
  const [tailing, setTailing] = useState(false)
  const [producing, setProducing] = useState(false)
  const [exporting, setExporting] = useState(false)
  const [importing, setImporting] = useState(false)
  const download = () => {
    const lines = (page.data?.messages ?? []).map((message) => jsonLine(topic.name, message)).join('\n')
    const link = document.createElement('a')
    link.href = URL.createObjectURL(new Blob([`${lines}\n`], { type: 'application/x-ndjson' }))
    link.download = `${topic.name}-messages.jsonl`
    link.click()
    URL.revokeObjectURL(link.href)
  }
  return (
    <>
      <form
        class="panel"
        aria-label="Browse messages"
        onSubmit={(event) => {
          event.preventDefault()
          go({ ...draft, positions: '' })
        }}
      >
        <div class="row">
          <label>
            Partition{' '}
            <select
              value={draft.partition}
              onChange={(event) => setDraft({ ...draft, partition: event.currentTarget.value })}
            >
              <option value="all">all</option>
              {topic.partitionDetails.map((item) => (
                <option key={item.partition} value={String(item.partition)}>
                  {item.partition}
                </option>
              ))}
            </select>
          </label>
          <label>
            Start at{' '}
            <select
              value={draft.from}
              onChange={(event) => setDraft({ ...draft, from: event.currentTarget.value as StartFrom })}
            >
              <option value="newest">newest</option>
              <option value="oldest">oldest</option>
              <option value="offset">offset</option>
              <option value="timestamp">timestamp</option>
            </select>
          </label>
          {draft.from === 'offset' ? (
            <label>
              Offset{' '}
              <input
                type="number"
                min={0}
                value={draft.offset}
                onInput={(event) => setDraft({ ...draft, offset: event.currentTarget.value })}
              />
            </label>
          ) : null}
          {draft.from === 'timestamp' ? (
            <label>
              Timestamp{' '}
              <input
                type="datetime-local"
                step={1}
                value={draft.timestamp}
                onInput={(event) => setDraft({ ...draft, timestamp: event.currentTarget.value })}
              />
            </label>
          ) : null}
        </div>
        <div class="row">
          <label>
            Search key, value and headers{' '}
            <input
              type="search"
              value={draft.q}
              onInput={(event) => setDraft({ ...draft, q: event.currentTarget.value })}
            />
          </label>
          <label>
            Match{' '}
            <select
              value={draft.mode}
              onChange={(event) => setDraft({ ...draft, mode: event.currentTarget.value })}
            >
              <option value="text">text</option>
              <option value="regex">regex</option>
            </select>
          </label>
          <label>
            Show values as{' '}
            <select
              value={draft.view}
              onChange={(event) => setDraft({ ...draft, view: event.currentTarget.value as ViewMode })}
            >
              <option value="json">JSON (pretty)</option>
              <option value="text">text</option>
              <option value="hex">hex</option>
            </select>
          </label>
          <label>
            <input
              type="checkbox"
              checked={draft.decode === 'registry'}
              onChange={(event) =>
                setDraft({ ...draft, decode: event.currentTarget.checked ? 'registry' : '' })
              }
            />{' '}
            Decode with the schema registry
          </label>
          <button type="submit" class="primary">
            Show messages
          </button>
        </div>
      </form>
      <div class="toolbar">
        <button type="button" onClick={() => setTailing(!tailing)} aria-pressed={tailing}>
          {tailing ? 'Stop live tail' : 'Live tail'}
        </button>
        <button type="button" onClick={() => setProducing(!producing)} aria-expanded={producing}>
          Produce a message
        </button>
        <button type="button" onClick={download} disabled={(page.data?.messages.length ?? 0) === 0}>
          Download JSON lines
        </button>
        <button type="button" onClick={() => setExporting(!exporting)} aria-expanded={exporting}>
          Export a range
        </button>
        <button type="button" onClick={() => setImporting(!importing)} aria-expanded={importing}>
          Import messages
        </button>
      </div>
      {producing ? <ProduceForm topic={topic} onProduced={page.reload} /> : null}
      {exporting ? <ExportForm topic={topic} /> : null}
      {importing ? <ImportForm topic={topic} onImported={page.reload} /> : null}
      {tailing ? (
        <LiveTail
          topic={topic.name}
          partition={params.partition}
          view={params.view}
          decode={params.decode === 'registry'}
        />
      ) : null}
      <ErrorBox error={page.error} />
      <Loading loading={page.loading} />
      {page.data === null ? null : (
        <>
          <MessageTable
            messages={page.data.messages}
            view={params.view}
            caption={`Messages of ${topic.name}`}
          />
          <nav class="pager" aria-label="Message pages">
            <button type="button" onClick={() => window.history.back()}>
              Back
            </button>
            <button
              type="button"
              disabled={!page.data.more}
              onClick={() => go({ positions: formatPositions(page.data?.next ?? new Map()) })}
            >
              Next page
            </button>
          </nav>
        </>
      )}
    </>
  )
}

function SchemaTag(props: { schema: NonNullable<EncodedBytes['schema']> }) {
  const { id, type, name, error } = props.schema
  return (
    <div class={error === undefined ? 'schema-tag muted' : 'schema-tag error'}>
      schema {id}
      {type === null ? '' : ` · ${type}`}
      {name === null ? '' : ` · ${name}`}
      {error === undefined ? '' : `: ${error}`}
    </div>
  )
}

/** A key or value: a collapsible tree for JSON in the JSON view, text otherwise; its schema when decoded. */
export function FieldView(props: { field: EncodedBytes | null; view: ViewMode }) {
  const { field, view } = props
  return (
    <>
      {field?.schema === undefined ? null : <SchemaTag schema={field.schema} />}
      {field !== null && field.encoding === 'json' && view === 'json' ? (
        <JsonTree value={field.data} />
      ) : (
        <pre>{showBytes(field, view)}</pre>
      )}
    </>
  )
}

export function MessageTable(props: { messages: Message[]; view: ViewMode; caption: string }) {
  if (props.messages.length === 0) return <p class="muted">No messages.</p>
  return (
    <table class="messages">
      <caption>{props.caption}</caption>
      <thead>
        <tr>
          <th scope="col">Partition</th>
          <th scope="col">Offset</th>
          <th scope="col">Timestamp</th>
          <th scope="col">Key</th>
          <th scope="col">Value</th>
          <th scope="col">Headers</th>
        </tr>
      </thead>
      <tbody>
        {props.messages.map((message) => (
          <tr key={`${message.partition}:${message.offset}`}>
            <td class="number">{message.partition}</td>
            <td class="number">{message.offset}</td>
            <td>{formatTime(message.timestamp)}</td>
            <td>
              <pre>{showBytes(message.key, props.view === 'hex' ? 'hex' : 'text')}</pre>
            </td>
            <td>
              <FieldView field={message.value} view={props.view} />
            </td>
            <td>
              {message.headers.map((header) => (
                <div key={header.key}>
                  <code>{header.key}</code>: {showBytes(header.value, 'text')}
                </div>
              ))}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  )
}
