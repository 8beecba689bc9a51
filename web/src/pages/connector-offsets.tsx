// A connector's offsets (KIP-875, Connect's GET / PATCH / DELETE /connectors/{name}/offsets): each source
// partition with its offset as the connector wrote them (a sink's: topic, partition and kafka_offset).
// Connect changes them only while the connector is STOPPED, so the page offers editing then: each
// offset as JSON (null removes it), saved together; or a reset of all of them after a confirmation.

import { useState } from 'preact/hooks'
import { Dialog } from '../components/dialog.tsx'
import { ErrorBox, Loading, Notice } from '../components/feedback.tsx'
import { useLoad } from '../hooks.ts'
import { type ConnectorOffset, servicesApi } from '../services-api.ts'

/** A partition's offset typed as JSON: an object, or null to remove the partition's offset. */
export function parseOffset(partition: string, text: string): Record<string, unknown> | null {
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    throw new Error(`The offset of ${partition} is not JSON: ${text}`)
  }
  if (parsed !== null && (typeof parsed !== 'object' || Array.isArray(parsed)))
    throw new Error(`The offset of ${partition} must be a JSON object or null`)
  return parsed as Record<string, unknown> | null
}

export function ConnectorOffsets(props: { name: string; state: string | null }) {
  const { name } = props
  const offsets = useLoad(() => servicesApi.connectorOffsets(name), [name], 5000)
  /** Offsets being edited, by the partition's JSON: kept across the list's refreshes. */
  const [drafts, setDrafts] = useState<Record<string, string>>({})
  const [error, setError] = useState<Error | null>(null)
  const [notice, setNotice] = useState<string | null>(null)
  const [confirming, setConfirming] = useState(false)
  const stopped = props.state === 'STOPPED'
  const rows = (offsets.data?.offsets ?? []).map((entry) => ({
    key: JSON.stringify(entry.partition),
    entry,
    shown: JSON.stringify(entry.offset),
  }))
  const done = (message: string) => {
    setDrafts({})
    setNotice(message)
    offsets.reload()
  }
  const save = (event: Event) => {
    event.preventDefault()
    setError(null)
    setNotice(null)
    let changed: ConnectorOffset[]
    try {
      changed = rows
        .filter((row) => drafts[row.key] !== undefined && drafts[row.key] !== row.shown)
        .map((row) => ({ partition: row.entry.partition, offset: parseOffset(row.key, drafts[row.key]) }))
    } catch (failure) {
      setError(failure as Error)
      return
    }
    if (changed.length === 0) {
      setNotice('No offset changed')
      return
    }
    servicesApi.alterConnectorOffsets(name, changed).then(
      (answer) => done(answer.message),
      (failure: unknown) => setError(failure as Error),
    )
  }
  const reset = () => {
    setConfirming(false)
    setError(null)
    setNotice(null)
    servicesApi.resetConnectorOffsets(name).then(
      (answer) => done(answer.message),
      (failure: unknown) => setError(failure as Error),
    )
  }
  return (
    <section aria-labelledby="offsets-title">
      <h2 id="offsets-title">Offsets</h2>
      {stopped ? null : (
        <p class="muted">
          Connect changes offsets only while the connector is stopped: stop it to edit them.
        </p>
      )}
      <ErrorBox error={offsets.error} />
      <Loading loading={offsets.loading && offsets.data === null} />
      {offsets.data !== null && rows.length === 0 ? <p class="muted">No offsets committed.</p> : null}
      <form onSubmit={save} aria-label="Connector offsets">
        <table>
          <thead>
            <tr>
              <th scope="col">Partition</th>
              <th scope="col">Offset</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr key={row.key}>
                <td>
                  <code>{row.key}</code>
                </td>
                <td>
                  {stopped ? (
                    <input
                      class="offset-input"
                      aria-label={`Offset of ${row.key}`}
                      spellcheck={false}
                      value={drafts[row.key] ?? row.shown}
                      onInput={(event) => {
                        const text = event.currentTarget.value
                        setDrafts((previous) => ({ ...previous, [row.key]: text }))
                      }}
                    />
                  ) : (
                    <code data-testid="connector-offset">{row.shown}</code>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {stopped ? (
          <div class="row">
            <button type="submit" disabled={rows.length === 0}>
              Save offsets
            </button>
            <button
              type="button"
              class="danger"
              disabled={rows.length === 0}
              onClick={() => setConfirming(true)}
            >
              Reset offsets
            </button>
          </div>
        ) : null}
      </form>
      <ErrorBox error={error} />
      <Notice text={notice} />
      <Dialog open={confirming} title={`Reset the offsets of ${name}`} onClose={() => setConfirming(false)}>
        <p>
          The connector forgets where it was: a source starts from its beginning when it resumes, a sink from
          its consumer's reset policy.
        </p>
        <div class="row">
          <button type="button" class="danger" onClick={reset}>
            Reset all offsets
          </button>
          <button type="button" onClick={() => setConfirming(false)}>
            Cancel
          </button>
        </div>
      </Dialog>
    </section>
  )
}
