// Kafka's sampled statistics (org.apache.kafka.common.metrics SampledStat with Avg, Max, Rate and
// Frequencies over boolean values): what was recorded is kept in `samples` time windows of `windowMs`
// each (Kafka's metrics.num.samples and metrics.sample.window.ms, 2 × 30 s by default), so averages,
// maxima, rates and success shares describe the last minute or so, not the whole life.
// Semantics follow Kafka's:
// - a sample starts at the first record after the previous one is complete (`windowMs` old); one slot
//   more than `samples` is kept, and a slot whose last record is `samples × windowMs` old is cleared
//   when measured (so a sample that began before the window but had records inside it still counts);
// - a rate divides the recorded sum by the time since the oldest kept sample began, counting at least
//   `samples - 1` full windows (a young stat does not report a burst as a huge rate);
// - avg and max are NaN with nothing in the window; a boolean share is 0 then.
// Recording is a few array writes (no allocation): callers record once per batch, not per record.

/** Kafka's metrics.sample.window.ms and metrics.num.samples. */
export interface SampleWindow {
  windowMs: number
  samples: number
}

/** Kafka's defaults (metrics.sample.window.ms=30000, metrics.num.samples=2). */
export const kafkaSampleWindow: SampleWindow = { windowMs: 30_000, samples: 2 }

export class SampledStat {
  private readonly startMs: Float64Array
  private readonly lastEventMs: Float64Array
  private readonly count: Float64Array
  private readonly sum: Float64Array
  private readonly max: Float64Array
  /** Slots in use (they are created as samples start, as Kafka's list grows). */
  private used = 0
  private current = 0

  constructor(readonly window: SampleWindow = kafkaSampleWindow) {
    if (!(window.windowMs > 0) || !Number.isInteger(window.samples) || window.samples < 1)
      throw new RangeError(`bad sample window ${window.windowMs} ms × ${window.samples}`)
    // Kafka keeps one slot more than `samples` (see purge()).
    const slots = window.samples + 1
    this.startMs = new Float64Array(slots)
    this.lastEventMs = new Float64Array(slots)
    this.count = new Float64Array(slots)
    this.sum = new Float64Array(slots)
    this.max = new Float64Array(slots)
  }

  record(value: number, nowMs: number): void {
    if (this.used === 0) {
      this.used = 1
      this.reset(0, nowMs)
    } else if (nowMs - this.startMs[this.current] >= this.window.windowMs) {
      this.current = (this.current + 1) % this.startMs.length
      if (this.current >= this.used) this.used = this.current + 1
      this.reset(this.current, nowMs)
    }
    const slot = this.current
    this.max[slot] = this.count[slot] === 0 ? value : Math.max(this.max[slot], value)
    this.count[slot]++
    this.sum[slot] += value
    this.lastEventMs[slot] = nowMs
  }

  /** Average of the values in the window; NaN with none (Kafka's Avg). */
  avg(nowMs: number): number {
    this.purge(nowMs)
    let count = 0
    let sum = 0
    for (let slot = 0; slot < this.used; slot++) {
      count += this.count[slot]
      sum += this.sum[slot]
    }
    return count === 0 ? Number.NaN : sum / count
  }

  /** Largest value in the window; NaN with none (Kafka's Max). */
  maximum(nowMs: number): number {
    this.purge(nowMs)
    let max = Number.NEGATIVE_INFINITY
    let seen = false
    for (let slot = 0; slot < this.used; slot++) {
      if (this.count[slot] === 0) continue
      seen = true
      max = Math.max(max, this.max[slot])
    }
    return seen ? max : Number.NaN
  }

  /** Sum of the values in the window per second of the window (Kafka's Rate over a windowed sum). */
  rate(nowMs: number): number {
    this.purge(nowMs)
    let sum = 0
    let oldestMs = nowMs
    for (let slot = 0; slot < this.used; slot++) {
      sum += this.sum[slot]
      if (this.startMs[slot] < oldestMs) oldestMs = this.startMs[slot]
    }
    const { windowMs, samples } = this.window
    let elapsedMs = nowMs - oldestMs
    const fullWindows = Math.floor(elapsedMs / windowMs)
    if (fullWindows < samples - 1) elapsedMs += (samples - 1 - fullWindows) * windowMs
    return sum / (Math.max(elapsedMs, 1) / 1000)
  }

  /**
   * For a stat fed 1 (success) and 0 (failure): the share of records in the window that were `outcome`,
   * 0 with none (Kafka's Frequencies.forBooleanValues, named …-percentage but a fraction from 0 to 1).
   */
  share(outcome: boolean, nowMs: number): number {
    this.purge(nowMs)
    let count = 0
    let ones = 0
    for (let slot = 0; slot < this.used; slot++) {
      count += this.count[slot]
      ones += this.sum[slot]
    }
    if (count === 0) return 0
    return (outcome ? ones : count - ones) / count
  }

  /** Clears the slots with no record in the last `samples × windowMs` (Kafka's purgeObsoleteSamples). */
  private purge(nowMs: number): void {
    const expireMs = this.window.samples * this.window.windowMs
    for (let slot = 0; slot < this.used; slot++)
      if (nowMs - this.lastEventMs[slot] >= expireMs) this.reset(slot, nowMs)
  }

  private reset(slot: number, nowMs: number): void {
    this.startMs[slot] = nowMs
    this.lastEventMs[slot] = nowMs
    this.count[slot] = 0
    this.sum[slot] = 0
    this.max[slot] = 0
  }
}
