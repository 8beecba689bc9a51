// Goal: the fetch session cache stays within its bound and forgets idle sessions.
// Method: a cache with a small limit and a hand-moved clock.

import assert from 'node:assert/strict'
import { it } from 'node:test'
import { FetchSessionCache } from './fetch-session-cache.ts'

it('evicts the least recently used session when full, and expires idle ones', () => {
  let nowMs = 0
  const cache = new FetchSessionCache({ sessionsMax: 2, sessionIdleMs: 1000 }, () => nowMs)
  const first = cache.create()
  const second = cache.create()
  assert.ok(first && second)
  nowMs = 10
  assert.equal(cache.get(first.id), first) // first is now the most recently used
  const third = cache.create()
  assert.ok(third)
  assert.equal(cache.size, 2)
  assert.equal(cache.get(second.id), undefined, 'the least recently used session was evicted')
  nowMs = 2000
  assert.equal(cache.get(first.id), undefined, 'idle past sessionIdleMs')
})

it('creates no session when the cache has no slots', () => {
  assert.equal(new FetchSessionCache({ sessionsMax: 0, sessionIdleMs: 1000 }).create(), null)
})
