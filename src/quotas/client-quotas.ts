// Client quota enforcement (KIP-13, KIP-124, KIP-219, KIP-599): usage per quota entity measured over
// a sliding window, and the throttle time a request earns when its entity is over quota. The router
// sets that time in the response's throttle_time_ms and mutes the connection for as long
// (src/broker/connection.ts), as Kafka does.
//
// - producer_byte_rate: Produce request bytes, counted after the produce.
// - consumer_byte_rate: Fetch response bytes.
// - request_percentage: the time spent handling the entity's requests, as a percentage of one thread
//   (100 = one second per second), minus the time a handler spent parked (a Fetch long-poll).
// - controller_mutation_rate: partitions created or deleted per second (token bucket, token-bucket.ts).
//
// Usage is kept per usage key (quota-resolution.ts); entries idle for the whole window are dropped and
// at most `quotaUsagesMax` are kept (least recently used first), so client ids cannot grow memory.

import type { QuotaKey } from './quota-keys.ts'
import type { QuotaClient, QuotaLookup, ResolvedQuota } from './quota-resolution.ts'
import { resolveQuota } from './quota-resolution.ts'
import { SampledRate } from './sampled-rate.ts'
import { TokenBucket } from './token-bucket.ts'

/** Rates and buckets kept at once; the least recently used is dropped first. */
export const quotaUsagesMax = 100_000

export interface QuotaWindow {
  /** `quota.window.num` (Kafka default 11). */
  samples: number
  /** `quota.window.size.seconds` × 1000 (Kafka default 1 s). */
  windowMs: number
}

export const defaultQuotaWindow: QuotaWindow = { samples: 11, windowMs: 1000 }

export type ThrottleListener = (quota: QuotaKey, throttleMs: number, usage: ResolvedQuota) => void

/** An LRU map whose entries also expire once idle for `idleMs`. */
class UsageMap<T extends { lastRecordMs: number }> {
  private readonly entries = new Map<string, T>()
  constructor(private readonly idleMs: number) {}

  get(key: string, create: () => T, nowMs: number): T {
    let entry = this.entries.get(key)
    if (entry !== undefined) this.entries.delete(key)
    else entry = create()
    this.entries.set(key, entry)
    for (const [oldKey, old] of this.entries) {
      if (this.entries.size <= quotaUsagesMax && old.lastRecordMs >= nowMs - this.idleMs) break
      if (old === entry) break
      this.entries.delete(oldKey)
    }
    return entry
  }

  get size(): number {
    return this.entries.size
  }
}

export class ClientQuotas {
  readonly window: QuotaWindow
  private readonly store: QuotaLookup
  private readonly rates: UsageMap<SampledRate>
  private readonly buckets: UsageMap<TokenBucket>
  private readonly onThrottle: ThrottleListener | undefined

  constructor(options: { store: QuotaLookup; window?: QuotaWindow; onThrottle?: ThrottleListener }) {
    this.store = options.store
    this.window = options.window ?? defaultQuotaWindow
    const spanMs = this.window.samples * this.window.windowMs
    this.rates = new UsageMap(spanMs)
    this.buckets = new UsageMap(spanMs)
    this.onThrottle = options.onThrottle
  }

  /** False while no quota is set: the router then skips quota bookkeeping altogether. */
  get active(): boolean {
    return this.store.size > 0
  }

  /** The longest a byte-rate or mutation throttle lasts (Kafka has no cap; a zero quota needs one). */
  get throttleMsMax(): number {
    return this.window.samples * this.window.windowMs
  }

  /** Records usage against a rate quota; returns the throttle time it earns (0 when within quota). */
  record(
    key: Exclude<QuotaKey, 'controller_mutation_rate'>,
    client: QuotaClient,
    value: number,
    nowMs: number,
  ): number {
    const quota = resolveQuota(this.store, key, client)
    if (quota === undefined) return 0
    const rate = this.rates.get(quota.usageKey, () => new SampledRate(this.window), nowMs)
    rate.record(value, nowMs)
    // Kafka bounds the request-time throttle by one window; byte rates by the whole window here.
    const capMs = key === 'request_percentage' ? this.window.windowMs : this.throttleMsMax
    const throttleMs = Math.min(rate.throttleMs(quota.bound, nowMs), capMs)
    if (throttleMs > 0) this.onThrottle?.(key, throttleMs, quota)
    return throttleMs
  }

  /** The controller mutation bucket of this client, or undefined without a quota. */
  mutationBucket(
    client: QuotaClient,
    nowMs: number,
  ): { bucket: TokenBucket; quota: ResolvedQuota } | undefined {
    const quota = resolveQuota(this.store, 'controller_mutation_rate', client)
    if (quota === undefined) return undefined
    const burstSeconds = (this.window.samples * this.window.windowMs) / 1000
    const bucket = this.buckets.get(
      quota.usageKey,
      () => new TokenBucket({ rate: quota.bound, burstSeconds }, nowMs),
      nowMs,
    )
    bucket.rate = quota.bound
    return { bucket, quota }
  }

  reportThrottle(key: QuotaKey, throttleMs: number, quota: ResolvedQuota): void {
    this.onThrottle?.(key, throttleMs, quota)
  }

  /** Rates and buckets held (for tests and metrics). */
  get usagesHeld(): number {
    return this.rates.size + this.buckets.size
  }
}
