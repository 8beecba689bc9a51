// Goal: StateTimeRatios gives Kafka Connect's running-ratio / pause-ratio: the share of the time since
// the first state spent in each state, the current one counted up to now; 0 before any state.
// Method: an injected clock (the times passed in); exact values.

import assert from 'node:assert/strict'
import { test } from 'node:test'
import { StateTimeRatios } from './state-time-ratios.ts'

test('time-in-state shares over the whole life', () => {
  const states = new StateTimeRatios<'RUNNING' | 'PAUSED' | 'FAILED'>()
  assert.equal(states.current, null)
  assert.equal(states.ratio('RUNNING', 1_000), 0)
  states.change('RUNNING', 1_000)
  assert.ok(Number.isNaN(states.ratio('RUNNING', 1_000))) // no time yet (Kafka's 0/0)
  assert.equal(states.ratio('RUNNING', 2_000), 1)
  assert.equal(states.ratio('PAUSED', 2_000), 0)
  states.change('PAUSED', 4_000)
  states.change('PAUSED', 4_500) // the same state: nothing changes
  assert.equal(states.current, 'PAUSED')
  assert.equal(states.ratio('RUNNING', 5_000), 0.75)
  assert.equal(states.ratio('PAUSED', 5_000), 0.25)
  states.change('RUNNING', 6_000)
  assert.equal(states.ratio('RUNNING', 9_000), 0.75) // 3 s + 3 s of 8 s
  assert.equal(states.ratio('PAUSED', 9_000), 0.25)
  states.change('FAILED', 9_000)
  assert.equal(states.ratio('FAILED', 11_000), 0.2)
  assert.equal(states.ratio('RUNNING', 11_000), 0.6)
})
