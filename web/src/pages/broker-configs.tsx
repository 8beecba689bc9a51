// Broker configs as DescribeConfigs gives them: value, source (DYNAMIC_BROKER_CONFIG, STATIC_BROKER_CONFIG,
// DEFAULT_CONFIG, …), default/sensitive/read-only flags and synonyms. Dynamic configs are edited with
// IncrementalAlterConfigs (set or reset this broker's value, or the cluster-wide default); the broker's
// error name and Kafka's message are shown as they come.

import { useMemo, useState } from 'preact/hooks'
import { api, type BrokerConfigChange, type BrokerConfigEntry, type BrokerConfigScope } from '../api.ts'
import { ErrorBox, Loading, Notice } from '../components/feedback.tsx'
import { useLoad } from '../hooks.ts'
import { Link, type Location, navigate, withQuery } from '../router.tsx'

function flagsOf(config: BrokerConfigEntry): string {
  const flags: string[] = []
  if (config.isDefault) flags.push('default')
  if (config.isSensitive) flags.push('sensitive')
  flags.push(config.readOnly ? 'read-only' : 'dynamic')
  return flags.join(', ')
}

function ConfigRow(props: {
  config: BrokerConfigEntry
  scope: BrokerConfigScope
  apply: (changes: BrokerConfigChange[], done: string) => void
}) {
  const { config } = props
  const [value, setValue] = useState('')
  const ownSource = props.scope === 'broker' ? 'DYNAMIC_BROKER_CONFIG' : 'DYNAMIC_DEFAULT_BROKER_CONFIG'
  return (
    <tr class={config.isDefault ? '' : 'overridden'}>
      <th scope="row" title={config.documentation ?? ''}>
        {config.name}
      </th>
      <td class="config-value">{config.isSensitive ? '(sensitive)' : (config.value ?? '(none)')}</td>
      <td>{config.source}</td>
      <td>{flagsOf(config)}</td>
      <td>
        {config.readOnly ? null : (
          <form
            class="row compact"
            aria-label={`Change ${config.name}`}
            onSubmit={(event) => {
              event.preventDefault()
              props.apply([{ name: config.name, operation: 'SET', value }], `${config.name} set`)
            }}
          >
            <input
              aria-label={`New value of ${config.name}`}
              autocomplete="off"
              value={value}
              required
              onInput={(event) => setValue(event.currentTarget.value)}
            />
            <button type="submit" aria-label={`Set ${config.name}`}>
              Set
            </button>
            {config.source === ownSource ? (
              <button
                type="button"
                class="danger"
                aria-label={`Reset ${config.name}`}
                onClick={() =>
                  props.apply([{ name: config.name, operation: 'DELETE' }], `${config.name} reset`)
                }
              >
                Reset
              </button>
            ) : null}
          </form>
        )}
      </td>
    </tr>
  )
}

export function BrokerConfigsPage(props: { location: Location }) {
  const { search } = props.location
  const scope: BrokerConfigScope = search.get('scope') === 'cluster' ? 'cluster' : 'broker'
  const q = search.get('q') ?? ''
  const changedOnly = search.get('changed') === '1'
  const go = (changes: Record<string, string | undefined>) =>
    navigate(
      withQuery('/broker-configs', {
        scope: scope === 'broker' ? undefined : scope,
        q,
        changed: changedOnly ? '1' : undefined,
        ...changes,
      }),
      { replace: 'q' in changes },
    )
  const configs = useLoad(() => api.brokerConfigs(scope), [scope])
  const [error, setError] = useState<Error | null>(null)
  const [notice, setNotice] = useState<string | null>(null)
  const [added, setAdded] = useState({ name: '', value: '' })
  const apply = (changes: BrokerConfigChange[], done: string) => {
    setError(null)
    setNotice(null)
    api.alterBrokerConfigs(scope, changes).then(
      () => {
        setNotice(done)
        configs.reload()
      },
      (failure: unknown) => setError(failure as Error),
    )
  }
  const shown = useMemo(() => {
    const needle = q.toLowerCase()
    return (configs.data?.configs ?? []).filter(
      (config) => config.name.includes(needle) && (!changedOnly || !config.isDefault),
    )
  }, [configs.data, q, changedOnly])
  const target = scope === 'broker' ? `broker ${configs.data?.brokerId ?? ''}` : 'the cluster-wide default'
  return (
    <>
      <h1>Broker configs</h1>
      <nav aria-label="Config scope" class="tabs">
        <Link href="/broker-configs" aria-current={scope === 'broker' ? 'page' : undefined}>
          This broker
        </Link>
        <Link
          href={withQuery('/broker-configs', { scope: 'cluster' })}
          aria-current={scope === 'cluster' ? 'page' : undefined}
        >
          Cluster-wide defaults
        </Link>
      </nav>
      <form
        class="panel row"
        aria-label="Set a dynamic config"
        onSubmit={(event) => {
          event.preventDefault()
          apply(
            [{ name: added.name, operation: 'SET', value: added.value }],
            `${added.name} set for ${target}`,
          )
        }}
      >
        <label>
          Config{' '}
          <input
            required
            value={added.name}
            onInput={(event) => setAdded({ ...added, name: event.currentTarget.value })}
          />
        </label>
        <label>
          Value{' '}
          <input
            required
            value={added.value}
            onInput={(event) => setAdded({ ...added, value: event.currentTarget.value })}
          />
        </label>
        <button type="submit" class="primary">
          Set for {scope === 'broker' ? 'this broker' : 'the cluster'}
        </button>
      </form>
      <ErrorBox error={error ?? configs.error} />
      <Notice text={notice} />
      <div class="row">
        <label>
          Search <input type="search" value={q} onInput={(event) => go({ q: event.currentTarget.value })} />
        </label>
        <label>
          <input
            type="checkbox"
            checked={changedOnly}
            onChange={(event) => go({ changed: event.currentTarget.checked ? '1' : undefined })}
          />{' '}
          Only values not at Kafka's default
        </label>
      </div>
      <Loading loading={configs.loading && configs.data === null} />
      {configs.data === null ? null : (
        <table aria-label={`Configs of ${target}`}>
          <caption class="muted">
            {shown.length} of {configs.data.configs.length} configs
          </caption>
          <thead>
            <tr>
              <th scope="col">Config</th>
              <th scope="col">Value</th>
              <th scope="col">Source</th>
              <th scope="col">Flags</th>
              <th scope="col">Change</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((config) => (
              <ConfigRow key={`${scope}:${config.name}`} config={config} scope={scope} apply={apply} />
            ))}
          </tbody>
        </table>
      )}
    </>
  )
}
