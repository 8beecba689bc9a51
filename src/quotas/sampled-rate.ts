// A rate over a sliding window, as Kafka measures quota usage (its Rate over a SampledStat):
// `samples` windows of `windowMs` each; a window starts with the first value recorded after the
// previous one ended, and windows older than samples × windowMs no longer count. The rate divides
// the total by the time since the oldest window started, but never by less than (samples - 1)
// windows, so a fresh client is not throttled for its first burst. With Kafka's defaults
// (quota.window.num 11, quota.window.size.seconds 1) that is 10 to 11 seconds.

interface Sample {
  startMs: number
  value: number
}

export class SampledRate {
  private readonly samples: Array<Sample | undefined>
  private current = 0
  private readonly windowMs: number
  /** Last time a value was recorded: idle rates are dropped (quota-manager.ts). */
  lastRecordMs = 0

  constructor(options: { samples: number; windowMs: number }) {
    this.samples = new Array<Sample | undefined>(Math.max(2, options.samples)).fill(undefined)
    this.windowMs = options.windowMs
  }

  record(value: number, nowMs: number): void {
    let sample = this.samples[this.current]
    if (sample === undefined || nowMs - sample.startMs >= this.windowMs) {
      if (sample !== undefined) this.current = (this.current + 1) % this.samples.length
      sample = { startMs: nowMs, value: 0 }
      this.samples[this.current] = sample
    }
    sample.value += value
    this.lastRecordMs = nowMs
  }

  /** The total over the window and the time it spans (ms), after dropping expired windows. */
  measure(nowMs: number): { total: number; elapsedMs: number } {
    const expiredBefore = nowMs - this.samples.length * this.windowMs
    let total = 0
    let oldestMs = nowMs
    for (const [index, sample] of this.samples.entries()) {
      if (sample === undefined) continue
      if (sample.startMs < expiredBefore) {
        this.samples[index] = undefined
        continue
      }
      total += sample.value
      oldestMs = Math.min(oldestMs, sample.startMs)
    }
    let elapsedMs = nowMs - oldestMs
    const fullWindows = Math.floor(elapsedMs / this.windowMs)
    const minimumWindows = this.samples.length - 1
    if (fullWindows < minimumWindows) elapsedMs += (minimumWindows - fullWindows) * this.windowMs
    return { total, elapsedMs }
  }

  /** Per second. */
  rate(nowMs: number): number {
    const { total, elapsedMs } = this.measure(nowMs)
    return elapsedMs === 0 ? 0 : (total * 1000) / elapsedMs
  }

  /**
   * How long (ms) the client must wait for the rate to fall back to `bound`, assuming it sends
   * nothing more: Kafka's X = (O - T) / T × W. Zero when within the bound.
   */
  throttleMs(bound: number, nowMs: number): number {
    const { total, elapsedMs } = this.measure(nowMs)
    if (elapsedMs === 0) return 0
    const observed = (total * 1000) / elapsedMs
    if (observed <= bound) return 0
    if (bound <= 0) return Number.POSITIVE_INFINITY
    return Math.round(((observed - bound) / bound) * elapsedMs)
  }
}
