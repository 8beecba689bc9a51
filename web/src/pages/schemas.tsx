// Schemas: the registry's subjects (search; their latest version, type and id), and registering a
// schema under a new subject. A subject's page is schema-subject.tsx.

import { useMemo, useState } from 'preact/hooks'
import { ErrorBox, Loading } from '../components/feedback.tsx'
import { useLoad } from '../hooks.ts'
import { Link, type Location, navigate, withQuery } from '../router.tsx'
import { servicesApi } from '../services-api.ts'
import { RegisterSchemaForm } from './schema-register.tsx'

/** Latest versions are fetched for the first subjects only (one request each). */
const detailedSubjectsMax = 200

export function SchemasPage(props: { location: Location }) {
  const q = props.location.search.get('q') ?? ''
  const withDeleted = props.location.search.get('deleted') === 'true'
  const [registering, setRegistering] = useState(false)
  const subjects = useLoad(async () => {
    const names = (await servicesApi.subjects(withDeleted)).sort()
    const latest = await Promise.all(
      names
        .slice(0, detailedSubjectsMax)
        .map((name) => servicesApi.version(name, 'latest').catch(() => null)),
    )
    return names.map((name, index) => ({ name, latest: latest[index] ?? null }))
  }, [withDeleted])
  const shown = useMemo(
    () => (subjects.data ?? []).filter((subject) => subject.name.toLowerCase().includes(q.toLowerCase())),
    [subjects.data, q],
  )
  return (
    <>
      <div class="page-head">
        <h1>Schemas</h1>
        <button type="button" onClick={() => setRegistering(!registering)} aria-expanded={registering}>
          Register schema
        </button>
      </div>
      {registering ? (
        <RegisterSchemaForm onRegistered={(subject) => navigate(`/schemas/${encodeURIComponent(subject)}`)} />
      ) : null}
      <div class="toolbar">
        <label>
          Search subjects{' '}
          <input
            type="search"
            value={q}
            onInput={(event) =>
              navigate(
                withQuery('/schemas', {
                  q: event.currentTarget.value,
                  deleted: withDeleted ? 'true' : undefined,
                }),
                {
                  replace: true,
                },
              )
            }
          />
        </label>
        <label>
          <input
            type="checkbox"
            checked={withDeleted}
            onChange={(event) =>
              navigate(
                withQuery('/schemas', { q, deleted: event.currentTarget.checked ? 'true' : undefined }),
                { replace: true },
              )
            }
          />{' '}
          Include soft-deleted subjects
        </label>
        <span class="muted" aria-live="polite">
          {shown.length} of {subjects.data?.length ?? 0} subjects
        </span>
      </div>
      <ErrorBox error={subjects.error} />
      <Loading loading={subjects.loading && subjects.data === null} />
      <table>
        <thead>
          <tr>
            <th scope="col">Subject</th>
            <th scope="col">Latest version</th>
            <th scope="col">Type</th>
            <th scope="col">Id</th>
          </tr>
        </thead>
        <tbody>
          {shown.map((subject) => (
            <tr key={subject.name}>
              <td>
                <Link href={`/schemas/${encodeURIComponent(subject.name)}`}>{subject.name}</Link>
                {subject.latest === null && withDeleted ? <span class="muted"> (deleted)</span> : null}
              </td>
              <td class="number">{subject.latest?.version ?? '–'}</td>
              <td>{subject.latest === null ? '–' : (subject.latest.schemaType ?? 'AVRO')}</td>
              <td class="number">{subject.latest?.id ?? '–'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  )
}
