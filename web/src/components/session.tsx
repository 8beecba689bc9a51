// Login when the broker has users: useSession asks GET /api/v1/session whether a login is needed and who
// is logged in (keeping the CSRF token for writes), and LoginForm posts a broker user's name and
// password. The session lives in an HttpOnly cookie the page never sees; a 401 from any call (the
// session ended) brings the form back.

import { useCallback, useEffect, useState } from 'preact/hooks'
import { api, type SessionState, setCsrfToken, unauthenticatedEvent } from '../api.ts'
import { ErrorBox } from './feedback.tsx'

export interface Session {
  /** null until the first answer. */
  state: SessionState | null
  needsLogin: boolean
  loggedIn: (state: SessionState) => void
  logout: () => void
}

export function useSession(): Session {
  const [state, setState] = useState<SessionState | null>(null)
  const apply = useCallback((next: SessionState) => {
    setCsrfToken(next.csrfToken)
    setState(next)
  }, [])
  useEffect(() => {
    api.session().then(apply, () => apply({ authentication: false, principal: null, csrfToken: null }))
    const onUnauthenticated = () => apply({ authentication: true, principal: null, csrfToken: null })
    window.addEventListener(unauthenticatedEvent, onUnauthenticated)
    return () => window.removeEventListener(unauthenticatedEvent, onUnauthenticated)
  }, [apply])
  const logout = useCallback(() => {
    const loggedOut = () => apply({ authentication: true, principal: null, csrfToken: null })
    api.logout().then(loggedOut, loggedOut)
  }, [apply])
  return {
    state,
    needsLogin: state?.authentication === true && state.principal === null,
    loggedIn: apply,
    logout,
  }
}

export function LoginForm(props: { onLoggedIn: (state: SessionState) => void }) {
  const [username, setUsername] = useState('')
  const [password, setPassword] = useState('')
  const [error, setError] = useState<Error | null>(null)
  const [busy, setBusy] = useState(false)
  const submit = (event: Event) => {
    event.preventDefault()
    setError(null)
    setBusy(true)
    api
      .login(username, password)
      .then(props.onLoggedIn, (failure: unknown) => setError(failure as Error))
      .finally(() => setBusy(false))
  }
  return (
    <>
      <h1>Log in</h1>
      <p class="muted">This broker has users: log in with a Kafka user's name and password (SASL/SCRAM).</p>
      <form class="panel login" onSubmit={submit} aria-label="Log in">
        <label class="block">
          User name
          <input
            required
            autocomplete="username"
            value={username}
            onInput={(event) => setUsername(event.currentTarget.value)}
          />
        </label>
        <label class="block">
          Password
          <input
            required
            type="password"
            autocomplete="current-password"
            value={password}
            onInput={(event) => setPassword(event.currentTarget.value)}
          />
        </label>
        <div class="row">
          <button type="submit" class="primary" disabled={busy}>
            Log in
          </button>
        </div>
        <ErrorBox error={error} />
      </form>
    </>
  )
}
