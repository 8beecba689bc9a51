// Connectors: every connector of the Connect worker with its state, type and tasks, and creating one
// from a plugin's config definition (connector-config-form.tsx). A connector's page is
// connector-detail.tsx.

import { ErrorBox, Loading } from '../components/feedback.tsx'
import { shortClassName } from '../connector-config-logic.ts'
import { useLoad } from '../hooks.ts'
import { Link, type Location, navigate, withQuery } from '../router.tsx'
import { servicesApi } from '../services-api.ts'
import { ConnectorConfigForm } from './connector-config-form.tsx'

export function ConnectorsPage(props: { location: Location }) {
  const connectors = useLoad(() => servicesApi.connectors(), [], 5000)
  const creating = props.location.search.get('create') === '1'
  const plugin = props.location.search.get('plugin') ?? ''
  const rows = Object.values(connectors.data ?? {}).sort((a, b) => (a.info.name < b.info.name ? -1 : 1))
  return (
    <>
      <div class="page-head">
        <h1>Connectors</h1>
        <button
          type="button"
          onClick={() => navigate(creating ? '/connectors' : '/connectors?create=1')}
          aria-expanded={creating}
        >
          Create connector
        </button>
      </div>
      {creating ? <CreateConnector plugin={plugin} /> : null}
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

/** Choose a plugin (it is in the URL: /connectors?create=1&plugin=…), then fill the form its config
 * definition builds. */
function CreateConnector(props: { plugin: string }) {
  const plugins = useLoad(() => servicesApi.plugins(), [])
  const create = async (config: Record<string, string>) => {
    const name = config.name ?? ''
    await servicesApi.createConnector(name, config)
    navigate(`/connectors/${encodeURIComponent(name)}`)
  }
  return (
    <section class="panel" aria-labelledby="create-title">
      <h2 id="create-title">New connector</h2>
      <ErrorBox error={plugins.error} />
      <label>
        Connector plugin{' '}
        <select
          value={props.plugin}
          onChange={(event) =>
            navigate(withQuery('/connectors', { create: '1', plugin: event.currentTarget.value }), {
              replace: true,
            })
          }
        >
          <option value="">Choose a plugin</option>
          {(plugins.data ?? []).map((plugin) => (
            <option key={plugin.class} value={plugin.class}>
              {shortClassName(plugin.class)} ({plugin.type}, {plugin.class})
            </option>
          ))}
        </select>
      </label>
      {props.plugin === '' ? null : (
        <ConnectorConfigForm
          key={props.plugin}
          pluginClass={props.plugin}
          initial={{}}
          mode="create"
          onSubmit={create}
        />
      )}
    </section>
  )
}
