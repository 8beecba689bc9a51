// Goal: rebalance-avg/max-time-ms cover the metrics sample window (Kafka's sensors), while
// completed-rebalances-total and time-since-last-rebalance-ms cover the worker's life.
// Method: RebalanceMetrics fed start/success times directly (the clock is the times passed in).

import assert from 'node:assert/strict'
import { test } from 'node:test'
import { RebalanceMetrics } from './rebalance-metrics.ts'

test('rebalance times over the sample window; totals over the life', () => {
  const metrics = new RebalanceMetrics('g', 'compatible', { windowMs: 1_000, samples: 2 })
  const assigned = { generation: 3, leaderUrl: 'http://a:8083', protocol: 'compatible' }
  let snapshot = metrics.snapshot(0)
  assert.ok(Number.isNaN(snapshot.rebalanceAvgTimeMs) && Number.isNaN(snapshot.rebalanceMaxTimeMs))
  assert.equal(snapshot.timeSinceLastRebalanceMs, Number.POSITIVE_INFINITY)
  metrics.rebalanceStarted(0)
  assert.equal(metrics.snapshot(50).rebalancing, true)
  metrics.rebalanceSucceeded(100, assigned)
  metrics.rebalanceStarted(500)
  metrics.rebalanceSucceeded(800, { ...assigned, generation: 4 })
  snapshot = metrics.snapshot(900)
  assert.equal(snapshot.rebalanceAvgTimeMs, 200)
  assert.equal(snapshot.rebalanceMaxTimeMs, 300)
  assert.equal(snapshot.completedRebalancesTotal, 2)
  assert.equal(snapshot.epoch, 4)
  assert.equal(snapshot.rebalancing, false)
  // 2 s after the last one: the times left the window, the total and the time since stay.
  snapshot = metrics.snapshot(2_800)
  assert.ok(Number.isNaN(snapshot.rebalanceAvgTimeMs) && Number.isNaN(snapshot.rebalanceMaxTimeMs))
  assert.equal(snapshot.completedRebalancesTotal, 2)
  assert.equal(snapshot.timeSinceLastRebalanceMs, 2_000)
})
