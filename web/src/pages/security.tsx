// Security: ACL bindings (list, filter, create, delete) and SCRAM users (create, change password,
// delete). ACLs need the broker's authorizer on (security.authorizer); the page says so otherwise.

import { useState } from 'preact/hooks'
import { type AclBinding, api } from '../api.ts'
import { ErrorBox, Loading, Notice } from '../components/feedback.tsx'
import { Select } from '../components/select.tsx'
import { useLoad } from '../hooks.ts'
import { Quotas } from './quotas.tsx'

const resourceTypes = ['TOPIC', 'GROUP', 'CLUSTER', 'TRANSACTIONAL_ID', 'DELEGATION_TOKEN', 'USER']
const operations = [
  'ALL',
  'READ',
  'WRITE',
  'CREATE',
  'DELETE',
  'ALTER',
  'DESCRIBE',
  'CLUSTER_ACTION',
  'DESCRIBE_CONFIGS',
  'ALTER_CONFIGS',
  'IDEMPOTENT_WRITE',
]

export function SecurityPage() {
  return (
    <>
      <h1>Security</h1>
      <Acls />
      <Users />
      <Quotas />
    </>
  )
}

function Acls() {
  const acls = useLoad(() => api.acls(), [])
  const [filter, setFilter] = useState('')
  const [draft, setDraft] = useState<AclBinding>({
    resourceType: 'TOPIC',
    resourceName: '',
    patternType: 'LITERAL',
    principal: 'User:',
    host: '*',
    operation: 'READ',
    permissionType: 'ALLOW',
  })
  const [error, setError] = useState<Error | null>(null)
  const [notice, setNotice] = useState<string | null>(null)
  const act = (action: Promise<unknown>, done: string) => {
    setError(null)
    action.then(
      () => {
        setNotice(done)
        acls.reload()
      },
      (failure: unknown) => setError(failure as Error),
    )
  }
  const shown = (acls.data?.acls ?? []).filter((acl) =>
    Object.values(acl).some((field) => field.toLowerCase().includes(filter.toLowerCase())),
  )
  return (
    <section aria-labelledby="acls-heading">
      <h2 id="acls-heading">ACLs</h2>
      <Loading loading={acls.loading && acls.data === null} />
      {acls.data?.authorizer === false ? (
        <p class="muted">
          ACLs are not enforced: this broker runs without the authorizer (start it with security.authorizer).
        </p>
      ) : null}
      <form
        class="panel row"
        aria-label="Create ACL"
        onSubmit={(event) => {
          event.preventDefault()
          act(api.createAcl(draft), `ACL created for ${draft.principal}`)
        }}
      >
        <Select
          label="Resource type"
          value={draft.resourceType}
          options={resourceTypes}
          onChange={(value) => setDraft({ ...draft, resourceType: value })}
        />
        <label>
          Resource name{' '}
          <input
            required
            value={draft.resourceName}
            onInput={(event) => setDraft({ ...draft, resourceName: event.currentTarget.value })}
          />
        </label>
        <Select
          label="Pattern"
          value={draft.patternType}
          options={['LITERAL', 'PREFIXED']}
          onChange={(value) => setDraft({ ...draft, patternType: value })}
        />
        <label>
          Principal{' '}
          <input
            required
            value={draft.principal}
            onInput={(event) => setDraft({ ...draft, principal: event.currentTarget.value })}
          />
        </label>
        <label>
          Host{' '}
          <input
            required
            value={draft.host}
            onInput={(event) => setDraft({ ...draft, host: event.currentTarget.value })}
          />
        </label>
        <Select
          label="Operation"
          value={draft.operation}
          options={operations}
          onChange={(value) => setDraft({ ...draft, operation: value })}
        />
        <Select
          label="Permission"
          value={draft.permissionType}
          options={['ALLOW', 'DENY']}
          onChange={(value) => setDraft({ ...draft, permissionType: value })}
        />
        <button type="submit" class="primary">
          Create ACL
        </button>
      </form>
      <ErrorBox error={error ?? acls.error} />
      <Notice text={notice} />
      <label>
        Filter ACLs{' '}
        <input type="search" value={filter} onInput={(event) => setFilter(event.currentTarget.value)} />
      </label>
      <table>
        <thead>
          <tr>
            <th scope="col">Principal</th>
            <th scope="col">Permission</th>
            <th scope="col">Operation</th>
            <th scope="col">Resource</th>
            <th scope="col">Pattern</th>
            <th scope="col">Host</th>
            <th scope="col">
              <span class="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {shown.map((acl) => {
            const label = `${acl.permissionType} ${acl.operation} on ${acl.resourceType} ${acl.resourceName} for ${acl.principal}`
            return (
              <tr key={label + acl.patternType + acl.host}>
                <td>{acl.principal}</td>
                <td>{acl.permissionType}</td>
                <td>{acl.operation}</td>
                <td>
                  {acl.resourceType} {acl.resourceName}
                </td>
                <td>{acl.patternType}</td>
                <td>{acl.host}</td>
                <td>
                  <button
                    type="button"
                    class="danger"
                    aria-label={`Delete ACL ${label}`}
                    onClick={() => act(api.deleteAcls(acl), 'ACL deleted')}
                  >
                    Delete
                  </button>
                </td>
              </tr>
            )
          })}
        </tbody>
      </table>
    </section>
  )
}

function Users() {
  const users = useLoad(() => api.users(), [])
  const [form, setForm] = useState({ name: '', password: '', mechanism: 'SCRAM-SHA-256' })
  const [error, setError] = useState<Error | null>(null)
  const [notice, setNotice] = useState<string | null>(null)
  const act = (action: Promise<unknown>, done: string) => {
    setError(null)
    action.then(
      () => {
        setNotice(done)
        users.reload()
      },
      (failure: unknown) => setError(failure as Error),
    )
  }
  return (
    <section aria-labelledby="users-heading">
      <h2 id="users-heading">SCRAM users</h2>
      <form
        class="panel row"
        aria-label="Create user or change password"
        onSubmit={(event) => {
          event.preventDefault()
          act(api.setUser(form.name, form.password, form.mechanism), `Password of ${form.name} set`)
          setForm({ ...form, password: '' })
        }}
      >
        <label>
          User{' '}
          <input
            required
            value={form.name}
            onInput={(event) => setForm({ ...form, name: event.currentTarget.value })}
          />
        </label>
        <label>
          Password{' '}
          <input
            required
            type="password"
            autoComplete="new-password"
            value={form.password}
            onInput={(event) => setForm({ ...form, password: event.currentTarget.value })}
          />
        </label>
        <Select
          label="Mechanism"
          value={form.mechanism}
          options={['SCRAM-SHA-256', 'SCRAM-SHA-512']}
          onChange={(value) => setForm({ ...form, mechanism: value })}
        />
        <button type="submit" class="primary">
          Set password
        </button>
      </form>
      <ErrorBox error={error ?? users.error} />
      <Notice text={notice} />
      <table>
        <thead>
          <tr>
            <th scope="col">User</th>
            <th scope="col">Mechanisms</th>
            <th scope="col">
              <span class="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {(users.data?.users ?? []).map((user) => (
            <tr key={user.name}>
              <td>{user.name}</td>
              <td>{user.mechanisms.join(', ')}</td>
              <td>
                <button
                  type="button"
                  class="danger"
                  aria-label={`Delete user ${user.name}`}
                  onClick={() => act(api.deleteUser(user.name), `User ${user.name} deleted`)}
                >
                  Delete
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  )
}
