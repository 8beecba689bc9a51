// The controller mutation quota (KIP-599) is a token bucket, not an average: `rate` tokens (partitions
// created or deleted) per second, holding at most rate × samples × window seconds, as Kafka's
// TokenBucket does. A mutation takes its tokens even when that drives the bucket below zero (one
// large CreateTopics is allowed as a burst); while the bucket is below zero the client is over quota,
// for -tokens / rate seconds.

export class TokenBucket {
  private tokens: number
  private lastMs: number
  /** Last time tokens were taken: idle buckets are dropped (quota-manager.ts). */
  lastRecordMs: number

  /** Tokens per second: the quota's current value (AlterClientQuotas may change it). */
  rate: number
  private readonly burstSeconds: number

  constructor(options: { rate: number; burstSeconds: number }, nowMs: number) {
    this.rate = options.rate
    this.burstSeconds = options.burstSeconds
    this.tokens = this.capacity
    this.lastMs = nowMs
    this.lastRecordMs = nowMs
  }

  private get capacity(): number {
    return this.rate * this.burstSeconds
  }

  private refill(nowMs: number): void {
    const elapsedSeconds = Math.max(0, nowMs - this.lastMs) / 1000
    this.tokens = Math.min(this.capacity, this.tokens + elapsedSeconds * this.rate)
    this.lastMs = nowMs
  }

  /** The time (ms) until the bucket is back at zero; 0 when not over quota. */
  throttleMs(nowMs: number): number {
    this.refill(nowMs)
    if (this.tokens >= 0) return 0
    if (this.rate <= 0) return Number.POSITIVE_INFINITY
    return Math.round((-this.tokens / this.rate) * 1000)
  }

  take(tokens: number, nowMs: number): void {
    this.refill(nowMs)
    this.tokens -= tokens
    this.lastRecordMs = nowMs
  }
}
