// One subject: its versions, the chosen version's schema and references (links to their subjects),
// a line diff against any other version, its compatibility level (change it), a new version (checked
// first), and deletes of a version or the subject: soft, then (for what is soft-deleted) permanent.
// State in the URL: ?version=&diff=.

import { useState } from 'preact/hooks'
import { ErrorBox, Loading, Notice } from '../components/feedback.tsx'
import { Select } from '../components/select.tsx'
import { diffLines, prettySchema } from '../diff.ts'
import { useLoad } from '../hooks.ts'
import { Link, type Location, navigate, withQuery } from '../router.tsx'
import { type SchemaVersion, servicesApi } from '../services-api.ts'
import { RegisterSchemaForm } from './schema-register.tsx'

const levels = [
  'BACKWARD',
  'BACKWARD_TRANSITIVE',
  'FORWARD',
  'FORWARD_TRANSITIVE',
  'FULL',
  'FULL_TRANSITIVE',
  'NONE',
]

export function SchemaSubjectPage(props: { subject: string; location: Location }) {
  const { subject } = props
  const base = `/schemas/${encodeURIComponent(subject)}`
  // Every version, soft-deleted ones too (marked, and deleted permanently from here), and the live ones.
  const versions = useLoad(async () => {
    const all = await servicesApi.versions(subject, true)
    const live = await servicesApi.versions(subject).catch(() => [])
    return { all, live: new Set(live) }
  }, [subject])
  const list = versions.data?.all ?? []
  const live = versions.data?.live ?? new Set<number>()
  const liveList = list.filter((version) => live.has(version))
  const latest = liveList.length === 0 ? (list[list.length - 1] ?? null) : liveList[liveList.length - 1]
  const chosen = Number(props.location.search.get('version') ?? latest ?? 0)
  const diffWith = Number(props.location.search.get('diff') ?? 0)
  const shown = useLoad(
    () => (chosen > 0 ? servicesApi.version(subject, chosen, true) : Promise.resolve(null)),
    [subject, chosen],
  )
  const other = useLoad(
    () => (diffWith > 0 ? servicesApi.version(subject, diffWith, true) : Promise.resolve(null)),
    [subject, diffWith],
  )
  const go = (changes: Record<string, number | undefined>) =>
    navigate(withQuery(base, { version: chosen, diff: diffWith > 0 ? diffWith : undefined, ...changes }))
  return (
    <>
      <p class="crumbs">
        <Link href="/schemas">Schemas</Link> /
      </p>
      <div class="page-head">
        <h1>{subject}</h1>
        {versions.data === null ? null : (
          <DeleteSubject subject={subject} softDeleted={liveList.length === 0} />
        )}
      </div>
      <ErrorBox error={versions.error} />
      <Loading loading={versions.loading && versions.data === null} />
      <CompatibilityLevel subject={subject} />
      <nav class="tabs" aria-label="Versions">
        {list.map((version) => (
          <Link
            key={version}
            href={withQuery(base, { version })}
            aria-current={version === chosen ? 'page' : undefined}
          >
            Version {version}
            {live.has(version) ? '' : ' (deleted)'}
          </Link>
        ))}
      </nav>
      <ErrorBox error={shown.error} />
      {shown.data === null ? null : (
        <VersionView
          version={shown.data}
          softDeleted={!live.has(shown.data.version)}
          onDeleted={() => {
            navigate(base)
            versions.reload()
          }}
        />
      )}
      {list.length < 2 ? null : (
        <section aria-labelledby="diff-title">
          <h2 id="diff-title">Compare</h2>
          <div class="row">
            <Select
              label={`Compare version ${chosen} with`}
              value={diffWith > 0 ? String(diffWith) : 'none'}
              options={['none', ...list.filter((version) => version !== chosen).map(String)]}
              onChange={(value) => go({ diff: value === 'none' ? undefined : Number(value) })}
            />
          </div>
          <ErrorBox error={other.error} />
          {other.data === null || shown.data === null ? null : (
            <Diff before={other.data} after={shown.data} />
          )}
        </section>
      )}
      <section aria-labelledby="new-version-title">
        <h2 id="new-version-title">New version</h2>
        {shown.data === null && list.length > 0 ? null : (
          <RegisterSchemaForm
            key={`${subject}:${latest}`}
            subject={subject}
            initialType={shown.data?.schemaType ?? 'AVRO'}
            initialSchema={shown.data === null ? '' : prettySchema(shown.data.schema)}
            onRegistered={() => {
              versions.reload()
              navigate(base)
            }}
          />
        )}
      </section>
    </>
  )
}

function VersionView(props: { version: SchemaVersion; softDeleted: boolean; onDeleted: () => void }) {
  const { version, softDeleted } = props
  const [error, setError] = useState<Error | null>(null)
  const remove = () => {
    if (
      softDeleted &&
      !window.confirm(`Delete version ${version.version} permanently? It cannot be restored.`)
    )
      return
    setError(null)
    servicesApi
      .deleteVersion(version.subject, version.version, softDeleted)
      .then(props.onDeleted, (failure: unknown) => setError(failure as Error))
  }
  return (
    <section aria-label={`Version ${version.version}`}>
      <dl class="stats">
        <div>
          <dt>Version</dt>
          <dd>{version.version}</dd>
        </div>
        <div>
          <dt>Schema id</dt>
          <dd>{version.id}</dd>
        </div>
        <div>
          <dt>Type</dt>
          <dd>{version.schemaType ?? 'AVRO'}</dd>
        </div>
      </dl>
      {(version.references ?? []).length === 0 ? null : (
        <p>
          References:{' '}
          {(version.references ?? []).map((reference) => (
            <span key={reference.name}>
              <Link
                href={withQuery(`/schemas/${encodeURIComponent(reference.subject)}`, {
                  version: reference.version,
                })}
              >
                {reference.name} ({reference.subject} v{reference.version})
              </Link>{' '}
            </span>
          ))}
        </p>
      )}
      <pre class="schema" data-testid="schema">
        {prettySchema(version.schema)}
      </pre>
      <div class="row">
        <button type="button" class="danger" onClick={remove}>
          {softDeleted
            ? `Delete version ${version.version} permanently`
            : `Delete version ${version.version}`}
        </button>
        {softDeleted ? <span class="muted">Soft-deleted: only a permanent delete remains.</span> : null}
      </div>
      <ErrorBox error={error} />
    </section>
  )
}

function Diff(props: { before: SchemaVersion; after: SchemaVersion }) {
  const lines = diffLines(prettySchema(props.before.schema), prettySchema(props.after.schema))
  const changed = lines.filter((line) => line.kind !== 'same').length
  return (
    <>
      <p class="muted">
        Version {props.before.version} → version {props.after.version}: {changed} changed lines
      </p>
      <pre class="diff" data-testid="diff">
        {lines.map((line, index) => (
          <span key={index} class={`diff-${line.kind}`}>
            {line.kind === 'added' ? '+ ' : line.kind === 'removed' ? '- ' : '  '}
            {line.text}
            {'\n'}
          </span>
        ))}
      </pre>
    </>
  )
}

function CompatibilityLevel(props: { subject: string }) {
  const level = useLoad(() => servicesApi.subjectLevel(props.subject), [props.subject])
  const [chosen, setChosen] = useState<string | null>(null)
  const [error, setError] = useState<Error | null>(null)
  const [notice, setNotice] = useState<string | null>(null)
  const value = chosen ?? level.data?.compatibilityLevel ?? 'BACKWARD'
  const save = (event: Event) => {
    event.preventDefault()
    setError(null)
    servicesApi.setSubjectLevel(props.subject, value).then(
      () => {
        setNotice(`Compatibility set to ${value}`)
        level.reload()
      },
      (failure: unknown) => setError(failure as Error),
    )
  }
  return (
    <form class="row" onSubmit={save} aria-label="Compatibility level">
      <Select label="Compatibility" value={value} options={levels} onChange={setChosen} />
      <button type="submit">Save level</button>
      <ErrorBox error={error ?? level.error} />
      <Notice text={notice} />
    </form>
  )
}

/** A soft delete first; once every version is soft-deleted, the permanent one (the registry's order). */
function DeleteSubject(props: { subject: string; softDeleted: boolean }) {
  const [error, setError] = useState<Error | null>(null)
  const remove = () => {
    const question = props.softDeleted
      ? `Delete ${props.subject} permanently? Its schemas cannot be restored.`
      : `Delete every version of ${props.subject}? (soft delete)`
    if (!window.confirm(question)) return
    servicesApi.deleteSubject(props.subject, props.softDeleted).then(
      () => navigate('/schemas'),
      (failure: unknown) => setError(failure as Error),
    )
  }
  return (
    <>
      <button type="button" class="danger" onClick={remove}>
        {props.softDeleted ? 'Delete subject permanently' : 'Delete subject'}
      </button>
      <ErrorBox error={error} />
    </>
  )
}
