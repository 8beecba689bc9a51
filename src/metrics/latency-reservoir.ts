// Request durations of one sampling interval of the throughput history, for its latency percentiles
// (p50, p99). Up to `capacity` durations are kept exactly; past that, reservoir sampling (Vitter's
// algorithm R) keeps a uniform sample of the interval, so the cost per request stays one comparison
// and at most one random number, and the memory fixed.

export interface LatencyPercentiles {
  /** Milliseconds; 0 when the interval had no request. */
  p50Ms: number
  p99Ms: number
}

export class LatencyReservoir {
  private readonly values: Float64Array
  private seen = 0

  constructor(readonly capacity = 4096) {
    this.values = new Float64Array(capacity)
  }

  record(seconds: number): void {
    if (this.seen < this.capacity) this.values[this.seen] = seconds
    else {
      const slot = Math.floor(Math.random() * (this.seen + 1))
      if (slot < this.capacity) this.values[slot] = seconds
    }
    this.seen += 1
  }

  /** The percentiles of what was recorded since the last call (nearest rank), and a fresh interval. */
  take(): LatencyPercentiles {
    const count = Math.min(this.seen, this.capacity)
    this.seen = 0
    if (count === 0) return { p50Ms: 0, p99Ms: 0 }
    const sorted = this.values.slice(0, count).sort()
    const at = (fraction: number) => {
      const rank = Math.max(Math.ceil(fraction * count), 1)
      return Math.round(sorted[rank - 1] * 1e6) / 1000
    }
    return { p50Ms: at(0.5), p99Ms: at(0.99) }
  }
}
