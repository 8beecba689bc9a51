// Incremental fetch sessions (KIP-227). A session remembers the partitions a consumer fetches, so
// later requests send only what changed and responses carry only partitions with news. The cache
// is bounded (`max.incremental.fetch.session.cache.slots`): a new session evicts the least recently
// used one when full, and sessions idle longer than the eviction time are dropped first.

import { randomInt } from 'node:crypto'

export interface SessionLimits {
  /** `max.incremental.fetch.session.cache.slots` (Kafka default 1000). */
  sessionsMax: number
  /** `min.incremental.fetch.session.eviction.ms` (Kafka default 120000): idle sessions expire. */
  sessionIdleMs: number
}

export const defaultSessionLimits: SessionLimits = { sessionsMax: 1000, sessionIdleMs: 120_000 }

/** One partition of a session: where the consumer is, and what it was last told. */
export interface SessionPartition {
  topic: string
  topicId: string
  partition: number
  fetchOffset: number
  partitionMaxBytes: number
  currentLeaderEpoch: number
  /** What the last response said; a partition is sent again only when one of these changes. */
  sent: { highWatermark: number; lastStableOffset: number; logStartOffset: number } | null
}

export class FetchSession {
  readonly id: number
  /** The epoch the next request must carry. */
  nextEpoch = 1
  lastUsedMs: number
  /** Keyed by `${topicId or topic}:${partition}`, in the order the client added them. */
  readonly partitions = new Map<string, SessionPartition>()

  constructor(id: number, nowMs: number) {
    this.id = id
    this.lastUsedMs = nowMs
  }
}

export function sessionPartitionKey(topicOrId: string, partition: number): string {
  return `${topicOrId}:${partition}`
}

export class FetchSessionCache {
  private readonly sessions = new Map<number, FetchSession>()
  private readonly limits: SessionLimits
  private readonly now: () => number

  constructor(limits: SessionLimits = defaultSessionLimits, now: () => number = Date.now) {
    this.limits = limits
    this.now = now
  }

  get size(): number {
    return this.sessions.size
  }

  /** The session, touched as recently used; undefined when unknown or expired. */
  get(id: number): FetchSession | undefined {
    const session = this.sessions.get(id)
    if (session === undefined) return undefined
    if (this.now() - session.lastUsedMs > this.limits.sessionIdleMs) {
      this.sessions.delete(id)
      return undefined
    }
    session.lastUsedMs = this.now()
    // Re-insert so the map's order stays least-recently-used first.
    this.sessions.delete(id)
    this.sessions.set(id, session)
    return session
  }

  /** A new empty session; null when the cache holds no slots at all. */
  create(): FetchSession | null {
    if (this.limits.sessionsMax <= 0) return null
    this.evictExpired()
    while (this.sessions.size >= this.limits.sessionsMax) {
      const oldest = this.sessions.keys().next().value as number
      this.sessions.delete(oldest)
    }
    let id = randomInt(1, 0x7fffffff)
    while (this.sessions.has(id)) id = randomInt(1, 0x7fffffff)
    const session = new FetchSession(id, this.now())
    this.sessions.set(id, session)
    return session
  }

  remove(id: number): void {
    this.sessions.delete(id)
  }

  private evictExpired(): void {
    const nowMs = this.now()
    for (const [id, session] of this.sessions) {
      if (nowMs - session.lastUsedMs > this.limits.sessionIdleMs) this.sessions.delete(id)
    }
  }
}
