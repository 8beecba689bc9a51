// Client quotas: every entity (user, client id, or both; "<default>" is Kafka's default entity) with its
// values; set a value or remove one.

import { useState } from 'preact/hooks'
import { api, type QuotaEntity } from '../api.ts'
import { ErrorBox, Notice } from '../components/feedback.tsx'
import { Select } from '../components/select.tsx'
import { useLoad } from '../hooks.ts'

const defaultName = '<default>'

function describe(entity: QuotaEntity): string {
  const parts: string[] = []
  if (entity.user !== undefined) parts.push(`user ${entity.user ?? defaultName}`)
  if (entity.clientId !== undefined) parts.push(`client-id ${entity.clientId ?? defaultName}`)
  return parts.join(', ')
}

function nameOf(text: string): string | null | undefined {
  if (text === '') return undefined
  return text === defaultName ? null : text
}

export function Quotas() {
  const quotas = useLoad(() => api.quotas(), [])
  const [form, setForm] = useState({ user: '', clientId: '', key: 'producer_byte_rate', value: '' })
  const [error, setError] = useState<Error | null>(null)
  const [notice, setNotice] = useState<string | null>(null)
  const act = (entity: QuotaEntity, values: Record<string, number | null>, done: string) => {
    setError(null)
    api.setQuota(entity, values).then(
      () => {
        setNotice(done)
        quotas.reload()
      },
      (failure: unknown) => setError(failure as Error),
    )
  }
  const entity: QuotaEntity = {}
  const user = nameOf(form.user)
  const clientId = nameOf(form.clientId)
  if (user !== undefined) entity.user = user
  if (clientId !== undefined) entity.clientId = clientId
  return (
    <section aria-labelledby="quotas-heading">
      <h2 id="quotas-heading">Client quotas</h2>
      <form
        class="panel row"
        aria-label="Set a client quota"
        onSubmit={(event) => {
          event.preventDefault()
          act(entity, { [form.key]: Number(form.value) }, `${form.key} set for ${describe(entity)}`)
        }}
      >
        <label>
          User{' '}
          <input
            value={form.user}
            placeholder={defaultName}
            onInput={(event) => setForm({ ...form, user: event.currentTarget.value })}
          />
        </label>
        <label>
          Client id{' '}
          <input
            value={form.clientId}
            onInput={(event) => setForm({ ...form, clientId: event.currentTarget.value })}
          />
        </label>
        <Select
          label="Quota"
          value={form.key}
          options={quotas.data?.keys ?? ['producer_byte_rate']}
          onChange={(value) => setForm({ ...form, key: value })}
        />
        <label>
          Value{' '}
          <input
            required
            type="number"
            min={0}
            step="any"
            value={form.value}
            onInput={(event) => setForm({ ...form, value: event.currentTarget.value })}
          />
        </label>
        <button type="submit" class="primary">
          Set quota
        </button>
      </form>
      <ErrorBox error={error ?? quotas.error} />
      <Notice text={notice} />
      <table>
        <thead>
          <tr>
            <th scope="col">Entity</th>
            <th scope="col">Quota</th>
            <th scope="col">Value</th>
            <th scope="col">
              <span class="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {(quotas.data?.quotas ?? []).flatMap((quota) =>
            Object.entries(quota.values).map(([key, value]) => (
              <tr key={`${describe(quota.entity)}:${key}`}>
                <td>{describe(quota.entity)}</td>
                <td>{key}</td>
                <td class="number">{value}</td>
                <td>
                  <button
                    type="button"
                    class="danger"
                    aria-label={`Remove ${key} of ${describe(quota.entity)}`}
                    onClick={() => act(quota.entity, { [key]: null }, `${key} removed`)}
                  >
                    Remove
                  </button>
                </td>
              </tr>
            )),
          )}
        </tbody>
      </table>
    </section>
  )
}
