// Goal: console sessions are bounded and expire: the oldest is dropped at the limit, an idle or too old
// session is gone, a used one stays; the cookie parser finds only the named cookie; token comparison
// is exact. Method: a SessionStore with small limits and a clock the test moves.

import assert from 'node:assert/strict'
import { test } from 'node:test'
import { cookieValue, SessionStore, tokensEqual } from './sessions.ts'

test('sessions are bounded, expire when idle or old, and carry their principal and CSRF token', () => {
  let nowMs = 0
  const store = new SessionStore({ sessionsMax: 2, idleMs: 100, lifetimeMs: 250 }, () => nowMs)
  const first = store.create('User:a')
  const second = store.create('User:b')
  const third = store.create('User:c')
  assert.equal(store.size, 2)
  assert.equal(store.find(first.id), null)
  assert.equal(store.find(second.id)?.principal, 'User:b')
  assert.notEqual(third.csrfToken, third.id)
  assert.match(third.id, /^[\w-]{43}$/)
  nowMs = 90
  assert.equal(store.find(third.id)?.principal, 'User:c') // used: idle time restarts
  nowMs = 180
  assert.equal(store.find(second.id), null) // idle since 0
  assert.equal(store.find(third.id)?.principal, 'User:c')
  nowMs = 260
  assert.equal(store.find(third.id), null) // older than its lifetime
  assert.equal(store.find(undefined), null)
  assert.equal(store.find('made-up'), null)
  const last = store.create('User:d')
  store.delete(last.id)
  assert.equal(store.find(last.id), null)
})

test('cookie parsing and token comparison', () => {
  assert.equal(cookieValue('a=1; streamline_session=xyz; b=2', 'streamline_session'), 'xyz')
  assert.equal(cookieValue('xstreamline_session=1', 'streamline_session'), undefined)
  assert.equal(cookieValue(undefined, 'streamline_session'), undefined)
  assert.equal(cookieValue('=; ;;', 'streamline_session'), undefined)
  assert.equal(tokensEqual('abc', 'abc'), true)
  assert.equal(tokensEqual('abc', 'abd'), false)
  assert.equal(tokensEqual('abc', 'abcd'), false)
})
