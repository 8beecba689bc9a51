// Goal: the throughput history's latency percentiles are exact nearest-rank p50/p99 while an interval
// holds at most the reservoir's capacity, stay within the recorded range past it, and each take()
// starts a fresh interval. Then the broker's history: real kafkajs requests to an embedded broker give
// a sample with 0 < p50 ≤ p99.
// Method: known durations into LatencyReservoir; an embedded broker's GET /api/v1/metrics/history.

import assert from 'node:assert/strict'
import { test } from 'node:test'
import kafkajs from 'kafkajs'
import { startStreamline } from '../embedded/index.ts'
import { LatencyReservoir } from './latency-reservoir.ts'

test('nearest-rank p50 and p99 of one interval, then a fresh interval', () => {
  const reservoir = new LatencyReservoir(1000)
  assert.deepEqual(reservoir.take(), { p50Ms: 0, p99Ms: 0 })
  // 1..200 ms in a shuffled order: p50 is the 100th value, p99 the 198th.
  const values = Array.from({ length: 200 }, (_, index) => index + 1).sort(() => Math.random() - 0.5)
  for (const ms of values) reservoir.record(ms / 1000)
  assert.deepEqual(reservoir.take(), { p50Ms: 100, p99Ms: 198 })
  reservoir.record(0.0025)
  assert.deepEqual(reservoir.take(), { p50Ms: 2.5, p99Ms: 2.5 })
})

test('past its capacity the reservoir keeps a sample within the recorded range', () => {
  const reservoir = new LatencyReservoir(64)
  for (let index = 0; index < 10_000; index++) reservoir.record(index < 9_900 ? 0.001 : 0.5)
  const { p50Ms, p99Ms } = reservoir.take()
  assert.equal(p50Ms, 1)
  assert.ok(p99Ms === 1 || p99Ms === 500, String(p99Ms))
})

test("the broker's throughput history samples p50/p99 of real requests", async () => {
  const streamline = await startStreamline()
  try {
    const kafka = new kafkajs.Kafka({
      clientId: 'latency',
      brokers: [streamline.bootstrap],
      logLevel: kafkajs.logLevel.NOTHING,
    })
    const producer = kafka.producer()
    await producer.connect()
    for (let index = 0; index < 20; index++)
      await producer.send({ topic: 'latency', messages: [{ value: `v${index}` }] })
    await producer.disconnect()
    // The broker samples every 2 s: wait (bounded) for the sample that holds the requests.
    type Sample = {
      requestsPerSec: number
      requestP50Ms: number
      requestP99Ms: number
      requestMeanMs: number
    }
    let busy: Sample | undefined
    for (let attempt = 0; attempt < 100 && busy === undefined; attempt++) {
      const response = await fetch(`${streamline.httpUrl}/api/v1/metrics/history`)
      const { samples } = (await response.json()) as { samples: Sample[] }
      busy = samples.find((sample) => sample.requestsPerSec > 0)
      if (busy === undefined) await new Promise((resolve) => setTimeout(resolve, 100))
    }
    assert.ok(busy, 'no sample with requests within 10 s')
    assert.ok(busy.requestP50Ms > 0, JSON.stringify(busy))
    assert.ok(busy.requestP99Ms >= busy.requestP50Ms, JSON.stringify(busy))
  } finally {
    await streamline.close()
  }
})
