// What an open-loop phase of the registry workload gives, whichever generator ran it (the C one,
// native/http-open-loop.c through registry-load-native.ts, or the Node one, registry-http.ts): the
// percentiles of the answers' latencies (each from its request's scheduled time) and when the slow
// ones were due.

export interface OpenLoopResult {
  achievedPerSec: number
  p50Ms: number
  p99Ms: number
  maxMs: number
  failures: number
  samples: number
  /** CPU time of the generator's process per request, µs. */
  clientCpuMicrosPerRequest: number
  /** When the answers over 2 ms were due: the 100 ms slots of the phase with most of them, worst first
   * ("@1200ms 35×, max 28.1 ms"): a few bunched slots are one stall, spread ones a steady cost. */
  slowSlots: string[]
  /** p99 of the time from each request's actual send to its answer (the C generator only): the
   * server's part, without the generator's late sends (the target's p99 is from the scheduled time). */
  fromSendP99Ms?: number
  /** Sends over 1 ms after their scheduled time and the latest (the C generator only): a late send is
   * the generator's wake-up or every connection busy, not the server's answer. */
  lateSends?: number
  sendLagMaxMs?: number
  /** Why the first failed request failed (the C generator only). */
  firstFailure?: string
}

/** The 100 ms slots of a phase holding the most answers over 2 ms, as "@<slot start>ms <n>×, max <ms>". */
function slowSlotsOf(offsets: Float64Array, latencies: Float64Array): string[] {
  const slots = new Map<number, { count: number; maxMs: number }>()
  for (let index = 0; index < latencies.length; index++) {
    if (latencies[index] <= 2) continue
    const slot = Math.floor(offsets[index] / 100) * 100
    const entry = slots.get(slot) ?? { count: 0, maxMs: 0 }
    entry.count++
    entry.maxMs = Math.max(entry.maxMs, latencies[index])
    slots.set(slot, entry)
  }
  return [...slots]
    .sort((left, right) => right[1].count - left[1].count)
    .slice(0, 6)
    .map(([slot, entry]) => `@${slot}ms ${entry.count}×, max ${entry.maxMs.toFixed(1)} ms`)
}

export interface OpenLoopSamples {
  /** Per answer: its request's scheduled time from the phase's start, ms. */
  offsets: Float64Array
  /** Per answer (same order): from the scheduled time to the whole answer, ms. */
  latencies: Float64Array
  failures: number
  /** Requests scheduled in the phase. */
  total: number
  elapsedSeconds: number
  cpuMicros: number
}

/** The phase's percentiles and slow slots (sorts `latencies` in place). */
export function summarizeOpenLoop(samples: OpenLoopSamples): OpenLoopResult {
  const { offsets, latencies, failures, total, elapsedSeconds, cpuMicros } = samples
  const slowSlots = slowSlotsOf(offsets, latencies)
  const sorted = latencies.sort()
  const at = (quantile: number): number =>
    sorted[Math.min(sorted.length - 1, Math.floor(quantile * sorted.length))] ?? Number.NaN
  return {
    achievedPerSec: latencies.length / elapsedSeconds,
    p50Ms: at(0.5),
    p99Ms: at(0.99),
    maxMs: at(1),
    failures,
    samples: latencies.length,
    clientCpuMicrosPerRequest: cpuMicros / total,
    slowSlots,
  }
}
