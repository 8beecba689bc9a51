// Register a schema under a subject, after checking it against the subject's compatibility level
// (the registry's own check: POST /compatibility/subjects/{subject}/versions?verbose=true, whose
// reasons are shown). Registering an incompatible schema shows the registry's 409 message.

import { useState } from 'preact/hooks'
import { ErrorBox, Notice } from '../components/feedback.tsx'
import { Select } from '../components/select.tsx'
import { servicesApi } from '../services-api.ts'

const schemaTypes = ['AVRO', 'JSON', 'PROTOBUF']

export function RegisterSchemaForm(props: {
  /** A fixed subject (a subject's page), or undefined to type one (a new subject). */
  subject?: string
  initialType?: string
  initialSchema?: string
  onRegistered: (subject: string, id: number) => void
}) {
  const [subject, setSubject] = useState(props.subject ?? '')
  const [schemaType, setSchemaType] = useState(props.initialType ?? 'AVRO')
  const [schema, setSchema] = useState(props.initialSchema ?? '')
  const [error, setError] = useState<Error | null>(null)
  const [notice, setNotice] = useState<string | null>(null)
  const [reasons, setReasons] = useState<string[]>([])
  const candidate = () => ({ schema, schemaType })
  const check = () => {
    setError(null)
    setNotice(null)
    setReasons([])
    servicesApi.checkCompatibility(subject, candidate()).then(
      (result) => {
        setNotice(result.is_compatible ? 'Compatible' : 'Not compatible')
        setReasons(result.messages ?? [])
      },
      (failure: unknown) => setError(failure as Error),
    )
  }
  const register = (event: Event) => {
    event.preventDefault()
    setError(null)
    setNotice(null)
    setReasons([])
    servicesApi.register(subject, candidate()).then(
      ({ id }) => {
        setNotice(`Registered with id ${id}`)
        props.onRegistered(subject, id)
      },
      (failure: unknown) => setError(failure as Error),
    )
  }
  return (
    <form class="panel" onSubmit={register} aria-label="Register a schema">
      <div class="row">
        {props.subject === undefined ? (
          <label>
            Subject{' '}
            <input required value={subject} onInput={(event) => setSubject(event.currentTarget.value)} />
          </label>
        ) : null}
        <Select label="Type" value={schemaType} options={schemaTypes} onChange={setSchemaType} />
      </div>
      <label class="block">
        Schema
        <textarea
          required
          rows={10}
          spellcheck={false}
          value={schema}
          onInput={(event) => setSchema(event.currentTarget.value)}
        />
      </label>
      <div class="row">
        <button type="button" onClick={check} disabled={subject === '' || schema === ''}>
          Check compatibility
        </button>
        <button type="submit" class="primary">
          Register
        </button>
      </div>
      <ErrorBox error={error} />
      <Notice text={notice} />
      {reasons.length === 0 ? null : (
        <ul class="reasons">
          {reasons.map((reason) => (
            <li key={reason}>{reason}</li>
          ))}
        </ul>
      )}
    </form>
  )
}
