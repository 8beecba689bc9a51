// Connectors: every connector of the Connect worker with its state, type and tasks, and creating one
// from a JSON config (Connect validates it: its 400 message lists the fields in error). A connector's
// page is connector-detail.tsx.

import { useState } from 'preact/hooks'
import { ErrorBox, Loading } from '../components/feedback.tsx'
import { useLoad } from '../hooks.ts'
import { Link, navigate } from '../router.tsx'
import { servicesApi } from '../services-api.ts'

const exampleConfig = `{
  "connector.class": "io.confluent.kafka.connect.datagen.DatagenConnector",
  "kafka.topic": "datagen-orders",
  "quickstart": "orders",
  "max.interval": "1000",
  "tasks.max": "1"
}`

export function ConnectorsPage() {
  const connectors = useLoad(() => servicesApi.connectors(), [], 5000)
  const [creating, setCreating] = useState(false)
  const rows = Object.values(connectors.data ?? {}).sort((a, b) => (a.info.name < b.info.name ? -1 : 1))
  return (
    <>
      <div class="page-head">
        <h1>Connectors</h1>
        <button type="button" onClick={() => setCreating(!creating)} aria-expanded={creating}>
          Create connector
        </button>
      </div>
      {creating ? <CreateConnectorForm /> : null}
      <ErrorBox error={connectors.error} />
      <Loading loading={connectors.loading && connectors.data === null} />
      {connectors.data !== null && rows.length === 0 ? <p class="muted">No connectors.</p> : null}
      <table>
        <thead>
          <tr>
            <th scope="col">Connector</th>
            <th scope="col">Type</th>
            <th scope="col">Class</th>
            <th scope="col">State</th>
            <th scope="col">Tasks</th>
          </tr>
        </thead>
        <tbody>
          {rows.map(({ info, status }) => (
            <tr key={info.name}>
              <td>
                <Link href={`/connectors/${encodeURIComponent(info.name)}`}>{info.name}</Link>
              </td>
              <td>{info.type}</td>
              <td>{info.config['connector.class'] ?? ''}</td>
              <td>{status.connector.state}</td>
              <td>
                {status.tasks.length === 0
                  ? '–'
                  : status.tasks.map((task) => `${task.id}: ${task.state}`).join(', ')}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  )
}

/** A JSON object of strings, or an error saying what is wrong with it. */
export function parseConfig(text: string): Record<string, string> {
  const parsed: unknown = JSON.parse(text)
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new Error('the config must be a JSON object')
  }
  return Object.fromEntries(Object.entries(parsed).map(([key, value]) => [key, String(value)]))
}

function CreateConnectorForm() {
  const plugins = useLoad(() => servicesApi.plugins(), [])
  const [name, setName] = useState('')
  const [config, setConfig] = useState(exampleConfig)
  const [error, setError] = useState<Error | null>(null)
  const create = (event: Event) => {
    event.preventDefault()
    setError(null)
    let parsed: Record<string, string>
    try {
      parsed = parseConfig(config)
    } catch (failure) {
      setError(failure as Error)
      return
    }
    servicesApi.createConnector(name, parsed).then(
      () => navigate(`/connectors/${encodeURIComponent(name)}`),
      (failure: unknown) => setError(failure as Error),
    )
  }
  return (
    <form class="panel" onSubmit={create} aria-label="Create a connector">
      <label>
        Name <input required value={name} onInput={(event) => setName(event.currentTarget.value)} />
      </label>
      <label class="block">
        Config (JSON)
        <textarea
          rows={10}
          spellcheck={false}
          value={config}
          onInput={(event) => setConfig(event.currentTarget.value)}
        />
      </label>
      <p class="muted">
        Plugins: {(plugins.data ?? []).map((plugin) => `${plugin.class} (${plugin.type})`).join(', ')}
      </p>
      <div class="row">
        <button type="submit" class="primary">
          Create
        </button>
      </div>
      <ErrorBox error={error} />
    </form>
  )
}
