// Export a range of messages to a JSON lines file (bytes exact: base64 keys, values and headers with
// timestamps), and import such a file into this topic. Logic in ../export-logic.ts.

import { useState } from 'preact/hooks'
import type { TopicDetail } from '../api.ts'
import { ErrorBox, Notice } from '../components/feedback.tsx'
import {
  type ExportRange,
  exportLines,
  exportRange,
  importRecords,
  parseExport,
  type RangeBound,
} from '../export-logic.ts'

type BoundKind = 'edge' | 'offset' | 'timestamp'

function boundOf(kind: BoundKind, text: string): RangeBound | null {
  if (kind === 'offset') return { kind: 'offset', offset: Number(text || 0) }
  if (kind === 'timestamp') return { kind: 'timestamp', timestamp: Date.parse(text) }
  return null
}

function BoundFields(props: {
  label: string
  edge: string
  kind: BoundKind
  text: string
  onKind: (kind: BoundKind) => void
  onText: (text: string) => void
}) {
  return (
    <>
      <label>
        {props.label}{' '}
        <select value={props.kind} onChange={(event) => props.onKind(event.currentTarget.value as BoundKind)}>
          <option value="edge">{props.edge}</option>
          <option value="offset">offset</option>
          <option value="timestamp">timestamp</option>
        </select>
      </label>
      {props.kind === 'offset' ? (
        <label>
          {props.label} offset{' '}
          <input
            type="number"
            min={0}
            value={props.text}
            onInput={(event) => props.onText(event.currentTarget.value)}
          />
        </label>
      ) : null}
      {props.kind === 'timestamp' ? (
        <label>
          {props.label} time{' '}
          <input
            type="datetime-local"
            step={1}
            value={props.text}
            onInput={(event) => props.onText(event.currentTarget.value)}
          />
        </label>
      ) : null}
    </>
  )
}

function saveFile(name: string, text: string): void {
  const link = document.createElement('a')
  link.href = URL.createObjectURL(new Blob([text], { type: 'application/x-ndjson' }))
  link.download = name
  link.click()
  URL.revokeObjectURL(link.href)
}

export function ExportForm(props: { topic: TopicDetail }) {
  const { topic } = props
  const [partition, setPartition] = useState('all')
  const [startKind, setStartKind] = useState<BoundKind>('edge')
  const [startText, setStartText] = useState('')
  const [endKind, setEndKind] = useState<BoundKind>('edge')
  const [endText, setEndText] = useState('')
  const [status, setStatus] = useState<string | null>(null)
  const [error, setError] = useState<Error | null>(null)
  const submit = (event: Event) => {
    event.preventDefault()
    setError(null)
    const range: ExportRange = {
      partitions:
        partition === 'all' ? topic.partitionDetails.map((item) => item.partition) : [Number(partition)],
      start: boundOf(startKind, startText) ?? { kind: 'oldest' },
      end: boundOf(endKind, endText) ?? { kind: 'newest' },
    }
    setStatus('Exporting…')
    exportRange(topic, range, (count) => setStatus(`Exporting… ${count} records`)).then(
      (records) => {
        saveFile(`${topic.name}-export.jsonl`, exportLines(records))
        setStatus(`Exported ${records.length} records`)
      },
      (failure: unknown) => {
        setStatus(null)
        setError(failure as Error)
      },
    )
  }
  return (
    <form class="panel" aria-label="Export a range" onSubmit={submit}>
      <div class="row">
        <label>
          Partition{' '}
          <select value={partition} onChange={(event) => setPartition(event.currentTarget.value)}>
            <option value="all">all</option>
            {topic.partitionDetails.map((item) => (
              <option key={item.partition} value={String(item.partition)}>
                {item.partition}
              </option>
            ))}
          </select>
        </label>
        <BoundFields
          label="From"
          edge="oldest"
          kind={startKind}
          text={startText}
          onKind={setStartKind}
          onText={setStartText}
        />
        <BoundFields
          label="Up to (excluded)"
          edge="newest"
          kind={endKind}
          text={endText}
          onKind={setEndKind}
          onText={setEndText}
        />
        <button type="submit" class="primary">
          Export
        </button>
      </div>
      <ErrorBox error={error} />
      <Notice text={status} />
    </form>
  )
}

export function ImportForm(props: { topic: TopicDetail; onImported: () => void }) {
  const [file, setFile] = useState<File | null>(null)
  const [keepPartitions, setKeepPartitions] = useState(true)
  const [status, setStatus] = useState<string | null>(null)
  const [error, setError] = useState<Error | null>(null)
  const submit = (event: Event) => {
    event.preventDefault()
    setError(null)
    if (file === null) {
      setError(new Error('choose an export file first'))
      return
    }
    setStatus('Importing…')
    file
      .text()
      .then((text) => {
        const records = parseExport(text)
        return importRecords(props.topic.name, records, keepPartitions, (count) =>
          setStatus(`Importing… ${count} of ${records.length} records`),
        )
      })
      .then(
        (count) => {
          setStatus(`Imported ${count} records into ${props.topic.name}`)
          props.onImported()
        },
        (failure: unknown) => {
          setStatus(null)
          setError(failure as Error)
        },
      )
  }
  return (
    <form class="panel" aria-label="Import messages" onSubmit={submit}>
      <div class="row">
        <label>
          Export file (JSON lines){' '}
          <input
            type="file"
            accept=".jsonl,.json,application/x-ndjson"
            onChange={(event) => setFile(event.currentTarget.files?.[0] ?? null)}
          />
        </label>
        <label>
          <input
            type="checkbox"
            checked={keepPartitions}
            onChange={(event) => setKeepPartitions(event.currentTarget.checked)}
          />{' '}
          Keep each record's partition (otherwise by key)
        </label>
        <button type="submit" class="primary">
          Import
        </button>
      </div>
      <ErrorBox error={error} />
      <Notice text={status} />
    </form>
  )
}
