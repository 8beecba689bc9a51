// Produce one message: key, value, headers (one `name: value` per line), partition (or by key).

import { useState } from 'preact/hooks'
import { api, type TopicDetail } from '../api.ts'
import { ErrorBox, Notice } from '../components/feedback.tsx'

function headersOf(text: string): Record<string, string> {
  const headers: Record<string, string> = {}
  for (const line of text.split('\n')) {
    const at = line.indexOf(':')
    if (line.trim() === '') continue
    if (at < 1) throw new Error(`header line "${line}" is not name: value`)
    headers[line.slice(0, at).trim()] = line.slice(at + 1).trim()
  }
  return headers
}

export function ProduceForm(props: { topic: TopicDetail; onProduced: () => void }) {
  const [key, setKey] = useState('')
  const [value, setValue] = useState('')
  const [headers, setHeaders] = useState('')
  const [partition, setPartition] = useState('')
  const [error, setError] = useState<Error | null>(null)
  const [notice, setNotice] = useState<string | null>(null)
  const submit = (event: Event) => {
    event.preventDefault()
    setError(null)
    let parsed: Record<string, string>
    try {
      parsed = headersOf(headers)
    } catch (failure) {
      setError(failure as Error)
      return
    }
    api
      .produce(props.topic.name, {
        ...(partition === '' ? {} : { partition: Number(partition) }),
        key: key === '' ? null : key,
        value,
        headers: parsed,
      })
      .then(
        (result) => {
          const [written] = result.offsets
          setNotice(`Written to partition ${written.partition} at offset ${written.offset}`)
          props.onProduced()
        },
        (failure: unknown) => setError(failure as Error),
      )
  }
  return (
    <form class="panel" aria-label="Produce a message" onSubmit={submit}>
      <div class="row">
        <label>
          Key <input value={key} onInput={(event) => setKey(event.currentTarget.value)} />
        </label>
        <label>
          Partition{' '}
          <select value={partition} onChange={(event) => setPartition(event.currentTarget.value)}>
            <option value="">by key</option>
            {props.topic.partitionDetails.map((item) => (
              <option key={item.partition} value={String(item.partition)}>
                {item.partition}
              </option>
            ))}
          </select>
        </label>
      </div>
      <label class="block">
        Value
        <textarea rows={4} value={value} onInput={(event) => setValue(event.currentTarget.value)} />
      </label>
      <label class="block">
        Headers (one "name: value" per line)
        <textarea rows={2} value={headers} onInput={(event) => setHeaders(event.currentTarget.value)} />
      </label>
      <button type="submit" class="primary">
        Produce
      </button>
      <ErrorBox error={error} />
      <Notice text={notice} />
    </form>
  )
}
