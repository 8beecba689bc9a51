// One connector: its state and its tasks' (a failed one shows its trace), pause / resume / restart /
// stop / delete, restart one task, its offsets (connector-offsets.tsx), and its config: edited in the form
// of its plugin's config definition (connector-config-form.tsx) or as JSON, saved with PUT …/config.

import { useState } from 'preact/hooks'
import { ErrorBox, Loading, Notice } from '../components/feedback.tsx'
import { useLoad } from '../hooks.ts'
import { Link, navigate } from '../router.tsx'
import { type ConnectorInfo, servicesApi } from '../services-api.ts'
import { ConnectorConfigForm } from './connector-config-form.tsx'
import { ConnectorOffsets } from './connector-offsets.tsx'
import { parseConfig } from './connectors.tsx'

export function ConnectorDetailPage(props: { name: string }) {
  const { name } = props
  const status = useLoad(() => servicesApi.connectorStatus(name), [name], 3000)
  const info = useLoad(() => servicesApi.connectorInfo(name), [name])
  const [error, setError] = useState<Error | null>(null)
  const [notice, setNotice] = useState<string | null>(null)
  const act = (action: Promise<unknown>, done: string) => {
    setError(null)
    action.then(
      () => {
        setNotice(done)
        status.reload()
      },
      (failure: unknown) => setError(failure as Error),
    )
  }
  const remove = () => {
    setError(null)
    servicesApi.deleteConnector(name).then(
      () => navigate('/connectors'),
      (failure: unknown) => setError(failure as Error),
    )
  }
  return (
    <>
      <p class="crumbs">
        <Link href="/connectors">Connectors</Link> /
      </p>
      <div class="page-head">
        <h1>{name}</h1>
        <button type="button" class="danger" onClick={remove}>
          Delete connector
        </button>
      </div>
      <div class="row">
        <button
          type="button"
          onClick={() => act(servicesApi.connectorAction(name, 'pause'), 'Pause requested')}
        >
          Pause
        </button>
        <button
          type="button"
          onClick={() => act(servicesApi.connectorAction(name, 'resume'), 'Resume requested')}
        >
          Resume
        </button>
        <button type="button" onClick={() => act(servicesApi.restartConnector(name), 'Restart requested')}>
          Restart
        </button>
        <button
          type="button"
          onClick={() => act(servicesApi.connectorAction(name, 'stop'), 'Stop requested')}
        >
          Stop
        </button>
      </div>
      <ErrorBox error={error ?? status.error} />
      <Notice text={notice} />
      <Loading loading={status.loading && status.data === null} />
      {status.data === null ? null : (
        <>
          <dl class="stats">
            <div>
              <dt>State</dt>
              <dd data-testid="connector-state">{status.data.connector.state}</dd>
            </div>
            <div>
              <dt>Type</dt>
              <dd>{status.data.type}</dd>
            </div>
            <div>
              <dt>Worker</dt>
              <dd>{status.data.connector.worker_id}</dd>
            </div>
          </dl>
          {status.data.connector.trace === undefined ? null : (
            <pre class="trace">{status.data.connector.trace}</pre>
          )}
          <h2>Tasks</h2>
          <table>
            <thead>
              <tr>
                <th scope="col">Task</th>
                <th scope="col">State</th>
                <th scope="col">Worker</th>
                <th scope="col">Error</th>
                <th scope="col">
                  <span class="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {status.data.tasks.map((task) => (
                <tr key={task.id}>
                  <td class="number">{task.id}</td>
                  <td>{task.state}</td>
                  <td>{task.worker_id}</td>
                  <td>{task.trace === undefined ? '' : <pre class="trace">{task.trace}</pre>}</td>
                  <td>
                    <button
                      type="button"
                      onClick={() =>
                        act(servicesApi.restartTask(name, task.id), `Task ${task.id} restart requested`)
                      }
                    >
                      Restart task {task.id}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
      <ConnectorOffsets name={name} state={status.data?.connector.state ?? null} />
      <ErrorBox error={info.error} />
      {info.data === null ? null : <ConfigSection info={info.data} onSaved={info.reload} />}
    </>
  )
}

/** The config in the form of its plugin's definition, and as JSON. */
function ConfigSection(props: { info: ConnectorInfo; onSaved: () => void }) {
  const { info } = props
  const [notice, setNotice] = useState<string | null>(null)
  const save = async (config: Record<string, string>) => {
    await servicesApi.putConnectorConfig(info.name, config)
    setNotice('Config saved')
    props.onSaved()
  }
  return (
    <section aria-labelledby="config-title">
      <h2 id="config-title">Config</h2>
      <Notice text={notice} />
      <ConnectorConfigForm
        key={JSON.stringify(info.config)}
        pluginClass={info.config['connector.class'] ?? ''}
        initial={info.config}
        mode="edit"
        onSubmit={save}
      />
      <details>
        <summary>Edit as JSON</summary>
        <ConfigEditor info={info} onSaved={props.onSaved} />
      </details>
    </section>
  )
}

function ConfigEditor(props: { info: ConnectorInfo; onSaved: () => void }) {
  const [text, setText] = useState(JSON.stringify(props.info.config, null, 2))
  const [error, setError] = useState<Error | null>(null)
  const [notice, setNotice] = useState<string | null>(null)
  const save = (event: Event) => {
    event.preventDefault()
    setError(null)
    let config: Record<string, string>
    try {
      config = parseConfig(text)
    } catch (failure) {
      setError(failure as Error)
      return
    }
    servicesApi.putConnectorConfig(props.info.name, config).then(
      () => {
        setNotice('Config saved')
        props.onSaved()
      },
      (failure: unknown) => setError(failure as Error),
    )
  }
  return (
    <form onSubmit={save} aria-label="Connector config as JSON">
      <label class="block">
        <span class="visually-hidden">Connector config (JSON)</span>
        <textarea
          rows={12}
          spellcheck={false}
          value={text}
          onInput={(event) => setText(event.currentTarget.value)}
        />
      </label>
      <div class="row">
        <button type="submit">Save JSON config</button>
      </div>
      <ErrorBox error={error} />
      <Notice text={notice} />
    </form>
  )
}
