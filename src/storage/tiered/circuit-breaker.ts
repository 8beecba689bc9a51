// The read-path circuit breaker: once the remote store has failed `failuresToOpen` reads in a row,
// remote reads fail fast for `openMs` (a retriable RemoteStorageError, which the partition answers as
// KAFKA_STORAGE_ERROR) instead of each consumer's fetch waiting for a request timeout against a store
// that is down. After `openMs` one read goes through as a probe (half-open) while the others still
// fail fast; its success closes the breaker, its failure opens it again. A missing object is an answer
// from a working store and does not count as a failure. Cached data is read without the breaker.

import { RemoteObjectMissingError, RemoteStorageError } from './object-store.ts'

export interface CircuitBreakerOptions {
  /** Consecutive failures that open the breaker. */
  failuresToOpen: number
  /** How long it stays open before one probe is let through. */
  openMs: number
}

export const defaultReadBreakerOptions: CircuitBreakerOptions = { failuresToOpen: 5, openMs: 2_000 }

export type CircuitState = 'closed' | 'open' | 'half-open'

/** A read refused without asking the store (the breaker is open or a probe is in flight). */
export class CircuitOpenError extends RemoteStorageError {}

export class CircuitBreaker {
  private failures = 0
  private openedAtMs = -1
  private probing = false
  /** Times the breaker opened (metrics). */
  opens = 0
  /** Reads refused while open (metrics). */
  rejected = 0

  constructor(
    private readonly options: CircuitBreakerOptions,
    private readonly now: () => number = Date.now,
  ) {}

  get state(): CircuitState {
    if (this.openedAtMs < 0) return 'closed'
    return this.now() - this.openedAtMs >= this.options.openMs ? 'half-open' : 'open'
  }

  async run<T>(operation: () => Promise<T>): Promise<T> {
    const state = this.state
    if (state === 'open' || (state === 'half-open' && this.probing)) {
      this.rejected += 1
      const retryInMs = Math.max(0, this.openedAtMs + this.options.openMs - this.now())
      throw new CircuitOpenError(
        `remote store unavailable: ${this.failures} reads failed in a row; reads fail fast ` +
          (state === 'open' ? `for ${retryInMs} ms more` : 'until the probe read answers'),
      )
    }
    const probe = state === 'half-open'
    if (probe) this.probing = true
    try {
      const result = await operation()
      this.failures = 0
      this.openedAtMs = -1
      return result
    } catch (error) {
      if (error instanceof RemoteObjectMissingError) {
        this.failures = 0
        this.openedAtMs = -1
        throw error
      }
      this.failures += 1
      if (probe || this.failures >= this.options.failuresToOpen) {
        if (this.openedAtMs < 0 || probe) this.opens += 1
        this.openedAtMs = this.now()
      }
      throw error
    } finally {
      if (probe) this.probing = false
    }
  }
}
