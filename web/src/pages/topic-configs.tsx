// A topic's configs: every config with its value, non-defaults marked; edit values and save (the
// broker validates: its INVALID_CONFIG message is shown). Saving sends the whole set of overrides.

import { useState } from 'preact/hooks'
import { api, type TopicDetail } from '../api.ts'
import { ErrorBox, Notice } from '../components/feedback.tsx'

export function TopicConfigs(props: { topic: TopicDetail; onChanged: () => void }) {
  const initial = Object.fromEntries(
    props.topic.configs.filter((config) => !config.isDefault).map((config) => [config.name, config.value]),
  )
  const [overrides, setOverrides] = useState<Record<string, string>>(initial)
  const [error, setError] = useState<Error | null>(null)
  const [notice, setNotice] = useState<string | null>(null)
  const save = (event: Event) => {
    event.preventDefault()
    setError(null)
    api.setConfigs(props.topic.name, overrides).then(
      () => {
        setNotice('Configs saved')
        props.onChanged()
      },
      (failure: unknown) => setError(failure as Error),
    )
  }
  return (
    <form onSubmit={save} aria-label="Topic configs">
      <table>
        <thead>
          <tr>
            <th scope="col">Config</th>
            <th scope="col">Value</th>
            <th scope="col">Source</th>
          </tr>
        </thead>
        <tbody>
          {props.topic.configs.map((config) => {
            const overridden = overrides[config.name] !== undefined
            return (
              <tr key={config.name} class={overridden ? 'overridden' : ''}>
                <th scope="row">{config.name}</th>
                <td>
                  <input
                    aria-label={config.name}
                    value={overrides[config.name] ?? ''}
                    placeholder={config.isDefault ? config.value : ''}
                    onInput={(event) => {
                      const value = event.currentTarget.value
                      const next = { ...overrides }
                      if (value === '') delete next[config.name]
                      else next[config.name] = value
                      setOverrides(next)
                    }}
                  />
                </td>
                <td>{overridden ? 'topic override' : 'default'}</td>
              </tr>
            )
          })}
        </tbody>
      </table>
      <div class="row">
        <button type="submit" class="primary">
          Save configs
        </button>
      </div>
      <ErrorBox error={error} />
      <Notice text={notice} />
    </form>
  )
}
