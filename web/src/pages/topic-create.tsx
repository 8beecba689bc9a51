// Create a topic: name, partitions, and any topic config (Kafka's defaults shown as placeholders; the
// broker validates and its message is shown as is).

import { useState } from 'preact/hooks'
import { api } from '../api.ts'
import { ErrorBox } from '../components/feedback.tsx'
import { useLoad } from '../hooks.ts'

export function CreateTopicForm(props: { onCreated: (name: string) => void }) {
  const definitions = useLoad(() => api.topicConfigs(), [])
  const [name, setName] = useState('')
  const [partitions, setPartitions] = useState(1)
  const [configs, setConfigs] = useState<Array<{ name: string; value: string }>>([])
  const [error, setError] = useState<Error | null>(null)
  const submit = (event: Event) => {
    event.preventDefault()
    const overrides = Object.fromEntries(
      configs.filter((config) => config.name !== '').map((config) => [config.name, config.value]),
    )
    api.createTopic({ name, partitions, configs: overrides }).then(
      () => props.onCreated(name),
      (failure: unknown) => setError(failure as Error),
    )
  }
  const defaults = definitions.data?.configs ?? []
  return (
    <form class="panel" onSubmit={submit} aria-label="Create topic">
      <div class="row">
        <label>
          Name <input required value={name} onInput={(event) => setName(event.currentTarget.value)} />
        </label>
        <label>
          Partitions{' '}
          <input
            type="number"
            min={1}
            value={partitions}
            onInput={(event) => setPartitions(Number(event.currentTarget.value))}
          />
        </label>
      </div>
      {configs.map((config, index) => {
        const definition = defaults.find((item) => item.name === config.name)
        return (
          <div class="row" key={index}>
            <label>
              Config{' '}
              <select
                value={config.name}
                onChange={(event) => {
                  const next = [...configs]
                  next[index] = { name: event.currentTarget.value, value: '' }
                  setConfigs(next)
                }}
              >
                <option value="">choose…</option>
                {defaults.map((item) => (
                  <option key={item.name} value={item.name}>
                    {item.name}
                  </option>
                ))}
              </select>
            </label>
            <label>
              Value{' '}
              <input
                value={config.value}
                placeholder={definition?.defaultValue ?? ''}
                onInput={(event) => {
                  const next = [...configs]
                  next[index] = { ...config, value: event.currentTarget.value }
                  setConfigs(next)
                }}
              />
            </label>
            <span class="muted">{definition?.doc ?? ''}</span>
          </div>
        )
      })}
      <div class="row">
        <button type="button" onClick={() => setConfigs([...configs, { name: '', value: '' }])}>
          Add config
        </button>
        <button type="submit" class="primary">
          Create
        </button>
      </div>
      <ErrorBox error={error} />
    </form>
  )
}
