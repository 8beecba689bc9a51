// Produce one message: key, value, headers (one `name: value` per line), partition (or by key); the value
// optionally serialized with a schema of the registry (a subject and version picked here: the broker
// writes Confluent's wire format, so any Confluent deserializer reads it).

import { useState } from 'preact/hooks'
import { api, type TopicDetail } from '../api.ts'
import { ErrorBox, Notice } from '../components/feedback.tsx'
import { servicesApi } from '../services-api.ts'

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
  const [schema, setSchema] = useState<SchemaChoice | null>(null)
  const submit = (event: Event) => {
    event.preventDefault()
    setError(null)
    let parsed: Record<string, string>
    let document: unknown = value
    try {
      parsed = headersOf(headers)
      if (schema !== null) document = JSON.parse(value) as unknown
    } catch (failure) {
      setError(
        failure instanceof SyntaxError
          ? new Error(`the value is not JSON: ${failure.message}`)
          : (failure as Error),
      )
      return
    }
    const message = {
      ...(partition === '' ? {} : { partition: Number(partition) }),
      key: key === '' ? null : key,
      value: document,
      headers: parsed,
    }
    const produced =
      schema === null
        ? api.produceMessages(props.topic.name, { messages: [message] })
        : servicesApi
            .version(schema.subject, schema.version === '' ? 'latest' : Number(schema.version))
            .then((version) =>
              api.produceMessages(props.topic.name, { messages: [message], valueSchemaId: version.id }),
            )
    produced.then(
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
      <SchemaPicker choice={schema} onChange={setSchema} />
      <label class="block">
        {schema === null ? 'Value' : 'Value (JSON)'}
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

interface SchemaChoice {
  subject: string
  /** '' for the latest version. */
  version: string
}

/** "Serialize the value with a registry schema": the registry's subjects and a subject's versions. */
function SchemaPicker(props: {
  choice: SchemaChoice | null
  onChange: (choice: SchemaChoice | null) => void
}) {
  const [subjects, setSubjects] = useState<string[] | null>(null)
  const [versions, setVersions] = useState<number[]>([])
  const [error, setError] = useState<Error | null>(null)
  const pickSubject = (subject: string) => {
    props.onChange({ subject, version: '' })
    setVersions([])
    if (subject !== '')
      servicesApi.versions(subject).then(setVersions, (failure: unknown) => setError(failure as Error))
  }
  const enable = (on: boolean) => {
    setError(null)
    if (!on) {
      props.onChange(null)
      return
    }
    servicesApi.subjects().then(
      (list) => {
        setSubjects(list)
        pickSubject(list[0] ?? '')
      },
      (failure: unknown) => setError(failure as Error),
    )
  }
  const { choice } = props
  return (
    <div class="row">
      <label>
        <input
          type="checkbox"
          checked={choice !== null}
          onChange={(event) => enable(event.currentTarget.checked)}
        />{' '}
        Serialize the value with a registry schema
      </label>
      {choice === null || subjects === null ? null : (
        <>
          <label>
            Schema subject{' '}
            <select value={choice.subject} onChange={(event) => pickSubject(event.currentTarget.value)}>
              {subjects.map((subject) => (
                <option key={subject} value={subject}>
                  {subject}
                </option>
              ))}
            </select>
          </label>
          <label>
            Schema version{' '}
            <select
              value={choice.version}
              onChange={(event) => props.onChange({ ...choice, version: event.currentTarget.value })}
            >
              <option value="">latest</option>
              {versions.map((version) => (
                <option key={version} value={String(version)}>
                  {version}
                </option>
              ))}
            </select>
          </label>
        </>
      )}
      <ErrorBox error={error} />
    </div>
  )
}
