// Goal: SampledStat gives Kafka's windowed avg, max, rate and boolean shares: values leave the window
// once their sample has had no record for samples × windowMs, a sample that began before the window
// but had records inside it still counts, a young stat's rate counts samples - 1 full windows, and
// slots are reused past samples + 1.
// Method: an injected clock (the times passed in); exact values, computed by hand from Kafka's rules.

import assert from 'node:assert/strict'
import { test } from 'node:test'
import { kafkaSampleWindow, SampledStat } from './sampled-stat.ts'

const window = { windowMs: 1_000, samples: 2 }

test('nothing recorded: avg and max NaN, rate and shares 0', () => {
  const stat = new SampledStat(window)
  assert.ok(Number.isNaN(stat.avg(0)))
  assert.ok(Number.isNaN(stat.maximum(0)))
  assert.equal(stat.rate(0), 0)
  assert.equal(stat.share(true, 0), 0)
  assert.equal(stat.share(false, 0), 0)
})

test('avg, max and rate over the samples in the window, then values expire', () => {
  const stat = new SampledStat(window)
  stat.record(10, 0)
  stat.record(20, 500)
  assert.equal(stat.avg(500), 15)
  assert.equal(stat.maximum(500), 20)
  // 500 ms elapsed, counted as one full window more (samples - 1): 30 over 1.5 s.
  assert.equal(stat.rate(500), 20)
  // The first sample is complete at 1000: a second one starts at 1200.
  stat.record(30, 1_200)
  assert.equal(stat.avg(1_200), 20)
  assert.equal(stat.maximum(1_200), 30)
  assert.equal(stat.rate(1_200), 50) // 60 over the 1.2 s since the first sample began
  assert.equal(stat.rate(2_400), 25) // the first sample's last record (500) is 1.9 s old: kept
  // At 2500 the first sample's last record is 2 s old (samples × windowMs): cleared.
  assert.equal(stat.avg(2_500), 30)
  assert.equal(stat.maximum(2_500), 30)
  assert.equal(stat.rate(2_500), 30 / 1.3) // the second sample began at 1200
  // At 3200 the second one too: an empty window again.
  assert.ok(Number.isNaN(stat.avg(3_200)))
  assert.ok(Number.isNaN(stat.maximum(3_200)))
  assert.equal(stat.rate(3_200), 0)
})

test('a sample begun before the window with records inside it still counts', () => {
  const stat = new SampledStat(window)
  stat.record(1, 0)
  stat.record(1, 900)
  assert.equal(stat.avg(2_500), 1)
  assert.equal(stat.rate(2_500), 0.8) // 2 over the 2.5 s since the sample began
  assert.equal(stat.rate(2_900), 0)
})

test('samples + 1 slots are reused in turn', () => {
  const stat = new SampledStat(window)
  stat.record(1, 0)
  stat.record(2, 1_000)
  stat.record(4, 2_000)
  stat.record(8, 3_000) // reuses the first slot; the 1000 one has been quiet 2 s: cleared
  assert.equal(stat.avg(3_000), 6)
  assert.equal(stat.maximum(3_000), 8)
  assert.equal(stat.rate(3_000), 12) // 12 over the 1 s since the 2000 sample began
  stat.record(16, 4_000)
  assert.equal(stat.avg(4_000), 12) // 8 and 16 (the 2000 sample cleared)
  assert.equal(stat.maximum(4_000), 16)
})

test('a max of 0 and negative values are reported as recorded', () => {
  const stat = new SampledStat(window)
  stat.record(0, 0)
  assert.equal(stat.maximum(0), 0)
  stat.record(-5, 10)
  assert.equal(stat.maximum(10), 0)
  assert.equal(stat.avg(10), -2.5)
})

test('boolean shares: successes and failures in the window', () => {
  const stat = new SampledStat(window)
  stat.record(1, 0)
  stat.record(1, 10)
  stat.record(0, 20)
  assert.equal(stat.share(true, 20), 2 / 3)
  assert.equal(stat.share(false, 20), 1 / 3)
  stat.record(1, 1_500)
  assert.equal(stat.share(true, 2_019), 0.75) // 20 is 1.999 s ago: still in
  assert.equal(stat.share(true, 2_020), 1) // the 0 at 20 left with its sample (last record 2 s old)
  assert.equal(stat.share(false, 2_020), 0)
  assert.equal(stat.share(true, 3_500), 0)
})

test("Kafka's default window: 2 samples of 30 s", () => {
  assert.deepEqual(kafkaSampleWindow, { windowMs: 30_000, samples: 2 })
  const stat = new SampledStat()
  stat.record(60, 0)
  assert.equal(stat.rate(15_000), 60 / 45) // 15 s elapsed plus one full window
  assert.equal(stat.rate(45_000), 60 / 45)
  assert.equal(stat.avg(59_999), 60)
  assert.ok(Number.isNaN(stat.avg(60_000)))
})

test('a window of no time or no samples is refused', () => {
  assert.throws(() => new SampledStat({ windowMs: 0, samples: 2 }), RangeError)
  assert.throws(() => new SampledStat({ windowMs: 1_000, samples: 0 }), RangeError)
})
